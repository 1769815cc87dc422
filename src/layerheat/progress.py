"""A progress bar for long runs: rows read and rows per second, on stderr.

    >>> from layerheat.progress import row_progress
    >>> with row_progress(quiet=True) as tick:      # quiet: tick is None
    ...     tick is None
    True

``row_progress()`` yields a callable taking the number of rows just read (what
:func:`layerheat.heatmap.heatmaps` wants as ``progress``). Nothing is drawn until the run
has lasted :data:`DELAY` seconds, so quick runs stay silent; the bar is drawn with rich
on stderr and only when stderr is a terminal (``force=True`` draws it anyway).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: seconds a run must last before the bar appears
DELAY = 1.0


class RowProgress:
    """Callable progress sink: ``tick(rows)``; shows a rich bar once the run is slow."""

    def __init__(self, *, delay: float = DELAY, force: bool = False, unit: str = "layers"):
        self.delay = delay
        self.force = force
        self.unit = unit
        self.rows = 0
        self.total: int | None = None
        self._start = time.monotonic()
        self._bar = None
        self._task = None
        self._lock = threading.Lock()

    def add_total(self, rows: int) -> None:
        """Expect ``rows`` more rows in all (e.g. from Parquet metadata)."""
        with self._lock:
            self.total = (self.total or 0) + int(rows)
            if self._bar is not None:
                self._bar.update(self._task, total=self.total)

    def __call__(self, rows: int) -> None:
        with self._lock:
            self.rows += int(rows)
            if self._bar is None:
                if time.monotonic() - self._start < self.delay:
                    return
                if not (self.force or sys.stderr.isatty()):
                    return
                self._open()
            self._bar.update(self._task, completed=self.rows)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        ]
        self._bar = Progress(
            *columns,
            console=Console(stderr=True, force_terminal=self.force or None),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(f"binning {self.unit}", total=self.total, rate="")
        self._bar.update(self._task, rate=_RateField(self))

    def close(self) -> None:
        """Remove the bar (if one was shown)."""
        with self._lock:
            if self._bar is not None:
                self._bar.update(self._task, completed=self.rows)
                self._bar.stop()
                self._bar = None

    @property
    def rate(self) -> float:
        """Rows per second so far."""
        elapsed = time.monotonic() - self._start
        return self.rows / elapsed if elapsed > 0 else 0.0


class _RateField:
    """Renders the current rate when the bar redraws."""

    def __init__(self, owner: RowProgress) -> None:
        self.owner = owner

    def __str__(self) -> str:
        return f"{self.owner.rate / 1e6:,.1f} M {self.owner.unit}/s"


@contextmanager
def row_progress(
    quiet: bool = False, *, delay: float = DELAY, force: bool = False
) -> Iterator[RowProgress | None]:
    """Context yielding a :class:`RowProgress` (None when ``quiet``); closes the bar."""
    if quiet:
        yield None
        return
    bar = RowProgress(delay=delay, force=force)
    try:
        yield bar
    finally:
        bar.close()
