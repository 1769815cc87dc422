"""--delimiter, --encoding and --units: reading what detection gets wrong.

The oracle is the same rows as a plain UTF-8, comma-separated CSV in pixels: read with
the right option, every other form must give byte-identical bins.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from layerheat import LayerheatError, read_layers, sample_layers
from layerheat.io.options import InputPath, ReadOptions

W, H = 5906, 3543  # the sample's one canvas


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plain") / "layers.csv"
    sample_layers(designs=40, seed=11).write(path)
    return path


@pytest.fixture(scope="module")
def frame(plain: Path) -> pd.DataFrame:
    return pd.read_csv(plain)


def run(cli, out: Path, *args: object):  # noqa: ANN001, ANN201 - the CliResult
    return cli("heatmaps", *args, "-o", out, "-q", "--format", "svg")


def bins(cli, out: Path, *args: object) -> bytes:  # noqa: ANN001
    result = run(cli, out, *args)
    assert result.code == 0, result.err
    return (out / "bins.csv").read_bytes()


@pytest.fixture(scope="module")
def oracle(plain: Path, tmp_path_factory) -> bytes:
    """bins.csv of the plain file, computed once."""
    from layerheat.heatmap import heatmaps

    out = tmp_path_factory.mktemp("oracle") / "bins.csv"
    heatmaps([plain]).write_bins(out)
    return out.read_bytes()


def assert_one_error(result, *fragments: str) -> None:  # noqa: ANN001
    assert result.code == 1, result
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("layerheat: error: ")
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err_lines[0], result.err_lines[0]


# -- --delimiter ------------------------------------------------------------------------
def test_the_oracle_is_what_the_cli_writes(cli, plain, oracle, tmp_path):
    assert bins(cli, tmp_path / "o", plain) == oracle


@pytest.mark.parametrize("spelling", [";", "semicolon", "SEMICOLON"])
def test_semicolon_file_with_delimiter_gives_the_same_bins(cli, frame, oracle, tmp_path, spelling):
    path = tmp_path / "semi.csv"
    frame.to_csv(path, sep=";", index=False)
    assert bins(cli, tmp_path / "o", path, "--delimiter", spelling) == oracle


@pytest.mark.parametrize("spelling", ["tab", "\\t", "\t"])
def test_tab_spellings(cli, frame, oracle, tmp_path, spelling):
    path = tmp_path / "tabbed.txt"
    frame.to_csv(path, sep="\t", index=False)
    assert bins(cli, tmp_path / "o", path, "--delimiter", spelling) == oracle


def misleading_pipe_file(frame: pd.DataFrame, path: Path) -> Path:
    """A '|' file whose last column's name holds commas: detection splits at ','."""
    odd = frame.assign(**{"note,a,b,c,d,e,f,g,h,i,j,k": "x"})
    odd.to_csv(path, sep="|", index=False)
    header = path.read_text().splitlines()[0]
    assert header.count(",") > header.count("|")  # detection alone would pick ','
    return path


def test_pipe_file_with_a_misleading_header_needs_and_obeys_delimiter(cli, frame, oracle, tmp_path):
    path = misleading_pipe_file(frame, tmp_path / "piped.csv")
    assert run(cli, tmp_path / "detected", path).code == 1  # split at ',': no columns
    assert bins(cli, tmp_path / "o", path, "--delimiter", "|") == oracle


def test_forced_delimiter_that_misses_a_column_names_it(cli, plain, write, tmp_path):
    result = run(cli, tmp_path / "o", plain, "--delimiter", "pipe")
    assert_one_error(result, "'|' (--delimiter)", "layers.csv", "check --delimiter")
    assert not (tmp_path / "o").exists()
    two = write("two.csv", "type_id;xmin|ymin|xmax|ymax\n30;1|1|2|2\n")
    result = run(cli, tmp_path / "o", two, "--delimiter", ";")
    assert_one_error(result, "missing column(s)", "split at ';' (--delimiter)", "'xmin|ymin")


@pytest.mark.parametrize("bad", ["x", "::", "space"])
def test_unknown_delimiter_is_one_line(cli, plain, tmp_path, bad):
    result = run(cli, tmp_path / "o", plain, "--delimiter", bad)
    assert_one_error(result, f"--delimiter {bad!r}", "tab")
    assert not (tmp_path / "o").exists()


# -- --encoding -------------------------------------------------------------------------
def with_accents(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["design_id"] = out["design_id"].str.replace("sample", "café-Ünïcode", regex=False)
    return out


def test_latin1_file_with_encoding_equals_the_utf8_run(cli, frame, tmp_path):
    accented = with_accents(frame)
    utf8, latin = tmp_path / "utf8.csv", tmp_path / "latin.csv"
    accented.to_csv(utf8, index=False, encoding="utf-8")
    accented.to_csv(latin, index=False, encoding="latin-1")
    assert utf8.read_bytes() != latin.read_bytes()
    want = bins(cli, tmp_path / "u", utf8)
    assert bins(cli, tmp_path / "l", latin, "--encoding", "latin-1") == want
    table, report = read_layers([latin], encoding="latin-1")
    assert "café-Ünïcode-01" in table.designs()
    assert report.rows_used == len(frame)


def test_latin1_design_ids_without_encoding_are_one_line_naming_the_fix(cli, frame, tmp_path):
    """heatmaps never reads design ids; metrics does, and says how to read them."""
    latin = tmp_path / "latin.csv"
    with_accents(frame).to_csv(latin, index=False, encoding="latin-1")
    assert run(cli, tmp_path / "h", latin).code == 0
    result = cli("metrics", latin, "-o", tmp_path / "m.csv")
    assert_one_error(result, "latin.csv", "'design_id'", "not UTF-8", "--encoding latin-1")


def test_latin1_in_a_number_without_encoding_is_still_counted_per_value(write):
    text = b"type_id,xmin,ymin,xmax,ymax,canvas_width,canvas_height\n30,1,1,2,2,10,10\n"
    table, report = read_layers([write("n.csv", text + b"30,\xe9,1,2,2,10,10\n")])
    assert report.rows_used == 1 and len(table) == 1
    assert "1 non-numeric" in report.summary()


@pytest.mark.parametrize("codec", ["utf-16", "cp1252", "latin-1 gzip"])
def test_other_codecs(frame, plain, tmp_path, codec):
    codec, _, packed = codec.partition(" ")
    path = tmp_path / f"{codec}.csv"
    with_accents(frame).to_csv(path, index=False, encoding=codec)
    if packed:
        import gzip

        path.write_bytes(gzip.compress(path.read_bytes()))
    table, _ = read_layers([path], encoding=codec)
    want, _ = read_layers([plain])
    assert table.numpy("xmin").tolist() == want.numpy("xmin").tolist()
    assert table.designs()[0].startswith("café-Ünïcode")


def test_json_records_in_latin1(frame, plain, tmp_path):
    accented = with_accents(frame)
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps(accented.to_dict("records"), ensure_ascii=False).encode("latin-1"))
    table, _ = read_layers([path], encoding="latin-1")
    assert table.numpy("ymax").tolist() == read_layers([plain])[0].numpy("ymax").tolist()
    assert "café-Ünïcode-01" in table.designs()


@pytest.mark.parametrize("bad", ["klingon", "base64"])
def test_unknown_codec_is_one_line(cli, plain, tmp_path, bad):
    result = run(cli, tmp_path / "o", plain, "--encoding", bad)
    assert_one_error(result, f"--encoding {bad!r}", "latin-1")
    assert not (tmp_path / "o").exists()


def test_text_that_is_not_in_the_codec_is_one_line(cli, write, tmp_path):
    path = write("bad.csv", b"type_id,xmin,ymin,xmax,ymax\n30,1,1,2,2\n\xff\xfe")
    result = run(cli, tmp_path / "o", path, "--encoding", "ascii")
    assert_one_error(result, "bad.csv", "not ascii text", "--encoding")


def test_utf16_without_encoding_suggests_it(cli, frame, tmp_path):
    path = tmp_path / "u16.csv"
    frame.to_csv(path, index=False, encoding="utf-16")
    assert_one_error(run(cli, tmp_path / "o", path), "UTF-16", "--encoding utf-16")


# -- --units ----------------------------------------------------------------------------
def as_fractions(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns=["canvas_width", "canvas_height"])
    for col, size in (("xmin", W), ("xmax", W), ("ymin", H), ("ymax", H)):
        out[col] = frame[col] / size
    return out


def test_fraction_file_without_canvas_honours_canvas(cli, frame, oracle, tmp_path):
    path = tmp_path / "fractions.csv"
    as_fractions(frame).to_csv(path, index=False)
    args = (path, "--units", "fraction", "--canvas", f"{W}x{H}")
    result = run(cli, tmp_path / "o", *args)
    assert result.code == 0, result.err
    assert (tmp_path / "o" / "bins.csv").read_bytes() == oracle
    assert "read as fractions of the canvas (--units fraction)" in result.err
    assert f"multiplied by --canvas {W}x{H}" in result.err


def test_crello_fractions_without_canvas_honour_canvas_in_auto(cli, frame, oracle, tmp_path):
    crello = frame[["design_id", "type_id", "name"]].copy()
    crello["left"], crello["top"] = frame.xmin / W, frame.ymin / H
    crello["width"] = (frame.xmax - frame.xmin) / W
    crello["height"] = (frame.ymax - frame.ymin) / H
    path = tmp_path / "crello.csv"
    crello.to_csv(path, index=False)
    table, report = read_layers([path], canvas=(W, H))
    want, _ = read_layers([frame_path(frame, tmp_path)])
    assert abs(table.numpy("xmax") - want.numpy("xmax")).max() < 1e-6
    assert set(table.numpy("canvas_width").tolist()) == {W}
    assert any("first rows all within" in n and "--canvas" in n for n in report.notes)


def frame_path(frame: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "again.csv"
    frame.to_csv(path, index=False)
    return path


def test_units_px_reads_small_values_as_pixels(cli, write, tmp_path):
    text = "type_id,left,top,width,height,canvas_width,canvas_height\n30,0.25,0.5,0.5,1,4,4\n"
    path = write("tiny.csv", text)
    auto, _ = read_layers([path])
    assert auto.arrow.to_pylist()[0]["xmax"] == 3.0  # auto: (0.25 + 0.5) x 4, fractions
    table, report = read_layers([path], units="px")
    row = table.arrow.to_pylist()[0]
    assert (row["xmin"], row["ymin"], row["xmax"], row["ymax"]) == (0.25, 0.5, 0.75, 1.5)
    assert any("read as pixels (corner and size) (--units px)" in n for n in report.notes)
    result = run(cli, tmp_path / "o", path, "--units", "px")
    assert result.code == 0 and "--units px" in result.err


def test_units_fraction_applies_to_points_and_uses_canvas_columns(write):
    text = "type_id,x,y,canvas_width,canvas_height\n30,0.25,0.5,200,100\n"
    row = read_layers([write("pts.csv", text)], units="fraction")[0].arrow.to_pylist()[0]
    assert (row["xmin"], row["xmax"], row["ymin"], row["ymax"]) == (50, 50, 50, 50)


def test_reading_options_that_do_not_apply_are_noted(plain, tmp_path):
    path = tmp_path / "layers.parquet"
    read_layers([plain])[0].write(path)
    _, report = read_layers([path], delimiter=";", units="px")
    assert any("--delimiter ';' not used: Parquet" in n for n in report.notes)
    records = tmp_path / "layers.json"
    read_layers([plain])[0].to_pandas().to_json(records, orient="records")
    _, report = read_layers([records], delimiter=";", encoding="utf-8")
    assert [n for n in report.notes if "not used" in n] == [
        f"{records}: --delimiter ';' not used: JSON has no delimiter"
    ]
    _, report = read_layers(None, encoding="cp1252")
    assert any("sample: --encoding cp1252 not used" in n for n in report.notes)


# -- the options as an API --------------------------------------------------------------
def test_read_options_check_and_name_what_they_get():
    options = ReadOptions("Tab", "LATIN-1", "fraction", (10.0, 20.0))
    assert options == ReadOptions("\t", "iso8859-1", "fraction", (10.0, 20.0))
    assert options.given == ["--delimiter tab", "--encoding iso8859-1", "--units fraction"]
    with pytest.raises(LayerheatError, match="--units 'inches'"):
        ReadOptions(units="inches")


def test_input_paths_keep_their_options_through_lists_and_pickles(frame, oracle, tmp_path):
    import pickle

    from layerheat.heatmap import heatmaps

    path = tmp_path / "semi.csv"
    frame.to_csv(path, sep=";", index=False)
    items = ReadOptions(delimiter=";").attach([path])
    item = pickle.loads(pickle.dumps(list(items)[0]))
    assert isinstance(item, InputPath) and item == str(path) and item.options.delimiter == ";"
    out = tmp_path / "bins.csv"
    heatmaps([item]).write_bins(out)
    assert out.read_bytes() == oracle


# -- every command that reads layers passes the options on -------------------------------
def test_stats_metrics_and_both_sides_of_compare_obey_delimiter(cli, frame, plain, tmp_path):
    piped = misleading_pipe_file(frame, tmp_path / "piped.csv")
    runs = {
        "stats": (["stats"], "types.csv"),
        "metrics": (["metrics"], None),
        "compare": (["compare", "--no-metrics"], "compare.csv"),
    }
    for name, (command, table) in runs.items():
        got, want = tmp_path / f"{name}-pipe", tmp_path / f"{name}-plain"
        extra = [piped] if name == "compare" else []
        result = cli(*command, piped, *extra, "--delimiter", "|", "-o", got)
        assert result.code == 0, (name, result.err)
        assert cli(*command, plain, *([plain] if extra else []), "-o", want).code == 0
        if table is None:
            assert got.read_bytes() == want.read_bytes(), name
        else:
            assert (got / table).read_bytes() == (want / table).read_bytes(), name
            manifest = json.loads((got / "layerheat.json").read_text())
            assert manifest["options"]["delimiter"] == "|", name
        assert cli(*command, piped, *extra, "-o", tmp_path / f"{name}-x").code == 1, name
