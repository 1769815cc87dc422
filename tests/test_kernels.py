"""The compiled kernels give exactly the NumPy reference's and matplotlib's counts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402
from numba import njit  # noqa: E402

from layerheat.binning import HexGrid, count_hex, count_hex_typed, floats  # noqa: E402
from layerheat.binning.kernels import _hex_bin  # noqa: E402

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
unit = st.floats(0.0, 1.0, allow_nan=False)
points = st.integers(0, 300).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, n, elements=finite), arrays(np.float64, n, elements=finite)
    )
)
gridsizes = st.one_of(st.integers(2, 60), st.tuples(st.integers(1, 40), st.integers(1, 40)))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@njit
def _hex_index(x, y, xmin, ymin, sx, sy, nx, ny, out):  # noqa: ANN001, ANN202
    """Each point's flat hexagon index (or -1) by the kernels' own bin function."""
    fbase = float((nx + 1) * (ny + 1))
    for k in range(x.shape[0]):
        out[k] = np.int64(
            _hex_bin(x[k], y[k], xmin, ymin, sx, sy, float(nx), float(ny), fbase, -1.0)
        )


def kernel_index(grid: HexGrid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.empty(len(x), dtype=np.int64)
    _hex_index(floats(x), floats(y), *grid.params(), out)
    return out


def matplotlib_counts(x: np.ndarray, y: np.ndarray, gridsize) -> np.ndarray:  # noqa: ANN001
    fig, ax = plt.subplots()
    try:
        poly = ax.hexbin(x, y, gridsize=gridsize)
        return np.asarray(poly.get_array(), dtype=np.int64), np.asarray(poly.get_offsets())
    finally:
        plt.close(fig)


def edge_points(grid: HexGrid) -> tuple[np.ndarray, np.ndarray]:
    """Points exactly on hexagon edges, vertices and centres: x = xmin + k*sx/2 etc."""
    kx = np.arange(-1, 2 * grid.nx + 3)
    ky = np.arange(-1, 6 * grid.ny + 7)
    gx, gy = np.meshgrid(grid.xmin + kx * grid.sx / 2, grid.ymin + ky * grid.sy / 6)
    return gx.ravel(), gy.ravel()


@SETTINGS
@given(points, gridsizes)
def test_hex_kernel_equals_reference_on_any_data(pts, gridsize) -> None:  # noqa: ANN001
    x, y = pts
    grid = HexGrid.from_data(x, y, gridsize)
    assert np.array_equal(kernel_index(grid, x, y), grid.bin_index(x, y))
    assert np.array_equal(count_hex(grid, x, y), grid.count(x, y))


@SETTINGS
@given(st.integers(2, 50), st.floats(100, 10000), st.floats(100, 10000))
def test_hex_kernel_equals_reference_on_edges_and_vertices(nx, w, h) -> None:  # noqa: ANN001
    for grid in (HexGrid.for_canvas(nx, w, h), HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, nx)):
        x, y = edge_points(grid)
        assert np.array_equal(kernel_index(grid, x, y), grid.bin_index(x, y))
        assert np.array_equal(count_hex(grid, x, y), grid.count(x, y))


@pytest.mark.parametrize(
    "x, y",
    [
        (np.array([]), np.array([])),
        (np.array([0.25]), np.array([0.75])),
        (np.full(50, 3.0), np.linspace(0, 1, 50)),
        (np.linspace(0, 1, 50), np.full(50, -2.0)),
        (np.full(10, 7.0), np.full(10, 7.0)),
        (np.array([0.0, 1.0, 0.0, 1.0]), np.array([0.0, 0.0, 1.0, 1.0])),
    ],
    ids=["empty", "single", "constant-x", "constant-y", "constant-both", "corners"],
)
@pytest.mark.parametrize("gridsize", [2, 3, 35, (10, 3), (1, 1)])
def test_hex_kernel_equals_matplotlib_hexbin_on_special_cases(x, y, gridsize) -> None:  # noqa: ANN001
    grid = HexGrid.from_data(x, y, gridsize)
    counts, offsets = matplotlib_counts(x, y, gridsize)
    assert np.array_equal(count_hex(grid, x, y), counts)
    assert np.allclose(grid.centers(), offsets)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 400).flatmap(
        lambda n: st.tuples(
            arrays(np.float64, n, elements=unit), arrays(np.float64, n, elements=unit)
        )
    ),
    st.integers(2, 60),
)
def test_hex_kernel_equals_matplotlib_hexbin(pts, gridsize) -> None:  # noqa: ANN001
    x, y = pts
    counts, _ = matplotlib_counts(x, y, gridsize)
    assert np.array_equal(count_hex(HexGrid.from_data(x, y, gridsize), x, y), counts)


def test_hex_kernel_equals_matplotlib_on_edge_points() -> None:
    grid = HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, 12)
    x, y = edge_points(grid)
    # matplotlib chooses its grid from the data; make the data span exactly [0, 1]
    keep = (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1)
    x, y = np.r_[x[keep], 0.0, 1.0], np.r_[y[keep], 0.0, 1.0]
    counts, _ = matplotlib_counts(x, y, 12)
    assert np.array_equal(count_hex(HexGrid.from_data(x, y, 12), x, y), counts)


def test_hex_kernel_on_many_points_equals_reference() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(0.5, 0.3, 300_000), rng.random(300_000)
    grid = HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, 35)  # many points outside
    assert np.array_equal(count_hex(grid, x, y), grid.count(x, y))


@SETTINGS
@given(points, st.integers(1, 6), gridsizes)
def test_typed_kernel_equals_per_type_reference(pts, n_types, gridsize) -> None:  # noqa: ANN001
    x, y = pts
    rng = np.random.default_rng(len(x))
    tindex = rng.integers(-1, n_types, len(x))
    grid = HexGrid.from_data(x, y, gridsize)
    got = count_hex_typed(grid, tindex, x, y, n_types)
    for t in range(n_types):
        m = tindex == t
        assert np.array_equal(got[t], grid.count(x[m], y[m]))
