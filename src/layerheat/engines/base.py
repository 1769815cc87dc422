"""What every engine runs: a part read, checked and fed to the measures' accumulators.

An :class:`Engine` maps a :class:`PartTask` over the parts of the input (threads of
this process, or tasks on a Dask cluster) and returns one :class:`PartResult` per part
in part order; :func:`run_measures` adds them up in that order, so the totals are the
same whichever engine ran them. Engines know nothing about measures beyond the
``columns`` / ``accumulator()`` of :mod:`layerheat.measures.base`.

    >>> from layerheat.engines import LocalEngine, run_measures
    >>> from layerheat.measures.centres import CanvasCentres
    >>> from layerheat.sources import make_parts, open_sources
    >>> from layerheat.taxonomy import default_taxonomy
    >>> from layerheat.validate import CheckOptions
    >>> tax = default_taxonomy()
    >>> parts = make_parts(open_sources(None, taxonomy=tax))
    >>> measure = CanvasCentres(tax, 35, (5906.0, 3543.0))
    >>> with LocalEngine() as engine:
    ...     total = run_measures(engine, parts, [measure], CheckOptions(tax))
    >>> total.report.rows_used == int(total.partials[0].n.sum())
    True
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pyarrow as pa

from ..readreport import ReadReport
from ..sources import Part
from ..validate import HAS_AREA, Checked, CheckOptions

__all__ = [
    "CHECK_COLUMNS",
    "Engine",
    "PartResult",
    "PartTask",
    "Progress",
    "merge_in_order",
    "prefetch",
    "run_measures",
]

#: progress sink: called with the number of rows just read
Progress = Callable[[int], None]
#: columns the row checks read (measures may ask for more)
CHECK_COLUMNS = (
    "type_id",
    "xmin",
    "ymin",
    "xmax",
    "ymax",
    "canvas_width",
    "canvas_height",
    HAS_AREA,
)


@runtime_checkable
class Engine(Protocol):
    """Runs ``work(part)`` for every part; a context manager owning its workers."""

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...

    def map(
        self, work: PartTask, parts: Sequence[Part], *, progress: Progress | None = None
    ) -> Iterable[PartResult]:
        """Results in part order (a list, or an iterator yielding each as it is ready);
        ``progress`` is told the rows read as they are read."""


@dataclass
class PartResult:
    """One part's partial accumulators (one per measure) and its row accounting."""

    partials: list
    report: ReadReport = field(default_factory=ReadReport)
    unknown: dict[int, Counter] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        """Rows this part read."""
        return self.report.rows_read

    def merge(self, other: PartResult) -> None:
        """Add a later part's result to this one."""
        for mine, theirs in zip(self.partials, other.partials, strict=True):
            mine.merge(theirs)
        self.report.merge(other.report)
        for source, counter in other.unknown.items():
            self.unknown.setdefault(source, Counter()).update(counter)


@dataclass(frozen=True)
class PartTask:
    """The work for one part: read it, check its rows, feed every measure. Picklable."""

    measures: tuple
    checks: CheckOptions
    ahead: bool = False  # read and check one batch ahead in a thread

    @property
    def columns(self) -> list[str]:
        """Columns to read: the checks' and every measure's, once each."""
        extra = [c for m in self.measures for c in m.columns]
        return list(dict.fromkeys([*CHECK_COLUMNS, *extra]))

    def __call__(self, part: Part, progress: Progress | None = None) -> PartResult:
        result = PartResult([m.accumulator() for m in self.measures])
        for batch in checked_batches(part, self.checks, self.columns, ahead=self.ahead):
            result.report.merge(batch.report)
            if batch.unknown:
                result.unknown.setdefault(part.source, Counter()).update(batch.unknown)
            for partial in result.partials:
                partial.add(batch)
            if progress is not None:
                progress(batch.report.rows_read)
        return result


def checked_batches(
    part: Part, checks: CheckOptions, columns: Sequence[str], *, ahead: bool = False
) -> Iterator[Checked]:
    """Checked batches of one part; with ``ahead`` (and rows still to be read), reading
    and checking run one batch ahead in a thread. Columns of ``columns`` the checks do
    not read (a measure's own, e.g. ``design_number``) come along in ``checked.extra``
    (a dict of the ones the batch has). float32 box and canvas columns stay float32
    (``validate.Rows``: the kernels widen each value as they load it)."""
    own = [c for c in columns if c not in CHECK_COLUMNS and c != "design_id"]

    def check(batch: pa.Table) -> Checked:
        checked = checks.check(batch, source=part.label)
        checked.extra = {c: batch.column(c) for c in own if c in batch.column_names}
        return checked

    batches = (check(b) for b in part.batches(columns, native_floats=True))
    return prefetch(batches) if ahead and not part.in_memory else batches


def merge_in_order(results: Iterable[PartResult]) -> PartResult:
    """Partials added up in part order (so sums are the same whichever engine ran them).

    Each result is merged as soon as it comes, so from an iterator only the total and
    the results not yet merged are in memory, not one per part.
    """
    results = iter(results)
    total = next(results)
    for other in results:
        total.merge(other)
    return total


def run_measures(
    engine: Engine,
    parts: Sequence[Part],
    measures: Sequence,
    checks: CheckOptions,
    progress: Progress | None = None,
) -> PartResult:
    """Every measure over every part on ``engine``: the merged partials and accounting."""
    ahead = len(parts) == 1  # one part: overlap its reading and binning instead
    # a measure may read its input differently once it knows the parts (for_parts)
    measures = [m.for_parts(parts) if hasattr(m, "for_parts") else m for m in measures]
    task = PartTask(tuple(measures), checks, ahead)
    return merge_in_order(engine.map(task, parts, progress=_locked(progress)))


def _locked(progress: Progress | None) -> Progress | None:
    """``progress`` made safe to call from several threads."""
    if progress is None:
        return None
    lock = threading.Lock()

    def tick(rows: int) -> None:
        with lock:
            progress(rows)

    return tick


def prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Run ``items`` in a background thread, ``depth`` ahead of the consumer.

    Arrow decoding and the compiled kernels release the GIL, so reading the next batch
    overlaps binning this one. Exceptions are re-raised in the consumer.
    """
    import queue

    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                q.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put((done, exc))

    thread = threading.Thread(target=run, name="layerheat-read", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = q.get()
            if item is done:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        thread.join()
