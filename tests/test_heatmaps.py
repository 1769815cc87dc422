"""The canvas frame, the HeatmapSet and its export, and the sample's layout habits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from layerheat import LayerTable, heatmaps, sample_layers
from layerheat.binning import HexGrid
from layerheat.sample import CANVAS


def point_table(type_ids, xs, ys, canvas=(1000.0, 500.0)) -> LayerTable:
    n = len(xs)
    return LayerTable.from_columns(
        design_id=[f"d{i}" for i in range(n)],
        type_id=np.asarray(type_ids),
        xmin=np.asarray(xs, float),
        ymin=np.asarray(ys, float),
        xmax=np.asarray(xs, float),
        ymax=np.asarray(ys, float),
        canvas_width=np.full(n, canvas[0]),
        canvas_height=np.full(n, canvas[1]),
    )


@pytest.mark.parametrize(("width", "height"), [(5906, 3543), (1000, 1000), (800, 2400)])
def test_canvas_grid_hexagons_are_regular_on_the_canvas(width, height):
    grid = HexGrid.for_canvas(35, width, height)
    hexagon = grid.hexagon() * [width, height]
    across = hexagon[:, 0].max() - hexagon[:, 0].min()  # flat-to-flat width
    tall = hexagon[:, 1].max() - hexagon[:, 1].min()  # vertex-to-vertex height
    assert tall / across == pytest.approx(2 / math.sqrt(3), rel=1e-9)
    # neighbouring centres are one hexagon width apart in every direction
    centres = grid.centers() * [width, height]
    d = np.hypot(*(centres[grid.n1] - centres[0]))
    assert d == pytest.approx(across, rel=1e-9)


def test_canvas_grid_covers_the_whole_canvas():
    grid = HexGrid.for_canvas(35, *CANVAS)
    xs, ys = np.meshgrid(np.linspace(0, 1, 301), np.linspace(0, 1, 301))
    assert (grid.bin_index(xs.ravel(), ys.ravel()) >= 0).all()


def test_a_point_lands_in_the_hexagon_whose_centre_is_nearest_on_the_canvas():
    rng = np.random.default_rng(5)
    w, h = CANVAS
    grid = HexGrid.for_canvas(35, w, h)
    x, y = rng.random(2000), rng.random(2000)
    idx = grid.bin_index(x, y)
    centres = grid.centers()
    d = np.hypot((centres[None, :, 0] - x[:, None]) * w, (centres[None, :, 1] - y[:, None]) * h)
    nearest = d.min(axis=1)
    assert np.allclose(d[np.arange(len(x)), idx], nearest, rtol=0, atol=1e-6)


def test_counts_sum_to_layers_and_bins_frame_covers_every_hexagon():
    hs = heatmaps(sample_layers(designs=300))
    frame = hs.to_frame()
    assert list(frame.columns) == ["type_id", "type_name", "x", "y", "count"]
    assert len(frame) == len(hs) * hs[30].grid.size  # zero-count hexagons included
    for t in hs:
        assert t.counts.sum() == t.n_layers
        assert frame[frame.type_id == t.type.id]["count"].sum() == t.n_layers


def test_y_grows_downward_in_the_canvas_frame():
    hs = heatmaps(point_table([30, 100], [500, 500], [10, 490]))
    frame = hs.to_frame()
    top = frame[(frame.type_id == 30) & (frame["count"] == 1)].iloc[0]
    bottom = frame[(frame.type_id == 100) & (frame["count"] == 1)].iloc[0]
    assert top.y < 0.1 and bottom.y > 0.9


def test_mean_size_is_a_share_of_each_designs_canvas():
    table = LayerTable.from_columns(
        design_id=["a", "b"],
        type_id=[30, 30],
        xmin=[0.0, 0.0],
        ymin=[0.0, 0.0],
        xmax=[500.0, 100.0],
        ymax=[100.0, 100.0],
        canvas_width=[1000.0, 200.0],
        canvas_height=[1000.0, 400.0],
    )
    th = heatmaps(table)[30]
    assert th.mean_width == pytest.approx(0.5)
    assert th.mean_height == pytest.approx((0.1 + 0.25) / 2)


def test_empty_types_are_present_with_zero_counts():
    hs = heatmaps(point_table([30], [10], [10]))
    assert len(hs) == 14
    assert hs[70].n_layers == 0 and hs[70].counts.sum() == 0
    assert [t.type.id for t in hs.present()] == [30]


def test_write_bins_writes_the_frame(tmp_path):
    import pandas as pd

    hs = heatmaps(sample_layers(designs=50))
    path = hs.write_bins(tmp_path / "bins.csv")
    back = pd.read_csv(path)
    pd.testing.assert_frame_equal(back, hs.to_frame(), check_dtype=False)


def hottest(hs, type_id):
    t = hs[type_id]
    return t.grid.centers()[np.argmax(t.counts)]


def test_sample_hot_spots_sit_where_the_generator_puts_each_type():
    hs = heatmaps()
    x, y = hottest(hs, 70)
    assert x < 0.2 and y < 0.2, "developer logo: top-left"
    x, y = hottest(hs, 100)
    assert 0.3 < x < 0.7 and y > 0.9, "disclaimer: bottom strip"
    assert hottest(hs, 30)[1] < 0.3, "title: high"
    assert hottest(hs, 40)[1] < 0.4, "subtitle: under the title"
    x, y = hottest(hs, 80)
    assert x < 0.4 and y > 0.8, "address: low on the left"
    assert hottest(hs, 90)[0] > 0.6, "sales info: panel mostly on the right"


def test_sample_is_deterministic_and_seeded():
    a, b = sample_layers(designs=50, seed=1), sample_layers(designs=50, seed=1)
    assert a.arrow.equals(b.arrow)
    assert not a.arrow.equals(sample_layers(designs=50, seed=2).arrow)


def test_sample_has_all_types_inside_the_canvas():
    t = sample_layers(designs=500)
    assert sorted(set(t.numpy("type_id").tolist())) == list(range(10, 150, 10))
    assert (t.numpy("xmin") >= 0).all() and (t.numpy("xmax") <= CANVAS[0]).all()
    assert (t.numpy("ymin") >= 0).all() and (t.numpy("ymax") <= CANVAS[1]).all()
    assert (t.numpy("xmin") <= t.numpy("xmax")).all()
    assert len(t.designs()) == 500
