"""Worker processes fork only when that is safe; the spawn path gives the same output."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np
from PIL import Image

from layerheat.parallel import can_fork, process_context

from .conftest import rows


@contextmanager
def another_thread():
    """A second live thread, as a Dask client or a progress bar would leave running."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_fork_only_while_single_threaded():
    with another_thread():
        assert not can_fork()
        assert process_context().get_start_method() == "spawn"


def test_render_all_in_spawned_workers_matches_one_process(cli, write, tmp_path):
    many = rows(*[f"d{i},{30 + 10 * i},x,100,100,400,300,1000,500" for i in range(4)])
    data = write("many.csv", many)
    assert cli("render", data, "--all", "-o", tmp_path / "one", "--jobs", "1", "-q").code == 0
    with another_thread():
        result = cli("render", data, "--all", "-o", tmp_path / "two", "--jobs", "2", "-q")
    assert result.code == 0, result.err
    for path in sorted((tmp_path / "one").glob("*.png")):
        a = np.asarray(Image.open(path))
        b = np.asarray(Image.open(tmp_path / "two" / path.name))
        assert np.array_equal(a, b), path.name


def test_heatmaps_with_other_threads_running_still_writes_every_figure(cli, write, tmp_path):
    data = write("t.csv", rows("a,30,T,1,2,3,4,100,100", "a,70,L,1,2,3,4,100,100"))
    with another_thread():
        result = cli("heatmaps", data, "-o", tmp_path / "out", "--jobs", "2", "-q")
    assert result.code == 0, result.err
    names = sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != "layerheat.json")
    assert names == ["bins.csv", "layer-30.png", "layer-70.png", "summary.png"]
