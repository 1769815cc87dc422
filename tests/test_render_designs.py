"""render_designs: every design drawn under a safe name, per-design notes, clean folders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from layerheat.render import MAX_STEM, file_names, suggest

from .conftest import rows


def test_hostile_design_ids_all_get_files_inside_the_folder(cli, write, tmp_path) -> None:  # noqa: ANN001
    ids = ["x" * 10_000, "../../etc/passwd", "a/b", "\x1b[2J", "..", "a_b", "a/b/"]
    data = write("hostile.csv", rows(*[f'"{d}",30,t,10,10,40,30,100,50' for d in ids]))
    out = tmp_path / "out"
    result = cli("render", data, "--all", "-o", out, "-q", "--size", "64")
    assert result.code == 0, result.err
    files = sorted(out.glob("*.png"))
    assert len(files) == len(ids)
    assert all(f.parent == out and len(f.name) <= MAX_STEM + 20 for f in files)
    assert not (tmp_path / "etc").exists()


def test_file_names_are_unique_and_long_ids_keep_apart() -> None:
    long_a, long_b = "a" * 200 + "1", "a" * 200 + "2"
    names = [p.name for p in file_names([long_a, long_b, "A", "a"], "png", Path("f"))]
    assert len(set(n.casefold() for n in names)) == 4
    assert names[0] != names[1] and len(names[0]) <= MAX_STEM + 13


def test_numbered_names_are_suggested_by_their_number() -> None:
    known = [f"sample-{i:04d}" for i in range(3000)]
    assert "sample-0007" in suggest("sample-7", known).split("e.g. ")[1].split(", ")[0]


def test_designs_with_no_usable_rows_get_their_own_counts(cli, write, tmp_path) -> None:  # noqa: ANN001
    data = write(
        "mixed.csv",
        rows(
            "good,30,t,10,10,40,30,100,50",
            "bad,30,t,nan,10,40,30,100,50",
            "bad,30,t,50,10,40,30,100,50",
            "good,40,t,10,10,40,30,100,50",
        ),  # fmt: skip
    )
    result = cli("render", data, "--all", "-o", tmp_path / "o", "-q", "--size", "64")
    assert result.code == 0, result.err
    assert "design 'bad' has no usable layers (read 2 layer(s): 1 non-finite, 1 inverted box)" in (
        result.err
    )
    assert sorted(p.name for p in (tmp_path / "o").iterdir() if p.name != "layerheat.json") == [
        "bad.png",
        "good.png",
    ]
    # without --all the count of designs is the same the drawing uses
    many = cli("render", data, "-o", tmp_path / "p")
    assert many.code == 1 and "the input has 2 designs" in many.err


def test_a_render_folder_is_owned_by_its_run(cli, write, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "o"
    data = write("two.csv", rows("d1,30,t,10,10,40,30,100,50", "d2,30,t,10,10,40,30,100,50"))
    assert cli("render", data, "--all", "-o", out, "-q", "--size", "32").code == 0
    (out / "notes.txt").write_text("kept")
    stale = tmp_path / ".o.layerheat" / "run-killed"  # what a killed run leaves
    stale.mkdir()
    (stale / "d1.png").write_bytes(b"half a png")
    one = write("one.csv", rows("d3,30,t,10,10,40,30,100,50"))
    assert cli("render", one, "--all", "-o", out, "-q", "--size", "32").code == 0
    assert sorted(p.name for p in out.iterdir()) == ["d3.png", "layerheat.json", "notes.txt"]
    assert not stale.exists() and (out / "notes.txt").read_text() == "kept"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pool_workers_die_with_their_parent(tmp_path) -> None:  # noqa: ANN001
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from layerheat.parallel import worker_pool\n"
        "if __name__ == '__main__':\n"
        "    with worker_pool(2) as pool:\n"
        "        futs = [pool.submit(os.getpid) for _ in range(8)]\n"
        "        print(' '.join(str(p) for p in {f.result() for f in futs}), flush=True)\n"
        "        time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert workers and parent.pid not in workers
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers)
    finally:
        if parent.poll() is None:
            parent.kill()


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.split(")")[-1].split()[0] != "Z"  # a zombie is dead, waiting to be reaped
