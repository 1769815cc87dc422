"""Division by a reciprocal with FMA corrections equals IEEE division; the coverage kernel's
vectorized chunks equal its row-by-row search and a brute-force count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from layerheat.binning.coverage_kernel import _add_rows, _centres, coverage_accumulate
from layerheat.binning.division import SAFE_HIGH, SAFE_LOW, divide
from layerheat.reasons import CLIP, KEEP


@njit(cache=False)
def _divide_all(a, b):  # noqa: ANN001, ANN202
    rb = 1.0 / b
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = divide(a[i], b, rb)
    return out


#: divisors whose significand is all ones or just above a power of two are the hard
#: cases for reciprocal division; the rest are the ones layerheat divides by
HARD_DIVISORS = [
    1.0 - 2.0**-53,
    2.0 - 2.0**-52,
    1.0 + 2.0**-52,
    3.0,
    5906.0,
    3543.0,
    1 / 35,
    100.0,
    60.0,
    7.0 * 2.0**-600,
    2.0**850 * 1.7,
]


@pytest.mark.parametrize("b", HARD_DIVISORS)
def test_divide_equals_ieee_division_on_many_numerators(b: float) -> None:
    rng = np.random.default_rng(hash(b) % 2**32)
    a = np.concatenate(
        [
            rng.random(300_000) * 10_000,
            rng.integers(-10_000, 10_000, 100_000) * 0.5,  # exact quotients, ties at .5
            np.ldexp(rng.random(100_000) + 1, rng.integers(-300, 300, 100_000)),
            np.nextafter(np.round(rng.random(50_000) * 100) * b, np.inf),  # near k * b
            np.nextafter(np.round(rng.random(50_000) * 100) * b, -np.inf),
        ]
    )
    a = a[(np.abs(a) >= SAFE_LOW) & (np.abs(a) <= SAFE_HIGH) & (np.abs(a / b) >= SAFE_LOW)]
    a = a[np.abs(a / b) <= SAFE_HIGH]
    np.testing.assert_array_equal(_divide_all(a, b), a / b)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(2.0**-400, 2.0**400, allow_nan=False),
    st.lists(st.floats(-(2.0**400), 2.0**400, allow_nan=False), min_size=1, max_size=50),
)
def test_divide_equals_ieee_division_for_any_divisor(b: float, numerators: list[float]) -> None:
    a = np.array([v for v in numerators if v == 0 or abs(v) >= 2.0**-400])
    a = a[(a == 0) | (np.abs(a / b) >= SAFE_LOW)]
    np.testing.assert_array_equal(_divide_all(a, b), a / b)


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
        ([(1000.0, 600.0)], True, 37, 23),  # a 1e-310 px side: those chunks row by row
        ([(1000.0, 600.0), (800.0, 800.0)], False, 50, 30),  # mixed: row by row
        ([(3.0, 7.0)], False, 1000, 1),
    ],
)
def test_coverage_chunks_equal_the_row_search_and_a_brute_force_count(canvases, tiny, nx, ny):  # noqa: ANN001
    rows = _rows(10_000, 5, canvases, tiny)  # three chunks of 4096 and a partial one
    fast = _kernel_counts(rows, nx, ny)
    np.testing.assert_array_equal(fast, _kernel_counts(rows, nx, ny, row_by_row=True))
    np.testing.assert_array_equal(fast, _brute_force(rows[0], rows[2], rows[3], nx, ny))
