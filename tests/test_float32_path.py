"""float32 box and canvas columns are read as float32 and widened inside the kernels.

The oracle is the float64 path: the same values written as float64 (widening a float32
is exact) must give the same counts, sums, coverage, statistics and row accounting, on
the compiled kernels (large batches) and on their NumPy twins (small batches).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import layerheat as lh
from layerheat.binning import reference
from layerheat.engines.base import CHECK_COLUMNS, checked_batches
from layerheat.pipeline import Pipeline
from layerheat.stats import type_stats

BOX = ("xmin", "ymin", "xmax", "ymax")


def hostile_float32_layers(rows: int, seed: int = 3) -> pa.Table:
    """Random boxes on two canvases, with every kind of row the checks sort out: partly
    and wholly outside, inverted, on cell and hexagon edges, NaN, inf, null, zero,
    negative and subnormal canvases, unknown types."""
    rng = np.random.default_rng(seed)
    width = np.where(rng.random(rows) < 0.8, 5906.0, 1080.0).astype(np.float32)
    height = np.where(width == 5906.0, 3543.0, 1920.0).astype(np.float32)
    x0 = rng.uniform(-0.2, 1.1, rows) * width
    y0 = rng.uniform(-0.2, 1.1, rows) * height
    x1 = x0 + rng.exponential(0.2, rows) * width
    y1 = y0 + rng.exponential(0.2, rows) * height
    cols = {c: v.astype(np.float32) for c, v in zip(BOX, (x0, y0, x1, y1), strict=True)}
    cols["xmax"] = np.maximum(cols["xmax"], cols["xmin"])
    # sides exactly on coverage cell centres ((i + 0.5) / n of the canvas) and on hexagon
    # rows and columns, where a rounding decides
    for name, n, side in (("xmin", 100, width), ("xmax", 100, width), ("ymin", 60, height)):
        on = rng.random(rows) < 0.15
        cell = np.floor(rng.uniform(0, n, on.sum()))
        cols[name][on] = ((cell + 0.5) / n * side[on]).astype(np.float32)
    on = rng.random(rows) < 0.05
    cols["ymax"][on] = (np.floor(rng.uniform(0, 35, on.sum())) / 35 * height[on]).astype(np.float32)
    types = rng.choice(np.array([10, 30, 40, 70, 80, 90, 100, 120, 130, 999]), rows)
    bad = rng.choice(rows, 12, replace=False)
    for name, value in zip(BOX, (1.0, 1.0, 2.0, 2.0), strict=True):
        cols[name][bad] = value  # a box inside any canvas, so each row's own fault shows
    types[bad] = 30
    cols["xmin"][bad[0]] = np.nan
    cols["ymax"][bad[1]] = np.inf
    cols["xmax"][bad[2]] = -np.inf
    width[bad[3]] = 0.0
    width[bad[4]] = -5906.0
    height[bad[5]] = np.float32(1e-45)  # a float32 subnormal: a fine canvas in float64
    height[bad[6]] = np.nan
    cols["xmin"][bad[7]], cols["xmax"][bad[7]] = 100.0, 50.0  # inverted
    design = pa.array([f"d{i // 9:06d}" for i in range(rows)])
    mask = np.zeros(rows, dtype=bool)
    mask[bad[8]] = True  # a null box value
    arrays = [pa.array(cols[c], mask=mask if c == "ymin" else None) for c in BOX]
    return pa.table(
        [design, pa.array(types), *arrays, pa.array(width), pa.array(height)],
        names=["design_id", "type_id", *BOX, "canvas_width", "canvas_height"],
    )


def as_float64(table: pa.Table) -> pa.Table:
    """The same table with every float32 column widened to float64."""
    for i, field in enumerate(table.schema):
        if field.type == pa.float32():
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    return table


@pytest.fixture(scope="module", params=[600, 70_000], ids=["twins", "kernels"])
def pair(request, tmp_path_factory):  # noqa: ANN001, ANN201
    """(float32 file, float64 file) of the same rows; 600 rows run the NumPy twins,
    70,000 the compiled kernels."""
    folder = tmp_path_factory.mktemp(f"f32-{request.param}")
    table = hostile_float32_layers(request.param)
    pq.write_table(table, folder / "f32.parquet")
    pq.write_table(as_float64(table), folder / "f64.parquet")
    return folder / "f32.parquet", folder / "f64.parquet"


def test_the_engines_keep_float32_columns_and_widen_them_on_access(pair) -> None:  # noqa: ANN001
    f32, _ = pair
    with Pipeline([str(f32)]) as pipe:
        checked = next(iter(checked_batches(pipe.parts[0], pipe.checks, CHECK_COLUMNS)))
    _, _, box, canvas = checked.kernel_args()
    assert {a.dtype for a in (*box, *canvas)} == {np.dtype(np.float32)}
    assert checked.xmin.dtype == np.float64 and checked.height.dtype == np.float64
    np.testing.assert_array_equal(checked.xmin, box[0].astype(np.float64))


def test_centres_sizes_and_coverage_equal_the_float64_path(pair) -> None:  # noqa: ANN001
    f32, f64 = pair
    a = lh.measure(str(f32), ("centre", "size", "coverage"))
    b = lh.measure(str(f64), ("centre", "size", "coverage"))
    assert a.report.summary() == b.report.summary()
    for reason in ("non-finite", "bad canvas", "no canvas size", "inverted box", "unknown type"):
        assert reason in a.report.summary()
    assert a.canvas_sizes == b.canvas_sizes
    assert a.centres.to_arrow().equals(b.centres.to_arrow())
    for ta, tb in zip(a.centres, b.centres, strict=True):
        assert (ta.n_layers, ta.mean_width, ta.mean_height) == (
            tb.n_layers,
            tb.mean_width,
            tb.mean_height,
        ) or (ta.n_layers == tb.n_layers == 0)
    assert a.sizes.to_arrow().equals(b.sizes.to_arrow())
    np.testing.assert_array_equal(a.sizes.outside, b.sizes.outside)
    np.testing.assert_array_equal(a.coverage.counts, b.coverage.counts)
    assert a.coverage.n_designs == b.coverage.n_designs


def test_minmax_heatmaps_and_type_statistics_equal_the_float64_path(pair) -> None:  # noqa: ANN001
    f32, f64 = pair
    a, b = lh.heatmaps(str(f32), scale="minmax"), lh.heatmaps(str(f64), scale="minmax")
    assert a.to_arrow().equals(b.to_arrow())
    sa, sb = type_stats(str(f32), pairs=[(30, 40)]), type_stats(str(f64), pairs=[(30, 40)])
    assert sa.types.types_table().equals(sb.types.types_table())
    assert sa.types.cooccurrence_table().equals(sb.types.cooccurrence_table())
    np.testing.assert_array_equal(sa.relative[0].counts, sb.relative[0].counts)


def test_the_numpy_twins_widen_float32_columns_first() -> None:
    """A zero canvas is a bad canvas: compared in float32, the smallest float64 normal
    the check compares with rounds to 0 and would pass it."""
    box = tuple(np.array([0.0, 1.0], dtype=np.float32) for _ in range(4))
    canvas = (np.array([0.0, 10.0], dtype=np.float32), np.full(2, 10.0, dtype=np.float32))
    from layerheat import reasons
    from layerheat.validate import kernel_codes

    rc = kernel_codes(require_canvas=True, skip_partly=False)
    codes, slots = np.empty(2, np.uint8), np.empty(2, np.int32)
    tally = np.zeros(reasons.N_CODES, np.int64)
    lookup = np.array([0], dtype=np.int64)
    types = np.zeros(2, dtype=np.int64)
    none = np.zeros(0, np.uint8)
    reference.row_codes(types, lookup, none, none, box, canvas, rc, codes, slots, tally)
    assert codes.tolist() == [reasons.BAD_CANVAS, reasons.KEEP]
