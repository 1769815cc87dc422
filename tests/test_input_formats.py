"""The data people have: compressed and differently delimited CSV, CSV quirks, Parquet
folders, globs, JSON, Feather, boxes as canvas fractions.

The oracle is always the same rows written as a plain comma-separated CSV: reading
the other form must give the identical table, and ``layerheat heatmaps`` the identical
bins.csv.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import pyarrow as pa
import pytest

from layerheat import LayerheatError, read_layers, sample_layers

from .conftest import HEADER, rows

GOOD = "a,30,Title,100,100,300,200,1000,500"


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    """The oracle: a few hundred sample layers as a plain CSV."""
    path = tmp_path_factory.mktemp("plain") / "layers.csv"
    sample_layers(designs=40, seed=5).write(path)
    return path


def same_table(a: Path | str, b: Path | str) -> None:
    ta, ra = read_layers([a])
    tb, rb = read_layers([b])
    assert ta.arrow.equals(tb.arrow)
    assert ra.summary() == rb.summary()


def bins(cli, tmp_path: Path, *inputs: object) -> str:
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
    result = cli("heatmaps", *inputs, "-o", out, "-q", "--format", "svg")
    assert result.code == 0, result.err
    return (out / "bins.csv").read_text()


def assert_one_error(result, *fragments: str) -> None:
    assert result.code == 1, result
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("layerheat: error: ")
    for fragment in fragments:
        assert fragment in result.err_lines[0], result.err_lines[0]


# -- 1. compressed CSV -----------------------------------------------------------------
def _compress(data: bytes, how: str, path: Path) -> Path:
    if how == "gz":
        path.write_bytes(gzip.compress(data))
    elif how == "bz2":
        path.write_bytes(bz2.compress(data))
    elif how == "xz":
        path.write_bytes(lzma.compress(data))
    else:
        with pa.CompressedOutputStream(str(path), "zstd") as out:
            out.write(data)
    return path


@pytest.mark.parametrize("how", ["gz", "bz2", "zst", "xz"])
def test_compressed_csv_reads_as_the_plain_csv(plain, tmp_path, how):
    packed = _compress(plain.read_bytes(), how, tmp_path / f"layers.csv.{how}")
    same_table(plain, packed)


def test_compression_is_found_from_the_bytes_not_the_name(plain, tmp_path):
    packed = _compress(plain.read_bytes(), "gz", tmp_path / "layers.csv")
    same_table(plain, packed)


def test_compressed_csv_through_a_url(plain, tmp_path):
    pytest.importorskip("fsspec")
    packed = _compress(plain.read_bytes(), "bz2", tmp_path / "layers.csv.bz2")
    same_table(plain, f"file://{packed}")


def test_compressed_csv_gives_the_same_bins_csv(cli, plain, tmp_path):
    packed = _compress(plain.read_bytes(), "zst", tmp_path / "layers.csv.zst")
    assert bins(cli, tmp_path, packed) == bins(cli, tmp_path, plain)


def test_design_id_of_a_compressed_file_is_its_name_without_suffixes(write, tmp_path):
    text = "type_id,xmin,ymin,xmax,ymax,canvas_width,canvas_height\n30,1,1,2,2,10,10\n"
    packed = _compress(text.encode(), "gz", tmp_path / "my-layers.csv.gz")
    assert read_layers([packed])[0].designs() == ["my-layers"]


def test_truncated_compressed_csv_is_one_clear_error(cli, plain, tmp_path):
    data = gzip.compress(plain.read_bytes())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    result = cli("heatmaps", cut, "-o", tmp_path / "out", "-q")
    assert_one_error(result, "cut.csv.gz")
    assert "Traceback" not in result.err


def test_garbage_after_a_gzip_magic_is_one_clear_error(cli, write, tmp_path):
    path = write("bad.csv.gz", b"\x1f\x8b" + b"not really gzip" * 10)
    assert_one_error(
        cli("heatmaps", path, "-o", tmp_path / "out", "-q"), "bad.csv.gz", "gzip-compressed"
    )


# -- 2. delimiters ----------------------------------------------------------------------
@pytest.mark.parametrize(("delimiter", "suffix"), [(";", ".csv"), ("\t", ".tsv"), ("|", ".txt")])
def test_delimiters_are_found_from_the_header(plain, tmp_path, delimiter, suffix):
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(plain)
    other = tmp_path / f"layers{suffix}"
    pacsv.write_csv(table, other, pacsv.WriteOptions(delimiter=delimiter))
    assert delimiter in other.read_text().splitlines()[0]
    same_table(plain, other)


def test_semicolon_csv_gives_the_same_bins_csv(cli, plain, tmp_path):
    semi = tmp_path / "semi.csv"
    semi.write_text(plain.read_text().replace(",", ";"))
    assert bins(cli, tmp_path, semi) == bins(cli, tmp_path, plain)


def test_tsv_suffix_means_tab_even_when_the_header_has_commas(write):
    text = "design_id\ttype_id\txmin\tymin\txmax\tymax\tnote,s\na\t30\t1\t2\t3\t4\tx,y\n"
    path = write("odd.tsv", text)
    from layerheat.io.tabular import TabularSource

    assert TabularSource.open(path).delimiter == "\t"


def test_headerless_semicolon_points(write):
    path = write("20pts.csv", "3318;539\n2236;2342\n")
    table, _ = read_layers([path], canvas=(5906, 3543))
    assert table.numpy("xmin").tolist() == [3318.0, 2236.0]


def test_one_field_first_line_names_the_delimiters_tried(cli, write, tmp_path):
    path = write("one.csv", "just-one-column\n1\n")
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_one_error(result, "one.csv", "first line has 1 field", "';'", "tab", "'|'")


def test_missing_column_names_the_delimiter_and_the_columns_found(cli, write, tmp_path):
    path = write("semi.csv", "design_id;type_id;x_left;ymin;xmax;ymax\na;30;1;2;3;4\n")
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_one_error(result, "semi.csv", "missing column(s) xmin", "split at ';'", "'x_left'")


# -- 6. CSV quirks ----------------------------------------------------------------------
def test_bom_and_crlf_read_like_the_plain_file(plain, tmp_path):
    quirky = tmp_path / "excel.csv"
    quirky.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes().replace(b"\n", b"\r\n"))
    same_table(plain, quirky)


def test_quoted_fields_may_hold_delimiters_and_newlines(write):
    text = HEADER + 'a,30,"Title, big\nsecond line",100,100,300,200,1000,500\n' + GOOD + "\n"
    table, report = read_layers([write("q.csv", text)])
    assert table.arrow.column("name").to_pylist() == ["Title, big\nsecond line", "Title"]
    assert report.summary() == "read 2 layers, used 2, skipped 0"


def test_quoted_semicolon_file(write):
    text = "design_id;type_id;name;xmin;ymin;xmax;ymax;canvas_width;canvas_height\n"
    text += 'a;30;"a;b";100;100;300;200;1000;500\n'
    table, _ = read_layers([write("q.csv", text)])
    assert table.arrow.column("name").to_pylist() == ["a;b"]


def test_trailing_empty_lines_are_no_rows(write):
    table, report = read_layers([write("t.csv", rows(GOOD) + "\n\n")])
    assert len(table) == 1 and report.summary() == "read 1 layers, used 1, skipped 0"


def test_duplicate_column_is_one_error_naming_it(cli, write, tmp_path):
    path = write("dup.csv", "design_id,type_id,xmin,ymin,xmax,ymax,xmin\na,30,1,2,3,4,5\n")
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_one_error(result, "dup.csv", "column 'xmin' appears twice", "columns 3 and 7")


def test_duplicate_column_differing_in_case_is_refused(write):
    path = write("dup.csv", "design_id,Type_ID,type_id,xmin,ymin,xmax,ymax\n")
    with pytest.raises(LayerheatError, match="'Type_ID' and 'type_id' appears twice"):
        read_layers([path])


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""])
def test_header_only_file_is_one_clear_error(cli, tmp_path, ending):
    path = tmp_path / "h.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.strip().encode() + ending)
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_one_error(result, "h.csv", "no usable layer rows", "read 0 layers")


def test_utf16_text_says_to_save_as_utf8(cli, tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(rows(GOOD).encode("utf-16"))
    result = cli("heatmaps", path, "-o", tmp_path / "out", "-q")
    assert_one_error(result, "u16.csv", "UTF-16", "UTF-8")


# -- 3. folders of Parquet part files, globs --------------------------------------------
def sorted_frame(table):  # noqa: ANN001, ANN201 - a LayerTable -> a pandas DataFrame
    frame = table.arrow.select(list(table.column_names[:9])).to_pandas()
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_hive_partitioned_folder_reads_as_one_table(plain, tmp_path):
    import pandas as pd

    frame = pd.read_csv(plain)
    frame.to_parquet(tmp_path / "parts", partition_cols=["type_id"])
    assert any(p.name.startswith("type_id=") for p in (tmp_path / "parts").iterdir())
    a, ra = read_layers([plain])
    b, rb = read_layers([tmp_path / "parts"])
    pd.testing.assert_frame_equal(sorted_frame(a), sorted_frame(b))
    assert ra.summary() == rb.summary()


def test_hive_folder_gives_the_same_bins_csv(cli, plain, tmp_path):
    import pandas as pd

    pd.read_csv(plain).to_parquet(tmp_path / "parts", partition_cols=["design_id"])
    assert bins(cli, tmp_path, tmp_path / "parts") == bins(cli, tmp_path, plain)


def spark_folder(plain: Path, folder: Path, pieces: int = 3) -> Path:
    """Parquet part files the way Spark writes them, with its marker and checksum files."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(plain)
    folder.mkdir()
    step = -(-table.num_rows // pieces)
    for i in range(pieces):
        name = f"part-{i:05d}-abc.snappy.parquet"
        pq.write_table(table.slice(i * step, step), folder / name)
        (folder / f".{name}.crc").write_bytes(b"\x00crc")
    (folder / "_SUCCESS").write_bytes(b"")
    return folder


def test_spark_style_folder_reads_like_the_csv(plain, tmp_path):
    same_table(plain, spark_folder(plain, tmp_path / "spark"))


def test_parquet_folder_splits_into_parts_of_whole_files(plain, tmp_path):
    from layerheat.io.tabular import TabularSource
    from layerheat.sources import make_parts, open_sources

    folder = spark_folder(plain, tmp_path / "spark", pieces=4)
    src = TabularSource.open_folder(folder)
    assert src.parts(rows=1) == [(0,), (1,), (2,), (3,)]
    assert src.parts() == [(0, 1, 2, 3)]
    assert sum(src.rows_in(p) for p in src.parts(rows=1)) == src.num_rows
    parts = make_parts(open_sources([folder]))
    import pickle  # Dask workers get their parts pickled

    parts = [pickle.loads(pickle.dumps(part)) for part in parts]
    got = sum(t.num_rows for part in parts for t in part.batches(["type_id", "xmin"]))
    assert got == src.num_rows == len(read_layers([plain])[0])


def test_quoted_glob_reads_every_matching_file(cli, plain, tmp_path):
    lines = plain.read_text().splitlines(keepends=True)
    (tmp_path / "data").mkdir()
    half = len(lines) // 2
    (tmp_path / "data" / "a.csv").write_text("".join(lines[:half]))
    (tmp_path / "data" / "b.csv").write_text(lines[0] + "".join(lines[half:]))
    pattern = str(tmp_path / "data" / "*.csv")
    assert bins(cli, tmp_path, pattern) == bins(cli, tmp_path, plain)


def test_glob_of_parquet_files(plain, tmp_path):
    folder = spark_folder(plain, tmp_path / "spark")
    a = read_layers([plain])[0]
    b = read_layers([str(folder / "*.parquet")])[0]
    assert a.arrow.equals(b.arrow)


def test_glob_matching_nothing_says_so(cli, tmp_path):
    result = cli("heatmaps", str(tmp_path / "nothing" / "*.csv"), "-o", tmp_path / "out", "-q")
    assert_one_error(result, "*.csv", "matched no files")


def test_folder_with_neither_psd_nor_parquet_says_what_to_pass(cli, write, tmp_path):
    write("a.csv", rows(GOOD))
    result = cli("heatmaps", tmp_path, "-o", tmp_path / "out", "-q")
    assert_one_error(result, "no .psd or .psb files and no .parquet files", "*.csv")


def test_folder_with_psd_and_parquet_is_refused(plain, tmp_path):
    folder = spark_folder(plain, tmp_path / "mixed")
    (folder / "x.psd").write_bytes(b"8BPS")
    with pytest.raises(LayerheatError, match="both PSD/PSB and Parquet"):
        read_layers([folder])


# -- 4. JSON records, JSON Lines, Feather / Arrow IPC ------------------------------------
def plain_frame(plain: Path):  # noqa: ANN201 - the oracle's rows as a pandas DataFrame
    import pandas as pd

    return pd.read_csv(plain, keep_default_na=False, dtype={"design_id": str, "name": str})


def test_json_list_of_records_reads_like_the_csv(plain, tmp_path):
    path = tmp_path / "layers.json"
    plain_frame(plain).to_json(path, orient="records")
    assert path.read_text().startswith("[{")
    same_table(plain, path)


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".jsonl.gz"])
def test_json_lines_read_like_the_csv(plain, tmp_path, suffix):
    path = tmp_path / f"layers{suffix}"
    plain_frame(plain).to_json(path, orient="records", lines=True)
    same_table(plain, path)


def test_json_lines_named_json_give_the_same_bins_csv(cli, plain, tmp_path):
    path = tmp_path / "lines.json"
    plain_frame(plain).to_json(path, orient="records", lines=True)
    assert bins(cli, tmp_path, path) == bins(cli, tmp_path, plain)


def test_json_records_use_the_csv_aliases(write):
    text = '[{"Design": "a", "Type": "Title", "left": 1, "top": 2, "right": 3, "bottom": 4,'
    text += ' "canvas_width": 10, "canvas_height": 10}]'
    table, _ = read_layers([write("alias.json", text)])
    assert table.arrow.select(["design_id", "type_id", "xmin", "ymax"]).to_pylist() == [
        {"design_id": "a", "type_id": 30, "xmin": 1.0, "ymax": 4.0}
    ]


def test_json_lines_mixed_types_and_broken_lines_are_counted(write):
    good = '{"design_id": "a", "type_id": 30, "xmin": %s, "ymin": 1, "xmax": 5, "ymax": 5, '
    good += '"canvas_width": 10, "canvas_height": 10}\n'
    text = good % "1" + good % '"oops"' + "not json\n" + good % "2"
    _, report = read_layers([write("mixed.jsonl", text)])
    assert report.summary() == ("read 4 layers, used 2, skipped 2 (1 malformed row, 1 non-numeric)")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('{"layers": [{"type_id": 30}]}', "a JSON object with keys 'layers'"),
        ('{"images": [], "categories": []}', "missing key 'annotations'"),
    ],
)
def test_json_neither_coco_nor_records_names_what_it_found(cli, write, tmp_path, text, found):
    result = cli("heatmaps", write("odd.json", text), "-o", tmp_path / "out", "-q")
    assert_one_error(result, "odd.json", found)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("[1, 2, 3]", "item 1 is a number, not a record"),
        ("[]", "an empty JSON list"),
        ('[{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.9}]', "'bbox'"),
    ],
)
def test_json_lists_that_are_not_layer_records(cli, write, tmp_path, text, found):
    result = cli("heatmaps", write("list.json", text), "-o", tmp_path / "out", "-q")
    assert_one_error(result, "list.json", found)


def test_coco_json_still_goes_to_the_coco_reader(write):
    coco = {
        "images": [{"id": 1, "file_name": "p.png", "width": 100, "height": 50}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 5, 20, 10]}],
        "categories": [{"id": 1, "name": "title"}],
    }
    import json

    table, _ = read_layers([write("c.json", json.dumps(coco, indent=1))])
    assert table.arrow.select(["design_id", "type_id", "xmax"]).to_pylist() == [
        {"design_id": "p.png", "type_id": 30, "xmax": 30.0}
    ]


@pytest.mark.parametrize("kind", ["feather", "arrow-file", "arrow-stream"])
def test_feather_and_arrow_ipc_read_like_the_csv(plain, tmp_path, kind):
    import pyarrow.csv as pacsv
    import pyarrow.feather as feather

    table = pacsv.read_csv(plain)
    if kind == "feather":
        path = tmp_path / "layers.feather"
        feather.write_feather(table, path, chunksize=100)
    elif kind == "arrow-file":
        path = tmp_path / "layers.arrow"
        with pa.ipc.new_file(str(path), table.schema) as writer:
            writer.write_table(table, max_chunksize=50)
    else:
        path = tmp_path / "layers.arrows"
        with pa.ipc.new_stream(str(path), table.schema) as writer:
            writer.write_table(table, max_chunksize=50)
    same_table(plain, path)


def test_feather_gives_the_same_bins_csv(cli, plain, tmp_path):
    import pyarrow.csv as pacsv
    import pyarrow.feather as feather

    feather.write_feather(pacsv.read_csv(plain), tmp_path / "layers.feather")
    assert bins(cli, tmp_path, tmp_path / "layers.feather") == bins(cli, tmp_path, plain)


def test_corrupt_feather_is_one_clear_error(cli, write, tmp_path):
    result = cli("heatmaps", write("bad.feather", b"ARROW1\x00\x00garbage"), "-o", tmp_path / "o")
    assert_one_error(result, "bad.feather", "not a readable Feather/Arrow IPC file")


# -- 5. boxes as fractions of the canvas (Crello) ---------------------------------------
def crello_rows(plain: Path):  # noqa: ANN201 - (Crello-style frame, the oracle's frame)
    frame = plain_frame(plain)
    crello = frame[["design_id", "type_id", "name", "canvas_width", "canvas_height"]].copy()
    crello["left"] = frame.xmin / frame.canvas_width
    crello["top"] = frame.ymin / frame.canvas_height
    crello["width"] = (frame.xmax - frame.xmin) / frame.canvas_width
    crello["height"] = (frame.ymax - frame.ymin) / frame.canvas_height
    return crello, frame


def test_crello_fractions_become_pixel_boxes(plain, tmp_path):
    crello, frame = crello_rows(plain)
    path = tmp_path / "crello.parquet"
    crello.to_parquet(path)
    table, report = read_layers([path])
    want, _ = read_layers([plain])
    for col in ("design_id", "type_id", "canvas_width", "canvas_height"):
        assert table.arrow.column(col).equals(want.arrow.column(col)), col
    for col in ("xmin", "ymin", "xmax", "ymax"):
        assert abs(table.numpy(col) - want.numpy(col)).max() < 1e-6, col
    assert any("left/top/width/height read as fractions" in n for n in report.notes)


def test_crello_fractions_give_the_same_bins_csv(cli, plain, tmp_path):
    crello, _ = crello_rows(plain)
    crello.to_csv(tmp_path / "crello.csv", index=False)
    result = cli("heatmaps", tmp_path / "crello.csv", "-o", tmp_path / "c", "-q", "--format", "svg")
    assert result.code == 0, result.err
    assert "read as fractions of the canvas" in result.err
    assert (tmp_path / "c" / "bins.csv").read_text() == bins(cli, tmp_path, plain)


def test_fractions_without_canvas_use_the_unit_canvas_and_say_so(write):
    path = write("f.csv", "type_id,left,top,width,height\n30,0.1,0.2,0.5,0.25\n")
    table, report = read_layers([path])
    row = table.arrow.to_pylist()[0]
    assert (row["xmin"], row["ymin"], row["xmax"], row["ymax"]) == (0.1, 0.2, 0.6, 0.45)
    assert (row["canvas_width"], row["canvas_height"]) == (1.0, 1.0)
    assert any("the canvas is 1x1" in n for n in report.notes)


def test_left_top_width_height_in_pixels_are_corner_and_size(write):
    text = "type_id,left,top,width,height,canvas_width,canvas_height\n30,10,20,50,25,200,100\n"
    table, report = read_layers([write("px.csv", text)])
    row = table.arrow.to_pylist()[0]
    assert (row["xmin"], row["ymin"], row["xmax"], row["ymax"]) == (10, 20, 60, 45)
    assert any("read as pixels" in n for n in report.notes)


def test_width_height_with_right_bottom_still_mean_the_canvas(write):
    text = "type_id,left,top,right,bottom,width,height\n30,10,20,50,25,200,100\n"
    row = read_layers([write("lt.csv", text)])[0].arrow.to_pylist()[0]
    assert (row["xmax"], row["canvas_width"]) == (50, 200)


def test_w_h_and_canvas_w_h_spellings(write):
    text = "type_id,left,top,w,h,canvas_w,canvas_h\n30,0.5,0.5,0.25,0.5,200,100\n"
    row = read_layers([write("wh.csv", text)])[0].arrow.to_pylist()[0]
    assert (row["xmin"], row["ymin"], row["xmax"], row["ymax"]) == (100, 50, 150, 100)
