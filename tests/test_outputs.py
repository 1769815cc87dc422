"""A run owns its output folder: one complete set at a time, a manifest, a lock."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from .conftest import SHARED

LAYERHEAT = [sys.executable, "-m", "layerheat"]


def complete(folder: Path) -> set[str]:
    """The files of a complete set: exactly what its manifest lists, bins.csv readable."""
    manifest = json.loads((folder / "layerheat.json").read_text())
    names = {p.name for p in folder.iterdir()}
    assert names == set(manifest["files"]), (names, manifest["files"])
    pacsv.read_csv(folder / "bins.csv")
    return names


def test_a_second_run_replaces_the_first_runs_files_and_keeps_the_users(cli, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "reuse"
    assert cli("heatmaps", "-o", out, "-q").code == 0
    assert len(complete(out)) == 17  # summary, 14 types, bins.csv, manifest
    (out / "my-notes.txt").write_text("mine")
    psd = SHARED / "data" / "psd"
    result = cli("heatmaps", psd, "-o", out, "-q")
    assert result.code == 0, result.err
    names = {p.name for p in out.iterdir()}
    assert names == {"summary.png", "layer-140.png", "bins.csv", "layerheat.json", "my-notes.txt"}
    manifest = json.loads((out / "layerheat.json").read_text())
    assert set(manifest["files"]) == names - {"my-notes.txt"}
    assert manifest["rows"]["read"] == 64 and manifest["rows"]["skipped"] == {"no area": 21}
    assert len(manifest["canvas_sizes"]) == 10 and manifest["inputs"][0]["path"] == str(psd)
    assert "10 canvas sizes" in result.out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".reuse.layerheat"]
    kept = sorted(p.name for p in (tmp_path / ".reuse.layerheat").iterdir())
    assert len(kept) == 2 and "lock" in kept  # only the shown set, and the lock file


def test_a_failed_run_creates_nothing_and_changes_nothing(cli, tmp_path, write) -> None:  # noqa: ANN001
    assert cli("heatmaps", tmp_path / "missing.csv", "-o", tmp_path / "new").code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    out = tmp_path / "kept"
    assert cli("heatmaps", "-o", out, "-q", "--gridsize", "8").code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = write("bad.csv", "design_id,type_id\n")
    assert cli("heatmaps", bad, "-o", out, "-q").code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_folder_layerheat_did_not_make_is_refused(cli, tmp_path) -> None:  # noqa: ANN001
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.tex").write_text("precious")
    result = cli("heatmaps", "-o", theirs, "-q")
    assert result.code == 1 and "was not made by layerheat" in result.err
    assert [p.name for p in theirs.iterdir()] == ["thesis.tex"]


def big_input(path: Path, rows: int = 2_000_000) -> Path:
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0, 900, rows)
    y0 = rng.uniform(0, 500, rows)
    table = pa.table(
        {
            "design_id": pa.array(np.arange(rows) // 10).cast(pa.string()),
            "type_id": pa.array(rng.choice(np.arange(10, 150, 10), rows).astype(np.int16)),
            "xmin": x0,
            "ymin": y0,
            "xmax": x0 + 50,
            "ymax": y0 + 30,
            "canvas_width": np.full(rows, 1000.0),
            "canvas_height": np.full(rows, 600.0),
        }
    )
    pq.write_table(table, path, row_group_size=250_000)
    return path


def test_two_runs_at_once_end_with_one_set_and_the_other_told_why(tmp_path) -> None:  # noqa: ANN001
    data = big_input(tmp_path / "big.parquet")
    out = tmp_path / "out"
    runs = [
        subprocess.Popen([*LAYERHEAT, "heatmaps", str(data), "-o", str(out), "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    results = [(r.wait(120), r.stderr.read()) for r in runs]
    codes = sorted(code for code, _ in results)
    complete(out)
    if codes == [0, 1]:  # the second reached the folder while the first held it
        told = [err for code, err in results if code == 1][0]
        assert "another layerheat run is writing this folder" in told
    else:  # one finished before the other began writing: both succeed, one after the other
        assert codes == [0, 0]


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_a_complete_set(tmp_path) -> None:  # noqa: ANN001
    data = big_input(tmp_path / "big.parquet", rows=3_000_000)
    out = tmp_path / "out"
    first = subprocess.run([*LAYERHEAT, "heatmaps", str(data), "-o", str(out), "-q"], timeout=300)
    assert first.returncode == 0
    reference = complete(out)
    start = time.monotonic()
    done = subprocess.run([*LAYERHEAT, "heatmaps", str(data), "-o", str(out), "-q",
                           "--gridsize", "20"], timeout=300)  # fmt: skip
    assert done.returncode == 0
    duration = time.monotonic() - start
    rng = random.Random(1)
    for _ in range(10):
        run = subprocess.Popen([*LAYERHEAT, "heatmaps", str(data), "-o", str(out), "-q",
                                "--gridsize", str(rng.choice([10, 30]))])  # fmt: skip
        time.sleep(rng.uniform(0.2, duration * 1.1))
        os.kill(run.pid, signal.SIGKILL)
        run.wait(30)
        assert complete(out) == reference  # the previous set or the new one, never a mix
    assert subprocess.run([*LAYERHEAT, "heatmaps", str(data), "-o", str(out), "-q"]).returncode == 0
    assert len(list((tmp_path / ".out.layerheat").iterdir())) == 2  # the set and the lock


@pytest.mark.slow
def test_kill_9_of_render_all_leaves_a_complete_set(tmp_path) -> None:  # noqa: ANN001
    from layerheat.sample import sample_layers

    data = tmp_path / "designs.parquet"
    sample_layers(designs=120).write(data)
    out = tmp_path / "renders"
    run = [*LAYERHEAT, "render", str(data), "--all", "-o", str(out), "-q", "--size", "96"]
    start = time.monotonic()
    assert subprocess.run(run, timeout=300).returncode == 0
    duration = time.monotonic() - start

    def check() -> None:
        manifest = json.loads((out / "layerheat.json").read_text())
        assert {p.name for p in out.iterdir()} == set(manifest["files"])
        assert manifest["designs"] == 120

    check()
    rng = random.Random(2)
    for _ in range(10):
        proc = subprocess.Popen(run)
        time.sleep(rng.uniform(0.2, duration))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        check()


# -- temporaries of killed single-file writes ---------------------------------------------------
def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(30)
    return child.pid


def test_a_write_removes_temporaries_of_killed_writers_and_keeps_live_ones(tmp_path) -> None:  # noqa: ANN001
    from layerheat.outputs import atomic_path, temporary_prefix

    host = temporary_prefix("x").split("-")[-1].rstrip(".")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        files = {
            "dead": f".summary.png.{dead_pid()}-{host}.abc_12.tmp",
            "dead link": f".summary.png.{dead_pid()}-{host}.link",
            "own": f".summary.png.{os.getpid()}-{host}.own1.tmp",
            "child": f".summary.png.{sleeper.pid}-{host}.kid1.tmp",
            "other host": f".summary.png.{dead_pid()}-zzzzzz.abc.tmp",
            "other name": f".summary.png.bak.{dead_pid()}-{host}.abc.tmp",
            "old style": ".summary.png.k2j3h4g5.tmp",
            "user's": "summary.png.1.tmp",
        }
        for name in files.values():
            (tmp_path / name).write_text("partial")
        with atomic_path(tmp_path / "summary.png") as tmp:
            tmp.write_text("new")
        left = {p.name for p in tmp_path.iterdir()}
        kept = {k for k, name in files.items() if name in left}
        assert kept == {"own", "child", "other host", "other name", "old style", "user's"}
        assert (tmp_path / "summary.png").read_text() == "new"
    finally:
        sleeper.kill()
        sleeper.wait(30)


KILLED_WRITER = """
import os, sys, time
from layerheat.outputs import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_bytes(b"half a png")
    print(tmp, flush=True)
    time.sleep(60)
"""


def test_kill_9_during_a_single_file_write_leaves_nothing_after_the_next_write(tmp_path) -> None:  # noqa: ANN001
    from layerheat.render import render_design
    from layerheat.sample import sample_layers

    target = tmp_path / "design.png"
    writers = [
        subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)],
                         stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    temporaries = [Path(w.stdout.readline().strip()) for w in writers]
    assert all(t.exists() for t in temporaries)
    os.kill(writers[0].pid, signal.SIGKILL)
    writers[0].wait(30)
    layers = sample_layers(designs=1)
    render_design(layers, target, size=64)
    assert not temporaries[0].exists()  # the killed run's half file is gone
    assert temporaries[1].exists()  # the live concurrent run's is not touched
    writers[1].kill()
    writers[1].wait(30)
    render_design(layers, target, size=64)
    assert [p.name for p in tmp_path.iterdir()] == ["design.png"]


def test_ingest_removes_links_left_by_a_killed_ingest(cli, tmp_path) -> None:  # noqa: ANN001
    from layerheat.outputs import temporary_prefix

    host = temporary_prefix("x").split("-")[-1].rstrip(".")
    out = tmp_path / "layers.parquet"
    stale = [
        tmp_path / f".{n}.{dead_pid()}-{host}.link" for n in (out.name, out.name + ".rejects.csv")
    ]
    for link in stale:
        link.symlink_to(".layers.parquet.files/layers.parquet")
    result = cli("ingest", SHARED / "data" / "psd", "-o", out)
    assert result.code == 0, result.err
    assert not any(link.is_symlink() for link in stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "..layers.parquet.files.layerheat", ".layers.parquet.files",
        "layers.parquet", "layers.parquet.rejects.csv",
    ]  # fmt: skip
