"""Boxes given as position and size (``left, top, width, height``), as Crello does.

A table with ``left``, ``top``, ``width`` and ``height`` columns and no right/bottom
(``xmax``/``ymax``) columns gives its boxes as a corner and a size. Whether these are
fractions of the canvas or pixels is decided once per file from its first rows: if
every value lies within -1..2 they are fractions (Crello's elements may stick out of
the canvas a little), else pixels::

    >>> box_units(pa.table({"xmin": [0.1, 0.5], "box_width": [0.2, 0.9]}))
    'fraction'
    >>> box_units(pa.table({"xmin": [10.0], "box_width": [200.0]}))
    'pixels'

``--units px`` or ``--units fraction`` skips the detection (``fraction`` also applies
to ``xmin``..``ymax`` boxes and x, y points, which are otherwise pixels).

Fractions are multiplied by the design's canvas (``canvas_width``, ``canvas_height``;
``width``/``height`` mean the box here, never the canvas). Without canvas columns they
are multiplied by ``--canvas WxH`` if given, else the canvas is the unit square, 1x1:
positions are right, but the canvas is square, so its aspect (and the hexagon grid on
it) is not the designs' own.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = [
    "FRACTION_RANGE",
    "SIZE_COLUMNS",
    "box_units",
    "corners_from_size",
    "fractions_to_pixels",
    "size_box_mapping",
]

#: canonical name -> accepted spellings of a box given as corner and size
SIZE_COLUMNS: dict[str, tuple[str, ...]] = {
    "xmin": ("left",),
    "ymin": ("top",),
    "box_width": ("width", "w"),
    "box_height": ("height", "h"),
}
_CANVAS = {
    "canvas_width": ("canvas_width", "canvas_w", "canvaswidth"),
    "canvas_height": ("canvas_height", "canvas_h", "canvasheight"),
}
#: values of a fractional box lie within this range
FRACTION_RANGE = (-1.0, 2.0)


def size_box_mapping(keys: dict[str, str], mapping: dict[str, str]) -> dict[str, str] | None:
    """The mapping for a corner-and-size box, or None when the table is not one.

    ``keys`` maps normalized column names to the source's names; ``mapping`` is what
    the plain aliases found.
    """
    if "xmax" in mapping or "ymax" in mapping or ("x" in mapping and "y" in mapping):
        return None
    found = {}
    for canon, spellings in {**SIZE_COLUMNS, **_CANVAS}.items():
        name = next((keys[s] for s in spellings if s in keys), None)
        if name is not None:
            found[canon] = name
    if not all(c in found for c in SIZE_COLUMNS):
        return None
    kept = {c: s for c, s in mapping.items() if c not in ("canvas_width", "canvas_height")}
    return {**kept, **found}


def box_units(sample: pa.Table) -> str:
    """``fraction`` if every finite position and size in ``sample`` lies within
    :data:`FRACTION_RANGE`, else ``pixels``."""
    lo, hi = FRACTION_RANGE
    for name in sample.column_names:
        values = np.asarray(sample.column(name).to_numpy(zero_copy_only=False), dtype=float)
        values = values[np.isfinite(values)]
        if values.size and (values.min() < lo or values.max() > hi):
            return "pixels"
    return "fraction"


def corners_from_size(out: dict) -> dict:
    """Replace ``xmin, ymin, box_width, box_height`` (left, top, size) in ``out`` with
    the corners ``xmin, ymin, xmax, ymax``, in the same units."""
    import pyarrow.compute as pc

    width, height = out.pop("box_width"), out.pop("box_height")
    out["xmax"], out["ymax"] = pc.add(out["xmin"], width), pc.add(out["ymin"], height)
    return out


def fractions_to_pixels(out: dict, rows: int, canvas: tuple[float, float] | None) -> dict:
    """Multiply the fractional corners in ``out`` by each row's canvas.

    Rows without a canvas (no canvas columns, or a null in them) take ``canvas`` (the
    ``--canvas`` option), else the unit canvas 1x1.
    """
    import pyarrow.compute as pc

    for name, size in zip(("canvas_width", "canvas_height"), canvas or (1.0, 1.0), strict=True):
        if name not in out:
            out[name] = pa.array(np.full(rows, float(size)))
        elif canvas is not None:
            out[name] = pc.fill_null(out[name], float(size))
    cw, ch = out["canvas_width"], out["canvas_height"]
    for name, by in (("xmin", cw), ("xmax", cw), ("ymin", ch), ("ymax", ch)):
        if name in out:
            out[name] = pc.multiply(out[name], by)
    return out
