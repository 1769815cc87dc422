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
import threading
from multiprocessing.context import BaseContext


def can_fork() -> bool:
    """Whether forking is available and safe now (no other thread is running)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def process_context() -> BaseContext:
    """``fork`` when :func:`can_fork`, else ``spawn``."""
    return multiprocessing.get_context("fork" if can_fork() else "spawn")
