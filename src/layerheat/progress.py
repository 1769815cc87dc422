"""The one progress bar every command uses: done / total, percentage, rate and ETA.

    >>> from layerheat.progress import row_progress
    >>> with row_progress(quiet=True) as tick:      # quiet: tick is None
    ...     tick is None
    True
    >>> format_count(17081306), format_count(3.5e6, rate=True)
    ('17,081,306', '3.5 M')

``row_progress()`` yields a callable taking how many items were just done (what
:func:`layerheat.heatmap.heatmaps` wants as ``progress``; ``render`` counts designs and
``ingest`` files the same way). Nothing is drawn until the run has lasted :data:`DELAY`
seconds, so quick runs stay silent; the bar is drawn with rich on stderr and only when
stderr is a terminal (``force=True`` draws it anyway). With a known total (Parquet
metadata, the number of designs or files) it shows a percentage and the time left.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DELAY", "RowProgress", "format_count", "row_progress"]

#: seconds a run must last before the bar appears
DELAY = 1.0


def format_count(n: float, *, rate: bool = False) -> str:
    """A count with thousands separators; a rate in M or k when large."""
    if rate and n >= 1e6:
        return f"{n / 1e6:,.1f} M"
    if rate and n >= 1e4:
        return f"{n / 1e3:,.1f} k"
    return f"{n:,.0f}" if not rate else f"{n:,.1f}"


class RowProgress:
    """Callable progress sink: ``tick(n)``; shows a rich bar once the run is slow."""

    def __init__(
        self,
        *,
        delay: float = DELAY,
        force: bool = False,
        verb: str = "binning",
        unit: str = "layers",
        total: int | None = None,
    ) -> None:
        self.delay = delay
        self.force = force
        self.verb = verb
        self.unit = unit
        self.rows = 0
        self.total = total
        self.estimate = False  # the total is an estimate (a CSV's size / its line length)
        self._start = time.monotonic()
        self._bar = None
        self._task = None
        self._lock = threading.Lock()

    def add_total(self, rows: int, estimate: bool = False) -> None:
        """Expect ``rows`` more in all (e.g. from Parquet metadata; ``estimate``: about)."""
        with self._lock:
            self.estimate = self.estimate or estimate
            self.total = (self.total or 0) + int(rows)
            if self._bar is not None:
                self._bar.update(self._task, total=self.total)

    def __call__(self, rows: int = 1) -> None:
        with self._lock:
            self.rows += int(rows)
            if self.estimate and self.total is not None and self.rows > self.total:
                self.total = self.rows  # the estimate was short: never past 100 %
                if self._bar is not None:
                    self._bar.update(self._task, total=self.total)
            if self._bar is None:
                if time.monotonic() - self._start < self.delay:
                    return
                if not (self.force or _stderr_is_terminal()):
                    return
                self._open()
            self._bar.update(self._task, completed=self.rows)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TaskProgressColumn(),
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
        self._task = self._bar.add_task(self.verb, total=self.total, count="", rate="")
        self._bar.update(self._task, count=_Field(self, "count"), rate=_Field(self, "rate"))

    def close(self) -> None:
        """Remove the bar (if one was shown)."""
        with self._lock:
            if self._bar is not None:
                self._bar.update(self._task, completed=self.rows)
                self._bar.stop()
                self._bar = None

    @property
    def rate(self) -> float:
        """Items per second so far."""
        elapsed = time.monotonic() - self._start
        return self.rows / elapsed if elapsed > 0 else 0.0


def _stderr_is_terminal() -> bool:
    """Whether stderr is a terminal, as rich sees it (FORCE_COLOR / TTY_COMPATIBLE count)."""
    if sys.stderr.isatty():
        return True
    from rich.console import Console

    return Console(stderr=True).is_terminal


class _Field:
    """Renders the live count (``12,345 / 20,000,000 layers``) or rate when the bar redraws."""

    def __init__(self, owner: RowProgress, kind: str) -> None:
        self.owner = owner
        self.kind = kind

    def __str__(self) -> str:
        o = self.owner
        if self.kind == "rate":
            return f"{format_count(o.rate, rate=True)} {o.unit}/s"
        about = "~" if o.estimate else ""
        total = f" / {about}{format_count(o.total)}" if o.total else ""
        return f"{format_count(o.rows)}{total} {o.unit}"


@contextmanager
def row_progress(
    quiet: bool = False,
    *,
    delay: float = DELAY,
    force: bool = False,
    verb: str = "binning",
    unit: str = "layers",
    total: int | None = None,
) -> Iterator[RowProgress | None]:
    """Context yielding a :class:`RowProgress` (None when ``quiet``); closes the bar."""
    if quiet:
        yield None
        return
    bar = RowProgress(delay=delay, force=force, verb=verb, unit=unit, total=total)
    try:
        yield bar
    finally:
        bar.close()
