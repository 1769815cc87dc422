"""Bad input: one clear stderr line and exit 1 when fatal, counted skips when row-level.

Never a traceback, never a partial file in the output folder.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import rows

GOOD = "a,30,Title,100,100,300,200,1000,500"


def assert_fatal(result, *fragments: str) -> None:
    assert result.code == 1, result
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("layerheat: error: ")
    for fragment in fragments:
        assert fragment in line
    assert "Traceback" not in result.err


def assert_no_outputs(outdir) -> None:
    assert not outdir.exists() or list(outdir.iterdir()) == []


def test_missing_file(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("heatmaps", tmp_path / "nope.csv", "-o", out, "-q")
    assert_fatal(result, "nope.csv", "file not found")
    assert_no_outputs(out)


def test_empty_file(cli, write, tmp_path):
    out = tmp_path / "out"
    result = cli("heatmaps", write("empty.csv", ""), "-o", out, "-q")
    assert_fatal(result, "empty.csv", "empty")
    assert_no_outputs(out)


def test_binary_file_that_is_not_csv_or_parquet(cli, write, tmp_path):
    path = write("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_fatal(result, "image.csv", "not a CSV or Parquet")


def test_truncated_parquet(cli, tmp_path, write):
    good = tmp_path / "good.parquet"
    pq.write_table(
        pa.table(
            {
                "type_id": [30],
                "xmin": [1.0],
                "ymin": [1.0],
                "xmax": [2.0],
                "ymax": [2.0],
                "canvas_width": [10.0],
                "canvas_height": [10.0],
            }
        ),
        good,
    )
    data = good.read_bytes()
    cut = write("cut.parquet", data[: len(data) // 2])
    result = cli("heatmaps", cut, "-o", tmp_path / "out", "-q")
    assert_fatal(result, "cut.parquet", "Parquet")
    assert_no_outputs(tmp_path / "out")


def test_truncated_csv_row_is_counted_as_malformed(cli, write, tmp_path):
    text = rows(GOOD, GOOD) + "a,30,Title,100,1"  # last line cut mid-row
    result = cli("heatmaps", write("cut.csv", text), "-o", tmp_path / "out", "-q")
    assert result.code == 0, result.err
    assert "read 3 layers, used 2, skipped 1 (1 malformed row)" in result.out


def test_missing_required_column(cli, write, tmp_path):
    path = write("nobox.csv", "design_id,type_id,xmin,ymin\na,30,1,2\n")
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_fatal(result, "nobox.csv", "missing column", "xmax")


def test_missing_type_column_suggests_type_option(cli, write, tmp_path):
    path = write("notype.csv", "xmin,ymin,xmax,ymax\n1,2,3,4\n")
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_fatal(result, "type_id", "--type")


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("b,30,Title,abc,100,300,200,1000,500", "1 non-numeric"),
        ("b,30,Title,nan,100,300,200,1000,500", "1 non-finite"),
        ("b,30,Title,inf,100,300,200,1000,500", "1 non-finite"),
        ("b,30,Title,400,100,300,200,1000,500", "1 inverted box"),
        ("b,30,Title,100,300,300,200,1000,500", "1 inverted box"),
        ("b,30,Title,100,100,300,200,0,500", "1 bad canvas size"),
        ("b,30,Title,100,100,300,200,-1000,500", "1 bad canvas size"),
        ("b,30,Title,2000,100,2300,200,1000,500", "1 outside canvas"),
        ("b,150,Mystery,100,100,300,200,1000,500", "1 unknown type"),
        ("b,xyz,Mystery,100,100,300,200,1000,500", "1 unknown type"),
    ],
)
def test_row_problems_are_skipped_and_counted(cli, write, tmp_path, bad_row, reason):
    out = tmp_path / "out"
    result = cli("heatmaps", write("mixed.csv", rows(GOOD, bad_row, GOOD)), "-o", out, "-q")
    assert result.code == 0, result.err
    assert f"read 3 layers, used 2, skipped 1 ({reason})" in result.out
    assert "Traceback" not in result.err
    assert (out / "summary.png").exists()


def test_unknown_type_ids_are_named_with_a_hint(cli, write, tmp_path):
    text = rows(GOOD, "b,150,Mystery,100,100,300,200,1000,500")
    result = cli("heatmaps", write("t.csv", text), "-o", tmp_path / "out", "-q")
    assert "150 (1)" in result.err and "--taxonomy" in result.err


def test_boxes_partly_outside_are_clipped_and_counted(cli, write, tmp_path):
    text = rows(GOOD, "b,30,Title,900,400,1200,600,1000,500")
    result = cli("heatmaps", write("t.csv", text), "-o", tmp_path / "out", "-q")
    assert result.code == 0
    assert "used 2, skipped 0; 1 clipped to canvas" in result.out


def test_boxes_partly_outside_can_be_skipped_instead(cli, write, tmp_path):
    text = rows(GOOD, "b,30,Title,900,400,1200,600,1000,500")
    result = cli(
        "heatmaps", write("t.csv", text), "-o", tmp_path / "out", "-q", "--outside", "skip"
    )
    assert "used 1, skipped 1 (1 partly outside canvas)" in result.out


def test_no_usable_row_left_is_fatal_and_writes_nothing(cli, write, tmp_path):
    out = tmp_path / "out"
    text = rows("b,30,Title,nan,100,300,200,1000,500", "c,30,Title,5,5,1,1,1000,500")
    result = cli("heatmaps", write("bad.csv", text), "-o", out, "-q")
    assert_fatal(result, "no usable layer rows", "skipped 2")
    assert_no_outputs(out)


def test_header_only_file_is_fatal(cli, write, tmp_path):
    result = cli("heatmaps", write("h.csv", rows()), "-o", tmp_path / "out", "-q")
    assert_fatal(result, "no usable layer rows", "read 0 layers")


def test_canvas_mode_without_canvas_asks_for_canvas_option(cli, write, tmp_path):
    path = write("20test2.csv", "3318,539\n2236,2342\n")
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_fatal(result, "20test2.csv", "--canvas")


def test_malformed_canvas_option_is_a_usage_error(cli, write, tmp_path):
    result = cli("heatmaps", write("t.csv", rows(GOOD)), "--canvas", "big", "-q")
    assert result.code == 2
    assert "WIDTHxHEIGHT" in result.err
    assert "Traceback" not in result.err


def test_output_directory_that_cannot_be_created(cli, write, tmp_path):
    blocker = write("blocker", "a file where the folder should go")
    result = cli("heatmaps", write("t.csv", rows(GOOD)), "-o", blocker / "out", "-q")
    assert_fatal(result, "cannot create output directory")


def test_unreadable_taxonomy_file(cli, write, tmp_path):
    tax = write("tax.toml", "this is = = not toml")
    result = cli(
        "heatmaps", write("t.csv", rows(GOOD)), "--taxonomy", tax, "-o", tmp_path / "out", "-q"
    )
    assert_fatal(result, "tax.toml", "TOML")


def test_failed_run_leaves_earlier_outputs_untouched(cli, write, tmp_path):
    out = tmp_path / "out"
    assert cli("heatmaps", write("t.csv", rows(GOOD)), "-o", out, "-q").code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = cli("heatmaps", write("bad.csv", rows("b,30,T,nan,1,2,3,10,10")), "-o", out, "-q")
    assert result.code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
