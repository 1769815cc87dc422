"""The local engine: parts on threads of this process (the compiled kernels release the GIL).

>>> from layerheat.engines.local import LocalEngine
>>> with LocalEngine(workers=1) as engine:
...     engine.workers
1
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from ..sources import Part
from .base import PartResult, PartTask, Progress

__all__ = ["LocalEngine"]


class LocalEngine:
    """Runs parts on ``workers`` threads (default: one per core), results in part order.

    :meth:`map` yields each result once it and those before it are done, so a caller
    merging them as they come (:func:`~layerheat.engines.base.merge_in_order`) holds a
    few parts' results, not one per part (~110 kB each for the centre heatmaps: 10 MB
    more at 100 M rows).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(
        self, work: PartTask, parts: Sequence[Part], *, progress: Progress | None = None
    ) -> Iterator[PartResult]:
        """``work(part, progress)`` for every part; results in part order, each yielded
        (and dropped here) as soon as it and those before it are done."""
        if self.workers <= 1 or len(parts) <= 1:
            yield from (work(part, progress) for part in parts)
            return
        from concurrent.futures import ThreadPoolExecutor

        workers = min(self.workers, len(parts))
        with ThreadPoolExecutor(workers, thread_name_prefix="layerheat-part") as pool:
            yield from pool.map(lambda part: work(part, progress), parts)
