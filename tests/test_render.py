"""The renderer, pinned on pixels: colours, aspect ratio, hidden types, labels, notes."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

from layerheat.errors import LayerheatError
from layerheat.render import (
    blend,
    check_canvas,
    design_scene,
    draw,
    format_of,
    luminance,
    text_color_on,
)
from layerheat.table import LayerTable
from layerheat.taxonomy import default_taxonomy

TAX = default_taxonomy()
W, H = 1000.0, 500.0


def layers(rows, canvas=(W, H), design="d", **extra) -> LayerTable:
    """rows: (type_id, xmin, ymin, xmax, ymax[, name])."""
    cols = {
        "design_id": [design] * len(rows),
        "type_id": [r[0] for r in rows],
        "name": [r[5] if len(r) > 5 else "" for r in rows],
        "xmin": [float(r[1]) for r in rows],
        "ymin": [float(r[2]) for r in rows],
        "xmax": [float(r[3]) for r in rows],
        "ymax": [float(r[4]) for r in rows],
        "canvas_width": [canvas[0]] * len(rows),
        "canvas_height": [canvas[1]] * len(rows),
    }
    cols.update(extra)
    return LayerTable.from_columns(**cols)


def pixels(scene, size=1000) -> np.ndarray:
    buf = io.BytesIO()
    draw(scene, buf, size=size)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB")).astype(int)


def close(pixel, expected, tol=3) -> bool:
    return bool(np.all(np.abs(np.asarray(pixel) - np.asarray(expected)) <= tol))


def test_box_interior_is_its_type_colour_blended_on_white():
    # Title (#00FFFF) from (200,100) to (600,400) on a 1000x500 canvas, drawn 1:1
    scene = design_scene(layers([(30, 200, 100, 600, 400)]), legend=False)
    img = pixels(scene)
    expected = blend("#00FFFF", scene.style.fill_alpha)
    assert close(img[300, 400], expected)  # row 300, column 400: inside, away from the label
    assert close(img[300, 100], (255, 255, 255))  # left of the box: white canvas
    # the outline is the solid colour
    assert close(img[300, 200], (0, 255, 255), tol=40)


def test_no_legend_image_is_exactly_the_canvas_at_the_requested_size():
    scene = design_scene(layers([(30, 0, 0, 10, 10)], canvas=(5906, 3543)), legend=False)
    img = pixels(scene, size=1600)
    assert img.shape[:2] == (960, 1600)  # 3543/5906*1600 = 959.9
    tall = design_scene(layers([(30, 0, 0, 10, 10)], canvas=(300, 1200)), legend=False)
    assert pixels(tall, size=400).shape[:2] == (400, 100)


def test_legend_widens_the_picture_and_lists_types_present():
    scene = design_scene(layers([(30, 0, 0, 100, 100), (90, 200, 200, 300, 300)]))
    assert [e.type.id for e in scene.legend] == [30, 90]
    img = pixels(scene, size=1000)
    assert img.shape[1] > 1000 and img.shape[0] == 500
    # the legend's Sales Info swatch (black at fill alpha) sits right of the canvas
    sw = scene.legend[1].swatch
    cx, cy = round((sw[0] + sw[2]) / 2), round((sw[1] + sw[3]) / 2)
    assert close(img[cy, cx], blend("#000000", scene.style.fill_alpha))


def test_hidden_type_is_absent_from_picture_and_legend():
    rows = [(30, 100, 100, 400, 400), (100, 500, 100, 900, 400)]
    shown = pixels(design_scene(layers(rows), legend=False))
    scene = design_scene(layers(rows), legend=True, hidden=[100])
    assert [s.type.id for s in scene.shapes] == [30]
    assert [e.type.id for e in scene.legend] == [30]
    hidden = pixels(design_scene(layers(rows), legend=False, hidden=[100]))
    disclaimer = blend("#00FF00", 0.3)
    assert close(shown[300, 800], disclaimer)
    assert close(hidden[300, 800], (255, 255, 255))
    # nothing of the Disclaimer's green is left anywhere, outline or label
    green = (hidden[..., 1] > 200) & (hidden[..., 0] < 60) & (hidden[..., 2] < 60)
    assert not green.any()


def test_stacking_follows_row_order_and_z_column():
    rows = [(30, 100, 100, 500, 400), (90, 300, 200, 700, 450)]
    on_top = pixels(design_scene(layers(rows), legend=False))
    # overlap at (row 300, col 400): Sales Info (black) drawn last, over Title
    a = 0.3
    title = np.array(blend("#00FFFF", a))
    both = a * np.array([0, 0, 0]) + (1 - a) * title
    assert close(on_top[300, 400], both)
    # z puts the Title on top instead (0 is the bottom, as in PSD files)
    flipped = pixels(design_scene(layers(rows, z=[1, 0]), legend=False))
    sales = np.array(blend("#000000", a))
    assert close(flipped[300, 400], a * np.array([0, 255, 255]) + (1 - a) * sales)


def test_labels_are_on_the_canvas_and_do_not_cover_each_other():
    # nine boxes sharing the top-left corner, as in the source's example
    sizes = [(3318, 539), (2236, 2342), (887, 65), (661, 232), (1366, 244), (1055, 196)]
    rows = [(t, 0, 0, w, h) for t, (w, h) in zip([30, 40, 70, 80, 90, 100], sizes)]
    scene = design_scene(layers(rows, canvas=(5906, 3543)), legend=False)
    boxes = [s.label.box for s in scene.shapes]
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= 5906 and 0 <= y0 < y1 <= 3543
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_w = min(a[2], b[2]) - max(a[0], b[0])
            overlap_h = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_w <= 0 or overlap_h <= 0


def test_label_text_is_legible_on_dark_colours():
    assert text_color_on("#000000") == "#FFFFFF"  # Sales Info
    assert text_color_on("#5A5A5A") == "#FFFFFF"  # Other
    assert text_color_on("#00FFFF") == "#000000"  # Title
    assert luminance("#FFFFFF") == pytest.approx(1.0)
    scene = design_scene(layers([(90, 100, 100, 600, 400)]), legend=False)
    label = scene.shapes[0].label
    assert (label.background, label.text_color) == ("#000000", "#FFFFFF")
    img = pixels(scene)
    tag = img[
        round(label.y) + 2 : round(label.y + label.height) - 2,
        round(label.x) + 2 : round(label.x + label.width) - 2,
    ]
    assert (tag.sum(axis=2) < 60).mean() > 0.5  # a black tag ...
    assert (tag.min(axis=2) > 200).any()  # ... with white text on it


def test_point_layer_is_a_labelled_marker():
    scene = design_scene(layers([(70, 500, 250, 500, 250, "logo")]), legend=False)
    shape = scene.shapes[0]
    assert shape.is_point
    img = pixels(scene)
    assert close(img[250, 500], (0x80, 0x00, 0x80))  # solid Developer Logo purple
    label = shape.label
    assert label.text == "Developer Logo" and label.x > 500  # to the right of the marker
    assert scene.shape_at(503, 251) is shape and scene.shape_at(600, 400) is None


def test_zero_layers_give_an_empty_canvas_with_a_note():
    scene = design_scene(LayerTable.empty(), canvas=(W, H), design_id="blank", legend=True)
    assert scene.shapes == () and scene.legend == () and scene.note == "no layers"
    img = pixels(scene)
    assert img.shape[:2] == (500, 1000)
    grey = np.abs(img - 128).max(axis=2) < 40
    assert grey[200:300, 300:700].any()  # the note, in the middle
    assert (img[:100].min(axis=2) > 250).mean() > 0.95  # otherwise white
    all_hidden = design_scene(layers([(30, 0, 0, 10, 10)]), hidden=[30])
    assert all_hidden.note == "no layers shown: all types hidden"


def test_missing_canvas_asks_for_canvas():
    table = layers([(30, 0, 0, 10, 10)], canvas=(float("nan"), float("nan")))
    with pytest.raises(LayerheatError, match="--canvas"):
        design_scene(table)
    with pytest.raises(LayerheatError, match="--canvas"):
        check_canvas(table, "pts.csv")
    assert design_scene(table, canvas=(100, 50)).canvas == (100.0, 50.0)


def test_svg_and_pdf_are_written_atomically(tmp_path):
    scene = design_scene(layers([(30, 0, 0, 100, 100)]))
    svg = draw(scene, tmp_path / "d.svg", size=200)
    pdf = draw(scene, tmp_path / "d.pdf", size=200)
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    assert pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.pdf", "d.svg"]
    with pytest.raises(LayerheatError, match="unknown image format"):
        format_of("d.jpg")
    with pytest.raises(LayerheatError, match="--format"):
        format_of("d.png", "svg")


def test_every_sample_design_type_draws_with_its_colour():
    from layerheat.sample import sample_layers

    table = sample_layers(designs=3, seed=3)
    design = table.designs()[0]
    scene = design_scene(table.design(design))
    assert len(scene.shapes) == len(table.design(design))
    for shape in scene.shapes:
        assert shape.color == TAX.color_of(shape.type.id)


def test_layers_hidden_in_the_file_are_left_out_unless_asked_for():
    from layerheat import LayerTable
    from layerheat.render import design_scene

    table = LayerTable.from_columns(
        design_id=["a", "a"],
        type_id=[30, 70],
        name=["Title", "Old logo"],
        xmin=[10.0, 50.0],
        ymin=[10.0, 50.0],
        xmax=[40.0, 90.0],
        ymax=[30.0, 90.0],
        canvas_width=[100.0, 100.0],
        canvas_height=[100.0, 100.0],
    ).arrow.append_column("effective_visible", pa.array([True, False]))
    table = LayerTable(table)
    shown = design_scene(table)
    assert [s.type.id for s in shown.shapes] == [30]
    assert [e.type.id for e in shown.legend] == [30]
    everything = design_scene(table, invisible=True)
    assert [s.type.id for s in everything.shapes] == [30, 70]
    only_hidden = design_scene(table.filter(pa.array([False, True])))
    assert only_hidden.note == "no layers shown: all hidden in the file"
