"""Type statistics and relations: counts, placement and size summaries per type, which
types appear together in a design, and where one type sits relative to another.

    >>> from layerheat.pipeline import Pipeline
    >>> from layerheat.sample import sample_layers
    >>> from layerheat.taxonomy import default_taxonomy
    >>> with Pipeline(sample_layers(designs=50)) as pipe:
    ...     total = pipe.run([TypeStats(default_taxonomy())])
    >>> stats = total.partials[0].result()
    >>> stats.n_designs, stats.types_table().column_names[:4]
    (50, ['type_id', 'type_name', 'layers', 'designs'])

:class:`TypeStats` keeps, per type, integer layer counts, float64 sums of the centre
coordinates and their squares (for mean and sd), and fixed fine histograms of centre x,
centre y, width, height and area share (:data:`FRACTION_BINS` bins over [0, 1]) and of
log2 aspect (:data:`ASPECT_BINS` bins over [-10, 10]); values outside a range count in
its end bin. A percentile is the midpoint of the first bin whose cumulative count
reaches q * n, so it is within half a bin (0.0005 of the canvas; a factor 2 ** 0.005 of
aspect) of the exact inverted-CDF percentile. Per design it keeps the layers of each
type, keyed by design id, merged by adding: a design whose rows are split over several
parts counts once. Everything merges exactly, so every engine gives the same numbers.

:class:`RelativePlacement` keeps, per design, the centres of the types named in its
pairs; its result pairs every layer of type A with every layer of type B in the same
design and bins the offsets (B's centre - A's centre, canvas fractions) on a hexagon
grid over [-1, 1] x [-1, 1] with matplotlib's hexbin geometry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..binning import HexGrid
from ..binning.hashing import string_hashes
from ..binning.hexgrid import hex_bin_index
from ..errors import LayerheatError
from ..taxonomy import LayerType, Taxonomy

__all__ = [
    "ASPECT_BINS",
    "DesignCounts",
    "co_occurrence",
    "ASPECT_RANGE",
    "FRACTION_BINS",
    "FRACTIONS",
    "PERCENTILES",
    "RelativeMap",
    "RelativePlacement",
    "RelativePlacementAccumulator",
    "TypeStats",
    "TypeStatsAccumulator",
    "TypeStatsResult",
    "hist_percentiles",
]

#: bins over [0, 1] of every canvas-fraction histogram (a percentile is within 1/2000)
FRACTION_BINS = 1000
#: the canvas-fraction quantities, in the order of the histogram's second axis
FRACTIONS = ("cx", "cy", "w", "h", "area")
#: bins of log2(aspect) over :data:`ASPECT_RANGE` (a percentile within 0.005 in log2)
ASPECT_BINS = 2000
ASPECT_RANGE = (-10.0, 10.0)
#: the percentiles types.csv reports
PERCENTILES = (5, 50, 95)
#: per-design rows kept before they are folded together (and the rows a fold groups at once)
_FOLD_ROWS = 1 << 20
#: pieces the kept per-design rows are split into by a hash of the id
_BUCKETS = 64


def _bins(values: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    """Bin of each value on ``n`` equal bins over [lo, hi]; outside values clamp."""
    return np.clip(np.floor((values - lo) / (hi - lo) * n), 0, n - 1).astype(np.int64)


def hist_percentiles(counts: np.ndarray, q: float, lo: float, hi: float) -> np.ndarray:
    """Percentile ``q`` (0..100) of each histogram row (last axis: equal bins on [lo, hi]):
    the midpoint of the first bin whose cumulative count reaches q/100 * n; NaN if empty.

    >>> hist_percentiles(np.array([[1, 0, 3, 0]]), 50, 0.0, 1.0)
    array([0.625])
    """
    n = counts.sum(axis=-1)
    cumulative = np.cumsum(counts, axis=-1)
    first = (cumulative < (q / 100) * n[..., None]).sum(axis=-1)
    midpoint = lo + (first + 0.5) * (hi - lo) / counts.shape[-1]
    return np.where(n > 0, midpoint, np.nan)


def _boxes(batch) -> tuple[np.ndarray, tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:  # noqa: ANN001
    """Usable rows: (mask, (slots, cx, cy, w, h) in canvas fractions, (w_px, h_px))."""
    keep = batch.slots >= 0
    x0, y0, x1, y1 = (v[keep] for v in batch.clipped())
    width, height = batch.width[keep], batch.height[keep]
    slots = batch.slots[keep].astype(np.int64)
    fractions = ((x0 + x1) / 2 / width, (y0 + y1) / 2 / height, (x1 - x0) / width)
    return keep, (slots, *fractions, (y1 - y0) / height), (x1 - x0, y1 - y0)


def _designs(batch, keep: np.ndarray) -> pa.Array | None:  # noqa: ANN001
    """The usable rows' design ids as one Arrow string array, or None without ids."""
    if batch.design is None:
        return None
    design = pa.chunked_array([batch.design]).combine_chunks()
    return design.filter(pa.array(keep)).cast(pa.string())


# -- type statistics ----------------------------------------------------------------------
@dataclass(frozen=True)
class TypeStats:
    """The measure: per-type counts, centres, sizes and co-occurrence in designs."""

    taxonomy: Taxonomy
    columns: tuple[str, ...] = ("design_id",)

    def accumulator(self) -> TypeStatsAccumulator:
        return TypeStatsAccumulator(self)


@dataclass
class TypeStatsResult:
    """Result of :class:`TypeStats` (arrays indexed by taxonomy slot).

    ``moments`` holds per slot the sums of cx, cx², cy, cy²; ``fractions`` the
    histograms of :data:`FRACTIONS`; ``aspect`` the log2-aspect histograms. The design
    fields are None when some usable layer had no design id (``without_design`` > 0).
    """

    taxonomy: Taxonomy
    layers: np.ndarray
    moments: np.ndarray
    fractions: np.ndarray
    aspect: np.ndarray
    without_design: int
    n_designs: int | None = None
    designs: np.ndarray | None = None
    per_design_max: np.ndarray | None = None
    both: np.ndarray | None = field(default=None, repr=False)
    #: ids of the designs whose rows are not one run of consecutive rows of one part
    #: (what :class:`RelativePlacement` ``split`` takes), None without design ids
    split: pa.Array | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        designs = f", {self.n_designs:,} designs" if self.n_designs is not None else ""
        return (
            f"TypeStatsResult({len(self.present())} of {len(self.layers)} types present, "
            f"{int(self.layers.sum()):,} layers{designs})"
        )

    @property
    def has_designs(self) -> bool:
        """Whether design measures (designs, co-occurrence, relative placement) exist."""
        return self.n_designs is not None

    def present(self) -> list[tuple[int, LayerType]]:
        """(slot, type) of every type with layers, by type id."""
        found = [(i, t) for i, t in enumerate(self.taxonomy) if self.layers[i]]
        return sorted(found, key=lambda it: it[1].id)

    def types_table(self) -> pa.Table:
        """types.csv: one row per type present (columns in docs/measures.md)."""
        slots = np.array([i for i, _ in self.present()], dtype=np.int64)
        types = [t for _, t in self.present()]
        n = self.layers[slots]
        columns = {
            "type_id": pa.array([t.id for t in types], pa.int16()),
            "type_name": pa.array([t.name for t in types], pa.string()),
            "layers": pa.array(n, pa.int64()),
        }
        columns.update(self._design_columns(slots))
        for k, name in enumerate(("cx", "cy")):
            total, squares = self.moments[slots, 2 * k], self.moments[slots, 2 * k + 1]
            mean = total / n
            with np.errstate(invalid="ignore", divide="ignore"):
                var = np.maximum(squares - total * mean, 0.0) / (n - 1)
            columns[f"{name}_mean"] = _floats(mean)
            columns[f"{name}_sd"] = _floats(np.sqrt(var))
            columns.update(self._percentiles(name, self.fractions[slots, k], 0.0, 1.0))
        for k, name in enumerate(FRACTIONS[2:], start=2):
            columns.update(self._percentiles(name, self.fractions[slots, k], 0.0, 1.0))
        log2 = self._percentiles("aspect", self.aspect[slots], *ASPECT_RANGE)
        columns.update(
            {k: _floats(np.exp2(v.to_numpy(zero_copy_only=False))) for k, v in log2.items()}
        )
        return pa.table(columns)

    def _design_columns(self, slots: np.ndarray) -> dict[str, pa.Array]:
        """designs, design_share, per_design_mean, per_design_max (null without ids)."""
        names = ("designs", "design_share", "per_design_mean", "per_design_max")
        if not self.has_designs:
            return {name: pa.nulls(len(slots), pa.float64()) for name in names}
        designs = self.designs[slots]
        return {
            "designs": pa.array(designs, pa.int64()),
            "design_share": _floats(designs / max(self.n_designs, 1)),
            "per_design_mean": _floats(self.layers[slots] / np.maximum(designs, 1)),
            "per_design_max": pa.array(self.per_design_max[slots], pa.int64()),
        }

    @staticmethod
    def _percentiles(name: str, counts: np.ndarray, lo: float, hi: float) -> dict[str, pa.Array]:
        return {f"{name}_p{q}": _floats(hist_percentiles(counts, q, lo, hi)) for q in PERCENTILES}

    def cooccurrence_table(self) -> pa.Table:
        """cooccurrence.csv: every unordered pair of present types (A before B by id).

        designs_both: designs with both; jaccard = both / designs with A or B;
        lift = both * N / (designs_a * designs_b), N all designs (1 = independent).
        """
        if not self.has_designs:
            raise LayerheatError(
                "co-occurrence needs design ids (a design_id column); the input has none"
            )
        present = self.present()
        pairs = [(a, b) for k, a in enumerate(present) for b in present[k + 1 :]]
        ia = np.array([a[0] for a, _ in pairs], dtype=np.int64)
        ib = np.array([b[0] for _, b in pairs], dtype=np.int64)
        both = self.both[ia, ib] if pairs else np.zeros(0, np.int64)
        na, nb = self.designs[ia], self.designs[ib]
        with np.errstate(invalid="ignore", divide="ignore"):
            jaccard = both / (na + nb - both)
            lift = both * self.n_designs / (na * nb)
        return pa.table(
            {
                "type_a_id": pa.array([a[1].id for a, _ in pairs], pa.int16()),
                "type_a": pa.array([a[1].name for a, _ in pairs], pa.string()),
                "type_b_id": pa.array([b[1].id for _, b in pairs], pa.int16()),
                "type_b": pa.array([b[1].name for _, b in pairs], pa.string()),
                "designs_a": pa.array(na, pa.int64()),
                "designs_b": pa.array(nb, pa.int64()),
                "designs_both": pa.array(both, pa.int64()),
                "jaccard": _floats(jaccard),
                "lift": _floats(lift),
            }
        )

    def top_pairs(self, k: int) -> list[tuple[int, int]]:
        """The ``k`` pairs of type ids found together in the most designs (ties by ids)."""
        table = self.cooccurrence_table().to_pandas()
        table = table[table["designs_both"] > 0]
        table = table.sort_values(
            ["designs_both", "type_a_id", "type_b_id"], ascending=[False, True, True]
        )
        return [(int(a), int(b)) for a, b in zip(table["type_a_id"][:k], table["type_b_id"][:k])]


def _floats(values: np.ndarray) -> pa.Array:
    """float64 Arrow array with NaN as null (an empty CSV field)."""
    return pa.array(np.asarray(values, dtype=np.float64), pa.float64(), from_pandas=True)


class TypeStatsAccumulator:
    """Partial sums, histograms and per-design type counts of :class:`TypeStats`."""

    def __init__(self, measure: TypeStats) -> None:
        self.measure = measure
        n = len(measure.taxonomy)
        self.layers = np.zeros(n, dtype=np.int64)
        self.moments = np.zeros((n, 4), dtype=np.float64)
        self.fractions = np.zeros((n, len(FRACTIONS), FRACTION_BINS), dtype=np.int64)
        self.aspect = np.zeros((n, ASPECT_BINS), dtype=np.int64)
        self.without_design = 0
        #: layers per (design, type), one row per design (see :class:`DesignCounts`)
        self.designs = DesignCounts(n)

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Count, sum and histogram one checked batch's usable rows, per type."""
        keep, (slots, cx, cy, w, h), (w_px, h_px) = _boxes(batch)
        if not len(slots):
            return
        n = len(self.layers)
        self.layers += np.bincount(slots, minlength=n)
        for j, v in enumerate((cx, cx * cx, cy, cy * cy)):
            self.moments[:, j] += np.bincount(slots, weights=v, minlength=n)
        flat = self.fractions.reshape(-1)
        for q, v in enumerate((cx, cy, w, h, w * h)):
            index = (slots * len(FRACTIONS) + q) * FRACTION_BINS + _bins(v, 0, 1, FRACTION_BINS)
            flat += np.bincount(index, minlength=flat.size)
        sized = (w_px > 0) & (h_px > 0)  # aspect of a zero-width or zero-height box: none
        log2 = np.log2(w_px[sized] / h_px[sized])
        index = slots[sized] * ASPECT_BINS + _bins(log2, *ASPECT_RANGE, ASPECT_BINS)
        self.aspect += np.bincount(index, minlength=self.aspect.size).reshape(self.aspect.shape)
        self._add_designs(_designs(batch, keep), slots)

    def _add_designs(self, design: pa.Array | None, slots: np.ndarray) -> None:
        if design is None:
            self.without_design += len(slots)
            return
        self.designs.add(design, slots)

    def merge(self, other: TypeStatsAccumulator) -> None:
        self.layers += other.layers
        self.moments += other.moments
        self.fractions += other.fractions
        self.aspect += other.aspect
        self.without_design += other.without_design
        self.designs.merge(other.designs)

    def result(self) -> TypeStatsResult:
        out = TypeStatsResult(
            self.measure.taxonomy,
            self.layers.copy(),
            self.moments.copy(),
            self.fractions.copy(),
            self.aspect.copy(),
            self.without_design,
        )
        if self.without_design or not len(self.designs):
            return out
        counts = self.designs.counts()  # (designs, types)
        has = counts > 0
        out.n_designs = counts.shape[0]
        out.designs = has.sum(axis=0).astype(np.int64)
        out.per_design_max = counts.max(axis=0).astype(np.int64)
        out.both = co_occurrence(has)
        out.split = self.designs.split()
        return out


class DesignCounts:
    """Layers per (design, type), one row per design id, exact across batches and parts.

    Each batch becomes its distinct design ids and a (designs, types) count matrix in the
    narrowest unsigned integers that hold it (uint8 almost always: 14 bytes a design).
    The kept rows live in :data:`_BUCKETS` pieces by a hash of the id (equal ids share a
    piece); once the pending rows outnumber the kept ones they are folded in a piece at
    a time (ids dictionary-encoded, rows of one id added, integers widened only if a
    count outgrows them), so memory grows with the designs, not the layers, only one
    piece's hash table exists at a time, and the folding work stays linear. Per design
    it also notes whether its rows formed more than one run of consecutive rows in their
    part (or lie in several parts): :meth:`split`, which lets :class:`RelativePlacement`
    finalise every other design as its run ends.
    """

    def __init__(self, n_types: int) -> None:
        self.n_types = n_types
        self._ids: list[pa.Array] = []  # pending pieces, one per batch or merged piece
        self._counts: list[np.ndarray] = []
        self._runs: list[np.ndarray] = []  # runs of consecutive rows, saturating at 2
        self._kept: list[tuple[pa.Array, np.ndarray, np.ndarray] | None] = [None] * _BUCKETS
        self._n_kept = 0
        self._pending = 0
        self._last: str | None = None  # the last id added: its run may go on

    def add(self, design: pa.Array, slots: np.ndarray) -> None:
        """Count one batch's layers: ``design`` ids and type positions ``slots`` (rows in
        the part's order: a batch continues the run of the previous batch's last id)."""
        if not len(design):
            return
        encoded = design.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        n = len(encoded.dictionary)
        flat = np.bincount(codes * self.n_types + slots, minlength=n * self.n_types)
        starts = np.ones(len(codes), dtype=bool)
        starts[1:] = codes[1:] != codes[:-1]
        starts[0] = design[0].as_py() != self._last
        runs = np.minimum(np.bincount(codes[starts], minlength=n), 2).astype(np.uint8)
        self._last = design[-1].as_py()
        self._push(encoded.dictionary, _narrow(flat.reshape(n, self.n_types)), runs)

    def merge(self, other: DesignCounts) -> None:
        """Add another partial's counts, taking its rows (``other`` is left empty, so a
        merged part's memory is not held twice)."""
        kept = [piece for piece in other._kept if piece is not None]
        pieces = [*zip(other._ids, other._counts, other._runs, strict=True), *kept]
        other.__init__(other.n_types)
        self._last = None  # a later part starts new runs
        for ids, counts, runs in pieces:
            self._push(ids, counts, runs)

    def _push(self, ids: pa.Array, counts: np.ndarray, runs: np.ndarray) -> None:
        self._ids.append(ids if ids.type == pa.string() else ids.cast(pa.string()))
        self._counts.append(counts)
        self._runs.append(runs)
        self._pending += len(ids)
        if self._pending > max(_FOLD_ROWS, self._n_kept):
            self._fold()

    def _fold(self) -> None:
        """Fold the pending rows into the kept pieces, one piece at a time."""
        if not self._pending:
            return
        ids = pa.chunked_array(self._ids, pa.string()).combine_chunks()  # one copy, not
        self._ids = []  # one per piece (a chunked take would)
        counts, self._counts = np.concatenate(self._counts), []
        runs, self._runs = np.concatenate(self._runs), []
        bucket = (string_hashes(ids) % np.uint64(_BUCKETS)).astype(np.int32)
        for b in range(_BUCKETS):
            rows = np.flatnonzero(bucket == b)
            if len(rows):
                self._group(b, ids.take(pa.array(rows)), counts[rows], runs[rows])
        self._n_kept = sum(len(p[0]) for p in self._kept if p is not None)
        self._pending = 0

    def _group(self, b: int, ids: pa.Array, counts: np.ndarray, runs: np.ndarray) -> None:
        """Piece ``b`` again: one row per distinct id of it and of the new rows (float64
        sums of small integers: exact)."""
        if self._kept[b] is not None:
            old_ids, old_counts, old_runs = self._kept[b]
            ids = pa.concat_arrays([old_ids, ids])
            counts = np.concatenate([old_counts, counts])
            runs = np.concatenate([old_runs, runs])
        encoded = ids.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        n = len(encoded.dictionary)
        total = np.zeros((n, self.n_types), dtype=counts.dtype)
        for t in range(self.n_types):
            column = np.bincount(codes, weights=counts[:, t], minlength=n)
            if column.max(initial=0) > np.iinfo(total.dtype).max:
                total = total.astype(_fitting(column.max()))
            total[:, t] = column
        more = np.minimum(np.bincount(codes, weights=runs, minlength=n), 2).astype(np.uint8)
        self._kept[b] = (encoded.dictionary.cast(pa.string()), total, more)

    def _pieces(self) -> list[tuple[pa.Array, np.ndarray, np.ndarray]]:
        self._fold()
        return [piece for piece in self._kept if piece is not None]

    def counts(self) -> np.ndarray:
        """The (designs, types) matrix of layers, one row per distinct design id."""
        pieces = self._pieces()
        if not pieces:
            return np.zeros((0, self.n_types), dtype=np.uint8)
        return np.concatenate([p[1] for p in pieces])

    def ids(self) -> pa.ChunkedArray:
        """The distinct design ids, in the order of :meth:`counts`' rows."""
        return pa.chunked_array([p[0] for p in self._pieces()], pa.string())

    def split(self) -> pa.Array:
        """Ids of the designs whose rows are not one run of consecutive rows of one part."""
        pieces = self._pieces()
        chunks = [p[0].filter(pa.array(p[2] > 1)) for p in pieces]
        return pa.chunked_array(chunks, pa.string()).combine_chunks()

    def __len__(self) -> int:
        self._fold()
        return self._n_kept


def _narrow(counts: np.ndarray) -> np.ndarray:
    """``counts`` (non-negative) in the narrowest unsigned integers that hold them."""
    return counts.astype(_fitting(counts.max(initial=0)))


def _fitting(value: float) -> type:
    """The narrowest unsigned integer type holding ``value``."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if value <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def co_occurrence(has: np.ndarray) -> np.ndarray:
    """Designs having both types, for every pair: ``has.T @ has`` in exact integers,
    through the distinct type sets (at most 2**types of them, usually a few hundred);
    the sets' bit masks are built a column at a time (no designs x types int64 copy)."""
    n_types = has.shape[1]
    if n_types > 62:
        return np.array([[int((has[:, a] & has[:, b]).sum()) for b in range(n_types)]
                         for a in range(n_types)], dtype=np.int64)  # fmt: skip
    masks = np.zeros(has.shape[0], dtype=np.int64)
    for t in range(n_types):
        masks |= has[:, t].astype(np.int64) << t
    sets, designs = np.unique(masks, return_counts=True)
    bits = ((sets[:, None] >> np.arange(n_types)) & 1).astype(np.int64)
    return (bits * designs[:, None]).T @ bits


# -- relative placement -------------------------------------------------------------------
@dataclass(frozen=True)
class RelativePlacement:
    """The measure: offsets of type B's centres from type A's, in the same design, for
    each (A, B) of ``pairs`` (type ids), binned on ``gridsize`` hexagons across [-1, 1].
    With A == B every ordered pair of two different layers of the type counts."""

    taxonomy: Taxonomy
    pairs: tuple[tuple[int, int], ...]
    gridsize: int = 35
    columns: tuple[str, ...] = ("design_id",)
    #: ids of the designs whose rows are not one run of consecutive rows of one part
    #: (:attr:`TypeStatsResult.split` of the same input): every other design is
    #: binned as soon as its rows end. None: every centre is kept until the end.
    split: pa.Array | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        known = {t.id for t in self.taxonomy}
        for pair in self.pairs:
            if len(pair) != 2:
                raise LayerheatError(f"pair {pair!r}: give two type ids A, B")
            unknown = ", ".join(str(t) for t in pair if t not in known)
            if unknown:
                raise LayerheatError(
                    f"pair {pair[0]}:{pair[1]}: type id {unknown} is not in the taxonomy"
                )

    def accumulator(self) -> RelativePlacementAccumulator:
        return RelativePlacementAccumulator(self)


@dataclass
class RelativeMap:
    """Result for one pair: offset counts per hexagon, pairs binned, designs with both."""

    type_a: LayerType
    type_b: LayerType
    grid: HexGrid
    counts: np.ndarray
    n_pairs: int
    n_designs: int

    def __repr__(self) -> str:
        a, b = self.type_a, self.type_b
        return (
            f"RelativeMap({b.name} [{b.id}] relative to {a.name} [{a.id}], "
            f"{self.n_pairs:,} pairs in {self.n_designs:,} designs, "
            f"{self.grid.nx}x{self.grid.ny} hexagons)"
        )

    @property
    def name(self) -> str:
        """File stem: relative-A-B (type ids)."""
        return f"relative-{self.type_a.id}-{self.type_b.id}"

    def to_arrow(self) -> pa.Table:
        """relative-A-B.csv: type ids and names, hexagon centre dx, dy, count (all hexagons)."""
        centres = self.grid.tidy_centers()
        n = len(centres)
        return pa.table(
            {
                "type_a_id": pa.array(np.full(n, self.type_a.id, np.int16)),
                "type_a": pa.array([self.type_a.name] * n, pa.string()),
                "type_b_id": pa.array(np.full(n, self.type_b.id, np.int16)),
                "type_b": pa.array([self.type_b.name] * n, pa.string()),
                "dx": centres[:, 0],
                "dy": centres[:, 1],
                "count": pa.array(self.counts, pa.int64()),
            }
        )


#: what :class:`RelativePlacementAccumulator` keeps per layer of a paired type
_CENTRES = pa.schema(
    [("design", pa.string()), ("slot", pa.int32()), ("cx", pa.float64()), ("cy", pa.float64())]
)
#: a ``split`` set larger than this is not looked up per batch: every centre is kept
SPLIT_LOOKUP = 1 << 16


class RelativePlacementAccumulator:
    """Partial offset counts of :class:`RelativePlacement`.

    Without ``split`` (the measure's ``split`` None, or more than :data:`SPLIT_LOOKUP`
    ids) it keeps the design id and centre of every layer of a paired type and pairs
    them at the end. With it, a design not in ``split`` has all its rows in one run of
    consecutive rows of one part: its pairs are binned as soon as the run ends (a batch's
    last run is carried into the next batch, and finalised when the part ends), so
    memory stays a batch plus the rows of the split designs, which are kept and paired
    at the end. The offsets are the same float64 differences either way.
    """

    def __init__(self, measure: RelativePlacement) -> None:
        self.measure = measure
        slot_of = {t.id: i for i, t in enumerate(measure.taxonomy)}
        self.slots = np.array(sorted({slot_of[t] for p in measure.pairs for t in p}), np.int64)
        self.pair_slots = [(slot_of[a], slot_of[b]) for a, b in measure.pairs]
        self.grid = HexGrid.from_extent(-1.0, 1.0, -1.0, 1.0, measure.gridsize)
        self.counts = np.zeros((len(measure.pairs), self.grid.size), dtype=np.int64)
        self.n_pairs = np.zeros(len(measure.pairs), dtype=np.int64)
        self.n_designs = np.zeros(len(measure.pairs), dtype=np.int64)
        split = measure.split
        self.split = split if split is not None and len(split) <= SPLIT_LOOKUP else None
        self.streaming = self.split is not None
        self.chunks: list[pa.Table] = []  # centres of split designs (or of all)
        self.carry: pa.Table | None = None  # the last run of the last batch

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Bin the pairs of the designs that ended; keep the rest's centres."""
        if batch.design is None:
            raise LayerheatError(
                "relative placement needs design ids (a design_id column) to pair layers "
                "of the same design; the input has none"
            )
        keep, (slots, cx, cy, _, _), _ = _boxes(batch)
        wanted = np.isin(slots, self.slots)
        if not wanted.any():
            return
        design = _designs(batch, keep).filter(pa.array(wanted))
        columns = [design, slots[wanted].astype(np.int32), cx[wanted], cy[wanted]]
        rows = pa.table(columns, schema=_CENTRES)
        if not self.streaming:
            self.chunks.append(rows)
            return
        split = pc.is_in(rows.column("design"), value_set=self.split).to_numpy(zero_copy_only=False)
        if split.any():
            self.chunks.append(rows.filter(pa.array(split)))
            rows = rows.filter(pa.array(~split))
        if self.carry is not None:
            rows = pa.concat_tables([self.carry, rows])
        codes = _run_codes(rows.column("design"))
        if not len(codes):
            return
        last = int(np.searchsorted(codes, codes[-1]))  # the last run may go on
        self.carry = rows.slice(last)
        self._bin_runs(rows.slice(0, last))

    def _bin_runs(self, rows: pa.Table) -> None:
        """Add the pairs of complete designs ``rows`` (each design's rows together)."""
        if not rows.num_rows:
            return
        codes = _run_codes(rows.column("design"))
        slots = rows.column("slot").to_numpy()
        cx, cy = rows.column("cx").to_numpy(), rows.column("cy").to_numpy()
        params = self.grid.params()
        for k, (sa, sb) in enumerate(self.pair_slots):
            a, b = _pairs_within(codes, np.flatnonzero(slots == sa), np.flatnonzero(slots == sb))
            if sa == sb:
                a, b = a[a != b], b[a != b]
            if not len(a):
                continue
            index = hex_bin_index(cx[b] - cx[a], cy[b] - cy[a], *params)
            self.counts[k] += np.bincount(index[index >= 0], minlength=self.grid.size)
            self.n_pairs[k] += len(a)
            self.n_designs[k] += 1 + int(np.count_nonzero(np.diff(codes[a])))

    def merge(self, other: RelativePlacementAccumulator) -> None:
        self._finish()
        other._finish()
        self.counts += other.counts
        self.n_pairs += other.n_pairs
        self.n_designs += other.n_designs
        self.chunks.extend(other.chunks)

    def _finish(self) -> None:
        """The part ended: its last run is complete."""
        if self.carry is not None:
            carry, self.carry = self.carry, None
            self._bin_runs(carry)

    def result(self) -> list[RelativeMap]:
        """One :class:`RelativeMap` per pair, in the measure's order."""
        self._finish()
        grid = self.grid
        rows = pa.concat_tables(self.chunks or [_CENTRES.empty_table()]).to_pandas()
        rows["row"] = np.arange(len(rows))
        types = list(self.measure.taxonomy)
        maps = []
        for k, (sa, sb) in enumerate(self.pair_slots):
            first = rows[rows["slot"] == sa]
            second = rows[rows["slot"] == sb]
            paired = first.merge(second, on="design", suffixes=("_a", "_b"))
            if sa == sb:
                paired = paired[paired["row_a"] != paired["row_b"]]
            dx = paired["cx_b"].to_numpy() - paired["cx_a"].to_numpy()
            dy = paired["cy_b"].to_numpy() - paired["cy_a"].to_numpy()
            index = hex_bin_index(dx, dy, *grid.params())
            counts = self.counts[k] + np.bincount(index[index >= 0], minlength=grid.size)
            n_pairs = int(self.n_pairs[k]) + len(dx)
            designs = int(self.n_designs[k]) + paired["design"].nunique()
            maps.append(RelativeMap(types[sa], types[sb], grid, counts, n_pairs, designs))
        return maps


def _run_codes(design: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A number per row that grows by one at every change of design id (runs)."""
    ids = (
        pa.chunked_array([design]).combine_chunks() if not isinstance(design, pa.Array) else design
    )
    n = len(ids)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    change = pc.not_equal(ids.slice(1), ids.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    return np.concatenate([[0], np.cumsum(change)]).astype(np.int64)


def _pairs_within(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (row of ``a``, row of ``b``) with the same code; ``codes`` non-decreasing,
    ``a`` and ``b`` ascending row numbers."""
    ca, cb = codes[a], codes[b]
    lo = np.searchsorted(cb, ca, side="left")
    n = np.searchsorted(cb, ca, side="right") - lo
    total = int(n.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    first = np.repeat(a, n)
    block = np.repeat(lo - (np.cumsum(n) - n), n)  # position in b of each block's start
    return first, b[block + np.arange(total)]
