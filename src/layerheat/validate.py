"""Row checks between reading and normalizing: every row is used, clipped or counted.

    >>> table, report = clean(batch, taxonomy=default_taxonomy())   # doctest: +SKIP
    >>> report.summary()                                              # doctest: +SKIP
    'read 53 layers, used 50, skipped 3 (2 non-finite, 1 inverted box)'

Reasons a row is skipped: ``malformed row`` (wrong number of CSV fields), ``non-numeric``,
``unknown type``, ``non-finite``, ``inverted box``, ``no canvas size``, ``bad canvas
size`` (zero or negative), ``no area`` (``has_area`` is false), ``outside canvas``
(wholly), ``partly outside canvas`` (with ``outside="skip"``). Boxes partly outside are
clipped by default and counted as such.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import LayerheatError
from .io.tabular import NON_NUMERIC_FLAG
from .report import ReadReport
from .table import COLUMNS, SCHEMA
from .taxonomy import Taxonomy

OUTSIDE_POLICIES = ("clip", "skip")
#: Optional boolean column; False marks layers with no box (adjustment layers, empty
#: pixel layers). They stay in a layer table but never reach a heatmap.
HAS_AREA = "has_area"


def type_ids_of(column: pa.ChunkedArray | pa.Array, taxonomy: Taxonomy) -> np.ndarray:
    """Type column as int64; type names map through the taxonomy; unreadable -> -1."""
    if pa.types.is_integer(column.type):
        return pc.fill_null(column, -1).to_numpy().astype(np.int64, copy=False)
    if pa.types.is_floating(column.type):
        values = column.to_numpy(zero_copy_only=False).astype(np.float64)
        whole = np.isfinite(values) & (values == np.round(values))
        return np.where(whole, np.nan_to_num(values), -1).astype(np.int64)
    texts = column.cast(pa.string()).to_pylist()
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
        return int(value) if value == int(value) else -1
    except ValueError:
        found = taxonomy.id_for_name(text)
        return -1 if found is None else found


def clean(
    batch: pa.Table,
    *,
    taxonomy: Taxonomy,
    canvas: tuple[float, float] | None = None,
    outside: str = "clip",
    require_canvas: bool = True,
    default_design: str = "",
    source: str = "input",
) -> tuple[pa.Table, ReadReport]:
    """Check one batch of canonical columns; return the usable rows and the counts.

    ``canvas`` fills a missing canvas size; ``require_canvas`` makes rows without one
    unusable (canvas-relative scaling needs it). Raises LayerheatError only when the
    whole batch lacks a canvas size and one is required.
    """
    if outside not in OUTSIDE_POLICIES:
        raise LayerheatError(f"outside policy {outside!r} unknown; use clip or skip")
    report = ReadReport()
    malformed = int((batch.schema.metadata or {}).get(b"malformed_rows", b"0"))
    report.read(batch.num_rows + malformed)
    report.skip("malformed row", malformed)
    n = batch.num_rows
    keep = np.ones(n, dtype=bool)

    def drop(mask: np.ndarray, reason: str) -> None:
        hit = mask & keep
        report.skip(reason, int(hit.sum()))
        keep[hit] = False

    if NON_NUMERIC_FLAG in batch.column_names:
        drop(batch.column(NON_NUMERIC_FLAG).to_numpy(zero_copy_only=False), "non-numeric")
        batch = batch.drop([NON_NUMERIC_FLAG])

    if HAS_AREA in batch.column_names:
        has_area = pc.fill_null(batch.column(HAS_AREA), True).to_numpy(zero_copy_only=False)
        drop(~has_area.astype(bool), "no area")

    types = type_ids_of(batch.column("type_id"), taxonomy)
    known = np.isin(types, np.asarray(taxonomy.ids, dtype=np.int64))
    unknown = ~known & keep
    if unknown.any():
        counts = Counter(types[unknown].tolist())
        shown = ", ".join(
            f"{'unreadable' if t == -1 else t} ({c})" for t, c in counts.most_common(5)
        )
        report.notes.append(
            f"{source}: unknown type id(s) {shown}; add them to a --taxonomy file to use them"
        )
    drop(~known, "unknown type")

    box = [_floats(batch, c) for c in ("xmin", "ymin", "xmax", "ymax")]
    xmin, ymin, xmax, ymax = box
    drop(~np.isfinite(np.stack(box)).all(axis=0), "non-finite")
    drop((xmin > xmax) | (ymin > ymax), "inverted box")

    width = _floats(batch, "canvas_width", fill=canvas[0] if canvas else np.nan)
    height = _floats(batch, "canvas_height", fill=canvas[1] if canvas else np.nan)
    if canvas is not None:
        width = np.where(np.isnan(width), canvas[0], width)
        height = np.where(np.isnan(height), canvas[1], height)
    no_canvas = np.isnan(width) | np.isnan(height)
    if require_canvas and keep.any() and no_canvas[keep].all():
        raise LayerheatError(
            f"{source}: no canvas size in the data; pass --canvas WIDTHxHEIGHT "
            "(e.g. --canvas 5906x3543) or use --scale minmax"
        )
    if require_canvas:
        drop(no_canvas, "no canvas size")
    has_canvas = ~no_canvas
    drop(
        has_canvas & ~((width > 0) & (height > 0) & np.isfinite(width) & np.isfinite(height)),
        "bad canvas size",
    )

    with np.errstate(invalid="ignore"):
        inside = has_canvas & keep
        wholly_out = inside & ((xmax < 0) | (ymax < 0) | (xmin > width) | (ymin > height))
        drop(wholly_out, "outside canvas")
        partly = has_canvas & keep & ((xmin < 0) | (ymin < 0) | (xmax > width) | (ymax > height))
    if outside == "skip":
        drop(partly, "partly outside canvas")
    elif partly.any():
        report.change("clipped to canvas", int(partly.sum()))
        xmin = np.where(partly, np.clip(xmin, 0, width), xmin)
        xmax = np.where(partly, np.clip(xmax, 0, width), xmax)
        ymin = np.where(partly, np.clip(ymin, 0, height), ymin)
        ymax = np.where(partly, np.clip(ymax, 0, height), ymax)

    columns: dict[str, pa.Array] = {
        "design_id": _strings(batch, "design_id", default_design),
        "type_id": pa.array(types.astype(np.int16)),
        "name": _strings(batch, "name", ""),
        "xmin": pa.array(xmin),
        "ymin": pa.array(ymin),
        "xmax": pa.array(xmax),
        "ymax": pa.array(ymax),
        "canvas_width": pa.array(width),
        "canvas_height": pa.array(height),
    }
    extras = [c for c in batch.column_names if c not in COLUMNS]
    table = pa.Table.from_arrays(
        [columns[c] for c in COLUMNS] + [batch.column(c) for c in extras],
        schema=pa.schema(list(SCHEMA) + [batch.schema.field(c) for c in extras]),
    )
    if not keep.all():
        table = table.filter(pa.array(keep))
    return table, report


def _floats(batch: pa.Table, name: str, fill: float = np.nan) -> np.ndarray:
    if name not in batch.column_names:
        return np.full(batch.num_rows, fill, dtype=np.float64)
    col = batch.column(name)
    if not pa.types.is_floating(col.type):
        col = col.cast(pa.float64())
    return pc.fill_null(col, np.nan).to_numpy().astype(np.float64, copy=False)


def _strings(batch: pa.Table, name: str, default: str) -> pa.ChunkedArray | pa.Array:
    if name not in batch.column_names:
        return pa.array([default] * batch.num_rows, type=pa.string())
    col = batch.column(name)
    if col.type != pa.string():
        col = col.cast(pa.string())
    return pc.fill_null(col, default)
