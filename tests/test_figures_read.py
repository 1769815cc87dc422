"""Figures read on their own: no text outside the figure at any gridsize or count,
labelled axes and colour bars, every type's pattern visible, mixed canvases in fractions."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from layerheat import heatmaps  # noqa: E402
from layerheat.plot import Style, compact, plot_summary, plot_type  # noqa: E402
from layerheat.sample import sample_layers  # noqa: E402


def scaled(hs, factor: int, keep: int | None = None):  # noqa: ANN001, ANN202
    """The same heatmaps with counts multiplied (huge magnitudes without huge inputs)."""
    types = {}
    for i, (tid, t) in enumerate(hs.types.items()):
        n = 0 if keep is not None and i >= keep else 1
        types[tid] = dataclasses.replace(t, counts=t.counts * factor * n, n_layers=t.n_layers * n)
    return dataclasses.replace(hs, types=types)


def texts_outside(fig) -> list[str]:  # noqa: ANN001
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    bad = []
    undrawn = _undrawn_tick_labels(fig)
    for text in fig.findobj(matplotlib.text.Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in undrawn:
            continue
        ext = text.get_window_extent(renderer)
        if ext.x0 < box.x0 - 1 or ext.y0 < box.y0 - 1 or ext.x1 > box.x1 + 1 or ext.y1 > box.y1 + 1:
            bad.append(text.get_text())
    return bad


def _undrawn_tick_labels(fig) -> set[int]:  # noqa: ANN001
    """Labels of ticks outside their axis's view (a colour bar's next tick above its
    maximum): matplotlib keeps them, with a position, but does not draw them."""
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn = {id(t) for t in axis._update_ticks()}
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if id(tick) not in drawn:
                    undrawn.update((id(tick.label1), id(tick.label2)))
    return undrawn


@pytest.mark.parametrize("gridsize", [5, 35, 200])
@pytest.mark.parametrize("factor", [1, 10_000, 10_000_000])
def test_no_text_is_clipped_at_any_gridsize_or_count(gridsize: int, factor: int) -> None:
    hs = scaled(heatmaps(sample_layers(designs=300), gridsize=gridsize), factor)
    assert texts_outside(plot_summary(hs)) == []
    assert texts_outside(plot_type(hs, 70, Style(color_scale="shared"))) == []
    few = scaled(hs, 1, keep=1)  # one type present: a narrow summary with a long footnote
    assert texts_outside(plot_summary(few)) == []


def test_tick_labels_stay_short_at_any_magnitude() -> None:
    assert [compact(v) for v in (0, 950, 2500, 25_000, 250_000, 1.2e7, 0.05)] == [
        "0", "950", "2,500", "25k", "250k", "12M", "0.05"
    ]  # fmt: skip


def test_axes_and_colour_bars_say_what_they_show() -> None:
    hs = heatmaps(sample_layers(designs=200), gridsize=12)
    fig = plot_type(hs, 30)
    ax, cbar = fig.axes[0], fig.axes[1]
    assert ax.get_xlabel() == "x (px)" and ax.get_ylabel() == "y (px, down)"
    assert cbar.get_ylabel() == "layers per hexagon"
    dens = plot_type(hs, 30, Style(density=True))
    assert dens.axes[1].get_ylabel() == "share of the type's layers"


def test_per_type_scale_shows_every_types_pattern_and_empty_is_background() -> None:
    hs = heatmaps(sample_layers(designs=400), gridsize=20)
    fig = plot_type(hs, 140)  # Other: diffuse, few per hexagon
    coll = fig.axes[0].collections[0]
    values = np.asarray(coll.get_array(), dtype=float)
    assert np.isnan(values[hs[140].counts == 0]).all()  # empty hexagons are not coloured
    norm = coll.norm
    assert norm.vmax == hs[140].max_count  # its own maximum: its pattern spans the colours


def test_mixed_canvas_sizes_are_drawn_in_fractions_and_said() -> None:
    table = sample_layers(designs=60)
    arrow = table.arrow
    w = arrow.column("canvas_width").to_numpy().copy()
    w[::2] *= 2  # half the layers on canvases twice as wide
    mixed = arrow.set_column(arrow.schema.get_field_index("canvas_width"), "canvas_width", [w])
    hs = heatmaps(mixed, gridsize=10)
    assert len(hs.canvas_sizes) == 2
    fig = plot_type(hs, 30)
    assert fig.axes[0].get_xlabel() == "x (fraction of canvas)"
    assert fig.axes[0].get_xlim() == (0.0, 1.0)
    assert "2 canvas sizes" in plot_summary(hs)._suptitle.get_text()


def test_point_only_layers_say_nothing_about_size(tmp_path) -> None:  # noqa: ANN001
    from layerheat.plot import panel_title
    from layerheat.table import LayerTable

    points = LayerTable.from_columns(
        design_id=["a", "b"], type_id=np.array([30, 30], dtype=np.int16), name=["", ""],
        xmin=[10.0, 20.0], ymin=[10.0, 20.0], xmax=[10.0, 20.0], ymax=[10.0, 20.0],
        canvas_width=[100.0, 100.0], canvas_height=[100.0, 100.0],
    )  # fmt: skip
    hs = heatmaps(points, gridsize=5)
    assert "size" not in panel_title(hs, hs[30])
