"""The Dask engine equals the local engine exactly, on real worker processes.

Two clusters: a LocalCluster of two worker processes driven from Python, and a
``dask scheduler`` with two ``dask worker`` processes on 127.0.0.1 that the CLI is
pointed at. Everything is torn down whatever happens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from layerheat.heatmap import heatmaps
from layerheat.sample import sample_layers

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
TIMEOUT = 120


def same(a, b) -> None:  # noqa: ANN001
    """Equal HeatmapSets: counts, grids, layers, sizes, report."""
    assert a.scale == b.scale and a.canvas == b.canvas
    for t in a:
        u = b[t.type.id]
        np.testing.assert_array_equal(t.counts, u.counts, err_msg=t.type.label)
        assert t.grid == u.grid
        assert t.n_layers == u.n_layers
        assert (t.mean_width == u.mean_width) or (np.isnan(t.mean_width) and np.isnan(u.mean_width))
    assert a.report.summary() == b.report.summary()
    assert a.report.notes == b.report.notes


@pytest.fixture(scope="module")
def layers(tmp_path_factory) -> Path:  # noqa: ANN001
    """A Parquet file of several row groups, some rows bad, plus a CSV copy."""
    folder = tmp_path_factory.mktemp("dask")
    table = sample_layers(designs=3000, seed=2).arrow
    xmin = table.column("xmin").to_numpy().copy()
    xmin[::97] = np.nan  # non-finite rows, counted the same by both engines
    table = table.set_column(table.column_names.index("xmin"), "xmin", [xmin])
    path = folder / "layers.parquet"
    pq.write_table(table, path, row_group_size=4000)
    return path


@pytest.fixture(scope="module")
def cluster(dask_cluster):  # noqa: ANN001, ANN201
    return dask_cluster


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
def test_local_cluster_result_equals_local_engine(layers, cluster, scale, monkeypatch) -> None:  # noqa: ANN001
    import layerheat.sources as sources

    monkeypatch.setattr(sources, "PART_ROWS", 8000)  # several parts, so several tasks
    local = heatmaps(str(layers), scale=scale)
    remote = heatmaps(str(layers), scale=scale, dask=cluster)
    same(local, remote)


def test_progress_counts_rows_finished_on_workers(layers, cluster) -> None:  # noqa: ANN001
    seen = []
    hs = heatmaps(str(layers), scale="minmax", dask=cluster, progress=seen.append)
    assert sum(seen) == 2 * hs.report.rows_read


def test_in_memory_inputs_and_csv_run_on_the_cluster_too(layers, cluster, tmp_path) -> None:  # noqa: ANN001
    import pyarrow.csv as pacsv

    csv = tmp_path / "layers.csv"
    pacsv.write_csv(pq.read_table(layers), csv)
    same(heatmaps(str(csv)), heatmaps(str(csv), dask=cluster))
    same(heatmaps(), heatmaps(dask=cluster))  # the built-in sample


def test_local_n_starts_and_stops_its_own_cluster(layers) -> None:  # noqa: ANN001
    same(heatmaps(str(layers)), heatmaps(str(layers), dask="local:2"))


def test_unreachable_scheduler_is_one_clear_error(layers) -> None:  # noqa: ANN001
    from layerheat.engines.dask import DaskEngine
    from layerheat.errors import LayerheatError

    port = free_port()
    engine = DaskEngine(f"tcp://127.0.0.1:{port}")
    import layerheat.engines.dask as ld

    old, ld.CONNECT_TIMEOUT = ld.CONNECT_TIMEOUT, 2
    try:
        with pytest.raises(LayerheatError, match="cannot reach the scheduler"), engine:
            pass
    finally:
        ld.CONNECT_TIMEOUT = old


@pytest.mark.parametrize("address", ["local:0", ""])
def test_bad_dask_address_is_refused(address) -> None:  # noqa: ANN001
    from layerheat.engines.dask import parse_address
    from layerheat.errors import LayerheatError

    with pytest.raises(LayerheatError):
        parse_address(address)


# -- a real scheduler and two worker processes, driven through the CLI -------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):  # noqa: ANN201
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask-logs")
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = []

    def start(name: str, *args: str) -> None:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed in teardown
        procs.append(
            (subprocess.Popen([str(BIN / "dask"), *args], stdout=log, stderr=log, env=env), log)
        )

    try:
        start(
            "scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"
        )
        for i in range(2):
            start(
                f"worker{i}",
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--name",
                f"w{i}",
            )
        from distributed import Client

        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=max(1, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for proc, _ in reversed(procs):
            proc.terminate()
        for proc, log in reversed(procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            log.close()


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
def test_cli_against_a_scheduler_with_two_workers_writes_the_local_bins(
    layers, scheduler, scale, tmp_path
) -> None:  # noqa: ANN001
    runs = {}
    for name, extra in (("local", []), ("dask", ["--dask", scheduler])):
        out = tmp_path / name
        done = subprocess.run(
            [
                str(BIN / "layerheat"),
                "heatmaps",
                str(layers),
                "-o",
                str(out),
                "-q",
                "--scale",
                scale,
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        runs[name] = done
    assert (tmp_path / "local" / "bins.csv").read_bytes() == (
        tmp_path / "dask" / "bins.csv"
    ).read_bytes()
    assert runs["local"].stdout.splitlines()[-1] == runs["dask"].stdout.splitlines()[-1]
    assert "skipped" in runs["dask"].stdout.splitlines()[-1]
