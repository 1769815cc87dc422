"""HeatmapSet: per-type hexagon counts plus the grid geometry, computed from layers.

    >>> from layerheat import heatmaps
    >>> hs = heatmaps()                      # the built-in sample, canvas frame
    >>> hs[30].n_layers > 0, hs[30].counts.sum() == hs[30].n_layers
    (True, True)
    >>> frame = hs.to_frame()                # type_id, type_name, x, y, count

Inputs stream batch by batch (Arrow record batches), so memory does not grow with the
number of layers. ``scale="canvas"`` bins every type on one grid over canvas fractions;
``scale="minmax"`` reproduces the source: per type, centres min-max scaled and binned on
the grid matplotlib's ``hexbin(x, y, gridsize)`` would choose for them.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .binning import HexGrid
from .errors import LayerheatError
from .io import Source, open_sources, table_source
from .normalize import SCALES, MinMax
from .readreport import ReadReport
from .table import LayerTable
from .taxonomy import LayerType, Taxonomy, default_taxonomy
from .validate import (
    HAS_AREA,
    OUTSIDE_POLICIES,
    REASONS,
    Checked,
    check,
    unknown_note,
)

#: columns a heatmap needs from a source (others are never read)
NEEDED_COLUMNS = (
    "type_id",
    "xmin",
    "ymin",
    "xmax",
    "ymax",
    "canvas_width",
    "canvas_height",
    HAS_AREA,
)


@dataclass
class TypeHeatmap:
    """One layer type's hexagon counts on its grid, with layer count and mean size."""

    type: LayerType
    grid: HexGrid
    counts: np.ndarray
    n_layers: int = 0
    mean_width: float = float("nan")
    mean_height: float = float("nan")
    scaler_x: MinMax | None = None
    scaler_y: MinMax | None = None

    @property
    def max_count(self) -> int:
        return int(self.counts.max()) if self.counts.size else 0


@dataclass
class HeatmapSet:
    """Heatmaps of every type of a taxonomy (empty types included), in one frame."""

    scale: str
    gridsize: int
    taxonomy: Taxonomy
    types: dict[int, TypeHeatmap]
    canvas: tuple[float, float] | None = None
    report: ReadReport = field(default_factory=ReadReport)

    def __getitem__(self, type_id: int) -> TypeHeatmap:
        return self.types[type_id]

    def __iter__(self) -> Iterator[TypeHeatmap]:
        return iter(self.types.values())

    def __len__(self) -> int:
        return len(self.types)

    @property
    def n_layers(self) -> int:
        return sum(t.n_layers for t in self)

    @property
    def max_count(self) -> int:
        return max((t.max_count for t in self), default=0)

    def present(self) -> list[TypeHeatmap]:
        """Types with at least one layer."""
        return [t for t in self if t.n_layers]

    def to_arrow(self) -> pa.Table:
        """One row per hexagon of every type: type_id, type_name, x, y, count.

        x, y are the hexagon centre in the frame used (canvas fractions or min-max
        units), y growing downward as in the canvas; zero-count hexagons included.
        """
        parts = []
        for t in self:
            centres = t.grid.tidy_centers()
            n = len(centres)
            parts.append(
                pa.table(
                    {
                        "type_id": pa.array(np.full(n, t.type.id, dtype=np.int16)),
                        "type_name": pa.array([t.type.name] * n, type=pa.string()),
                        "x": pa.array(centres[:, 0]),
                        "y": pa.array(centres[:, 1]),
                        "count": pa.array(t.counts.astype(np.int64)),
                    }
                )
            )
        return pa.concat_tables(parts)

    def to_frame(self):  # noqa: ANN201 - returns a pandas DataFrame
        """:meth:`to_arrow` as a pandas DataFrame."""
        return self.to_arrow().to_pandas()

    def write_bins(self, path: str | Path) -> Path:
        """Write :meth:`to_arrow` as CSV, atomically."""
        import pyarrow.csv as pacsv

        from .outputs import atomic_path

        path = Path(path)
        with atomic_path(path) as tmp:
            pacsv.write_csv(self.to_arrow(), tmp)
        return path


# -- the pipeline ------------------------------------------------------------------------
Progress = Callable[[int], None]
#: rows per batch read from a file: small enough that the batches in flight stay near
#: 20 MB each, large enough that per-batch overhead is under a nanosecond a row
BATCH_ROWS = 1 << 17
#: rows per part: Parquet row groups are grouped into parts of at least this many rows
PART_ROWS = 1 << 20


def heatmaps(
    data: LayerTable | str | Path | Sequence[str | Path] | None = None,
    *,
    scale: str = "canvas",
    gridsize: int = 35,
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    type_id: int | None = None,
    outside: str = "clip",
    progress: Progress | None = None,
    dask: str | None = None,
) -> HeatmapSet:
    """Heatmaps of every type from a LayerTable, input path(s), or the sample (None).

    ``scale`` is ``"canvas"`` or ``"minmax"``; ``gridsize`` the number of hexagons
    across, as matplotlib's ``gridsize``; ``canvas`` a (width, height) for data without
    one; ``type_id`` the type of headerless x,y files; ``progress`` is called with the
    number of rows read after each batch (in min-max mode both passes report; if it has
    an ``add_total(rows)`` method it is told the rows expected, where known).
    ``dask`` runs the binning on a Dask cluster: a scheduler address
    (``tcp://host:8786``) or ``local[:N]`` (N local worker processes); the result equals
    the local engine's.
    """
    if scale not in SCALES:
        raise LayerheatError(f"--scale {scale!r} unknown; use canvas or minmax")
    if not isinstance(gridsize, int) or gridsize < 1:
        raise LayerheatError(f"--gridsize {gridsize!r} must be a positive whole number")
    if scale == "minmax" and gridsize < 2:
        raise LayerheatError("--gridsize must be at least 2 with --scale minmax")
    if outside not in OUTSIDE_POLICIES:
        raise LayerheatError(f"outside policy {outside!r} unknown; use clip or skip")
    taxonomy = taxonomy or default_taxonomy()
    plan = Plan(scale, gridsize, taxonomy, canvas, outside)
    sources = _as_sources(data, type_id=type_id, taxonomy=taxonomy)
    parts = make_parts(sources)
    passes = 2 if scale == "minmax" else 1
    if dask:
        from .distributed import dask_run

        engine = dask_run(dask)
    else:
        engine = LocalEngine()
    with engine:
        announce_total(progress, parts, passes)
        tick = _locked(progress)
        frame = reference_frame(parts, plan)
        ahead = len(parts) == 1  # one part: overlap its reading and binning instead
        acc = merge_all(engine.map(first_pass, parts, plan, frame, tick, ahead))
        if scale == "minmax":
            fits = acc.scalers_and_grids()
            second = engine.map(second_pass, parts, plan, fits, tick, ahead)
            acc.counts = merge_all(second).counts
    return finish(acc.result(), start_report(sources), parts, acc)


class LocalEngine:
    """Runs parts on threads of this process (the compiled kernels release the GIL)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, work: Callable, parts: Sequence[Part], *args: object) -> list:
        """``work(part, *args)`` for every part; results in part order."""
        if self.workers <= 1 or len(parts) <= 1:
            return [work(part, *args) for part in parts]
        from concurrent.futures import ThreadPoolExecutor

        workers = min(self.workers, len(parts))
        with ThreadPoolExecutor(workers, thread_name_prefix="layerheat-part") as pool:
            return list(pool.map(lambda part: work(part, *args), parts))


@dataclass(frozen=True)
class Plan:
    """What to compute: the parameters every engine and every part share."""

    scale: str
    gridsize: int
    taxonomy: Taxonomy
    canvas: tuple[float, float] | None
    outside: str

    @property
    def n_types(self) -> int:
        return len(self.taxonomy)


# -- parts: the units both engines process independently and add up ----------------------
@dataclass
class Part:
    """A piece of one input that is read, checked and binned on its own.

    A Parquet file splits into parts of whole row groups (about :data:`BATCH_ROWS` rows
    or more each); a CSV file, a PSD folder, a COCO file or a table is one part.
    Picklable, so Dask workers read their parts themselves.
    """

    source: int
    label: str
    reader: object = None  # a TabularSource, or None with ``tables`` set
    row_groups: tuple[int, ...] | None = None
    tables: list[pa.Table] | None = None

    def batches(self) -> Iterator[pa.Table]:
        """Canonical-column batches of this part (only the columns heatmaps need)."""
        if self.tables is not None:
            return iter(self.tables)
        return self.reader.batches(NEEDED_COLUMNS, BATCH_ROWS, row_groups=self.row_groups)

    @property
    def rows(self) -> int | None:
        """Rows in this part if known without reading it."""
        if self.tables is not None:
            return sum(t.num_rows for t in self.tables)
        if self.row_groups is None:
            return None
        meta = self.reader._parquet_file().metadata
        return sum(meta.row_group(i).num_rows for i in self.row_groups)


def make_parts(sources: Sequence[Source]) -> list[Part]:
    """Split every source into parts, in input order."""
    parts = []
    for i, source in enumerate(sources):
        owner = source.reader
        if owner is not None:
            groups = owner.parts(PART_ROWS)
            if groups is None:
                parts.append(Part(i, source.label, owner))
            else:
                parts.extend(Part(i, source.label, owner, g) for g in groups)
        else:
            tables = list(source.batches(NEEDED_COLUMNS))
            parts.append(Part(i, source.label, tables=tables))
    return parts


def start_report(sources: Sequence[Source]) -> ReadReport:
    """What the readers themselves reported (files skipped, notes)."""
    report = ReadReport()
    for source in sources:
        if source.report is not None:
            report.files_skipped.extend(source.report.files_skipped)
            report.notes.extend(source.report.notes)
    return report


def part_batches(
    part: Part, plan: Plan, *, require_canvas: bool, ahead: bool = False
) -> Iterator[Checked]:
    """Checked batches of one part; with ``ahead``, reading and checking run one batch
    ahead in a thread (for an input that is a single part, e.g. one CSV file)."""

    def checked() -> Iterator[Checked]:
        for batch in part.batches():
            yield check(
                batch,
                taxonomy=plan.taxonomy,
                canvas=plan.canvas,
                outside=plan.outside,
                require_canvas=require_canvas,
                source=part.label,
            )

    return prefetch(checked()) if ahead and part.tables is None else checked()


def reference_frame(parts: Sequence[Part], plan: Plan) -> tuple[float, float] | None:
    """The canvas figures are drawn in: ``plan.canvas``, else the most frequent canvas
    size among the usable rows of the first batch that has any (read ahead once)."""
    if plan.canvas is not None:
        return plan.canvas
    for part in parts:
        batches = part_batches(part, plan, require_canvas=plan.scale == "canvas")
        try:
            for checked in batches:
                found = first_canvas(checked)
                if found is not None:
                    return found
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()
    return None


def first_pass(
    part: Part,
    plan: Plan,
    frame: tuple[float, float] | None,
    progress: Progress | None = None,
    ahead: bool = False,
):  # noqa: ANN201 - a CanvasAccumulator or ExtentAccumulator
    """Canvas frame: the counts of one part. Min-max: its extents (pass 1)."""
    if plan.scale == "canvas":
        acc = CanvasAccumulator(plan, frame)
    else:
        acc = ExtentAccumulator(plan, frame)
    require = plan.scale == "canvas"
    for checked in part_batches(part, plan, require_canvas=require, ahead=ahead):
        acc.add(checked, part.source)
        if progress is not None:
            progress(checked.report.rows_read)
    return acc


def second_pass(
    part: Part, plan: Plan, fits: list, progress: Progress | None = None, ahead: bool = False
):  # noqa: ANN201 - a MinMaxAccumulator
    """Min-max pass 2: the counts of one part on each type's grid."""
    acc = MinMaxAccumulator(plan, fits)
    for checked in part_batches(part, plan, require_canvas=False, ahead=ahead):
        acc.add(checked)
        acc.rows_read += checked.report.rows_read
        if progress is not None:
            progress(checked.report.rows_read)
    return acc


def merge_all(partials: Sequence):  # noqa: ANN001, ANN201
    """Partials added up in part order (so sums are the same whichever engine ran them)."""
    total = partials[0]
    for other in partials[1:]:
        total.merge(other)
    return total


def finish(result: HeatmapSet, report: ReadReport, parts: Sequence[Part], acc) -> HeatmapSet:  # noqa: ANN001
    """Attach the report (skip reasons in check order, one unknown-type note per input)
    and refuse an empty result."""
    report.merge(acc.report)
    labels = {p.source: p.label for p in parts}
    for source in sorted(acc.unknown):
        report.notes.append(unknown_note(labels[source], acc.unknown[source]))
    ordered = Counter()
    for reason in REASONS:
        if report.skipped.get(reason):
            ordered[reason] = report.skipped[reason]
    for reason, n in report.skipped.items():
        if reason not in ordered and n:
            ordered[reason] = n
    report.skipped = ordered
    result.report = report
    if result.n_layers == 0:
        raise LayerheatError(f"no usable layer rows in the input ({report.summary()})")
    return result


def announce_total(progress: Progress | None, parts: Sequence[Part], passes: int) -> None:
    """Tell ``progress`` (if it has ``add_total``) how many rows to expect, if known."""
    add_total = getattr(progress, "add_total", None)
    if add_total is None:
        return
    rows = [p.rows for p in parts]
    if None not in rows:
        add_total(sum(rows) * passes)


def _locked(progress: Progress | None) -> Progress | None:
    if progress is None:
        return None
    import threading

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
    import threading

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


def _as_sources(data, *, type_id: int | None, taxonomy: Taxonomy) -> list[Source]:  # noqa: ANN001
    """Sources for what :func:`heatmaps` was given: a table, path(s) or URL(s), or None."""
    if isinstance(data, LayerTable):
        return [table_source(data)]
    if data is None:
        inputs: list = []
    elif isinstance(data, (str, Path)):
        inputs = [data]
    else:
        inputs = list(data)
    return open_sources(inputs, type_id=type_id, taxonomy=taxonomy)


def reference_canvas(width: np.ndarray, height: np.ndarray) -> tuple[float, float]:
    """The most frequent canvas size among rows: the frame figures are drawn in."""
    if len(width) and (width == width[0]).all() and (height == height[0]).all():
        return float(width[0]), float(height[0])
    pairs, counts = np.unique(np.stack([width, height], axis=1), axis=0, return_counts=True)
    best = pairs[np.argmax(counts)]
    return float(best[0]), float(best[1])


def first_canvas(checked: Checked) -> tuple[float, float] | None:
    """Reference canvas of a batch's usable rows with a canvas size (None if none)."""
    keep = checked.kept()
    if not keep.any():
        return None
    w, h = checked.width[keep], checked.height[keep]
    has = ~(np.isnan(w) | np.isnan(h))
    if not has.any():
        return None
    return reference_canvas(w[has], h[has])


class _Accumulator:
    """Per-type counts and sums over checked batches; partials add up (threads, Dask)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        n_types = plan.n_types
        self.n = np.zeros(n_types, dtype=np.int64)
        self.sum_w = np.zeros(n_types)
        self.sum_h = np.zeros(n_types)
        self.report = ReadReport()
        self.unknown: dict[int, Counter] = {}

    @property
    def rows_read(self) -> int:
        """Rows this partial read."""
        return self.report.rows_read

    def _count(self, checked: Checked, source: int) -> None:
        self.report.merge(checked.report)
        if checked.unknown:
            self.unknown.setdefault(source, Counter()).update(checked.unknown)

    def _merge_common(self, other: _Accumulator) -> None:
        self.n += other.n
        self.sum_w += other.sum_w
        self.sum_h += other.sum_h
        self.report.merge(other.report)
        for source, counter in other.unknown.items():
            self.unknown.setdefault(source, Counter()).update(counter)


class CanvasAccumulator(_Accumulator):
    """Canvas frame: one grid for all types, fixed by the reference canvas."""

    def __init__(self, plan: Plan, canvas: tuple[float, float] | None) -> None:
        super().__init__(plan)
        self.canvas = canvas or (1.0, 1.0)
        self.grid = HexGrid.for_canvas(plan.gridsize, *self.canvas)
        self.counts = np.zeros((plan.n_types, self.grid.size), dtype=np.int64)

    def add(self, checked: Checked, source: int = 0) -> None:
        """Bin one checked batch."""
        from .binning.kernels import canvas_accumulate

        self._count(checked, source)
        if checked.n_used == 0:
            return
        canvas_accumulate(
            *checked.kernel_args(),
            *self.grid.params(),
            self.counts,
            self.n,
            self.sum_w,
            self.sum_h,
        )

    def merge(self, other: CanvasAccumulator) -> None:
        """Add another partial's counts (same grid) to this one."""
        self.counts += other.counts
        self._merge_common(other)

    def result(self) -> HeatmapSet:
        """The HeatmapSet (report attached by :func:`finish`)."""
        plan = self.plan
        types = {}
        with np.errstate(invalid="ignore", divide="ignore"):
            for i, t in enumerate(plan.taxonomy):
                n = self.n[i]
                types[t.id] = TypeHeatmap(
                    t, self.grid, self.counts[i], int(n), self.sum_w[i] / n, self.sum_h[i] / n
                )
        return HeatmapSet("canvas", plan.gridsize, plan.taxonomy, types, self.canvas)


class ExtentAccumulator(_Accumulator):
    """Min-max pass 1: each type's min and max of box centres (the scalers' fit)."""

    def __init__(self, plan: Plan, canvas: tuple[float, float] | None) -> None:
        super().__init__(plan)
        self.lo = np.full((plan.n_types, 2), np.inf)
        self.hi = np.full((plan.n_types, 2), -np.inf)
        self.canvas = canvas
        self.counts: list[np.ndarray] | None = None

    def add(self, checked: Checked, source: int = 0) -> None:
        """Take one checked batch into the extents."""
        from .binning.kernels import minmax_extent

        self._count(checked, source)
        if checked.n_used == 0:
            return
        minmax_extent(
            *checked.kernel_args(),
            self.lo,
            self.hi,
            self.n,
            self.sum_w,
            self.sum_h,
        )

    def merge(self, other: ExtentAccumulator) -> None:
        """Add another partial (a later part of the input) to this one."""
        np.minimum(self.lo, other.lo, out=self.lo)
        np.maximum(self.hi, other.hi, out=self.hi)
        self._merge_common(other)

    def scalers_and_grids(self) -> list[tuple[MinMax | None, MinMax | None, HexGrid]]:
        """Per type: x and y scalers (None for an empty type) and the hexbin grid."""
        out = []
        gridsize = self.plan.gridsize
        for i in range(self.plan.n_types):
            lo, hi = self.lo[i], self.hi[i]
            if self.n[i]:
                sx, sy = MinMax(lo[0], hi[0]), MinMax(lo[1], hi[1])
                grid = HexGrid.from_extent(
                    float(sx.transform(np.array([lo[0]]))[0]),
                    float(sx.transform(np.array([hi[0]]))[0]),
                    float(sy.transform(np.array([lo[1]]))[0]),
                    float(sy.transform(np.array([hi[1]]))[0]),
                    gridsize,
                )
            else:
                sx = sy = None
                grid = HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, gridsize)
            out.append((sx, sy, grid))
        return out

    def result(self) -> HeatmapSet:
        """The HeatmapSet, once ``counts`` holds pass 2's counts."""
        plan = self.plan
        fits = self.scalers_and_grids()
        counts = self.counts
        if counts is None:
            counts = [np.zeros(g.size, dtype=np.int64) for _, _, g in fits]
        types = {}
        with np.errstate(invalid="ignore", divide="ignore"):
            for i, t in enumerate(plan.taxonomy):
                sx, sy, grid = fits[i]
                n = self.n[i]
                types[t.id] = TypeHeatmap(
                    t, grid, counts[i], int(n), self.sum_w[i] / n, self.sum_h[i] / n, sx, sy
                )
        return HeatmapSet("minmax", plan.gridsize, plan.taxonomy, types, self.canvas)


class MinMaxAccumulator:
    """Min-max pass 2: scale each type by its scaler and bin it on its own grid."""

    def __init__(self, plan: Plan, fits: list[tuple[MinMax | None, MinMax | None, HexGrid]]):
        self.plan = plan
        n_types = plan.n_types
        self.scale = np.zeros((n_types, 2))
        self.offset = np.zeros((n_types, 2))
        self.grids = np.zeros((n_types, 4))
        grid0 = fits[0][2]
        self.nx, self.ny, self.size = grid0.nx, grid0.ny, grid0.size
        for i, (sx, sy, grid) in enumerate(fits):
            if sx is not None:
                self.scale[i] = sx.scale, sy.scale
                self.offset[i] = sx.offset, sy.offset
            self.grids[i] = grid.params()[:4]
        self._counts = np.zeros((n_types, self.size), dtype=np.int64)

    rows_read = 0

    @property
    def counts(self) -> list[np.ndarray]:
        """Counts per type, in taxonomy order."""
        return list(self._counts)

    def add(self, checked: Checked) -> None:
        """Bin one checked batch."""
        from .binning.kernels import minmax_accumulate

        if checked.n_used == 0:
            return
        minmax_accumulate(
            *checked.kernel_args(),
            self.scale,
            self.offset,
            self.grids,
            self.nx,
            self.ny,
            self._counts,
        )

    def merge(self, other: MinMaxAccumulator) -> None:
        """Add another partial's counts."""
        self._counts += other._counts
