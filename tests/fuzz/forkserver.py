"""A fork server: the CLI's imports paid once, every run still in a process of its own.

``python -m layerheat`` spends a second or more importing Arrow, Matplotlib, Numba and
psd-tools before it reads a byte; for thousands of mutants that is most of the time.
This server (``python -m tests.fuzz.forkserver``, started by :class:`ForkServer`)
imports them once, then for each request forks a child that becomes a fresh session
with its own address-space cap, working folder, stdout and stderr files, sets
``sys.argv`` and calls :func:`layerheat.cli.main`, the entry point ``python -m
layerheat`` calls. The server waits for the child with ``os.wait4`` (peak RSS), kills
its process group at the time limit and answers with one JSON line. The server is
single-threaded, so forking it is safe.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

__all__ = ["ForkServer", "serve"]

ROOT = Path(__file__).resolve().parents[2]


class ForkServer:
    """The client side: one server process, one request at a time."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.forkserver"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.proc.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"fork server did not start: {ready!r}")

    def run(self, request: dict) -> dict:
        """Run one command (see :func:`_run`); ``{"status", "maxrss_kb", "hung"}``."""
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("fork server died")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def _warm_up() -> None:
    """Import what the commands import, so that children start with it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import psd_tools  # noqa: F401
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import layerheat.cli
    import layerheat.cli.heatmaps
    import layerheat.cli.ingest
    import layerheat.heatmap
    import layerheat.ingest
    import layerheat.io.coco
    import layerheat.io.psd
    import layerheat.plot
    import layerheat.sources  # noqa: F401

    _draw_once()


def _draw_once() -> None:
    """One small heatmaps run in-process: Numba's kernels loaded, fonts and text caches
    filled, so that children do not each pay for them. It must leave no thread running
    (forking a process with threads is not safe); :func:`serve` checks."""
    import tempfile

    from layerheat.heatmap import heatmaps
    from layerheat.plot import write_figures
    from layerheat.sample import sample_layers

    with tempfile.TemporaryDirectory() as tmp:
        hs = heatmaps(sample_layers(designs=3))
        write_figures(hs, tmp, dpi=20, jobs=1)


def _child(request: dict) -> None:
    """In the forked child: become the command, exit with its status."""
    code = 1
    try:
        os.setsid()
        os.chdir(request["cwd"])
        memory = request["memory"]
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = ["layerheat", *request["args"]]
        from layerheat.cli import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - as the interpreter would: print, exit 1
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # exiting anyway
                stream.flush()
        os._exit(code)


def _run(request: dict) -> dict:
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        _child(request)
    deadline = time.monotonic() + request["timeout"]
    delay = 0.002
    hung = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            hung = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            break
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    return {"status": status, "maxrss_kb": usage.ru_maxrss, "hung": hung}


def serve() -> None:
    """Answer requests (JSON lines on stdin) until stdin closes."""
    import threading

    _warm_up()
    if threading.active_count() != 1:
        raise SystemExit(f"fork server: {threading.active_count()} threads after warming up")
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip():
            try:
                print(json.dumps(_run(json.loads(line))), flush=True)
            except BrokenPipeError:  # the driver is gone (killed): nothing left to answer
                return


if __name__ == "__main__":
    serve()
