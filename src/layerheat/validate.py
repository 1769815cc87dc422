"""Row checks between reading and normalizing: every row is used, clipped or counted.

    >>> import pyarrow as pa
    >>> from layerheat.taxonomy import default_taxonomy
    >>> batch = pa.table({"type_id": [30, 30, 999], "xmin": [0.0, 5.0, 0.0],
    ...                   "ymin": [0.0] * 3, "xmax": [10.0, 1.0, 10.0], "ymax": [10.0] * 3,
    ...                   "canvas_width": [100.0] * 3, "canvas_height": [100.0] * 3})
    >>> table, report = clean(batch, CheckOptions(default_taxonomy()))
    >>> report.summary()
    'read 3 layers, used 1, skipped 2 (1 unknown type, 1 inverted box)'

Every command checks rows here (:func:`check` for the engines, :func:`clean` for a
whole table); the reasons and their codes are defined once in :mod:`layerheat.reasons`.

Reasons a row is skipped: ``malformed row`` (wrong number of CSV fields), ``non-numeric``,
``unknown type``, ``non-finite``, ``inverted box``, ``no canvas size``, ``bad canvas
size`` (zero or negative), ``no area`` (``has_area`` is false), ``outside canvas``
(wholly), ``partly outside canvas`` (with ``outside="skip"``). Boxes partly outside are
clipped by default and counted as such.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import reasons
from .arrays import numbers
from .errors import LayerheatError
from .io.tabular import NON_NUMERIC_FLAG
from .readreport import DesignCounts, ReadReport
from .table import COLUMNS, SCHEMA
from .taxonomy import Taxonomy

__all__ = [
    "CheckOptions",
    "Checked",
    "HAS_AREA",
    "OUTSIDE_POLICIES",
    "Prepared",
    "Rows",
    "check",
    "clean",
    "design_counts",
    "kernel_codes",
    "prepare",
    "tally_report",
    "type_ids_of",
    "unknown_note",
]

OUTSIDE_POLICIES = ("clip", "skip")
#: Optional boolean column; False marks layers with no box (adjustment layers, empty
#: pixel layers). They stay in a layer table but never reach a heatmap.
HAS_AREA = "has_area"


def type_ids_of(column: pa.ChunkedArray | pa.Array, taxonomy: Taxonomy) -> np.ndarray:
    """Type column as int64; type names map through the taxonomy; unreadable -> -1."""
    if pa.types.is_integer(column.type):
        if column.null_count:
            column = pc.fill_null(column, -1)
        return column.to_numpy().astype(np.int64, copy=False)
    if pa.types.is_floating(column.type):
        values = column.to_numpy(zero_copy_only=False).astype(np.float64)
        whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0**63)
        return np.where(whole, np.nan_to_num(values), -1).astype(np.int64)
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        # CSV text that is not UTF-8 arrives as bytes; a cast to string would fail
        texts = [None if v is None else v.decode("utf-8", "replace") for v in column.to_pylist()]
    else:
        try:
            texts = column.cast(pa.string()).to_pylist()
        except pa.ArrowNotImplementedError:  # lists, structs: no type id in any row
            return np.full(len(column), -1, dtype=np.int64)
    out = np.full(len(texts), -1, dtype=np.int64)
    cache: dict[str | None, int] = {}
    for i, text in enumerate(texts):
        if text not in cache:
            cache[text] = _type_from_text(text, taxonomy)
        out[i] = cache[text]
    return out


def _type_from_text(text: str | None, taxonomy: Taxonomy) -> int:
    if text is None:
        return -1
    try:
        value = float(text)
    except ValueError:
        found = taxonomy.id_for_name(text)
        return -1 if found is None else found
    if not (math.isfinite(value) and value == round(value) and abs(value) < 2.0**63):
        return -1  # inf, nan, a fraction, or beyond int64: no type id
    return int(value)


def kernel_codes(*, require_canvas: bool, skip_partly: bool) -> np.ndarray:
    """The codes :func:`layerheat.binning.kernels.row_codes` writes, in its order."""
    return np.array(
        [
            reasons.KEEP,
            reasons.PARTLY_OUTSIDE if skip_partly else reasons.CLIP,
            reasons.OUTSIDE,
            reasons.BAD_CANVAS,
            reasons.NO_CANVAS if require_canvas else reasons.KEEP,
            reasons.INVERTED_BOX,
            reasons.NON_FINITE,
            reasons.UNKNOWN_TYPE,
            reasons.NO_AREA,
            reasons.NON_NUMERIC,
        ],
        dtype=np.uint8,
    )


@dataclass(frozen=True)
class CheckOptions:
    """How rows are checked: the taxonomy, a canvas for data without one, what to do
    with boxes partly outside the canvas, and whether a canvas size is required."""

    taxonomy: Taxonomy
    canvas: tuple[float, float] | None = None
    outside: str = "clip"
    require_canvas: bool = True

    def __post_init__(self) -> None:
        if self.outside not in OUTSIDE_POLICIES:
            raise LayerheatError(f"outside policy {self.outside!r} unknown; use clip or skip")

    def check(self, batch: pa.Table, *, source: str = "input") -> Checked:
        """:func:`check` with these options."""
        return check(
            batch,
            taxonomy=self.taxonomy,
            canvas=self.canvas,
            outside=self.outside,
            require_canvas=self.require_canvas,
            source=source,
        )


class Rows:
    """A batch's type ids, boxes and canvas sizes as read-only NumPy arrays (pixels).

    The six box and canvas columns are kept as read: float64, or float32 when all six
    came as float32 (no widened copy of every batch on the hot path). ``xmin`` ...
    ``height``, ``box`` and ``canvas`` are always float64 (widened on first use; exact),
    for NumPy code; the compiled kernels take the columns as read (:meth:`kernel_args`,
    ``native_*``) and widen each value as they load it, so the numbers are the same.
    """

    def __init__(
        self,
        types: np.ndarray,
        xmin: np.ndarray,
        ymin: np.ndarray,
        xmax: np.ndarray,
        ymax: np.ndarray,
        width: np.ndarray,
        height: np.ndarray,
    ) -> None:
        self.types = types
        self._native = (xmin, ymin, xmax, ymax, width, height)
        self._wide: tuple[np.ndarray, ...] | None = None

    def _float64(self) -> tuple[np.ndarray, ...]:
        if self._wide is None:
            from .binning import floats

            self._wide = tuple(floats(c) for c in self._native)  # float64: no copy
        return self._wide

    xmin = property(lambda self: self._float64()[0], doc="left edges, float64")
    ymin = property(lambda self: self._float64()[1], doc="top edges, float64")
    xmax = property(lambda self: self._float64()[2], doc="right edges, float64")
    ymax = property(lambda self: self._float64()[3], doc="bottom edges, float64")
    width = property(lambda self: self._float64()[4], doc="canvas widths, float64")
    height = property(lambda self: self._float64()[5], doc="canvas heights, float64")

    @property
    def box(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(xmin, ymin, xmax, ymax)``, float64."""
        return self._float64()[:4]  # type: ignore[return-value]

    @property
    def canvas(self) -> tuple[np.ndarray, np.ndarray]:
        """``(width, height)``, float64."""
        return self._float64()[4:]  # type: ignore[return-value]

    @property
    def native_box(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(xmin, ymin, xmax, ymax)`` as read (float64 or float32), as the kernels take it."""
        return self._native[:4]  # type: ignore[return-value]

    @property
    def native_canvas(self) -> tuple[np.ndarray, np.ndarray]:
        """``(width, height)`` as read (float64 or float32), as the kernels take it."""
        return self._native[4:]  # type: ignore[return-value]

    @property
    def native_columns(self) -> tuple[np.ndarray, ...]:
        """Types, then the box and canvas columns as read: what ``Rows(...)`` takes."""
        return (self.types, *self._native)


class Checked(Rows):
    """One batch after the row checks: the rows plus a code per row.

    ``codes`` holds each row's code from :mod:`layerheat.reasons`: ``KEEP``, ``CLIP`` (a
    usable row to be clipped to its canvas; ``clipped()`` applies it) or a skip reason;
    ``slots`` holds a usable row's type position in the taxonomy, else -1. The canvas
    columns already hold ``canvas`` where the data had none. ``design`` is the design id
    of every row (Arrow strings), or None when the batch has no design_id.
    """

    def __init__(
        self,
        rows: Rows,
        *,
        codes: np.ndarray,
        slots: np.ndarray,
        report: ReadReport,
        unknown: Counter,
        design: pa.Array | None = None,
    ) -> None:
        super().__init__(*rows.native_columns)
        self.codes = codes
        self.slots = slots
        self.report = report
        self.unknown = unknown
        self.design = design

    @property
    def n_used(self) -> int:
        """Rows that survive the checks."""
        return self.report.rows_read - self.report.rows_skipped

    def kernel_args(self) -> tuple:
        """What every accumulating kernel takes first: slots, codes, box and canvas (as
        read: float64 or float32)."""
        return self.slots, self.codes, self.native_box, self.native_canvas

    def kept(self) -> np.ndarray:
        """Boolean mask of the usable rows."""
        return self.codes <= reasons.CLIP

    def clipped(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The box columns (float64) with rows partly outside their canvas clipped to it."""
        partly = self.codes == reasons.CLIP
        if not partly.any():
            return self.box
        xmin, ymin, xmax, ymax = self.box
        return (
            np.where(partly, np.clip(xmin, 0, self.width), xmin),
            np.where(partly, np.clip(ymin, 0, self.height), ymin),
            np.where(partly, np.clip(xmax, 0, self.width), xmax),
            np.where(partly, np.clip(ymax, 0, self.height), ymax),
        )


def unknown_note(source: str, unknown: Counter) -> str:
    """The note telling which type ids were not in the taxonomy."""
    shown = ", ".join(f"{'unreadable' if t == -1 else t} ({c})" for t, c in unknown.most_common(5))
    return f"{source}: unknown type id(s) {shown}; add them to a --taxonomy file to use them"


class Prepared(Rows):
    """One batch's columns as the compiled checks take them (see :func:`prepare`)."""

    def __init__(
        self,
        rows: Rows,
        *,
        lookup: np.ndarray,
        non_numeric: np.ndarray,
        has_area: np.ndarray,
        malformed: int,
    ) -> None:
        super().__init__(*rows.native_columns)
        self.lookup = lookup
        self.non_numeric = non_numeric
        self.has_area = has_area
        self.malformed = malformed

    @property
    def rows(self) -> int:
        return self.types.shape[0]

    def arrays(self) -> tuple:
        """Types, look-up, flags, box and canvas: the row-check kernel's leading arguments."""
        return (
            self.types,
            self.lookup,
            self.non_numeric,
            self.has_area,
            self.native_box,
            self.native_canvas,
        )


def prepare(
    batch: pa.Table,
    *,
    taxonomy: Taxonomy,
    canvas: tuple[float, float] | None = None,
) -> Prepared:
    """The batch's columns as read-only NumPy arrays (no copies where Arrow allows)."""
    from .binning import floats, floats32, ints

    malformed = int((batch.schema.metadata or {}).get(b"malformed_rows", b"0"))
    if NON_NUMERIC_FLAG in batch.column_names:
        flag = batch.column(NON_NUMERIC_FLAG).to_numpy(zero_copy_only=False)
        non_numeric = _bytes(np.asarray(flag, dtype=bool))
    else:
        non_numeric = _NONE
    if HAS_AREA in batch.column_names:
        col = batch.column(HAS_AREA)
        if col.null_count:
            col = pc.fill_null(col, True)
        has_area = _bytes(np.asarray(col.to_numpy(zero_copy_only=False), dtype=bool))
    else:
        has_area = _NONE

    types = _native_ints(batch.column("type_id"))
    if types is None:
        types = ints(type_ids_of(batch.column("type_id"), taxonomy))
    box = [_floats(batch, c) for c in ("xmin", "ymin", "xmax", "ymax")]
    width = _floats(batch, "canvas_width", fill=canvas[0] if canvas else np.nan)
    height = _floats(batch, "canvas_height", fill=canvas[1] if canvas else np.nan)
    if canvas is not None:
        if np.isnan(width).any():
            width = np.where(np.isnan(width), canvas[0], width)
        if np.isnan(height).any():
            height = np.where(np.isnan(height), canvas[1], height)
    columns = [*box, width, height]
    if all(c.dtype == np.float32 for c in columns):  # the float32 path: no widened copies
        columns = [floats32(c) for c in columns]
    else:
        columns = [floats(c) for c in columns]
    return Prepared(
        Rows(types, *columns),
        lookup=_lookup(taxonomy),
        non_numeric=non_numeric,
        has_area=has_area,
        malformed=malformed,
    )


def tally_report(
    tally: np.ndarray, prepared: Prepared, *, require_canvas: bool, source: str
) -> ReadReport:
    """The ReadReport of a batch from its rows per code; raises LayerheatError when a
    canvas size is required and no usable row has one."""
    report = ReadReport()
    report.read(prepared.rows + prepared.malformed)
    report.skip(reasons.TEXT[reasons.MALFORMED], prepared.malformed)
    if require_canvas and tally[reasons.NO_CANVAS]:
        # rows that reached the canvas checks and had a canvas size
        with_canvas = (reasons.KEEP, reasons.CLIP, reasons.BAD_CANVAS, reasons.OUTSIDE)
        if not tally[[*with_canvas, reasons.PARTLY_OUTSIDE]].any():
            raise LayerheatError(
                f"{source}: no canvas size in the data; pass --canvas WIDTHxHEIGHT "
                "(e.g. --canvas 5906x3543) or use --scale minmax"
            )
    for code, text in reasons.TEXT.items():
        if code != reasons.MALFORMED:
            report.skip(text, int(tally[code]))
    report.change(reasons.CLIPPED, int(tally[reasons.CLIP]))
    return report


def check(
    batch: pa.Table,
    *,
    taxonomy: Taxonomy,
    canvas: tuple[float, float] | None = None,
    outside: str = "clip",
    require_canvas: bool = True,
    source: str = "input",
) -> Checked:
    """Row checks of one batch in one compiled pass: codes per row, counts per reason.

    The fast core of :func:`clean` (which builds a table from it); the heatmap engines
    use it directly. Unknown type ids are returned in ``unknown`` (no note is added).
    Raises LayerheatError when a canvas size is required and no usable row has one.
    """
    if outside not in OUTSIDE_POLICIES:
        raise LayerheatError(f"outside policy {outside!r} unknown; use clip or skip")
    p = prepare(batch, taxonomy=taxonomy, canvas=canvas)
    from .binning.reference import pick

    n = p.rows
    codes = np.empty(n, dtype=np.uint8)
    slots = np.empty(n, dtype=np.int32)
    tally = np.zeros(reasons.N_CODES, dtype=np.int64)
    rc = kernel_codes(require_canvas=require_canvas, skip_partly=outside == "skip")
    pick("row_codes", n)(*p.arrays(), rc, codes, slots, tally)
    report = tally_report(tally, p, require_canvas=require_canvas, source=source)
    unknown: Counter = Counter()
    if tally[reasons.UNKNOWN_TYPE]:
        unknown = Counter(p.types[codes == reasons.UNKNOWN_TYPE].tolist())
    design = None
    if "design_id" in batch.column_names:
        design = _strings(batch, "design_id", "")
    return Checked(p, codes=codes, slots=slots, report=report, unknown=unknown, design=design)


def clean(
    batch: pa.Table, options: CheckOptions, *, default_design: str = "", source: str = "input"
) -> tuple[pa.Table, ReadReport]:
    """Check one batch of canonical columns; return the usable rows and the counts.

    ``options.canvas`` fills a missing canvas size; ``options.require_canvas`` makes
    rows without one unusable (canvas-relative scaling needs it). Raises LayerheatError
    only when the whole batch lacks a canvas size and one is required.
    """
    checked = options.check(batch, source=source)
    report = checked.report
    if checked.unknown:
        report.notes.append(unknown_note(source, checked.unknown))
    if NON_NUMERIC_FLAG in batch.column_names:
        batch = batch.drop([NON_NUMERIC_FLAG])
    xmin, ymin, xmax, ymax = checked.clipped()
    columns: dict[str, pa.Array] = {
        "design_id": _strings(batch, "design_id", default_design),
        "type_id": pa.array(checked.types.astype(np.int16)),
        "name": _strings(batch, "name", ""),
        "xmin": pa.array(xmin),
        "ymin": pa.array(ymin),
        "xmax": pa.array(xmax),
        "ymax": pa.array(ymax),
        "canvas_width": pa.array(checked.width),
        "canvas_height": pa.array(checked.height),
    }
    extras = [c for c in batch.column_names if c not in COLUMNS]
    table = pa.Table.from_arrays(
        [columns[c] for c in COLUMNS] + [batch.column(c) for c in extras],
        schema=pa.schema(list(SCHEMA) + [batch.schema.field(c) for c in extras]),
    )
    keep = checked.kept()
    report.designs = design_counts(columns["design_id"], checked)
    if not keep.all():
        table = table.filter(pa.array(keep))
    return table, report


def design_counts(design: pa.Array | pa.ChunkedArray, checked: Checked) -> DesignCounts:
    """Rows read and skipped (by reason) per design of one checked batch."""
    encoded = pa.chunked_array([design]).combine_chunks().dictionary_encode()
    names = encoded.dictionary.to_pylist()
    index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    counts = DesignCounts()
    read = np.bincount(index, minlength=len(names))
    for i in np.nonzero(read)[0]:
        counts.read[names[i]] = int(read[i])
    skipped = checked.codes > reasons.CLIP
    pairs, n = np.unique(
        index[skipped] * reasons.N_CODES + checked.codes[skipped], return_counts=True
    )
    for pair, k in zip(pairs.tolist(), n.tolist(), strict=True):
        design, code = names[pair // reasons.N_CODES], pair % reasons.N_CODES
        counts.skipped.setdefault(design, Counter())[reasons.TEXT[code]] += k
    w, h = checked.width, checked.height
    rows = np.nonzero(np.isfinite(w) & np.isfinite(h) & (w > 0) & (h > 0))[0]
    first_designs, first = np.unique(index[rows], return_index=True)
    for i, row in zip(first_designs.tolist(), rows[first].tolist(), strict=True):
        counts.canvas[names[i]] = (float(w[row]), float(h[row]))
    return counts


def _native_ints(column: pa.ChunkedArray) -> np.ndarray | None:
    """An integer type column without nulls as it is (no copy), read-only; else None."""
    if column.null_count or column.type not in (pa.int16(), pa.int32(), pa.int64()):
        return None
    values = numbers(column)
    if values.flags.writeable:
        values = values.view()
        values.flags.writeable = False
    return values


def _lookup(taxonomy: Taxonomy) -> np.ndarray:
    """Read-only int64 array: type id -> position in the taxonomy, -1 for other ids."""
    ids = np.asarray(taxonomy.ids, dtype=np.int64)
    lookup = np.full(max(int(ids.max()) + 1 if len(ids) else 1, 1), -1, dtype=np.int64)
    lookup[ids] = np.arange(len(ids))
    lookup.flags.writeable = False
    return lookup


_NONE = np.zeros(0, dtype=np.uint8)
_NONE.flags.writeable = False


def _bytes(mask: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(mask).view(np.uint8)
    if out.flags.writeable:
        out = out.view()
        out.flags.writeable = False
    return out


def _floats(batch: pa.Table, name: str, fill: float = np.nan) -> np.ndarray:
    """A number column as float64, or as float32 when it is float32 (see :class:`Rows`)."""
    if name not in batch.column_names:
        return np.full(batch.num_rows, fill, dtype=np.float64)
    col = batch.column(name)
    if col.type not in (pa.float64(), pa.float32()):
        col = col.cast(pa.float64())
    if col.null_count:
        col = pc.fill_null(col, np.nan)
    return numbers(col)


def _strings(batch: pa.Table, name: str, default: str) -> pa.ChunkedArray | pa.Array:
    if name not in batch.column_names:
        return pa.array([default] * batch.num_rows, type=pa.string())
    col = batch.column(name)
    if col.type != pa.string():
        col = col.cast(pa.string())
    return pc.fill_null(col, default)
