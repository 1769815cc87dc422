"""Size maps equal matplotlib's hexbin of (w, h); coverage equals a brute-force count."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from layerheat.measures.coverage import CoverageMaps, grid_shape  # noqa: E402
from layerheat.measures.sizes import SizeMaps  # noqa: E402
from layerheat.pipeline import Pipeline  # noqa: E402
from layerheat.taxonomy import default_taxonomy  # noqa: E402

TAX = default_taxonomy()
W, H = 1000.0, 600.0


def boxes(n: int, seed: int, lattice: bool = False) -> pa.Table:
    """Random boxes, some on cell edges (a coarse lattice), zero-area and partly outside."""
    rng = np.random.default_rng(seed)
    if lattice:  # values on multiples of 1/40 of the canvas: exactly on cell edges
        x0 = rng.integers(-4, 40, n) * W / 40
        y0 = rng.integers(-4, 40, n) * H / 40
        x1 = x0 + rng.integers(0, 20, n) * W / 40
        y1 = y0 + rng.integers(0, 20, n) * H / 40
    else:
        x0 = rng.uniform(-100, W, n)
        y0 = rng.uniform(-100, H, n)
        x1 = x0 + rng.uniform(0, 500, n) * (rng.random(n) > 0.05)  # some zero-area
        y1 = y0 + rng.uniform(0, 300, n)
    return pa.table(
        {
            "design_id": pa.array((np.arange(n) // 7).astype(str)),
            "type_id": pa.array(rng.choice([30, 70, 120], n).astype(np.int16)),
            "xmin": x0,
            "ymin": y0,
            "xmax": x1,
            "ymax": y1,
            "canvas_width": np.full(n, W),
            "canvas_height": np.full(n, H),
        }
    )


def run(table, measure_of):  # noqa: ANN001, ANN202
    with Pipeline(table, taxonomy=TAX) as pipe:
        total = pipe.run([measure_of(pipe)])
    return total.partials[0].result()


def usable(table: pa.Table):  # noqa: ANN202
    """Boxes clipped to the canvas; rows wholly outside left out (as the checks do)."""
    x0, y0, x1, y1 = (table.column(c).to_numpy() for c in ("xmin", "ymin", "xmax", "ymax"))
    t = table.column("type_id").to_numpy()
    keep = ~((x1 < 0) | (y1 < 0) | (x0 > W) | (y0 > H))
    c = [np.clip(v[keep], 0, lim) for v, lim in ((x0, W), (y0, H), (x1, W), (y1, H))]
    return t[keep], c


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 60), st.booleans())
def test_size_maps_equal_matplotlib_hexbin_of_w_and_h(seed: int, gridsize: int, lattice: bool):
    table = boxes(300, seed, lattice)
    sizes = run(table, lambda pipe: SizeMaps(TAX, gridsize))
    t, (x0, y0, x1, y1) = usable(table)
    for i, layer_type in enumerate(TAX):
        m = t == layer_type.id
        fig, ax = plt.subplots()
        poly = ax.hexbin((x1 - x0)[m] / W, (y1 - y0)[m] / H, gridsize=gridsize, extent=(0, 1, 0, 1))
        expected = np.asarray(poly.get_array(), dtype=np.int64)
        plt.close(fig)
        np.testing.assert_array_equal(sizes.counts[i], expected, err_msg=layer_type.label)


def test_source_formula_counts_values_beyond_one_as_outside() -> None:
    table = boxes(500, 3)
    source = run(table, lambda pipe: SizeMaps(TAX, 20, formula="source"))
    canvas = run(table, lambda pipe: SizeMaps(TAX, 20))
    assert source.counts.sum() + source.outside.sum() == canvas.counts.sum()
    assert canvas.outside.sum() == 0 and source.outside.sum() >= 0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 80), st.booleans())
def test_coverage_equals_a_brute_force_test_of_every_centre(seed: int, resolution: int, lattice):
    table = boxes(200, seed, lattice)
    cov = run(table, lambda pipe: CoverageMaps(TAX, pipe.frame, resolution))
    nx, ny = grid_shape((W, H), resolution)
    cx = (np.arange(nx) + 0.5) / nx
    cy = (np.arange(ny) + 0.5) / ny
    t, (x0, y0, x1, y1) = usable(table)
    for i, layer_type in enumerate(TAX):
        m = t == layer_type.id
        inside_x = (x0[m, None] / W <= cx) & (cx < x1[m, None] / W)  # boxes x cells
        inside_y = (y0[m, None] / H <= cy) & (cy < y1[m, None] / H)
        expected = np.einsum("bj,bi->ji", inside_y.astype(np.int64), inside_x.astype(np.int64))
        np.testing.assert_array_equal(cov.counts[i], expected, err_msg=layer_type.label)
    assert cov.n_designs == len(set(table.column("design_id").to_pylist()))


def test_measures_merge_exactly_and_agree_on_every_engine(engine) -> None:  # noqa: ANN001
    table = boxes(5000, 11)
    whole = run(table, lambda pipe: CoverageMaps(TAX, pipe.frame, 40))
    with Pipeline(table, taxonomy=TAX, engine=engine) as pipe:
        total = pipe.run([CoverageMaps(TAX, pipe.frame, 40), SizeMaps(TAX, 15)])
    cov, sizes = (p.result() for p in total.partials)
    np.testing.assert_array_equal(cov.counts, whole.counts)
    np.testing.assert_array_equal(sizes.counts, run(table, lambda p: SizeMaps(TAX, 15)).counts)
    halves = [table.slice(0, 2500), table.slice(2500)]
    a, b = (CoverageMaps(TAX, (W, H), 40).accumulator() for _ in halves)
    for acc, half in zip((a, b), halves, strict=True):
        with Pipeline(half, taxonomy=TAX) as pipe:
            part = pipe.run([CoverageMaps(TAX, (W, H), 40)]).partials[0]
        acc.merge(part)
    a.merge(b)
    np.testing.assert_array_equal(a.result().counts, whole.counts)


def test_heatmaps_measure_writes_sizes_and_coverage_beside_the_centres(cli, tmp_path) -> None:  # noqa: ANN001
    import pyarrow.csv as pacsv

    out = tmp_path / "m"
    result = cli(
        "heatmaps",
        "--measure",
        "size",
        "--measure",
        "coverage",
        "--gridsize",
        "10",
        "--resolution",
        "20",
        "-o",
        out,
        "-q",
    )
    assert result.code == 0, result.err
    names = {p.name for p in out.iterdir()}
    assert {"sizes.csv", "coverage.csv", "sizes-summary.png", "coverage-summary.png"} <= names
    assert "bins.csv" not in names  # centres were not asked for
    sizes = pacsv.read_csv(out / "sizes.csv").to_pandas()
    assert list(sizes.columns) == ["type_id", "type_name", "w", "h", "count"]
    assert sizes["count"].sum() == 34969
    coverage = pacsv.read_csv(out / "coverage.csv").to_pandas()
    assert list(coverage.columns) == ["type_id", "type_name", "x", "y", "coverage"]
    assert 0 < coverage["coverage"].max() < 2


def test_compiled_size_pass_equals_the_numpy_path() -> None:
    from layerheat.binning.reference import SMALL_BATCH

    table = boxes(SMALL_BATCH + 5000, 5)  # one batch: the compiled pass
    for formula in ("canvas", "source"):
        whole = run(table, lambda pipe, f=formula: SizeMaps(TAX, 25, formula=f))
        acc = SizeMaps(TAX, 25, formula=formula).accumulator()
        for start in range(0, table.num_rows, 10_000):  # small batches: the NumPy path
            with Pipeline(table.slice(start, 10_000), taxonomy=TAX) as pipe:
                acc.merge(pipe.run([SizeMaps(TAX, 25, formula=formula)]).partials[0])
        np.testing.assert_array_equal(whole.counts, acc.result().counts)
        np.testing.assert_array_equal(whole.outside, acc.result().outside)
        assert whole.counts.sum() + whole.outside.sum() > 0


def test_distinct_ids_count_repeats_apart_across_batches_and_with_nulls() -> None:
    from layerheat.measures.distinct import DistinctIds

    ids = DistinctIds()
    ids.add(pa.array(["a", "a", "b", "a", "c", "c"]))
    ids.add(pa.chunked_array([["c", "d"], ["d", "b"], []]))
    ids.add(pa.array(["e", None, None, "e"]))
    other = DistinctIds()
    other.add(pa.array(["f", "a"], type=pa.large_string()))
    ids.merge(other)
    assert ids.values().to_pylist() == ["a", "b", "c", "d", "e", None, "f"]
