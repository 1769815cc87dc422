"""Engines: run any measure over the parts of an input, here or on a Dask cluster.

* :class:`~layerheat.engines.local.LocalEngine`: threads of this process;
* :class:`~layerheat.engines.dask.DaskEngine`: one task per part on a Dask cluster.

Both satisfy :class:`~layerheat.engines.base.Engine`; :func:`run_measures` drives
either one, and :func:`make_engine` picks one from the ``dask=`` option.

    >>> type(make_engine()).__name__
    'LocalEngine'
"""

from __future__ import annotations

from .base import Engine, PartResult, PartTask, Progress, run_measures
from .local import LocalEngine

__all__ = [
    "Engine",
    "LocalEngine",
    "PartResult",
    "PartTask",
    "Progress",
    "make_engine",
    "run_measures",
]


def make_engine(dask: str | None = None, workers: int | None = None) -> Engine:
    """A Dask engine for a scheduler address or ``local[:N]``; else the local engine."""
    if dask:
        from .dask import dask_engine

        return dask_engine(dask)
    return LocalEngine(workers)
