"""Choosing how to start worker processes safely.

Forking is the cheapest way to hand workers what the parent already computed or
imported, but forking a process that runs other threads can deadlock the child (a lock
held by another thread at the moment of the fork is never released). So fork only when
the parent is single-threaded, and otherwise spawn fresh interpreters::

    >>> from layerheat.parallel import process_context
    >>> process_context().get_start_method() in ("fork", "spawn")
    True
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

__all__ = ["can_fork", "die_with_parent", "process_context", "worker_pool"]

#: Linux prctl option: the signal a process gets when its parent dies
_PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    """Whether forking is available and safe now (no other thread is running)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def process_context() -> BaseContext:
    """``fork`` when :func:`can_fork`, else ``spawn``."""
    return multiprocessing.get_context("fork" if can_fork() else "spawn")


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; else nothing).

    Worker processes run it first, so killing only the main process (as the OOM killer
    does) never leaves workers behind.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: best effort only
        return


def worker_pool(workers: int, warm: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """A process pool started the safe way (:func:`process_context`) whose workers die
    with their parent. Use it as a context manager; on an error, cancel what is queued::

        with worker_pool(2) as pool:
            results = list(pool.map(work, items))

    ``warm`` runs first in every worker (e.g. imports the work needs), so a pool started
    early gets ready while the parent does something else.
    """
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=process_context(),
        initializer=_start_worker,
        initargs=(warm,),
    )


def _start_worker(warm: Callable[[], None] | None) -> None:
    die_with_parent()
    if warm is not None:
        warm()
