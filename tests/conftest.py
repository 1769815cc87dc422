"""Shared fixtures: running the CLI in-process, writing small input files."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@dataclass
class CliResult:
    """Exit status and captured output of one ``layerheat`` run."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Callable:
    """Run ``layerheat ARGS`` through its real entry point; return code, stdout, stderr."""
    from layerheat.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["layerheat", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text or bytes to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    return _write


HEADER = "design_id,type_id,name,xmin,ymin,xmax,ymax,canvas_width,canvas_height\n"


def rows(*lines: str) -> str:
    """A tidy layer CSV: the standard header plus ``lines``."""
    return HEADER + "".join(line + "\n" for line in lines)


# -- engines: tests that depend on the engine run on each of them (datashader style) -----
@pytest.fixture(scope="session")
def dask_cluster():  # noqa: ANN201 - the scheduler address of a two-process LocalCluster
    """One LocalCluster of two worker processes for the whole session."""
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as local:
        yield local.scheduler_address


ENGINES = ["local-1", "local-2", "dask"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest):  # noqa: ANN201 - an entered Engine
    """Each engine in turn: the local one on 1 and 2 threads, and Dask on 2 processes."""
    from layerheat.engines import LocalEngine

    if request.param == "dask":
        from layerheat.engines.dask import DaskEngine

        with DaskEngine(request.getfixturevalue("dask_cluster")) as dask:
            yield dask
    else:
        with LocalEngine(int(request.param.split("-")[1])) as local:
            yield local
