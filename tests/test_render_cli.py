"""``layerheat render`` and ``layerheat view`` from the command line, good input and bad."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from layerheat.render import blend, design_scene
from layerheat.sample import sample_layers

from .conftest import rows

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "source-example.csv"
ALPHA = 0.3


def load(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def near(pixel, expected, tol=3) -> bool:
    return bool(np.abs(np.asarray(pixel) - np.asarray(expected)).max() <= tol)


def assert_fatal(result, *fragments: str) -> None:
    assert result.code == 1, result
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("layerheat: error: ")
    for fragment in fragments:
        assert fragment in result.err_lines[0], result.err_lines[0]


# -- the source's example ---------------------------------------------------------------
def test_source_example_is_drawn_as_boxes_from_the_top_left(cli, tmp_path):
    out = tmp_path / "example.png"
    result = cli("render", EXAMPLE, "-o", out, "--no-legend", "--size", "1181")
    assert result.code == 0, result.err
    assert result.out.strip() == str(out)
    img = load(out)
    scale = 1181 / 5906
    assert img.shape[:2] == (round(3543 * scale), 1181)

    def at(x, y):  # canvas pixels -> image pixel
        return img[int(y * scale), int(x * scale)]

    # only the Subtitle (2236 x 2342) reaches here
    assert near(at(1800, 1500), blend("#7B68EE", ALPHA))
    # only the Title (3318 x 539): right of Graphics 2 (3188 wide)
    assert near(at(3250, 480), blend("#00FFFF", ALPHA))
    # Graphics 2 (olive) drawn over the Title
    over = ALPHA * np.array([0x80, 0x80, 0x00]) + (1 - ALPHA) * np.array(blend("#00FFFF", ALPHA))
    assert near(at(2800, 250), over)
    # beyond every box: white
    assert near(at(4500, 2000), (255, 255, 255))
    assert near(at(2400, 1000), (255, 255, 255))


def test_source_example_has_nine_layers_in_the_source_order():
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(EXAMPLE)
    assert table.column("type_id").to_pylist() == [30, 40, 70, 80, 90, 100, 120, 130, 140]
    widths = table.column("xmax").to_pylist()
    heights = table.column("ymax").to_pylist()
    assert list(zip(widths, heights))[:2] == [(3318, 539), (2236, 2342)]
    assert set(table.column("xmin").to_pylist()) == {0} == set(table.column("ymin").to_pylist())
    assert set(table.column("canvas_width").to_pylist()) == {5906}
    assert set(table.column("canvas_height").to_pylist()) == {3543}


# -- the built-in sample ----------------------------------------------------------------
def test_sample_design_pinned_on_pixels(cli, tmp_path):
    out = tmp_path / "s.png"
    result = cli("render", "--design", "sample-0007", "-o", out, "--no-legend")
    assert result.code == 0, result.err
    img = load(out)
    assert img.shape[:2] == (960, 1600)
    table = sample_layers()
    scene = design_scene(table.design("sample-0007"), legend=False)
    scale = 1600 / 5906
    checked = 0
    for shape in scene.shapes:
        if shape.is_point:
            continue
        x0, y0, x1, y1 = shape.box
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        covering = [s for s in scene.shapes if s.contains(x, y, scene.sizes["marker"] * 2)]
        in_label = any(
            b[0] - 20 <= x <= b[2] + 20 and b[1] - 20 <= y <= b[3] + 20
            for b in (s.label.box for s in scene.shapes)
        )
        if covering == [shape] and not in_label:
            assert near(img[int(y * scale), int(x * scale)], blend(shape.color, ALPHA)), shape
            checked += 1
    assert checked >= 1


def test_legend_makes_the_picture_wider_than_the_canvas(cli, tmp_path):
    out = tmp_path / "s.png"
    assert cli("render", "--design", "sample-0001", "-o", out).code == 0
    h, w = load(out).shape[:2]
    assert h == 960 and w > 1600


def test_svg_and_pdf_by_suffix(cli, tmp_path):
    for name in ("s.svg", "s.pdf"):
        result = cli("render", "--design", "sample-0002", "-o", tmp_path / name)
        assert result.code == 0, result.err
    assert (tmp_path / "s.svg").read_text().count("<svg") == 1
    assert (tmp_path / "s.pdf").read_bytes()[:4] == b"%PDF"


def test_hide_leaves_a_type_out(cli, write, tmp_path):
    data = write(
        "d.csv",
        rows("a,30,Title,100,100,400,300,1000,500", "a,100,Legal,500,100,900,300,1000,500"),
    )
    out = tmp_path / "a.png"
    assert (
        cli("render", data, "-o", out, "--no-legend", "--size", "1000", "--hide", "Disclaimer").code
        == 0
    )
    img = load(out)
    assert near(img[200, 250], blend("#00FFFF", ALPHA))
    assert near(img[200, 700], (255, 255, 255))


def test_point_layers_become_markers(cli, write, tmp_path):
    data = write("30points.csv", "500,250\n")
    out = tmp_path / "p.png"
    result = cli("render", data, "--canvas", "1000x500", "-o", out, "--size", "1000", "--no-legend")
    assert result.code == 0, result.err
    assert near(load(out)[250, 500], (0, 255, 255))  # a solid Title marker


# -- many designs -----------------------------------------------------------------------
THREE = rows(
    "a,30,Title,100,100,400,300,1000,500",
    "folder/b,90,Sales,100,100,400,300,800,800",
    "c,70,Logo,10,10,60,60,1000,500",
)


def test_all_writes_one_file_per_design(cli, write, tmp_path):
    out = tmp_path / "out"
    result = cli("render", write("three.csv", THREE), "--all", "-o", out, "-q")
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir() if p.name != "layerheat.json") == [
        "a.png",
        "c.png",
        "folder_b.png",
    ]
    assert load(out / "folder_b.png").shape[0] == 1600  # square canvas, legend beside
    assert result.err == ""


def test_repeated_design_writes_those_into_a_folder(cli, write, tmp_path):
    out = tmp_path / "two"
    result = cli("render", write("three.csv", THREE), "--design", "c", "--design", "a", "-o", out)
    assert result.code == 0, result.err
    assert result.out.split() == [str(out / "c.png"), str(out / "a.png")]


def test_all_shows_a_progress_bar_unless_quiet(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # make rich treat stderr as a terminal
    many = rows(*[f"d{i},30,Title,100,100,400,300,1000,500" for i in range(6)])
    data = write("many.csv", many)
    result = cli("render", data, "--all", "-o", tmp_path / "o1", "--size", "64")
    assert result.code == 0 and "6 / 6 designs" in result.err
    quiet = cli("render", data, "--all", "-o", tmp_path / "o2", "--size", "64", "-q")
    assert quiet.code == 0 and quiet.err == ""
    assert len(list((tmp_path / "o2").glob("*.png"))) == 6


def test_parallel_drawing_gives_the_same_files(cli, write, tmp_path):
    many = rows(*[f"d{i},{30 + 10 * i},x,100,100,400,300,1000,500" for i in range(6)])
    data = write("many.csv", many)
    assert cli("render", data, "--all", "-o", tmp_path / "one", "--jobs", "1", "-q").code == 0
    assert cli("render", data, "--all", "-o", tmp_path / "two", "--jobs", "2", "-q").code == 0
    names = sorted(p.name for p in (tmp_path / "one").glob("*.png"))
    assert names == sorted(p.name for p in (tmp_path / "two").glob("*.png")) and len(names) == 6
    for name in names:
        assert np.array_equal(load(tmp_path / "one" / name), load(tmp_path / "two" / name))


# -- bad input --------------------------------------------------------------------------
def test_unknown_design_names_a_few_that_exist(cli, tmp_path):
    out = tmp_path / "x.png"
    result = cli("render", "--design", "sample-9999", "-o", out)
    assert_fatal(result, "'sample-9999' not found", "3,000 designs", "sample-0001")
    assert not out.exists()


def test_several_designs_without_a_choice_ask_for_one(cli, write, tmp_path):
    result = cli("render", write("three.csv", THREE), "-o", tmp_path / "x.png")
    assert_fatal(result, "3 designs", "--design ID", "a, folder/b, c", "--all")


def test_design_with_zero_layers_is_an_empty_canvas_with_a_note(cli, write, tmp_path):
    data = write(
        "d.csv",
        rows("a,30,Title,100,100,400,300,1000,500", "b,999,Unknown,100,100,400,300,1000,500"),
    )
    out = tmp_path / "b.png"
    result = cli("render", data, "--design", "b", "-o", out, "--no-legend", "--size", "1000")
    assert result.code == 0, result.err
    assert "design 'b' has no usable layers" in result.err
    img = load(out)
    assert img.shape[:2] == (500, 1000)
    grey = np.abs(img - 128).max(axis=2) < 40
    assert grey[200:300].any() and not grey[:150].any()  # the note, in the middle
    assert (img[3:150, 3:-3].min(axis=2) > 250).all()  # nothing else drawn (but the frame)
    both = cli("render", data, "--all", "-o", tmp_path / "all", "-q")
    assert both.code == 0
    assert sorted(p.name for p in (tmp_path / "all").glob("*.png")) == ["a.png", "b.png"]


def test_input_without_canvas_asks_for_canvas(cli, write, tmp_path):
    out = tmp_path / "p.png"
    result = cli("render", write("30points.csv", "1,2\n3,4\n"), "-o", out)
    assert_fatal(result, "30points.csv", "no canvas size", "--canvas WIDTHxHEIGHT")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--design", "sample-0001", "-o", "x.jpg"], ["unknown image format 'jpg'"]),
        (["--all", "-o", "x.png"], ["several designs", "give a folder"]),
        (["--all", "--design", "a", "-o", "out"], ["--design ID or --all"]),
        (["--design", "sample-0001", "-o", "x.png", "--format", "svg"], ["--format"]),
        (["--design", "sample-0001", "-o", "x.png", "--hide", "Nope"], ["--hide 'Nope'"]),
    ],
)
def test_bad_options_fail_with_one_line_and_no_file(cli, tmp_path, args, fragments):
    os.chdir(tmp_path)
    result = cli("render", *args)
    assert_fatal(result, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_missing_input_file(cli, tmp_path):
    result = cli("render", tmp_path / "nope.csv", "-o", tmp_path / "x.png")
    assert result.code == 1 and "nope.csv" in result.err and "Traceback" not in result.err


# -- layerheat view -----------------------------------------------------------------------
def test_view_screenshot_opens_on_the_sample(cli, tmp_path):
    pytest.importorskip("qtpy")
    out = tmp_path / "viewer.png"
    result = cli("view", "--screenshot", out)
    assert result.code == 0, result.err
    img = Image.open(out)
    assert img.format == "PNG" and img.size[0] > 300 and img.size[1] > 200


def test_view_unknown_design_and_missing_input_fail_cleanly(cli, tmp_path):
    assert_fatal(cli("view", "--design", "nope"), "'nope' not found", "sample-0001")
    result = cli("view", tmp_path / "nope.csv")
    assert result.code == 1 and "nope.csv" in result.err and "Traceback" not in result.err
    assert_fatal(cli("view", "--screenshot", tmp_path / "v.jpg"), "*.png")


def test_a_failed_view_leaves_qt_event_loops_working(cli):
    """A refused ``view`` in-process (a notebook, the test suite) must not leave the
    QApplication quitting: the Quit event posted when its window closed, handled after
    exec() returned, made every later event loop of the process return at once, so
    later viewer windows never got their data (the Qt tests' timeouts in full runs)."""
    qtcore = pytest.importorskip("qtpy.QtCore")
    assert cli("view", "--design", "nope").code == 1
    qtcore.QCoreApplication.instance().processEvents()  # as pytest-qt does after a test
    loop = qtcore.QEventLoop()
    qtcore.QTimer.singleShot(300, loop.quit)
    started = time.perf_counter()
    loop.exec()
    assert time.perf_counter() - started >= 0.25  # ran until its timer, not returned at once


def test_render_leaves_out_layers_hidden_in_the_file(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "design_id": ["a", "a"],
            "type_id": [30, 70],
            "xmin": [0.0, 500.0],
            "ymin": [0.0, 250.0],
            "xmax": [200.0, 900.0],
            "ymax": [100.0, 450.0],
            "canvas_width": [1000.0, 1000.0],
            "canvas_height": [500.0, 500.0],
            "effective_visible": [True, False],
        }
    )
    pq.write_table(table, tmp_path / "psd-like.parquet")
    common = ("render", tmp_path / "psd-like.parquet", "--no-legend", "--size", "200")
    assert cli(*common, "-o", tmp_path / "shown.png").code == 0
    assert cli(*common, "--invisible", "-o", tmp_path / "all.png").code == 0
    inside_logo = (140, 70)  # canvas (700, 350) at scale 0.2
    assert near(load(tmp_path / "shown.png")[inside_logo[1], inside_logo[0]], (255, 255, 255))
    assert near(load(tmp_path / "all.png")[inside_logo[1], inside_logo[0]], blend("#800080", ALPHA))
