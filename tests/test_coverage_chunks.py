"""The coverage kernel's vectorized chunks equal its row-by-row search and a brute-force
count of every cell centre in every box: boxes on and near cell edges, zero-area,
clipped, left out, tiny sides, mixed canvas sizes, odd grids."""

from __future__ import annotations

import numpy as np
import pytest

from layerheat.binning.coverage_kernel import _add_rows, _centres, coverage_accumulate
from layerheat.reasons import CLIP, KEEP


def _rows(n: int, seed: int, canvases: list[tuple[float, float]], tiny: bool = False):  # noqa: ANN202
    """Random checked rows (slots, codes, box, canvas) over the given canvas sizes, some
    on cell edges, zero-area, clipped, left out."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(canvases), n) if len(canvases) > 1 else np.zeros(n, int)
    w = np.array([canvases[i][0] for i in pick])
    h = np.array([canvases[i][1] for i in pick])
    lattice = rng.random(n) < 0.5
    x0 = np.where(lattice, rng.integers(-4, 40, n) / 40, rng.uniform(-0.1, 1, n)) * w
    y0 = np.where(lattice, rng.integers(-4, 40, n) / 40, rng.uniform(-0.1, 1, n)) * h
    x1 = x0 + np.where(lattice, rng.integers(0, 20, n) / 40, rng.uniform(0, 0.5, n)) * w
    y1 = y0 + np.where(lattice, rng.integers(0, 20, n) / 40, rng.uniform(0, 0.5, n)) * h
    x1 = np.where(rng.random(n) < 0.05, x0, x1)  # zero-area
    if tiny:
        x0 = np.where(rng.random(n) < 0.01, 1e-310, x0)
    outside = (x1 < 0) | (y1 < 0) | (x0 > w) | (y0 > h)
    partly = (x0 < 0) | (y0 < 0) | (x1 > w) | (y1 > h)
    codes = np.where(partly, CLIP, KEEP).astype(np.uint8)
    slots = np.where(outside | (rng.random(n) < 0.05), -1, rng.integers(0, 3, n)).astype(np.int32)
    return slots, codes, (x0, y0, x1, y1), (w, h)


def _brute_force(slots, box, canvas, nx: int, ny: int) -> np.ndarray:  # noqa: ANN001
    (x0, y0, x1, y1), (w, h) = box, canvas
    cx, cy = (np.arange(nx) + 0.5) / nx, (np.arange(ny) + 0.5) / ny
    out = np.zeros((3, ny, nx), dtype=np.int64)
    for t in range(3):
        m = slots == t
        u0, u1 = np.clip(x0[m], 0, w[m]) / w[m], np.clip(x1[m], 0, w[m]) / w[m]
        v0, v1 = np.clip(y0[m], 0, h[m]) / h[m], np.clip(y1[m], 0, h[m]) / h[m]
        inside_x = (u0[:, None] <= cx) & (cx < u1[:, None])
        inside_y = (v0[:, None] <= cy) & (cy < v1[:, None])
        out[t] = inside_y.astype(np.int64).T @ inside_x.astype(np.int64)
    return out


def _kernel_counts(rows, nx: int, ny: int, row_by_row: bool = False) -> np.ndarray:  # noqa: ANN001
    slots, codes, box, canvas = rows
    diff = np.zeros((3, ny + 1, nx + 1), dtype=np.int64)
    if row_by_row:
        cx, cy = _centres(nx), _centres(ny)
        _add_rows(slots, codes, box, canvas, CLIP, 0, len(slots), cx, cy, nx, ny, diff)
    else:
        coverage_accumulate(slots, codes, box, canvas, CLIP, nx, ny, diff)
    return diff.cumsum(axis=1).cumsum(axis=2)[:, :-1, :-1]


@pytest.mark.parametrize(
    ("canvases", "tiny", "nx", "ny"),
    [
        ([(1000.0, 600.0)], False, 100, 60),  # one canvas: every chunk vectorized
        ([(5906.0, 3543.0)], False, 40, 24),
        ([(1000.0, 600.0)], True, 37, 23),  # 1e-310 px sides
        ([(1000.0, 600.0), (800.0, 800.0)], False, 50, 30),  # mixed: row by row
        ([(3.0, 7.0)], False, 1000, 1),
        ([(1e300, 1e-300)], False, 10, 10),  # sides beyond the vectorized range
        ([(1000.0, 600.0)], False, 1, (1 << 20) + 1),  # more cells than the guess allows
    ],
)
def test_coverage_chunks_equal_the_row_search_and_a_brute_force_count(canvases, tiny, nx, ny):  # noqa: ANN001
    n = 10_000 if ny < 10_000 else 50  # three chunks of 4096 and a partial one
    rows = _rows(n, 5, canvases, tiny)
    fast = _kernel_counts(rows, nx, ny)
    np.testing.assert_array_equal(fast, _kernel_counts(rows, nx, ny, row_by_row=True))
    np.testing.assert_array_equal(fast, _brute_force(rows[0], rows[2], rows[3], nx, ny))
