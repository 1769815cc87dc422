"""`layerheat heatmaps` and `layerheat sample` end to end: files, options, summary line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from layerheat import heatmaps, sample_layers

from .conftest import rows


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One run on the built-in sample with default options."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("run") / "layerheat-out"
    proc = subprocess.run(
        [sys.executable, "-m", "layerheat", "heatmaps", "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc, out


def test_default_run_writes_summary_per_type_figures_and_bins(sample_run):
    proc, out = sample_run
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    expected = ["bins.csv", "summary.png", "layerheat.json"]
    expected += [f"layer-{i}.png" for i in range(10, 150, 10)]
    assert names == sorted(expected)
    printed = proc.stdout.splitlines()
    assert sorted(line.rsplit("/", 1)[-1] for line in printed[:-1]) == sorted(expected)
    n = len(sample_layers())
    assert printed[-1] == f"read {n} layers, used {n}, skipped 0"


def test_bins_csv_holds_every_hexagon_and_every_layer(sample_run):
    _, out = sample_run
    bins = pd.read_csv(out / "bins.csv")
    expected = heatmaps().to_frame()
    pd.testing.assert_frame_equal(bins, expected, check_dtype=False)
    assert bins["count"].sum() == len(sample_layers())


def test_per_type_figure_has_the_canvas_aspect(sample_run):
    _, out = sample_run
    with Image.open(out / "layer-70.png") as im:
        w, h = im.size
    assert 1.3 < w / h < 1.9  # a landscape canvas panel (5906 x 3543) plus colour bar


def test_sample_command_writes_parquet_and_csv_that_read_back(cli, tmp_path):
    for name in ("s.parquet", "s.csv"):
        result = cli("sample", "-o", tmp_path / name, "--designs", "40", "--seed", "4")
        assert result.code == 0, result.err
        assert "in 40 designs" in result.out
    a = heatmaps(tmp_path / "s.parquet")
    b = heatmaps(sample_layers(designs=40, seed=4))
    for type_id in a.taxonomy.ids:
        np.testing.assert_array_equal(a[type_id].counts, b[type_id].counts)


def test_sample_command_rejects_unknown_suffix(cli, tmp_path):
    result = cli("sample", "-o", tmp_path / "s.xlsx")
    assert result.code == 1 and ".parquet or .csv" in result.err


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_formats(cli, write, tmp_path, fmt):
    out = tmp_path / "out"
    result = cli(
        "heatmaps", write("t.csv", rows("a,30,T,1,2,3,4,100,100")), "-o", out, "--format", fmt, "-q"
    )
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["bins.csv", f"summary.{fmt}", f"layer-30.{fmt}", "layerheat.json"]
    )
    data = (out / f"summary.{fmt}").read_bytes()
    assert data.startswith(b"%PDF-") if fmt == "pdf" else b"<svg" in data[:2000]


def test_minmax_scale_and_gridsize_reach_the_bins(cli, write, tmp_path):
    out = tmp_path / "out"
    path = write("20test2.csv", "3318,539\n2236,2342\n887,65\n")
    result = cli("heatmaps", path, "--scale", "minmax", "--gridsize", "10", "-o", out, "-q")
    assert result.code == 0, result.err
    bins = pd.read_csv(out / "bins.csv")
    per_type = bins[bins.type_id == 20]
    assert len(per_type) == 11 * 6 + 10 * 5  # matplotlib's grid for gridsize 10
    assert per_type["count"].sum() == 3
    assert per_type.x.min() == pytest.approx(0, abs=1e-8)


def test_taxonomy_file_renames_and_removes_types(cli, write, tmp_path):
    tax = write("tax.toml", 'remove = [140]\n[[types]]\nid = 30\nname = "Headline"\n')
    text = rows("a,30,T,1,2,3,4,100,100", "a,140,O,1,2,3,4,100,100")
    out = tmp_path / "out"
    result = cli("heatmaps", write("t.csv", text), "--taxonomy", tax, "-o", out, "-q")
    assert result.code == 0, result.err
    assert "skipped 1 (1 unknown type)" in result.out
    bins = pd.read_csv(out / "bins.csv")
    assert "Headline" in set(bins.type_name) and 140 not in set(bins.type_id)
    assert len(set(bins.type_id)) == 13


def test_help_of_every_command_has_an_example(cli):
    for command in ("heatmaps", "sample"):
        result = cli(command, "--help")
        assert result.code == 0
        assert "Examples:" in result.out and f"layerheat {command}" in result.out


def test_readme_example_prints_what_the_readme_says(cli, tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "messy-layers.csv"
    result = cli("heatmaps", example, "-o", tmp_path / "out", "-q", "--dpi", "30")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == (
        "read 53 layers, used 50, skipped 3 (2 non-finite, 1 inverted box)"
    )
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "read 53 layers, used 50, skipped 3 (2 non-finite, 1 inverted box)" in readme


@pytest.mark.parametrize("width", [100, 2000])
def test_tall_canvas_gives_a_bounded_figure(tmp_path, width):
    """A one-row CSV on a 300000 px high canvas finishes with images of bounded size."""
    from click.testing import CliRunner

    from layerheat.cli import cli

    src = tmp_path / "tall.csv"
    src.write_text(
        "design_id,type_id,xmin,ymin,xmax,ymax,canvas_width,canvas_height\n"
        f"d,30,0,0,{width / 2},1000,{width},300000\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["heatmaps", str(src), "-o", str(out), "-q", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    for png in out.glob("*.png"):
        w, h = Image.open(png).size
        assert w <= 10000 and h <= 10000, (png.name, w, h)


def test_failed_run_creates_no_folder(tmp_path):
    from click.testing import CliRunner

    from layerheat.cli import cli

    out = tmp_path / "new" / "out"
    result = CliRunner().invoke(cli, ["heatmaps", str(tmp_path / "missing.csv"), "-o", str(out)])
    assert result.exit_code != 0
    assert not (tmp_path / "new").exists()
