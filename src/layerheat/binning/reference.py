"""NumPy twins of the pipeline kernels, for small batches: no Numba import, no cache load.

A run on a few thousand layers spends more time loading compiled kernels than binning;
these twins take the same arguments as :mod:`layerheat.binning.kernels`' pipeline
kernels and give identical results (the same IEEE operations in the same order; sums
accumulated row by row, as ``numpy.bincount`` does). :func:`pick` chooses by batch size.

    >>> import numpy as np
    >>> pick("row_codes", 10).__module__
    'layerheat.binning.reference'
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np

from ..reasons import CLIP
from . import floats
from .hexgrid import hex_bin_index

__all__ = [
    "MIN_CANVAS",
    "LOADED_BATCH",
    "SMALL_BATCH",
    "canvas_accumulate",
    "kept_boxes",
    "minmax_accumulate",
    "minmax_extent",
    "pick",
    "row_codes",
]

#: the smallest canvas side a row may have: below the smallest normal float, dividing a
#: box by its canvas overflows (a fuzzed file had a 5e-324 px canvas)
MIN_CANVAS = float(np.finfo(np.float64).tiny)

#: batches with fewer rows than this run on the NumPy twins ...
SMALL_BATCH = 1 << 16
#: ... unless the compiled kernels are loaded already (a large input's earlier batches)
#: and the batch has this many rows: the tail batch of every row group of a large file
#: (the twins cost ~100 ns a row, the kernels ~10)
LOADED_BATCH = 1 << 10


def pick(name: str, rows: int) -> Callable:
    """The NumPy twin of kernel ``name`` for a small batch, else the compiled kernel."""
    loaded = rows >= LOADED_BATCH and f"{__package__}.kernels" in sys.modules
    if rows < SMALL_BATCH and not loaded:
        return globals()[name]
    from . import kernels

    return getattr(kernels, name)


def row_codes(types, lookup, non_numeric, has_area, box, canvas, rc, codes, slots, tally):  # noqa: ANN001, ANN201
    """:func:`layerheat.binning.kernels.row_codes` in NumPy."""
    (xmin, ymin, xmax, ymax), (width, height) = _wide(box), _wide(canvas)
    inside = (types >= 0) & (types < lookup.shape[0])
    pos = np.where(inside, lookup[np.where(inside, types, 0)], -1)
    c = np.full(types.shape[0], rc[0], dtype=np.uint8)
    c[(xmin < 0) | (ymin < 0) | (xmax > width) | (ymax > height)] = rc[1]
    c[(xmax < 0) | (ymax < 0) | (xmin > width) | (ymin > height)] = rc[2]
    good = (width >= MIN_CANVAS) & (height >= MIN_CANVAS)
    good &= (np.abs(width) < np.inf) & (np.abs(height) < np.inf)
    c[~good] = rc[3]
    c[np.isnan(width) | np.isnan(height)] = rc[4]
    c[(xmin > xmax) | (ymin > ymax)] = rc[5]
    finite = (np.abs(xmin) < np.inf) & (np.abs(ymin) < np.inf)
    finite &= (np.abs(xmax) < np.inf) & (np.abs(ymax) < np.inf)
    c[~finite] = rc[6]
    c[pos < 0] = rc[7]
    if has_area.shape[0]:
        c[has_area == 0] = rc[8]
    if non_numeric.shape[0]:
        c[non_numeric != 0] = rc[9]
    codes[:] = c
    slots[:] = np.where(c <= CLIP, pos, -1)
    tally += np.bincount(c, minlength=tally.shape[0])[: tally.shape[0]]


def _wide(columns: tuple) -> tuple:
    """Box or canvas columns as float64 (float32 ones widened, exactly), so that NumPy
    computes in float64 as the compiled kernels do."""
    return tuple(floats(c) for c in columns)


def kept_boxes(slots, codes, box, canvas):  # noqa: ANN001, ANN202
    """Type positions, boxes (clipped where coded CLIP) and canvas sizes of kept rows
    (float64, whether the columns came as float64 or float32)."""
    (xmin, ymin, xmax, ymax), (width, height) = _wide(box), _wide(canvas)
    keep = slots >= 0
    clip = codes[keep] == CLIP
    w, h = width[keep], height[keep]

    def clipped(v: np.ndarray, hi: np.ndarray) -> np.ndarray:
        lo = np.where(v < 0.0, 0.0, v)
        return np.where(clip, np.where(lo > hi, hi, lo), v)

    box = clipped(xmin[keep], w), clipped(ymin[keep], h), clipped(xmax[keep], w)
    return slots[keep].astype(np.int64), (*box, clipped(ymax[keep], h)), w, h


def _add_sums(t, x0, y0, x1, y1, w, h, n, sum_w, sum_h) -> None:  # noqa: ANN001
    """Per type: layers and the sums of their canvas-fraction widths and heights."""
    k = n.shape[0]
    n += np.bincount(t, minlength=k)
    sum_w += np.bincount(t, weights=(x1 - x0) / w, minlength=k)
    sum_h += np.bincount(t, weights=(y1 - y0) / h, minlength=k)


def _add_counts(counts: np.ndarray, t: np.ndarray, bins: np.ndarray) -> None:
    n_types, size = counts.shape
    inside = bins >= 0
    flat = t[inside] * size + bins[inside]
    counts += np.bincount(flat, minlength=n_types * size).reshape(n_types, size)


def canvas_accumulate(slots, codes, box, canvas, grid, counts, n, sum_w, sum_h):  # noqa: ANN001, ANN201
    """:func:`layerheat.binning.kernels.canvas_accumulate` in NumPy."""
    t, (x0, y0, x1, y1), w, h = kept_boxes(slots, codes, box, canvas)
    bins = hex_bin_index(((x0 + x1) / 2.0) / w, ((y0 + y1) / 2.0) / h, *grid)
    _add_counts(counts, t, bins)
    _add_sums(t, x0, y0, x1, y1, w, h, n, sum_w, sum_h)


def minmax_extent(slots, codes, box, canvas, lo, hi, n, sum_w, sum_h):  # noqa: ANN001, ANN201
    """:func:`layerheat.binning.kernels.minmax_extent` in NumPy."""
    t, (x0, y0, x1, y1), w, h = kept_boxes(slots, codes, box, canvas)
    for axis, centre in enumerate(((x0 + x1) / 2.0, (y0 + y1) / 2.0)):
        low = np.full(lo.shape[0], np.inf)
        high = np.full(lo.shape[0], -np.inf)
        np.minimum.at(low, t, centre)
        np.maximum.at(high, t, centre)
        np.minimum(lo[:, axis], low, out=lo[:, axis])
        np.maximum(hi[:, axis], high, out=hi[:, axis])
    _add_sums(t, x0, y0, x1, y1, w, h, n, sum_w, sum_h)


def minmax_accumulate(slots, codes, box, canvas, scale, offset, grids, nx, ny, counts):  # noqa: ANN001, ANN201
    """:func:`layerheat.binning.kernels.minmax_accumulate` in NumPy."""
    t, (x0, y0, x1, y1), _, _ = kept_boxes(slots, codes, box, canvas)
    cx = (x0 + x1) / 2.0 * scale[t, 0] + offset[t, 0]
    cy = (y0 + y1) / 2.0 * scale[t, 1] + offset[t, 1]
    g = grids[t]
    _add_counts(counts, t, hex_bin_index(cx, cy, g[:, 0], g[:, 1], g[:, 2], g[:, 3], nx, ny))
