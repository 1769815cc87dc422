"""Figures: panels titled with name, ID and count; canvas orientation; colour scales."""

from __future__ import annotations

import numpy as np
import pytest

from layerheat import LayerTable, heatmaps, plot_summary, plot_type, sample_layers
from layerheat.plot import Style, recolour


@pytest.fixture(scope="module")
def hs():
    return heatmaps(sample_layers(designs=300))


def panels(fig):
    """Heatmap axes (those holding a hexagon collection), in order."""
    return [ax for ax in fig.axes if ax.collections and ax.get_title()]


def test_summary_has_one_titled_panel_per_type_with_colour_bars(hs):
    fig = plot_summary(hs)
    axes = panels(fig)
    assert len(axes) == 14
    titles = [ax.get_title() for ax in axes]
    assert titles[2].startswith(f"Title (30) · n = {hs[30].n_layers:,}")
    assert all(" · n = " in t for t in titles)
    colourbars = [ax for ax in fig.axes if ax.get_ylabel() == "layers per hexagon"]
    assert len(colourbars) == 14


def test_summary_draws_types_present_and_names_the_empty_ones():
    table = LayerTable.from_columns(
        design_id=["a"],
        type_id=[30],
        xmin=[1.0],
        ymin=[1.0],
        xmax=[2.0],
        ymax=[2.0],
        canvas_width=[10.0],
        canvas_height=[10.0],
    )
    hs = heatmaps(table)
    fig = plot_summary(hs)
    titles = [ax.get_title() for ax in panels(fig)]
    assert [t.split(" · ")[0] for t in titles] == ["Title (30)"]
    footnote = [t.get_text() for t in fig.texts if t.get_text().startswith("no layers:")]
    assert len(footnote) == 1 and "Developer Logo (70)" in footnote[0]
    fig = plot_summary(hs, Style(all_types=True))
    titles = [ax.get_title() for ax in panels(fig)]
    assert any(t.startswith("Developer Logo (70) · n = 0\nmax 0") for t in titles)


def test_canvas_panel_shows_the_canvas_top_up_at_its_aspect(hs):
    ax = panels(plot_type(hs, 70))[0]
    w, h = hs.canvas
    assert ax.get_xlim() == (0, w)
    assert ax.get_ylim() == (h, 0)  # inverted: top of the design at the top
    assert ax.get_aspect() == 1.0


def test_hexagon_colours_follow_counts(hs):
    ax = panels(plot_type(hs, 70))[0]
    coll = ax.collections[0]
    np.testing.assert_array_equal(coll.get_array(), hs[70].counts)
    np.testing.assert_allclose(coll.get_offsets(), hs[70].grid.centers() * hs.canvas)


def test_shared_scale_is_common_and_per_type_scale_is_each_types_own(hs):
    shared = [ax.collections[0].norm.vmax for ax in panels(plot_summary(hs, Style("shared")))]
    assert set(shared) == {hs.max_count}
    own = [ax.collections[0].norm.vmax for ax in panels(plot_summary(hs, Style("per-type")))]
    assert own == [max(t.max_count, 1) for t in hs]


def test_log_scale_uses_a_log_norm(hs):
    from matplotlib.colors import LogNorm

    ax = panels(plot_type(hs, 30, Style(log=True)))[0]
    assert isinstance(ax.collections[0].norm, LogNorm)


def test_minmax_panels_span_the_unit_square(hs):
    mm = heatmaps(sample_layers(designs=300), scale="minmax")
    ax = panels(plot_type(mm, 30))[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 == pytest.approx(0, abs=1e-8) and x1 == pytest.approx(1, abs=1e-8)
    assert y0 > y1  # y downward like the canvas


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
@pytest.mark.parametrize(
    "style",
    [Style(), Style(log=True), Style(color_scale="shared"), Style(density=True)],
    ids=["per-type", "log", "shared", "density"],
)
def test_a_recoloured_figure_is_pixel_identical_to_a_fresh_one(scale, style):
    """write_figures draws the types from one re-coloured figure: it must not show."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    hs = heatmaps(sample_layers(designs=150, seed=3), gridsize=15, scale=scale)

    def pixels(fig):
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()

    ids = [t.type.id for t in hs.present()]
    fig = plot_type(hs, ids[0], style)
    pixels(fig)
    for type_id in [*ids[1:], ids[0]]:
        again = pixels(recolour(fig, hs, type_id, style))
        assert np.array_equal(again, pixels(plot_type(hs, type_id, style))), type_id


def test_summary_labels_only_the_outer_panels(hs):
    fig = plot_summary(hs)
    axes = panels(fig)
    labelled_x = [i for i, ax in enumerate(axes) if ax.get_xlabel()]
    labelled_y = [i for i, ax in enumerate(axes) if ax.get_ylabel()]
    assert labelled_x == [10, 11, 12, 13]  # the lowest panel of each of the 4 columns
    assert labelled_y == [0, 4, 8, 12]


def test_workers_started_before_the_heatmaps_draw_the_same_files(tmp_path):
    """FigureWorkers fork before the heatmaps exist (they get them pickled): the files are
    byte-identical to figures drawn in this process. Run in a fresh interpreter: forking
    needs a single-threaded parent, which a test session that used Dask no longer is."""
    import subprocess
    import sys

    code = f"""
import os
from pathlib import Path
from layerheat import heatmaps, sample_layers
from layerheat.plot import FigureWorkers, write_figures
out = Path({str(tmp_path)!r})
with FigureWorkers(2) as workers:
    assert workers.pool is not None, "no early pool"
    hs = heatmaps(sample_layers(designs=300))
    early = write_figures(hs, out / "early", workers=workers)
serial = write_figures(hs, out / "serial", jobs=1)
assert [p.name for p in early] == [p.name for p in serial]
for a, b in zip(early, serial):
    assert a.read_bytes() == b.read_bytes(), a.name
assert not [p for p in os.listdir(out / "early") if p.startswith(".")]
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_figure_workers_after_an_error_leave_no_process(tmp_path):
    import multiprocessing

    from layerheat.plot import FigureWorkers

    before = set(multiprocessing.active_children())  # e.g. Dask workers of earlier tests
    with pytest.raises(RuntimeError), FigureWorkers(2) as workers:
        started = set(workers.pool._processes.values()) if workers.pool else set()
        raise RuntimeError("reading failed")
    for child in started:
        child.join(timeout=30)  # they finish warming up, then exit
    assert not (set(multiprocessing.active_children()) - before)


def test_a_small_linear_count_scale_has_whole_number_ticks_only():
    """A type with at most 3 layers in a hexagon: ticks 0..3, never 0.5 layers; a fresh
    figure and a re-coloured one alike (a new norm resets the ticks)."""
    table = LayerTable.from_columns(
        design_id=["a", "b", "c", "d"],
        type_id=[30, 30, 30, 70],
        xmin=[10.0] * 4,
        ymin=[10.0] * 4,
        xmax=[20.0] * 4,
        ymax=[20.0] * 4,
        canvas_width=[100.0] * 4,
        canvas_height=[100.0] * 4,
    )
    few = heatmaps(table)
    for fig in (plot_type(few, 30), recolour(plot_type(few, 70), few, 30)):
        bar = next(ax for ax in fig.axes if ax.get_ylabel() == "layers per hexagon")
        fig.canvas.draw()
        ticks = [t for t in bar.get_yticks() if bar.get_ylim()[0] <= t <= bar.get_ylim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        assert max(ticks) == 3
