"""The fast drawing paths of write_figures: the summary from one moved panel, shared work."""

from __future__ import annotations

import numpy as np
import pytest

from layerheat import heatmaps, plot_summary, plot_type, sample_layers
from layerheat.plot import Style, _share_work, summary_pixels, write_figures


def pixels(fig, dpi: float) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def assert_same_picture(a: np.ndarray, b: np.ndarray) -> None:
    """Equal up to sub-pixel placement: moving a panel by a fraction of a pixel may round
    a tick label one pixel the other way (a few pixels); a missing, misplaced or
    mis-coloured panel changes several percent of them."""
    assert a.shape == b.shape
    differ = np.any(a != b, axis=2)
    assert differ.mean() < 1e-4, f"{differ.sum()} pixels differ"


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
@pytest.mark.parametrize(
    "style",
    [Style(), Style(all_types=True, log=True), Style(color_scale="shared", density=True)],
    ids=["per-type", "all-types-log", "shared-density"],
)
def test_summary_pixels_are_plot_summarys_figure(scale, style):
    hs = heatmaps(sample_layers(designs=150, seed=3), gridsize=15, scale=scale)
    assert_same_picture(summary_pixels(hs, style, 100), pixels(plot_summary(hs, style), 100))


def test_summary_png_written_is_the_summary_figure(tmp_path):
    from PIL import Image

    hs = heatmaps(sample_layers(designs=150, seed=4))
    write_figures(hs, tmp_path, jobs=1, dpi=80)
    with Image.open(tmp_path / "summary.png") as image:
        assert image.info["dpi"] == pytest.approx((80, 80), abs=0.01)
        assert "Matplotlib" in image.info["Software"]  # as savefig writes it
        written = np.asarray(image.convert("RGBA"))
    assert_same_picture(written, pixels(plot_summary(hs), 80))


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize("n_types", [0, 1, 5, 14])
def test_shared_work_draws_every_figure_once(workers, n_types):
    jobs = [(None, "summary", "png", 150)] + [(t, f"t{t}", "png", 150) for t in range(n_types)]
    units = _share_work(jobs, workers)
    assert sorted(j[1] for unit in units for j in unit) == sorted(j[1] for j in jobs)
    assert 1 <= len(units) <= workers
    if workers == 2 and n_types == 14:  # the summary is slow: few types beside it
        (with_summary,) = [u for u in units if u[0][0] is None]
        assert len(with_summary) - 1 < n_types / 4


def test_one_early_process_forks_the_others_and_reports_their_errors(tmp_path):
    """FigureWorkers starts one process (one matplotlib import); it forks a child per
    further unit of work. A child's failure is raised, and no child is left behind.
    In a fresh interpreter: forking needs a single-threaded parent."""
    import subprocess
    import sys

    code = f"""
import os
from pathlib import Path
from layerheat import heatmaps, sample_layers
from layerheat.errors import LayerheatError
from layerheat.plot import FigureWorkers, Style, _draw_sent
out = Path({str(tmp_path)!r})
with FigureWorkers(2) as workers:
    assert len(workers.pool._processes) == 1, workers.pool._processes
hs = heatmaps(sample_layers(designs=100))
good = [(None, str(out / "summary.png"), "png", 40)]
bad = [(30, str(out / "missing" / "layer-30.png"), "png", 40)]
try:
    _draw_sent(([good, bad], hs, Style()))
except LayerheatError as error:
    assert "worker process" in str(error) and "missing" in str(error), error
else:
    raise AssertionError("no error")
assert (out / "summary.png").stat().st_size > 0
try:
    os.waitpid(-1, os.WNOHANG)
    raise AssertionError("a child left")
except ChildProcessError:
    pass
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
@pytest.mark.parametrize(
    "style",
    [Style(), Style(log=True), Style(color_scale="shared"), Style(density=True)],
    ids=["per-type", "log", "shared", "density"],
)
def test_painted_types_are_pixel_identical_to_fresh_figures(scale, style):
    """write_figures paints the types' PNGs over one background: it must not show."""
    from layerheat.plot import TypePainter

    hs = heatmaps(sample_layers(designs=150, seed=3), gridsize=15, scale=scale)
    ids = [t.type.id for t in hs.present()]
    painter = TypePainter(hs, ids[0], style, 100)
    for type_id in [*ids[1:], ids[0]]:
        painted = painter.pixels(type_id)
        assert np.array_equal(painted, pixels(plot_type(hs, type_id, style), 100)), type_id
