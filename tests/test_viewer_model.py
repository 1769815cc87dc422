"""The viewer's Qt-free model: listing, search, stepping, type toggles, hover, overlay."""

from __future__ import annotations

import numpy as np
import pytest

from layerheat.errors import LayerheatError
from layerheat.render import design_scene
from layerheat.sample import sample_layers
from layerheat.table import LayerTable
from layerheat.viewer.model import PAGE, ViewerModel


@pytest.fixture(scope="module")
def sample() -> LayerTable:
    return sample_layers(designs=30, seed=2)


def small() -> ViewerModel:
    table = LayerTable.from_columns(
        design_id=["poster-a", "poster-a", "flyer-b", "poster-c", "poster-a"],
        type_id=[30, 90, 30, 70, 70],
        name=["Headline", "Price panel", "Title", "logo", "brand mark"],
        xmin=[100.0, 300.0, 0.0, 10.0, 500.0],
        ymin=[100.0, 200.0, 0.0, 10.0, 250.0],
        xmax=[500.0, 700.0, 50.0, 60.0, 500.0],
        ymax=[300.0, 450.0, 50.0, 60.0, 250.0],
        canvas_width=[1000.0] * 5,
        canvas_height=[500.0] * 5,
    )
    return ViewerModel(table, label="small")


def test_opens_on_the_first_design_with_all_listed(sample):
    model = ViewerModel(sample)
    assert model.current == "sample-01"
    assert model.designs == sample.designs() and model.filtered == model.designs


def test_layers_of_a_design_are_its_rows_in_table_order():
    model = small()
    rows = model.layers("poster-a")
    assert rows.arrow.column("name").to_pylist() == ["Headline", "Price panel", "brand mark"]


def test_search_matches_ids_and_layer_names_case_insensitively():
    model = small()
    model.set_query("POSTER")
    assert model.filtered == ["poster-a", "poster-c"]
    model.set_query("price")  # a layer name
    assert model.filtered == ["poster-a"]
    model.set_query("poster logo")  # every word must match
    assert model.filtered == ["poster-c"] and model.current == "poster-c"
    model.set_query("nothing-like-this")
    assert model.filtered == [] and model.current is None and model.scene() is None
    model.set_query("")
    assert model.filtered == ["poster-a", "flyer-b", "poster-c"]


def test_search_keeps_the_current_design_when_it_still_matches():
    model = small()
    model.select("poster-c")
    model.set_query("poster")
    assert model.current == "poster-c"


def test_step_moves_through_the_filtered_list_and_stops_at_the_ends(sample):
    model = ViewerModel(sample)
    assert model.step(1) == "sample-02"
    assert model.step(PAGE) == "sample-12"
    assert model.step(-100) == "sample-01"
    assert model.step(100) == "sample-30"
    model.set_query("sample-1")
    assert model.current == "sample-10"
    assert model.step(1) == "sample-11"


def test_unknown_design_names_a_few_that_exist():
    model = small()
    with pytest.raises(LayerheatError, match=r"'postr-a' not found; 3 designs, e\.g\. poster-a"):
        model.select("postr-a")


def test_scene_is_what_the_renderer_draws_without_legend(sample):
    model = ViewerModel(sample)
    expected = design_scene(sample.design("sample-01"), legend=False)
    assert model.scene() == expected


def test_hiding_a_type_removes_it_from_scene_and_hover():
    model = small()
    assert model.shape_at(400, 250).type.id == 90  # Sales Info is on top of the Title there
    model.set_type_visible(90, False)
    assert not model.is_visible(90)
    assert [s.type.id for s in model.scene().shapes] == [30, 70]
    assert model.shape_at(400, 250).type.id == 30
    assert model.shape_at(650, 400) is None
    model.set_type_visible(90, True)
    assert model.shape_at(650, 400).type.id == 90


def test_hover_hits_point_layers_within_the_marker():
    model = small()
    r = model.scene().sizes["marker"]
    assert model.shape_at(500 + r / 2, 250).name == "brand mark"
    # just outside the marker: the Sales Info box under it
    assert model.shape_at(500 + 2 * r, 250 + 2 * r).type.id == 90


def test_hover_text_has_name_type_pixels_and_fractions():
    model = small()
    text = model.describe(model.shape_at(650, 400))
    assert "Price panel" in text and "Sales Info (90)" in text
    assert "(300, 200)–(700, 450) px" in text and "400 × 250" in text
    assert "(0.300, 0.400)–(0.700, 0.900) of canvas" in text
    point = model.describe(model.shape_at(500, 250))
    assert "point (500, 250) px" in point and "(0.500, 0.500) of canvas" in point


def test_type_counts_list_types_present_with_layers_and_designs():
    counts = {tc.type.id: (tc.layers, tc.designs) for tc in small().type_counts()}
    assert counts == {30: (2, 2), 70: (2, 2), 90: (1, 1)}


def test_overlay_is_the_heatmap_on_the_current_canvas(sample):
    model = ViewerModel(sample)
    assert model.overlay(30) is None  # heatmaps not computed yet
    hs = model.compute_heatmaps()
    overlay = model.overlay(30)
    th = hs[30]
    assert overlay.counts.sum() == th.n_layers == th.counts.sum()
    # centres are the heatmap's canvas fractions times the design's canvas
    keep = th.counts > 0
    np.testing.assert_allclose(overlay.centers, th.grid.centers()[keep] * [5906.0, 3543.0])
    assert overlay.polygons().shape == (keep.sum(), 6, 2)
    # colours: viridis scaled to the type's largest count; the fullest hexagon is yellow
    top = np.argmax(overlay.counts)
    np.testing.assert_allclose(overlay.colors[top], [0.993248, 0.906157, 0.143936, 1.0], atol=1e-4)
    model.overlay_type = 30
    assert model.overlay() is not None


def test_coverage_overlay_is_the_coverage_map_as_square_cells(sample):
    from layerheat.heatmap import measure
    from layerheat.viewer.model import COVERAGE_RESOLUTION

    model = ViewerModel(sample)
    model.compute_heatmaps()
    seen = _recording(model)
    model.set_overlay_measure("coverage")
    assert seen == ["overlay"]
    overlay = model.overlay(100)  # Disclaimer: a strip along the bottom
    want = measure(sample, ("coverage",), resolution=COVERAGE_RESOLUTION).coverage
    values = want.coverage[[t.id for t in want.taxonomy].index(100)]
    ny, nx = values.shape
    assert overlay.measure == "coverage" and overlay.polygons().shape[1:] == (4, 2)
    assert np.isclose(overlay.counts.sum(), values.sum()) and overlay.max_count == values.max()
    w, h = 5906.0, 3543.0
    cells = overlay.polygons()  # squares tile the canvas: width w/nx, height h/ny
    sides = np.tile([w / nx, h / ny], (len(cells), 1))
    np.testing.assert_allclose(cells[:, 2] - cells[:, 0], sides)
    iy = np.floor(overlay.centers[:, 1] / h * ny).astype(int)
    ix = np.floor(overlay.centers[:, 0] / w * nx).astype(int)
    np.testing.assert_allclose(overlay.counts, values[iy, ix])
    assert overlay.centers[:, 1].min() > 0.8 * h  # the strip is at the bottom
    with pytest.raises(LayerheatError, match="centre or coverage"):
        model.set_overlay_measure("sizes")
    model.set_overlay_measure("centre")
    assert model.overlay(100).measure == "centre"


def test_status_line_names_design_position_and_layers(sample):
    model = ViewerModel(sample)
    n = len(sample.design("sample-01"))
    assert model.status().startswith(f"sample-01 · 1 of 30 · {n} of {n} layers shown")


def test_empty_table_is_refused():
    with pytest.raises(LayerheatError, match="no layers"):
        ViewerModel(LayerTable.empty())


# -- the one "changed" signal the window follows -------------------------------------------
def _recording(model):  # noqa: ANN001, ANN202
    seen: list[str] = []
    model.subscribe(seen.append)
    return seen


def test_every_change_is_signalled_once_with_what_changed() -> None:
    from layerheat.sample import sample_layers
    from layerheat.viewer.model import ViewerModel

    model = ViewerModel(sample_layers(designs=30))
    seen = _recording(model)
    model.select(model.designs[3])
    model.step(1)
    model.set_type_visible(30, False)
    model.set_overlay(70)
    model.set_overlay_opacity(0.2)
    assert seen == ["design", "design", "types", "overlay", "opacity"]


def test_nothing_is_signalled_when_nothing_changes() -> None:
    from layerheat.sample import sample_layers
    from layerheat.viewer.model import ViewerModel

    model = ViewerModel(sample_layers(designs=30))
    seen = _recording(model)
    model.select(model.current)
    model.set_type_visible(30, True)
    model.set_overlay(None)
    model.set_overlay_opacity(model.overlay_opacity)
    model.step(-1)  # already the first design
    model.set_query("")
    assert seen == []


def test_a_search_signals_the_list_and_then_the_design_it_moved_to() -> None:
    from layerheat.sample import sample_layers
    from layerheat.viewer.model import ViewerModel

    model = ViewerModel(sample_layers(designs=30))
    seen = _recording(model)
    last = model.designs[-1]
    model.set_query(last)
    assert seen == ["designs", "design"] and model.current == last


def test_export_scene_is_what_render_draws() -> None:
    from layerheat.render import design_scene
    from layerheat.sample import sample_layers
    from layerheat.viewer.model import ViewerModel

    table = sample_layers(designs=5)
    model = ViewerModel(table)
    model.set_type_visible(30, False)
    scene = model.export_scene()
    expected = design_scene(table.design(model.current), design_id=model.current, hidden={30})
    assert scene.legend == expected.legend and len(scene.shapes) == len(expected.shapes)
    assert all(s.type.id != 30 for s in scene.shapes)


# -- the difference map of a comparison ------------------------------------------------------
@pytest.fixture(scope="module")
def compared():
    from layerheat.sample import sample_variant

    model = ViewerModel(
        sample_layers(designs=120, seed=3),
        compare_with=sample_variant("logo-right", designs=120, seed=3),
        labels=("sample", "logo-right"),
    )
    return model, model.compute_comparison()


def test_difference_overlay_is_the_comparisons_diff(compared):
    from layerheat.compare import compare

    model, comparison = compared
    model.set_overlay_measure("difference")
    t = next(t for t in comparison.types if t.type.id == 70)
    overlay = model.overlay(70)
    keep = t.diff != 0
    assert overlay.measure == "difference" and keep.sum() < len(t.diff)
    np.testing.assert_array_equal(overlay.counts, t.diff[keep])
    np.testing.assert_array_equal(overlay.outline, t.significant[keep])
    assert overlay.outline.any() and not overlay.outline.all()
    np.testing.assert_allclose(overlay.centers, t.grid.centers()[keep] * [5906.0, 3543.0])
    # the same numbers as compare() of the two tables on the viewer's grid
    again = compare(model.table, model.compare_with, metrics=False)
    t2 = next(t for t in again.types if t.type.id == 70)
    np.testing.assert_array_equal(t2.diff, t.diff)
    # diverging colours centred on 0: red where B has more, blue where A has more
    more_b, more_a = np.argmax(overlay.counts), np.argmin(overlay.counts)
    assert overlay.colors[more_b, 0] > overlay.colors[more_b, 2]
    assert overlay.colors[more_a, 2] > overlay.colors[more_a, 0]
    assert overlay.max_count == pytest.approx(np.abs(t.diff).max())
    # significant hexagons opaque, the others faint
    assert set(np.unique(overlay.colors[:, 3])) <= {1.0, 0.45}
    assert (overlay.colors[overlay.outline, 3] == 1.0).all()
    model.set_overlay(70)
    caption = model.overlay_caption()
    assert caption.startswith("share logo-right − share sample") and "outlined" in caption
    model.set_overlay(None)
    model.set_overlay_measure("centre")


def test_switching_to_the_difference_map_signals_overlay(compared):
    from layerheat.sample import sample_variant

    model = ViewerModel(
        sample_layers(designs=120, seed=3), compare_with=sample_variant(designs=120, seed=3)
    )
    seen = _recording(model)
    model.set_overlay(70)
    model.set_overlay_measure("difference")
    assert model.overlay() is None  # not computed yet
    model.set_comparison(compared[1])
    assert seen == ["overlay", "overlay", "overlay"]
    assert model.overlay().measure == "difference" and model.labels == ("A", "B")
    model.set_overlay_measure("difference")  # no change: no signal
    assert len(seen) == 3


def test_the_difference_map_needs_a_second_collection(sample):
    model = ViewerModel(sample)
    assert model.overlay_measures() == ("centre", "coverage") and not model.has_comparison
    with pytest.raises(LayerheatError, match="difference needs --compare B"):
        model.set_overlay_measure("difference")
    with pytest.raises(LayerheatError, match="--compare B"):
        model.compute_comparison()
