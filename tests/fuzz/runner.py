"""Run one mutant through the real CLI in a subprocess and say how it went.

Each command runs as ``python -m layerheat ...`` in a fresh folder with a time limit
and a cap on its address space (``RLIMIT_AS``, set in ``preexec_fn``); its peak RSS comes
from ``os.wait4`` (the child's own ``getrusage``, largest process of its tree). The
outcome is one of :data:`CLASSES`:

``ok``          exit 0 and the summary line accounts for every row (read = used + skipped)
                or file (ingest: 1 file, its layers or 1 rejected)
``error``       exit 1, exactly one ``layerheat: error:`` line on stderr, no traceback
``traceback``   a Python traceback on stderr
``hang``        still running at the time limit (killed)
``oom``         ran out of its memory cap (MemoryError, bad_alloc, killed by the kernel)
``leftovers``   files left in the output's folder after a failure, or temporary files
                after a success
``unclear``     any other failure: a crash by a signal, several or no error lines, an ok
                run whose summary does not add up or that printed a Python warning, an
                error line naming an "unexpected error" (a reader's bug that ingest's
                safety net caught)
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .forkserver import ForkServer
from .mutators import Mutant

__all__ = [
    "CLASSES",
    "DEFAULT_MEMORY",
    "DEFAULT_TIMEOUT",
    "HEATMAPS_ARGS",
    "Outcome",
    "child_env",
    "commands_for",
    "run_command",
    "run_mutant",
]

CLASSES = ("ok", "error", "traceback", "hang", "oom", "leftovers", "unclear")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY = 3 * 2**30
#: figures are drawn in-process at a low resolution: the readers are under test, and a
#: heatmaps run that gets as far as drawing has read everything already
HEATMAPS_ARGS = ("--jobs", "1", "--dpi", "20")

_SUMMARY = re.compile(r"^read (\d+) layers, used (\d+), skipped (\d+)", re.M)
_INGESTED = re.compile(r"^ingested (\d+) files?: (\d+) layers .*?, (\d+) rejected", re.M)
_OOM = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory", "std::length_error")
_WARNING = re.compile(r"\b\w*Warning: .*")
_TEMP = re.compile(r"(^building$|^\.layerheat-|\.tmp$|\.part$|^tmp)")


@dataclass
class Outcome:
    """What one command did with one mutant."""

    mutant: str
    kind: str
    command: str
    klass: str
    code: int | None
    seconds: float
    peak_mb: float
    detail: str
    argv: list[str]


def commands_for(mutant: Mutant, path: Path, folder: Path) -> dict[str, tuple[list[str], Path]]:
    """command name -> (arguments after ``layerheat``, the output's own folder)."""
    heat = folder / "heatmaps"
    commands = {
        "heatmaps": (["heatmaps", str(path), "-o", str(heat / "out"), "-q", *HEATMAPS_ARGS], heat)
    }
    if mutant.kind in ("psd", "coco"):
        ing = folder / "ingest"
        commands["ingest"] = (["ingest", str(path), "-o", str(ing / "t.parquet"), "-q"], ing)
    return commands


def run_mutant(
    mutant: Mutant,
    folder: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    server: ForkServer | None = None,
) -> list[Outcome]:
    """Write the mutant into ``folder`` and run every command of its kind on it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "input" / f"mutant{mutant.suffix}"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(mutant.data)
    outcomes = []
    for name, (args, outdir) in commands_for(mutant, path, folder).items():
        outdir.mkdir(exist_ok=True)
        outcome = run_command(args, outdir, timeout=timeout, memory=memory, server=server)
        outcome.mutant, outcome.kind, outcome.command = mutant.name, mutant.kind, name
        if outcome.klass not in ("hang", "oom", "traceback") and _stray(path.parent, {path}):
            outcome.klass, outcome.detail = "leftovers", f"in the input's folder: {outcome.detail}"
        outcomes.append(outcome)
    return outcomes


def _limits(memory: int):  # noqa: ANN202 - a preexec_fn
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def child_env() -> dict[str, str]:
    """The environment of every run: offscreen Qt, Agg, one thread per library."""
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg", PYTHONFAULTHANDLER="1")
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[name] = "1"
    return env


def run_command(
    args: list[str],
    outdir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    server: ForkServer | None = None,
) -> Outcome:
    """Run ``python -m layerheat ARGS`` in ``outdir`` and classify the result.

    With a :class:`~tests.fuzz.forkserver.ForkServer` the run is a child forked from it
    (the same entry point, imports already done); else a new interpreter.
    """
    argv = [sys.executable, "-m", "layerheat", *args]
    out_path = outdir.parent / f"{outdir.name}.stdout"
    err_path = outdir.parent / f"{outdir.name}.stderr"
    started = time.monotonic()
    if server is not None:
        request = {"args": args, "cwd": str(outdir), "stdout": str(out_path)}
        request.update(stderr=str(err_path), timeout=timeout, memory=memory)
        answer = server.run(request)
        status, peak_kb, hung = answer["status"], answer["maxrss_kb"], answer["hung"]
    else:
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(
                argv,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                cwd=outdir,
                env=child_env(),
                preexec_fn=_limits(memory),  # noqa: PLW1509 - setrlimit only, no locks
                start_new_session=True,
            )
            status, usage, hung = _wait(proc.pid, timeout)
        peak_kb = usage.ru_maxrss if usage is not None else 0
    seconds = time.monotonic() - started
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    code = os.waitstatus_to_exitcode(status) if status is not None else None
    klass, detail = _classify(code, hung, stdout, stderr, outdir)
    return Outcome("", "", "", klass, code, seconds, peak_kb / 1024, detail, argv)


def _wait(pid: int, timeout: float):  # noqa: ANN202 - (status, rusage, hung)
    """Wait for ``pid`` (its rusage included); kill its process group at the time limit."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, False
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage, True
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _classify(code, hung: bool, stdout: str, stderr: str, outdir: Path) -> tuple[str, str]:  # noqa: ANN001
    errors = [line for line in stderr.splitlines() if line.startswith("layerheat: error:")]
    first = errors[0] if errors else _last_line(stderr)
    if hung:
        return "hang", "killed at the time limit"
    if any(mark in stderr for mark in _OOM) or code == -signal.SIGKILL:
        return "oom", _last_line(stderr) or f"exit {code}"
    if "Traceback" in stderr:
        return "traceback", _last_line(stderr)
    if code == 0:
        stray = _stray(outdir, set(), success=True)
        if stray:
            return "leftovers", f"after success: {stray}"
        warning = _WARNING.search(stderr)
        if warning:  # -q runs print nothing on stderr but notes; a warning is noise
            return "unclear", f"exit 0 with a warning on stderr: {warning.group(0)[:200]}"
        return _accounted(stdout)
    stray = _stray(outdir, set())
    if stray:
        return "leftovers", f"after failure: {stray}; {first}"
    lines = [line for line in stderr.splitlines() if line.strip()]
    if code == 1 and len(errors) == 1 and len(lines) == 1:
        if "unexpected error (" in first:  # ingest's safety net caught a reader's bug
            return "unclear", first
        return "error", first
    return "unclear", f"exit {code}: {' | '.join(lines[-3:]) or '(no stderr)'}"


def _accounted(stdout: str) -> tuple[str, str]:
    match = _SUMMARY.search(stdout)
    if match:
        read, used, skipped = map(int, match.groups())
        ok = read == used + skipped and used > 0
        return ("ok" if ok else "unclear"), match.group(0)
    match = _INGESTED.search(stdout)
    if match:
        files, layers, rejected = map(int, match.groups())
        ok = files == 1 and (layers > 0) != (rejected == 1)
        return ("ok" if ok else "unclear"), match.group(0)
    return "unclear", f"exit 0 without a summary line: {_last_line(stdout)!r}"


def _stray(folder: Path, expected: set[Path], *, success: bool = False) -> str:
    """Files in ``folder`` that should not be there (after a failure: anything)."""
    found = sorted(p for p in folder.rglob("*") if p not in expected)
    if success:
        found = [p for p in found if _TEMP.search(p.name)]
    return ", ".join(str(p.relative_to(folder)) for p in found[:5])


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
