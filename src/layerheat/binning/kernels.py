"""Compiled counting kernels (Numba): hexagonal and rectangular binning at memory speed.

Every kernel gives exactly the counts of the NumPy reference (``HexGrid.count``,
which equals matplotlib's ``hexbin``: the
arithmetic is the same IEEE operations in the same order (no fast-math, no fused
multiply-add), only scheduled differently.

    >>> import numpy as np
    >>> from layerheat.binning import HexGrid
    >>> from layerheat.binning.kernels import hex_count_typed
    >>> grid = HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, 35)
    >>> counts = np.zeros((2, grid.size), dtype=np.int64)
    >>> types = np.array([0, 1])
    >>> hex_count_typed(types, np.array([0.1, 0.5]), np.array([0.2, 0.9]), *grid.params(), counts)
    >>> int(counts.sum())
    2

Two passes per chunk of points: first every point's bin index (a branch-free loop the
compiler vectorizes), then the increments, spread over several sub-histograms so that
runs of points in the same bin do not wait on each other. Points outside the grid go to
a spare slot past the end. Kernels release the GIL (``nogil``), so batches can be binned
while the next one is decoded. Compiled once and cached on disk (``cache=True``).
"""

from __future__ import annotations

import os

import numba
import numpy as np
from numba import njit

from ..reasons import CLIP
from .reference import MIN_CANVAS

__all__ = [
    "CHUNK",
    "LANES",
    "canvas_accumulate",
    "hex_count_typed",
    "minmax_accumulate",
    "minmax_extent",
    "row_codes",
    "size_accumulate",
]


def _prefer_wide_vectors() -> None:
    """Let LLVM use 512-bit vectors where the CPU has AVX-512 (about 10% faster here).

    LLVM prefers 256-bit vectors on AVX-512 CPUs by default; the hex kernel is bound by
    vector arithmetic, not memory, so the wider vectors pay. This only changes how
    instructions are chosen, never results (no fast-math). It takes effect only if no
    Numba function was compiled before in this process and ``NUMBA_CPU_FEATURES`` is
    not set; ``LAYERHEAT_WIDE_VECTORS=0`` turns it off.
    """
    if os.environ.get("LAYERHEAT_WIDE_VECTORS", "1") == "0":
        return
    if numba.config.CPU_FEATURES is not None:
        return
    try:
        import llvmlite.binding as ll

        features = ll.get_host_cpu_features().flatten()
    except Exception:  # pragma: no cover - exotic llvmlite builds
        return
    if "+avx512f" in features:
        numba.config.CPU_FEATURES = features + ",-prefer-256-bit"


_prefer_wide_vectors()

#: points per chunk: the bin indices of a chunk are tallied while they and the chunk's
#: inputs are still in L1 (20 M points streamed from memory: 372 M points/s at 256,
#: 245 M at 4096; the pipeline kernels, fed from just-decoded batches, are the same
#: either way)
CHUNK = 256
#: sub-histograms the increments are spread over
LANES = 4


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _hex_bin(x, y, xmin, ymin, sx, sy, fnx, fny, fbase, outside):  # noqa: ANN001, ANN202
    """Bin of one point by matplotlib's rules (``HexGrid.bin_index``), as a float.

    ``fnx``, ``fny`` are the grid's nx, ny and ``fbase`` = (nx+1)*(ny+1) as floats;
    ``outside`` (a float) is returned for a point in no hexagon. The nearer lattice is
    chosen first (ties to lattice 2, like matplotlib), then only its indices are
    range-checked: the same answer as checking both, with half the work.
    """
    ix = (x - xmin) / sx
    iy = (y - ymin) / sy
    fx1 = np.rint(ix)
    fy1 = np.rint(iy)
    fx2 = np.floor(ix)
    fy2 = np.floor(iy)
    dx1 = ix - fx1
    dy1 = iy - fy1
    d1 = dx1 * dx1 + 3.0 * (dy1 * dy1)
    dx2 = ix - fx2 - 0.5
    dy2 = iy - fy2 - 0.5
    d2 = dx2 * dx2 + 3.0 * (dy2 * dy2)
    use1 = d1 < d2
    fx = fx1 if use1 else fx2
    fy = fy1 if use1 else fy2
    limx = fnx + 1.0 if use1 else fnx
    limy = fny + 1.0 if use1 else fny
    base = 0.0 if use1 else fbase
    ok = (min(fx, fy) >= 0.0) & (fx < limx) & (fy < limy)
    return base + (fx * limy + fy) if ok else outside


@njit(cache=True, nogil=True, error_model="numpy")
def _flush(sub, counts):  # noqa: ANN001, ANN202
    """Add the lanes of ``sub`` (LANES x size+1, last slot = outside) into ``counts``."""
    size = counts.shape[0]
    for b in range(size):
        total = np.int64(0)
        for lane in range(LANES):
            total += sub[lane, b]
        counts[b] += total


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tally(buf, m, sub):  # noqa: ANN001, ANN202
    """Count ``buf[:m]`` into the LANES sub-histograms, point j into lane j % LANES."""
    j = 0
    while j + LANES <= m:
        sub[0, buf[j]] += 1
        sub[1, buf[j + 1]] += 1
        sub[2, buf[j + 2]] += 1
        sub[3, buf[j + 3]] += 1
        j += LANES
    while j < m:
        sub[0, buf[j]] += 1
        j += 1


@njit(cache=True, nogil=True, error_model="numpy")
def hex_count_typed(tindex, x, y, xmin, ymin, sx, sy, nx, ny, counts):  # noqa: ANN001, ANN201
    """Add points per (type, hexagon) to ``counts`` (int64, n_types x size).

    ``tindex`` (int64) holds each point's type position; a negative one leaves it out.
    An empty ``tindex`` puts every point in type 0 (plain counts, ``counts`` 1 x size).
    """
    typed = tindex.shape[0] > 0
    n_types, size = counts.shape
    n = x.shape[0]
    outside = n_types * size
    fnx, fny, fbase, fout = float(nx), float(ny), float((nx + 1) * (ny + 1)), float(size)
    sub = np.zeros((LANES, outside + 1), dtype=np.int64)
    buf = np.empty(CHUNK, dtype=np.int32)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        xs = x[start : start + m]
        ys = y[start : start + m]
        ts = tindex[start : start + m] if typed else tindex
        for k in range(m):
            b = np.int64(_hex_bin(xs[k], ys[k], xmin, ymin, sx, sy, fnx, fny, fbase, fout))
            t = ts[k] if typed else 0
            buf[k] = t * size + b if (b < size) & (t >= 0) else outside
        _tally(buf, m, sub)
    _flush(sub, counts.reshape(outside))


# -- the heatmap pipeline: row checks, then binning fused with the per-type sums ----------
@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _row_code(x0, y0, x1, y1, w, h, pos, rc):  # noqa: ANN001, ANN202
    """One row's code from its box, canvas and type position (flags applied after).

    ``rc`` holds the codes to write (see :func:`row_codes`) as a tuple of scalars, not
    an array: loads from a uint8 array could alias the uint8 codes being written, which
    keeps the compiler from vectorizing the loop (4x slower).
    """
    c = rc[0]
    c = rc[1] if (x0 < 0) | (y0 < 0) | (x1 > w) | (y1 > h) else c
    c = rc[2] if (x1 < 0) | (y1 < 0) | (x0 > w) | (y0 > h) else c
    good = (w >= MIN_CANVAS) & (h >= MIN_CANVAS) & (np.abs(w) < np.inf) & (np.abs(h) < np.inf)
    c = c if good else rc[3]
    c = rc[4] if np.isnan(w) | np.isnan(h) else c
    c = rc[5] if (x0 > x1) | (y0 > y1) else c
    finite = (np.abs(x0) < np.inf) & (np.abs(y0) < np.inf)
    finite = finite & (np.abs(x1) < np.inf) & (np.abs(y1) < np.inf)
    c = c if finite else rc[6]
    return rc[7] if pos < 0 else c


@njit(cache=True, nogil=True, error_model="numpy")
def row_codes(types, lookup, non_numeric, has_area, box, canvas, rc, codes, slots, tally):  # noqa: ANN001, ANN201
    """Code of each row for :func:`layerheat.validate.check`.

    ``rc`` (uint8) holds the code to write for: kept, partly outside, wholly outside,
    bad canvas, no canvas, inverted box, non-finite, unknown type, no area, non-numeric
    (``validate.kernel_codes`` builds it from :mod:`layerheat.reasons`; codes are passed
    in, never compiled in). The checks run in that order reversed: the last that fails
    names the row's reason, so the loop has no branches and vectorizes. ``lookup`` maps
    type id -> taxonomy position (-1 unknown); ``non_numeric`` / ``has_area`` are empty
    when the column is absent. Writes ``codes``, ``slots`` (the type position of a kept
    or clipped row, else -1) and adds rows per code to ``tally``.
    """
    xmin, ymin, xmax, ymax = box
    width, height = canvas
    n_known = lookup.shape[0]
    flag_nn = non_numeric.shape[0] > 0
    flag_area = has_area.shape[0] > 0
    rows = types.shape[0]
    for i in range(rows):  # the table look-up alone: it keeps the next loop vectorized
        t = types[i]
        slots[i] = lookup[t] if (t >= 0) & (t < n_known) else -1
    # the codes as scalars, loaded once (see _row_code)
    codes8 = (rc[0], rc[1], rc[2], rc[3], rc[4], rc[5], rc[6], rc[7])
    no_area, not_numeric = rc[8], rc[9]
    for i in range(rows):
        pos = slots[i]
        x0, y0, x1, y1 = _f64(xmin[i]), _f64(ymin[i]), _f64(xmax[i]), _f64(ymax[i])
        c = _row_code(x0, y0, x1, y1, _f64(width[i]), _f64(height[i]), pos, codes8)
        if flag_area:
            c = c if has_area[i] else no_area
        if flag_nn:
            c = not_numeric if non_numeric[i] else c
        codes[i] = c
        slots[i] = pos if c <= CLIP else -1
    sub = np.zeros((LANES, tally.shape[0]), dtype=np.int64)
    _tally(codes, rows, sub)
    for lane in range(LANES):
        for k in range(tally.shape[0]):
            tally[k] += sub[lane, k]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _clip(v, hi, clip):  # noqa: ANN001, ANN202
    """``numpy.clip(v, 0, hi)`` where ``clip`` (finite values), else ``v``."""
    lo = 0.0 if v < 0.0 else v
    lo = hi if lo > hi else lo
    return lo if clip else v


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _f64(v):  # noqa: ANN001, ANN202
    """A value loaded from a box or canvas column, as float64: the columns are float64
    or float32 (``validate.Rows``), and widening a float32 is exact, so every kernel
    computes the same numbers from either."""
    return np.float64(v)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _box(x0, y0, x1, y1, w, h, code):  # noqa: ANN001, ANN202
    """A row's box (float64), clipped to its canvas ``w`` x ``h`` when its code is CLIP."""
    clip = code == CLIP
    x0, y0, x1, y1, w, h = _f64(x0), _f64(y0), _f64(x1), _f64(y1), _f64(w), _f64(h)
    return _clip(x0, w, clip), _clip(y0, h, clip), _clip(x1, w, clip), _clip(y1, h, clip)


@njit(cache=True, nogil=True, error_model="numpy")
def canvas_accumulate(slots, codes, box, canvas, grid, counts, n, sum_w, sum_h):  # noqa: ANN001, ANN201
    """Canvas frame: bin the kept rows' box centres per type, count them, sum their sizes.

    ``slots`` holds each row's type position (-1: not kept); rows coded CLIP are clipped
    to their canvas first. Centre x = ((xmin + xmax) / 2) / width and size
    w = (xmax - xmin) / width, as everywhere in layerheat.
    ``counts`` is (n_types, grid size); ``n``, ``sum_w``, ``sum_h`` per type.
    """
    xmin, ymin, xmax, ymax = box
    width, height = canvas
    gxmin, gymin, sx, sy, nx, ny = grid
    n_types, size = counts.shape
    outside = n_types * size
    fnx, fny, fbase, fout = float(nx), float(ny), float((nx + 1) * (ny + 1)), float(size)
    sub = np.zeros((LANES, outside + 1), dtype=np.int64)
    buf = np.empty(CHUNK, dtype=np.int32)
    wb = np.empty(CHUNK, dtype=np.float64)
    hb = np.empty(CHUNK, dtype=np.float64)
    ln = np.zeros(n_types + 1, dtype=np.int64)
    lw = np.zeros(n_types + 1, dtype=np.float64)
    lh = np.zeros(n_types + 1, dtype=np.float64)
    rows = codes.shape[0]
    for start in range(0, rows, CHUNK):
        m = min(CHUNK, rows - start)
        ts = slots[start : start + m]
        cs = codes[start : start + m]
        a0 = xmin[start : start + m]
        a1 = xmax[start : start + m]
        b0 = ymin[start : start + m]
        b1 = ymax[start : start + m]
        ws = width[start : start + m]
        hs = height[start : start + m]
        for k in range(m):
            t = np.int64(ts[k])
            w = _f64(ws[k])
            h = _f64(hs[k])
            x0, y0, x1, y1 = _box(a0[k], b0[k], a1[k], b1[k], w, h, cs[k])
            cx = ((x0 + x1) / 2.0) / w
            cy = ((y0 + y1) / 2.0) / h
            b = np.int64(_hex_bin(cx, cy, gxmin, gymin, sx, sy, fnx, fny, fbase, fout))
            buf[k] = t * size + b if (t >= 0) & (b < size) else outside
            wb[k] = (x1 - x0) / w
            hb[k] = (y1 - y0) / h
        _tally(buf, m, sub)
        for k in range(m):
            t = ts[k]
            t = t if t >= 0 else n_types
            ln[t] += 1
            lw[t] += wb[k]
            lh[t] += hb[k]
    _flush(sub, counts.reshape(outside))
    for t in range(n_types):
        n[t] += ln[t]
        sum_w[t] += lw[t]
        sum_h[t] += lh[t]


@njit(cache=True, nogil=True, error_model="numpy")
def size_accumulate(slots, codes, box, canvas, swap, grid, counts, outside):  # noqa: ANN001, ANN201
    """Sizes: bin the kept rows' widths and heights (canvas fractions) per type.

    Rows coded CLIP are clipped to their canvas first; w = (xmax - xmin) / width and
    h = (ymax - ymin) / height, or over height and width with ``swap`` (the source's
    formula). ``counts`` is (n_types, grid size); ``outside`` per type counts kept rows
    in no hexagon. One pass, no temporary columns: per type the hexagons and one slot
    for the rows outside share a sub-histogram.
    """
    xmin, ymin, xmax, ymax = box
    width, height = canvas
    gxmin, gymin, sx, sy, nx, ny = grid
    n_types, size = counts.shape
    row = size + 1  # per type: the hexagons, then the rows outside the extent
    spare = n_types * row  # rows not kept
    fnx, fny, fbase, fout = float(nx), float(ny), float((nx + 1) * (ny + 1)), float(size)
    sub = np.zeros((LANES, spare + 1), dtype=np.int64)
    buf = np.empty(CHUNK, dtype=np.int32)
    rows = codes.shape[0]
    for start in range(0, rows, CHUNK):
        m = min(CHUNK, rows - start)
        for k in range(m):
            i = start + k
            t = np.int64(slots[i])
            w = _f64(width[i])
            h = _f64(height[i])
            x0, y0, x1, y1 = _box(xmin[i], ymin[i], xmax[i], ymax[i], w, h, codes[i])
            fw = h if swap else w
            fh = w if swap else h
            bw = (x1 - x0) / fw
            bh = (y1 - y0) / fh
            b = np.int64(_hex_bin(bw, bh, gxmin, gymin, sx, sy, fnx, fny, fbase, fout))
            buf[k] = t * row + b if t >= 0 else spare
        _tally(buf, m, sub)
    total = np.zeros(spare, dtype=np.int64)
    _flush(sub, total)
    for t in range(n_types):
        for b in range(size):
            counts[t, b] += total[t * row + b]
        outside[t] += total[t * row + size]


@njit(cache=True, nogil=True, error_model="numpy")
def minmax_extent(slots, codes, box, canvas, lo, hi, n, sum_w, sum_h):  # noqa: ANN001, ANN201
    """Min-max pass 1: per type the min and max of box centres (pixels), count, size sums.

    ``lo``, ``hi`` are (n_types, 2) and updated in place; sizes are (xmax-xmin)/width.
    """
    xmin, ymin, xmax, ymax = box
    width, height = canvas
    n_types = lo.shape[0]
    ln = np.zeros(n_types + 1, dtype=np.int64)
    lw = np.zeros(n_types + 1, dtype=np.float64)
    lh = np.zeros(n_types + 1, dtype=np.float64)
    llo = np.full((n_types + 1, 2), np.inf)
    lhi = np.full((n_types + 1, 2), -np.inf)
    for i in range(codes.shape[0]):
        t = slots[i]
        if t < 0:
            continue
        w = _f64(width[i])
        h = _f64(height[i])
        x0, y0, x1, y1 = _box(xmin[i], ymin[i], xmax[i], ymax[i], w, h, codes[i])
        cx = (x0 + x1) / 2.0
        cy = (y0 + y1) / 2.0
        llo[t, 0] = min(llo[t, 0], cx)
        lhi[t, 0] = max(lhi[t, 0], cx)
        llo[t, 1] = min(llo[t, 1], cy)
        lhi[t, 1] = max(lhi[t, 1], cy)
        ln[t] += 1
        lw[t] += (x1 - x0) / w
        lh[t] += (y1 - y0) / h
    for t in range(n_types):
        n[t] += ln[t]
        sum_w[t] += lw[t]
        sum_h[t] += lh[t]
        lo[t, 0] = min(lo[t, 0], llo[t, 0])
        lo[t, 1] = min(lo[t, 1], llo[t, 1])
        hi[t, 0] = max(hi[t, 0], lhi[t, 0])
        hi[t, 1] = max(hi[t, 1], lhi[t, 1])


@njit(cache=True, nogil=True, error_model="numpy")
def minmax_accumulate(slots, codes, box, canvas, scale, offset, grids, nx, ny, counts):  # noqa: ANN001, ANN201
    """Min-max pass 2: scale each kept row's centre by its type's scaler and bin it.

    ``scale``, ``offset`` are (n_types, 2): v * scale + offset, as
    :meth:`layerheat.normalize.MinMax.transform`; ``grids`` (n_types, 4) holds each
    type's hex grid ``xmin, ymin, sx, sy`` (all with the same nx, ny).
    """
    xmin, ymin, xmax, ymax = box
    width, height = canvas
    n_types, size = counts.shape
    outside = n_types * size
    fnx, fny, fbase, fout = float(nx), float(ny), float((nx + 1) * (ny + 1)), float(size)
    sub = np.zeros((LANES, outside + 1), dtype=np.int64)
    buf = np.empty(CHUNK, dtype=np.int32)
    rows = codes.shape[0]
    for start in range(0, rows, CHUNK):
        m = min(CHUNK, rows - start)
        for k in range(m):
            i = start + k
            slot = np.int64(slots[i])
            keep = slot >= 0
            x0, y0, x1, y1 = _box(xmin[i], ymin[i], xmax[i], ymax[i], width[i], height[i], codes[i])
            t = slot if keep else 0
            cx = (x0 + x1) / 2.0 * scale[t, 0] + offset[t, 0]
            cy = (y0 + y1) / 2.0 * scale[t, 1] + offset[t, 1]
            b = np.int64(
                _hex_bin(
                    cx,
                    cy,
                    grids[t, 0],
                    grids[t, 1],
                    grids[t, 2],
                    grids[t, 3],
                    fnx,
                    fny,
                    fbase,
                    fout,
                )
            )
            buf[k] = t * size + b if keep & (b < size) else outside
        _tally(buf, m, sub)
    _flush(sub, counts.reshape(outside))
