"""In min-max mode layerheat's bins equal matplotlib's hexbin on scikit-learn-scaled data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from layerheat import LayerTable, heatmaps  # noqa: E402
from layerheat.binning import HexGrid  # noqa: E402
from layerheat.normalize import MinMax  # noqa: E402


def matplotlib_hexbin(x: np.ndarray, y: np.ndarray, gridsize: int):
    """The oracle: counts and centres of plt.hexbin on the same points."""
    fig, ax = plt.subplots()
    try:
        pc = ax.hexbin(x, y, gridsize=gridsize)
        return np.asarray(pc.get_array()), np.asarray(pc.get_offsets())
    finally:
        plt.close(fig)


def sklearn_minmax(values: np.ndarray) -> np.ndarray:
    return MinMaxScaler().fit_transform(values.reshape(-1, 1))[:, 0]


# Points on a coarse integer lattice land exactly on hexagon edges and vertices once
# scaled; free floats cover the rest; a column may be constant; a type may have 1 point.
lattice = st.integers(min_value=0, max_value=140).map(float)
free = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
coordinate = st.one_of(lattice, free)


@st.composite
def typed_points(draw):
    n_types = draw(st.integers(1, 3))
    out = []
    for type_id in draw(
        st.lists(
            st.sampled_from(range(10, 150, 10)), min_size=n_types, max_size=n_types, unique=True
        )
    ):
        n = draw(st.integers(1, 60))
        xs = draw(st.lists(coordinate, min_size=n, max_size=n))
        ys = draw(st.lists(coordinate, min_size=n, max_size=n))
        if draw(st.booleans()) and n > 1:
            xs = [xs[0]] * n  # constant column
        out.append((type_id, np.array(xs), np.array(ys)))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=typed_points(), gridsize=st.sampled_from([5, 10, 35, 36]))
def test_minmax_counts_and_centres_equal_matplotlib_hexbin(points, gridsize):
    table = LayerTable.from_columns(
        design_id=["d"] * sum(len(x) for _, x, _ in points),
        type_id=np.concatenate([np.full(len(x), t) for t, x, _ in points]),
        xmin=np.concatenate([x for _, x, _ in points]),
        ymin=np.concatenate([y for _, _, y in points]),
        xmax=np.concatenate([x for _, x, _ in points]),
        ymax=np.concatenate([y for _, _, y in points]),
        canvas_width=np.full(sum(len(x) for _, x, _ in points), np.nan),
        canvas_height=np.full(sum(len(x) for _, x, _ in points), np.nan),
    )
    hs = heatmaps(table, scale="minmax", gridsize=gridsize)
    for type_id, x, y in points:
        counts, centres = matplotlib_hexbin(sklearn_minmax(x), sklearn_minmax(y), gridsize)
        ours = hs[type_id]
        np.testing.assert_array_equal(ours.counts, counts)
        np.testing.assert_allclose(ours.grid.centers(), centres, rtol=0, atol=1e-9)
        assert ours.n_layers == len(x)


@settings(max_examples=200, deadline=None)
@given(
    x=st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=40),
    y_from_x=st.booleans(),
)
def test_scaler_is_bit_identical_to_scikit_learn(x, y_from_x):
    values = np.array(x)
    scaler = MinMax(values.min(), values.max())
    np.testing.assert_array_equal(scaler.transform(values), sklearn_minmax(values))


def test_points_exactly_on_hexagon_edges_match_matplotlib():
    # Every half-cell and third-cell offset of the grid: vertices, edge midpoints, ties.
    grid = HexGrid.from_data(np.array([0.0, 1.0]), np.array([0.0, 1.0]), 35)
    i = np.arange(0, 2 * grid.nx + 1) / 2
    j = np.arange(0, 6 * grid.ny + 1) / 6
    ii, jj = np.meshgrid(i, j)
    x = np.concatenate([[0.0, 1.0], (grid.xmin + ii * grid.sx).ravel()])
    y = np.concatenate([[0.0, 1.0], (grid.ymin + jj * grid.sy).ravel()])
    x, y = np.clip(x, 0, 1), np.clip(y, 0, 1)
    counts, centres = matplotlib_hexbin(x, y, 35)
    ours = HexGrid.from_data(x, y, 35)
    np.testing.assert_array_equal(ours.count(x, y), counts)
    np.testing.assert_allclose(ours.centers(), centres, atol=1e-12)


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_single_point_grids_match_matplotlib(n):
    x = np.full(n, 3.0)
    y = np.full(n, -2.0)
    counts, centres = matplotlib_hexbin(x, y, 35)
    grid = HexGrid.from_data(x, y, 35)
    np.testing.assert_array_equal(grid.count(x, y), counts)
    np.testing.assert_allclose(grid.centers(), centres, atol=1e-12)
