"""Batch ingest: every file accounted for, rejects file, atomic output, --update, --explain."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from layerheat.errors import LayerheatError
from layerheat.ingest import (
    IngestOptions,
    expand_inputs,
    ingest,
    read_rejects,
    rejects_path_for,
    run_ingest,
)

from .helpers_psd import SHARED_PSD, G, L, layer_section_end, make_psd


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """A folder of two good PSDs, a nested one, and three broken PSD files."""
    root = tmp_path / "designs"
    (root / "sub").mkdir(parents=True)
    make_psd(
        root / "a.psd", (600, 400), [L("Background", (0, 0, 600, 400)), L("TITLE", (5, 5, 50, 20))]
    )
    make_psd(root / "sub" / "b.psd", (300, 300), [G("Logos", [L("logo 1", (1, 1, 11, 11))])])
    good = (root / "a.psd").read_bytes()
    (root / "cut.psd").write_bytes(good[: layer_section_end(root / "a.psd") - 50])
    (root / "notes.psd").write_text("this is not a photoshop file\n")
    (root / "readme.txt").write_text("not an input")
    return root


def test_every_file_gives_rows_or_a_reject_line(batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "layers.parquet"
    result = run_ingest([batch], out, options=IngestOptions(), jobs=1)
    table = pq.read_table(out)
    assert sorted(set(table.column("design_id").to_pylist())) == ["a.psd", "sub/b.psd"]
    assert table.num_rows == 3
    rejects = dict(read_rejects(rejects_path_for(out)))
    assert set(map(os.path.basename, rejects)) == {"cut.psd", "notes.psd"}
    assert "truncated" in rejects[str(batch / "cut.psd")]
    assert "not a PSD" in rejects[str(batch / "notes.psd")]
    assert result.files == 4
    assert rejects_path_for(out).name == "layers.parquet.rejects.csv"


def test_cli_ingest_mixed_batch_then_heatmap_reader(batch: Path, tmp_path: Path, cli) -> None:
    coco = tmp_path / "coco.json"
    coco.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "p.png", "width": 100, "height": 50}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]}],
                "categories": [{"id": 3, "name": "figure"}],
            }
        )
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"images": [')
    nokeys = tmp_path / "nokeys.json"
    nokeys.write_text('{"images": []}')
    out = tmp_path / "t.parquet"
    res = cli("ingest", batch, coco, broken, nokeys, "-o", out, "--jobs", "1")
    assert res.code == 0, res.err
    assert f"wrote {out}" in res.out
    summary = res.out.strip().splitlines()[-1]
    assert summary.startswith("ingested 7 files: 4 layers (0 no area, 0 unmatched -> Other)")
    assert summary.endswith(f"4 rejected (see {rejects_path_for(out)})")
    reasons = dict(read_rejects(rejects_path_for(out)))
    assert "invalid JSON" in reasons[str(broken)]
    assert "missing key 'annotations'" in reasons[str(nokeys)]
    table = pq.read_table(out)
    assert table.column("type_id").to_pylist().count(120) == 1  # figure -> Graphics

    from layerheat.sources import read_layers

    layers, report = read_layers([out])
    assert len(layers) == 4


def test_heatmap_reader_takes_a_psd_folder_and_skips_no_area_rows(tmp_path: Path) -> None:
    from layerheat.sources import read_layers

    if not SHARED_PSD.is_dir():
        pytest.skip(f"real PSD test files not found at {SHARED_PSD}")
    from psd_tools import PSDImage
    from psd_tools.api.layers import AdjustmentLayer

    adjustments = sum(
        isinstance(layer, AdjustmentLayer)
        for path in (SHARED_PSD / "layers").glob("*.ps[db]")
        for layer in PSDImage.open(path).descendants()
    )
    table, report = read_layers([SHARED_PSD / "layers"])
    assert adjustments > 10
    assert report.skipped["no area"] == adjustments
    assert len(table) == report.rows_used
    assert [Path(p).name for p, _ in report.files_skipped] == ["group.psd"]


def test_nothing_usable_writes_nothing_and_says_why(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.psd"
    bad.write_bytes(b"\x00" * 40)
    out = tmp_path / "t.parquet"
    res = cli("ingest", bad, "-o", out)
    assert res.code == 1
    assert len(res.err_lines) == 1 and res.err_lines[0].startswith("layerheat: error: ")
    assert "Traceback" not in res.err
    assert "bad.psd: not a PSD/PSB file" in res.err  # the reason, in the one line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.psd"]  # a failed run creates nothing


def test_table_and_rejects_appear_together_and_a_kill_leaves_a_pair(tmp_path: Path) -> None:
    import random
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "designs"
    folder.mkdir()
    make_psd(folder / "a.psd", (400, 300), [L("Title", (10, 10, 200, 60))])
    (folder / "bad.psd").write_bytes(b"nope")
    out = tmp_path / "t.parquet"
    run = [sys.executable, "-m", "layerheat", "ingest", str(folder), "-o", str(out), "-q"]
    assert subprocess.run(run, capture_output=True).returncode == 0
    rejects = rejects_path_for(out)
    assert out.is_symlink() and rejects.is_symlink()  # both are links into one version

    def consistent() -> None:
        manifest = json.loads((tmp_path / ".t.parquet.files" / "layerheat.json").read_text())
        assert set(manifest["files"]) == {"t.parquet", "t.parquet.rejects.csv", "layerheat.json"}
        assert [Path(p).name for p, _ in read_rejects(rejects)] == ["bad.psd"]
        assert len(pq.read_table(out)) == 1

    consistent()
    rng = random.Random(3)
    for _ in range(10):
        proc = subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        consistent()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nowhere", "-o", "t.parquet"), "no such file or folder"),
        (("{src}", "-o", "t.txt"), "unknown output format"),
        (("{src}",), "needs -o"),
        (("{src}", "--map", "title", "-o", "t.parquet"), "CATEGORY=TYPE"),
        (("{tmp}/*.nothing", "-o", "t.parquet"), "matched no files"),
        (("{tmp}", "-o", "t.parquet"), "no .psd or .psb files"),
    ],
)
def test_bad_input_is_one_line_on_stderr(tmp_path: Path, cli, args, message) -> None:
    src = make_psd(tmp_path / "x.psd", (10, 10), [L("a", (1, 1, 2, 2))])
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = [a.format(src=src, tmp=empty) for a in args]
    os.chdir(tmp_path)
    res = cli("ingest", *argv)
    assert res.code != 0
    assert len(res.err_lines) == 1 and message in res.err, res.err
    assert "Traceback" not in res.err


def test_update_rereads_only_changed_files(batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.parquet"
    first = run_ingest([batch], out, jobs=1)
    assert first.read == 4
    # change one file, add one, delete one; leave the rest untouched
    make_psd(batch / "sub" / "b.psd", (300, 300), [L("Disclaimer", (2, 2, 20, 20))])
    make_psd(batch / "new.psd", (100, 100), [L("Address", (1, 1, 9, 9))])
    stat_a = (batch / "a.psd").stat()
    second = run_ingest([batch], out, jobs=1, update=True)
    assert second.reused == 1  # a.psd
    assert second.read == 4  # b (changed), new, and the two rejected files
    assert (batch / "a.psd").stat().st_mtime_ns == stat_a.st_mtime_ns
    rows = pq.read_table(out).to_pylist()
    assert sorted((r["design_id"], r["name"]) for r in rows) == [
        ("a.psd", "Background"),
        ("a.psd", "TITLE"),
        ("new.psd", "Address"),
        ("sub/b.psd", "Disclaimer"),
    ]
    (batch / "new.psd").unlink()
    third = run_ingest([batch], out, jobs=1, update=True)
    assert third.reused == 2
    assert "new.psd" not in pq.read_table(out).column("design_id").to_pylist()
    assert len(read_rejects(rejects_path_for(out))) == 2


def test_update_keeps_rows_of_files_outside_this_runs_inputs(tmp_path: Path) -> None:
    one = make_psd(tmp_path / "one.psd", (50, 50), [L("Title", (1, 1, 5, 5))])
    two = make_psd(tmp_path / "two.psd", (50, 50), [L("Logo", (1, 1, 5, 5))])
    out = tmp_path / "t.csv"
    run_ingest([one], out, jobs=1)
    run_ingest([two], out, jobs=1, update=True)
    import pyarrow.csv as pacsv

    names = sorted(pacsv.read_csv(out).column("name").to_pylist())
    assert names == ["Logo", "Title"]


def test_update_refuses_a_table_not_written_by_ingest(tmp_path: Path, cli) -> None:
    src = make_psd(tmp_path / "x.psd", (10, 10), [L("a", (1, 1, 2, 2))])
    out = tmp_path / "t.csv"
    out.write_text("design_id,type_id,name,xmin,ymin,xmax,ymax,canvas_width,canvas_height\n")
    res = cli("ingest", src, "-o", out, "--update")
    assert res.code == 1 and "without --update" in res.err


def test_explain_lists_names_types_and_rules_most_frequent_first(tmp_path: Path, cli) -> None:
    for i in range(3):
        make_psd(
            tmp_path / f"d{i}.psd",
            (100, 100),
            [L("logo_dev", (1, 1, 9, 9)), L("Layer 3", (1, 1, 9, 9))][: 1 + (i == 0)],
        )
    res = cli("ingest", tmp_path, "--explain")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].split() == ["count", "type", "rule", "name"]
    assert lines[1].split()[0] == "3" and "Developer Logo (70)" in lines[1]
    assert lines[1].endswith("'logo_dev'") and "/logos?/" in lines[1]
    assert lines[2].split()[0] == "1" and "Other (140)" in lines[2] and "fallback" in lines[2]
    assert "1 unmatched -> Other" in lines[-1]


def test_process_pool_gives_the_same_table(batch: Path) -> None:
    serial = ingest([batch], jobs=1)
    parallel = ingest([batch], jobs=2)
    assert parallel.table.arrow.equals(serial.table.arrow)
    assert parallel.rejected == serial.rejected


def test_globs_and_design_ids(batch: Path, tmp_path: Path) -> None:
    files, _ = expand_inputs([str(batch / "**" / "*.psd")])
    assert sorted(f.design_id for f in files) == ["a.psd", "cut.psd", "notes.psd", "sub/b.psd"]
    other = tmp_path / "other"
    other.mkdir()
    make_psd(other / "a.psd", (10, 10), [L("x", (1, 1, 2, 2))])
    files, notes = expand_inputs([batch / "a.psd", other / "a.psd", batch / "a.psd"])
    assert [f.design_id for f in files] == ["designs/a.psd", "other/a.psd"]
    assert any("named twice" in n for n in notes) and any("prefixed" in n for n in notes)


def test_unsupported_explicit_file_is_rejected_not_fatal(batch: Path) -> None:
    result = ingest([batch / "a.psd", batch / "readme.txt"], jobs=1)
    assert len(result.table) == 2
    assert result.rejected == [(str(batch / "readme.txt"), result.rejected[0][1])]
    assert "unsupported file type .txt" in result.rejected[0][1]


def test_options_reach_the_readers(batch: Path) -> None:
    opts = IngestOptions(include_groups=True)
    names = ingest([batch / "sub"], options=opts, jobs=1).table.arrow.column("name").to_pylist()
    assert names == ["Logos", "logo 1"]
    with pytest.raises(LayerheatError, match="--jobs 0"):
        ingest([batch / "a.psd", batch / "sub"], jobs=0)
