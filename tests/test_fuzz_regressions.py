"""Bugs the fuzzer (``benchmarks/fuzz.py``) found, each pinned by the input that showed it.

The rule they broke: bad input gives one ``layerheat: error:`` line and exit 1, never a
traceback, several lines or a file left behind.
"""

from __future__ import annotations

import io
import struct

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import HEADER
from .test_cli_bad_input import assert_fatal, assert_no_outputs


def test_malformed_csv_row_that_is_not_utf8_is_one_clean_error(cli, write, tmp_path) -> None:  # noqa: ANN001
    # found as csv-00000 (seed 1): Arrow decodes the bad row for the invalid-row handler,
    # fails, and printed "Exception ignored ... UnicodeDecodeError" with a traceback
    body = HEADER.encode() + b"a,30,Titr\xe9,1,1,5,5,10,10,4\nb,30,T,1,1,5,5,10,10\n"
    out = tmp_path / "out"
    result = cli("heatmaps", write("latin.csv", body), "-o", out, "-q")
    assert_fatal(result, "latin.csv", "not UTF-8", "save the file as UTF-8")
    assert "Exception ignored" not in result.err
    assert_no_outputs(out)


def test_malformed_utf8_csv_row_is_still_skipped_and_counted(cli, write, tmp_path) -> None:  # noqa: ANN001
    body = HEADER + "a,30,Titré,1,1,5,5,10,10,4\nb,30,T,1,1,5,5,10,10\n"
    result = cli("heatmaps", write("utf8.csv", body), "-o", tmp_path / "out", "-q")
    assert result.code == 0, result.err
    assert "read 2 layers, used 1, skipped 1" in result.out


def test_corrupt_parquet_footer_is_one_line(cli, write, tmp_path) -> None:  # noqa: ANN001
    # found as parquet-00005/-00008 (seed 1): Arrow's thrift message ends in a newline,
    # which made the error two lines
    table = pa.table({"type_id": [30], "xmin": [1.0], "ymin": [1.0], "xmax": [2.0], "ymax": [2.0]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    data = buf.getvalue()
    footer = struct.unpack("<I", data[-8:-4])[0]
    bad = data[: -8 - footer] + data[-7 - footer : -8] + struct.pack("<I", footer - 1) + b"PAR1"
    out = tmp_path / "out"
    result = cli("heatmaps", write("bad.parquet", bad), "-o", out, "-q")
    assert_fatal(result, "bad.parquet", "not a readable Parquet file", "thrift")
    assert_no_outputs(out)


def test_psd_tools_reasons_are_one_line(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    from layerheat.io import psd

    from .conftest import SHARED

    path = SHARED / "data" / "psd" / "group.psd"
    if not path.exists():
        pytest.skip("no shared PSD files")

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ValueError("first line\nsecond line\n")

    monkeypatch.setattr("psd_tools.psd.PSD.read", broken)
    with pytest.raises(psd.PsdReadError) as info:
        psd.read_psd_file(path)
    assert str(info.value) == "corrupt or unsupported (ValueError: first line second line)"


def test_parquet_column_name_that_is_not_utf8_is_one_clean_error(cli, write, tmp_path) -> None:  # noqa: ANN001
    # found as parquet-00042 (seed 1): a byte of a column name overwritten; Arrow's
    # ParquetFile raised UnicodeDecodeError, a traceback
    table = pa.table({"type_id": [30], "xmin": [1.0], "ymin": [1.0], "xmax": [2.0], "ymax": [2.0]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    data = buf.getvalue()
    bad = data.replace(b"xmin", b"\xffmin")  # same length: every offset still holds
    out = tmp_path / "out"
    result = cli("heatmaps", write("names.parquet", bad), "-o", out, "-q")
    assert_fatal(result, "names.parquet", "not a readable Parquet file", "utf-8")
    assert_no_outputs(out)


def test_type_ids_beyond_int64_or_infinite_are_unknown_types_not_crashes() -> None:
    # found as parquet-00106, -00122 and -00119 (seed 1): a text type id "inf" raised
    # OverflowError, "1e400"-like huge ones too, and a float column of 1e308 printed
    # numpy's "invalid value encountered in cast" warning
    import warnings

    from layerheat.taxonomy import default_taxonomy
    from layerheat.validate import type_ids_of

    taxonomy = default_taxonomy()
    texts = pa.array(["inf", "-inf", "nan", "99999999999999999999999999", "1e400", "30", None])
    floats = pa.array([1e308, -1e308, float("inf"), float("nan"), 2.0**63, 30.0, None])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert type_ids_of(texts, taxonomy).tolist() == [-1, -1, -1, -1, -1, 30, -1]
        assert type_ids_of(floats, taxonomy).tolist() == [-1, -1, -1, -1, -1, 30, -1]


def test_huge_text_type_ids_are_counted_as_unknown_types(cli, tmp_path) -> None:  # noqa: ANN001
    table = pa.table(
        {
            "type_id": ["inf", "99999999999999999999999999", "30"],
            "xmin": [1.0] * 3,
            "ymin": [1.0] * 3,
            "xmax": [2.0] * 3,
            "ymax": [2.0] * 3,
            "canvas_width": [10.0] * 3,
            "canvas_height": [10.0] * 3,
        }
    )
    path = tmp_path / "types.parquet"
    pq.write_table(table, path)
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q", "--jobs", "1", "--dpi", "20")
    assert result.code == 0, result.err
    assert "read 3 layers, used 1, skipped 2 (2 unknown type)" in result.out


def test_csv_values_that_are_not_utf8_are_skipped_and_counted(cli, write, tmp_path) -> None:  # noqa: ANN001
    # found as csv-00236 (seed 1): a \xff inserted in a type id made Arrow read the column
    # as bytes, and casting it to text raised ArrowInvalid "Invalid UTF8 payload" (a
    # traceback); in a number column it was a fatal "cannot read ('utf-8' codec ...)"
    body = HEADER.encode() + (
        b"a,3\xff0,T,1,1,5,5,10,10\n"
        b"b,30,T,1\xff,1,5,5,10,10\n"
        b"c,30,T,1,1,5,5,10\xff,10\n"
        b"d,30,T,1,1,5,5,10,10\n"
    )
    result = cli("heatmaps", write("bytes.csv", body), "-o", tmp_path / "out", "-q", "--jobs", "1")
    assert result.code == 0, result.err
    assert "read 4 layers, used 1, skipped 3 (2 non-numeric, 1 unknown type)" in result.out
    assert "Traceback" not in result.err


def test_coco_number_of_thousands_of_digits_is_invalid_json(cli, write, tmp_path) -> None:  # noqa: ANN001
    # found as coco-00032 (seed 1): json.load raises a plain ValueError past Python's
    # 4300-digit limit, which reached ingest's safety net as "unexpected error"
    from layerheat.io.coco import CocoReadError, read_coco_file

    path = write("digits.json", '{"images": [{"id": ' + "9" * 5000 + "}], " + '"annotations": []}')
    with pytest.raises(CocoReadError, match=r"^invalid JSON \(Exceeds the limit"):
        read_coco_file(path)
    result = cli("ingest", path, "-o", tmp_path / "t.parquet", "-q")
    assert_fatal(result, "digits.json: invalid JSON")
    assert "unexpected error" not in result.err


def test_coco_lone_surrogates_in_names_are_replaced(write) -> None:  # noqa: ANN001
    # found as coco-00311 (seed 1): "\ud800" in a file_name or category name is valid
    # JSON but cannot be stored by Arrow: UnicodeEncodeError, "unexpected error"
    from layerheat.io.coco import read_coco_file

    text = (
        '{"images": [{"id": 1, "file_name": "a\\ud800.png", "width": 10, "height": 10}],'
        ' "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2]}],'
        ' "categories": [{"id": 1, "name": "title\\udfff"}]}'
    )
    doc = read_coco_file(write("surrogate.json", text))
    row = doc.table.to_pylist()[0]
    assert (row["design_id"], row["category"]) == ("a?.png", "title?")


def test_coco_numbers_beyond_float_range_are_bad_boxes_and_sizes(write) -> None:  # noqa: ANN001
    # found as coco-00166 (seed 2): a bbox value of 400 digits raised OverflowError in
    # math.isfinite ("unexpected error"); an image width of 400 digits did in float()
    from layerheat.io.coco import read_coco_file

    huge = "9" * 400
    text = (
        '{"images": [{"id": 1, "width": 100, "height": 50},'
        f' {{"id": 2, "width": {huge}, "height": 50}},'
        ' {"id": 3, "width": Infinity, "height": 5}],'
        ' "annotations": ['
        f'{{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, {huge}, 2, 2]}},'
        '{"id": 2, "image_id": 2, "category_id": 1, "bbox": [1, 1, 2, 2]},'
        '{"id": 3, "image_id": 3, "category_id": 1, "bbox": [1, 1, 2, 2]},'
        '{"id": 4, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2]}]}'
    )
    doc = read_coco_file(write("huge.json", text))
    assert doc.table.column("annotation_id").to_pylist() == [4]
    assert doc.counts == {"bad bbox": 1, "image without size": 2}


def test_int64_coordinates_past_2_53_are_rows_not_a_fatal_cast(cli, tmp_path) -> None:  # noqa: ANN001
    # found 23 times in seed 1 (e.g. parquet rewritten with int64 extremes): the safe cast
    # to float64 refused 2**63 - 1 and the whole file failed with "cannot read (Integer
    # value ... not in range)"; the row is now read (rounded) and checked like any other
    table = pa.table(
        {
            "type_id": [30, 30],
            "xmin": pa.array([2**63 - 1, 1], pa.int64()),
            "ymin": [1.0, 1.0],
            "xmax": [2.0, 2.0],
            "ymax": [2.0, 2.0],
            "canvas_width": [10.0, 10.0],
            "canvas_height": [10.0, 10.0],
        }
    )
    path = tmp_path / "ints.parquet"
    pq.write_table(table, path)
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q", "--jobs", "1", "--dpi", "20")
    assert result.code == 0, result.err
    assert "read 2 layers, used 1, skipped 1 (1 inverted box)" in result.out


def test_type_id_column_of_lists_or_structs_is_unknown_types(cli, tmp_path) -> None:  # noqa: ANN001
    # found as parquet-00310 (seed 2): a struct type_id column could not be cast to text,
    # ArrowNotImplementedError, a traceback
    for i, column in enumerate([pa.array([{"a": 1}, {"a": 2}]), pa.array([[1.0], [2.0]])]):
        table = pa.table(
            {
                "type_id": column,
                "xmin": [1.0, 1.0],
                "ymin": [1.0, 1.0],
                "xmax": [2.0, 2.0],
                "ymax": [2.0, 2.0],
                "canvas_width": [10.0, 10.0],
                "canvas_height": [10.0, 10.0],
            }
        )
        path = tmp_path / f"nested{i}.parquet"
        pq.write_table(table, path)
        out = tmp_path / f"out{i}"
        result = cli("heatmaps", path, "-o", out, "-q")
        assert_fatal(result, "no usable layer rows", "2 unknown type")
        assert_no_outputs(out)


@pytest.mark.parametrize("rows", [10, 70_000])  # the NumPy twin and the compiled kernel
def test_a_subnormal_canvas_is_a_bad_canvas_not_a_warning(rows: int, tmp_path) -> None:  # noqa: ANN001
    """Fuzz seed 2, parquet-00341: a 5e-324 px canvas made the binning divide into inf."""
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers

    table = sample_layers(designs=rows // 10 + 1).arrow.slice(0, rows)
    heights = table.column("canvas_height").to_numpy().copy()
    heights[0] = 5e-324
    table = table.set_column(
        table.schema.get_field_index("canvas_height"), "canvas_height", pa.array(heights)
    )
    path = tmp_path / "tiny.parquet"
    pq.write_table(table, path)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "layerheat", "heatmaps", str(path), "-o",
         str(tmp_path / "out"), "-q", "--dpi", "20"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    assert "1 bad canvas size" in done.stdout


def test_json_lines_with_lone_surrogates_are_read_not_a_traceback(cli, write, tmp_path) -> None:  # noqa: ANN001
    # found as coco-00115 (seed 3): a COCO file with a second document after it is read
    # as JSON Lines; a record value "\ud800" (valid JSON, not encodable as UTF-8) made
    # Arrow raise UnicodeEncodeError out of records_table: a traceback
    text = (
        '{"design_id": "\\ud800", "type_id": 30, "xmin": 1, "ymin": 1, "xmax": 5,'
        ' "ymax": 5, "canvas_width": 10, "canvas_height": 10}\n'
        '{"design_id": "b", "type_id": 30, "xmin": 1, "ymin": 1, "xmax": 5,'
        ' "ymax": 5, "canvas_width": 10, "canvas_height": 10}\n'
    )
    result = cli("heatmaps", write("lines.jsonl", text), "-o", tmp_path / "out", "-q")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    from layerheat.io.jsonrecords import records_table

    table = records_table([{"a": "\ud800", "b": 1}, {"a": "x", "b": 2}])
    assert table.column("a").to_pylist() == ["?", "x"]
