"""Compiled coverage counting: 2-D difference arrays, constant work per box.

For each box (canvas fractions, already clipped) the cells whose centres
((i + 0.5) / nx, (j + 0.5) / ny) it contains, with the rule x0 <= cx < x1 and
y0 <= cy < y1, form one rectangle of cells; the kernel adds +1/-1 at its four corners of
a (n_types, ny + 1, nx + 1) difference array. One prefix sum per type then gives, per
cell, the number of boxes containing its centre. Index ranges are computed from the
fractions and then corrected against the exact comparison, so cells on box edges
count exactly as a brute-force test of every centre against every box would.

    >>> import numpy as np
    >>> diff = np.zeros((1, 3, 3), dtype=np.int64)
    >>> box = (np.array([0.0]), np.array([0.0]), np.array([0.5]), np.array([1.0]))
    >>> coverage_add(np.array([0]), *box, 2, 2, diff)
    >>> coverage_counts(diff)[0].tolist()
    [[1, 0], [1, 0]]
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["coverage_accumulate", "coverage_add", "coverage_counts", "number_runs"]


@njit(cache=True, nogil=True, error_model="numpy")
def _centres(n):  # noqa: ANN001, ANN202
    """Cell centres (i + 0.5) / n at [i + 1], i = 0..n-1, between -inf and +inf sentinels:
    computed once per call, not per box, and no bounds tests in the search."""
    out = np.empty(n + 2, dtype=np.float64)
    out[0], out[n + 1] = -np.inf, np.inf
    for i in range(n):
        out[i + 1] = (i + 0.5) / n
    return out


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _first_centre_at_or_after(v, centres, fn):  # noqa: ANN001, ANN202
    """The first cell i (0..n) whose centre ``centres[i + 1]`` is >= v (``fn``: n as a
    float): a guess from v * n, corrected against the exact centres (a step at most, in
    practice). The guess is clamped as a float and again as an integer, so any v (even
    NaN) stays in the table, without testing for the range first."""
    g = min(max(v * fn - 0.5, -1.0), fn)
    i = min(max(np.int64(np.ceil(g)), 0), centres.shape[0] - 2)  # NaN too: in the table
    while centres[i] >= v:  # the centre of cell i - 1 (the sentinel stops at 0)
        i -= 1
    while centres[i + 1] < v:  # the centre of cell i (the sentinel stops at n)
        i += 1
    return i


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _add_box(diff, t, x0, y0, x1, y1, cx, cy, fx, fy):  # noqa: ANN001, ANN202
    """+1/-1 at the corners of the cells whose centres the box (fractions) contains."""
    i0 = _first_centre_at_or_after(x0, cx, fx)
    i1 = _first_centre_at_or_after(x1, cx, fx)
    j0 = _first_centre_at_or_after(y0, cy, fy)
    j1 = _first_centre_at_or_after(y1, cy, fy)
    if i1 <= i0 or j1 <= j0:
        return
    diff[t, j0, i0] += 1
    diff[t, j0, i1] -= 1
    diff[t, j1, i0] -= 1
    diff[t, j1, i1] += 1


@njit(cache=True, nogil=True, error_model="numpy")
def coverage_add(slots, x0, y0, x1, y1, nx, ny, diff):  # noqa: ANN001, ANN201
    """Add every box (type position ``slots``, < 0: left out) to the difference array."""
    cx, cy = _centres(nx), _centres(ny)
    fx, fy = float(nx), float(ny)
    for k in range(slots.shape[0]):
        t = slots[k]
        if t < 0:
            continue
        _add_box(diff, t, x0[k], y0[k], x1[k], y1[k], cx, cy, fx, fy)


#: rows per chunk of :func:`coverage_accumulate`: its buffers stay in L1/L2
CHUNK = 4096
#: a chunk takes the vectorized pass only on a canvas within these sides (px) ...
_SIDE_LOW, _SIDE_HIGH = 2.0**-400, 2.0**400
#: ... and grids of at most this many cells a side (the guess's error bound below)
_MAX_CELLS = 1 << 20
#: a guess this close to a whole number of cells is settled by the exact search
_NEAR = 2.0**-20


@njit(cache=True, nogil=True, error_model="numpy")
def coverage_accumulate(slots, codes, box, canvas, clip_code, nx, ny, diff):  # noqa: ANN001, ANN201
    """:func:`coverage_add` straight from a checked batch's columns (pixels): rows coded
    ``clip_code`` are clipped to their canvas, boxes divided by their canvas, with no
    temporary columns (the same numbers as clipping and dividing first).

    By chunks of rows. A chunk whose rows share one canvas size (the usual case) gets
    each box's four corner cells in one branch-free pass that vectorizes: the first
    cell at or after a side is ``ceil(x * (n / width) - 0.5)``, exact unless that
    value is within 2**-20 of a whole number (its error is below n * 2**-50, and a
    centre decides only within n * 2**-53 of one); such rows, boxes on or near cell
    edges, take the exact search of :func:`coverage_add`, as does every other chunk.
    Both give the counts of comparing every cell centre with every box (tested)."""
    cx, cy = _centres(nx), _centres(ny)
    fx, fy = float(nx), float(ny)
    cells = np.empty((4, CHUNK), dtype=np.int64)
    near = np.empty(CHUNK, dtype=np.bool_)
    flat = diff.reshape(diff.size)
    fast = (nx <= _MAX_CELLS) & (ny <= _MAX_CELLS)
    rows = slots.shape[0]
    for start in range(0, rows, CHUNK):
        stop = min(start + CHUNK, rows)
        if not (fast and _one_canvas(canvas, start, stop)):
            _add_rows(slots, codes, box, canvas, clip_code, start, stop, cx, cy, fx, fy, diff)
            continue
        _corner_cells(slots, codes, box, canvas, clip_code, nx, ny, start, stop, cells, near)
        for k in range(stop - start):  # a row left out has all four at cell 0: net 0
            flat[cells[0, k]] += 1
            flat[cells[1, k]] -= 1
            flat[cells[2, k]] -= 1
            flat[cells[3, k]] += 1
        for k in range(stop - start):
            if near[k]:
                r = start + k
                _add_rows(slots, codes, box, canvas, clip_code, r, r + 1, cx, cy, fx, fy, diff)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _one_canvas(canvas, start, stop):  # noqa: ANN001, ANN202
    """Whether rows start..stop share the first row's canvas size, a sane one."""
    width, height = canvas
    w0, h0 = np.float64(width[start]), np.float64(height[start])
    ok = (w0 >= _SIDE_LOW) & (w0 <= _SIDE_HIGH) & (h0 >= _SIDE_LOW) & (h0 <= _SIDE_HIGH)
    for k in range(start, stop):
        ok &= (width[k] == w0) & (height[k] == h0)
    return ok


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _guess(v, per_px, fn):  # noqa: ANN001, ANN202
    """(first cell whose centre is at or after pixel ``v``, whether that is too close to
    call), from ``per_px`` = cells per pixel; a float index in 0..n."""
    g = v * per_px - 0.5
    return min(max(np.ceil(g), 0.0), fn), np.abs(g - np.rint(g)) <= _NEAR


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _corner_cells(slots, codes, box, canvas, clip_code, nx, ny, start, stop, cells, near):  # noqa: ANN001, ANN202
    """Flat indices in the difference array of each box's four corners (rows
    start..stop, one canvas size), 0 for all four where a row adds nothing here; and
    per row whether it must be added by the exact search instead."""
    xmin, ymin, xmax, ymax = box
    w, h = np.float64(canvas[0][start]), np.float64(canvas[1][start])  # float32 columns too
    fx, fy = float(nx), float(ny)
    per_x, per_y = fx / w, fy / h
    row = nx + 1
    plane = (ny + 1) * row
    for k in range(stop - start):
        r = start + k
        t = np.int64(slots[r])
        x0, y0 = np.float64(xmin[r]), np.float64(ymin[r])
        x1, y1 = np.float64(xmax[r]), np.float64(ymax[r])
        clip = codes[r] == clip_code
        x0 = min(max(x0, 0.0), w) if clip else x0
        x1 = min(max(x1, 0.0), w) if clip else x1
        y0 = min(max(y0, 0.0), h) if clip else y0
        y1 = min(max(y1, 0.0), h) if clip else y1
        i0, n0 = _guess(x0, per_x, fx)
        i1, n1 = _guess(x1, per_x, fx)
        j0, n2 = _guess(y0, per_y, fy)
        j1, n3 = _guess(y1, per_y, fy)
        exact = (t >= 0) & (n0 | n1 | n2 | n3)
        keep = (t >= 0) & ~exact & (i1 > i0) & (j1 > j0)
        top = t * plane + np.int64(j0) * row
        bottom = t * plane + np.int64(j1) * row
        cells[0, k] = top + np.int64(i0) if keep else 0
        cells[1, k] = top + np.int64(i1) if keep else 0
        cells[2, k] = bottom + np.int64(i0) if keep else 0
        cells[3, k] = bottom + np.int64(i1) if keep else 0
        near[k] = exact


@njit(cache=True, nogil=True, error_model="numpy")
def _add_rows(slots, codes, box, canvas, clip_code, start, stop, cx, cy, fx, fy, diff):  # noqa: ANN001, ANN202
    """Rows start..stop one by one: clip, divide by each row's own canvas, search the
    centres (any canvas sizes, any values)."""
    xmin, ymin, xmax, ymax = box
    width, height = canvas
    for k in range(start, stop):
        t = slots[k]
        if t < 0:
            continue
        w, h = np.float64(width[k]), np.float64(height[k])  # float32 columns too: exact
        x0, y0 = np.float64(xmin[k]), np.float64(ymin[k])
        x1, y1 = np.float64(xmax[k]), np.float64(ymax[k])
        if codes[k] == clip_code:
            x0, x1 = min(max(x0, 0.0), w), min(max(x1, 0.0), w)
            y0, y1 = min(max(y0, 0.0), h), min(max(y1, 0.0), h)
        i0 = _first_centre_at_or_after(x0 / w, cx, fx)
        i1 = _first_centre_at_or_after(x1 / w, cx, fx)
        if i1 <= i0:  # no centre across: the rows need not be searched
            continue
        j0 = _first_centre_at_or_after(y0 / h, cy, fy)
        j1 = _first_centre_at_or_after(y1 / h, cy, fy)
        if j1 <= j0:
            continue
        diff[t, j0, i0] += 1
        diff[t, j0, i1] -= 1
        diff[t, j1, i0] -= 1
        diff[t, j1, i1] += 1


def coverage_counts(diff: np.ndarray) -> np.ndarray:
    """Boxes containing each cell centre, shape (n_types, ny, nx): the prefix sums."""
    return diff.cumsum(axis=1).cumsum(axis=2)[:, :-1, :-1]


@njit(cache=True, nogil=True, error_model="numpy")
def number_runs(numbers, limit, starts, stops):  # noqa: ANN001, ANN201
    """The numbers (design numbers, all in 0..limit-1) as ranges [starts[i], stops[i])
    whose union is exactly the set of numbers seen: a range grows while each number is
    within it or one past its end, so rows numbered in order of first appearance and
    grouped by design give one range per batch. Returns the ranges written, or
    ``-1 - k`` when ``numbers[k]`` is outside 0..limit-1 (nothing is trusted).

    >>> s, e = np.empty(4, np.int64), np.empty(4, np.int64)
    >>> m = number_runs(np.array([0, 0, 1, 2, 2, 7, 1], np.int32), 8, s, e)
    >>> [(int(a), int(b)) for a, b in zip(s[:m], e[:m])]
    [(0, 3), (7, 8), (1, 2)]
    """
    n = numbers.shape[0]
    if n == 0:
        return 0
    steps_ok = True  # the usual case first: each number equal to or one past the one before
    for k in range(1, n):
        step = np.int64(numbers[k]) - np.int64(numbers[k - 1])
        steps_ok &= (step >= 0) & (step <= 1)
    if steps_ok and numbers[0] >= 0 and numbers[n - 1] < limit:
        starts[0], stops[0] = numbers[0], np.int64(numbers[n - 1]) + 1
        return 1
    m = 0
    lo = hi = np.int64(numbers[0])
    if lo < 0 or lo >= limit:
        return -1
    for k in range(1, n):
        v = np.int64(numbers[k])
        if lo <= v <= hi:
            continue
        if v == hi + 1 and v < limit:
            hi = v
            continue
        if v < 0 or v >= limit:
            return -1 - k
        starts[m], stops[m] = lo, hi + 1
        m += 1
        lo = hi = v
    starts[m], stops[m] = lo, hi + 1
    return m + 1
