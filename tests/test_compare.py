"""compare: divergences and per-hexagon tests against SciPy/NumPy computed from raw centres."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import norm, wasserstein_distance

from layerheat.compare import compare
from layerheat.measures.marginals import RESOLUTION, MarginalHistograms
from layerheat.sample import sample_layers, sample_variant
from layerheat.table import LayerTable
from layerheat.taxonomy import default_taxonomy


def raw(table: LayerTable, type_id: int) -> dict[str, np.ndarray]:
    """Centres and sizes of one type in canvas fractions, straight from the columns."""
    m = table.numpy("type_id") == type_id
    x0, y0, x1, y1 = (table.numpy(c)[m] for c in ("xmin", "ymin", "xmax", "ymax"))
    w, h = table.numpy("canvas_width")[m], table.numpy("canvas_height")[m]
    return {
        "cx": (x0 + x1) / 2 / w,
        "cy": (y0 + y1) / 2 / h,
        "w": (x1 - x0) / w,
        "h": (y1 - y0) / h,
    }


def ref_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values by hand: sorted p * m / rank, cumulative min from the top."""
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(p)
    out[order] = np.minimum(q, 1)
    return out


@pytest.fixture(scope="module")
def two_seeds():
    a, b = sample_layers(designs=400, seed=0), sample_layers(designs=400, seed=1)
    return a, b, compare(a, b, metrics=False)


def test_js_and_tests_equal_scipy_on_raw_centres(two_seeds) -> None:  # noqa: ANN001
    a, b, c = two_seeds
    for t in c.types:
        ra, rb = raw(a, t.type.id), raw(b, t.type.id)
        ca, cb = t.grid.count(ra["cx"], ra["cy"]), t.grid.count(rb["cx"], rb["cy"])
        assert (ca == t.count_a).all() and (cb == t.count_b).all()
        assert t.js == pytest.approx(jensenshannon(ca, cb, base=2) ** 2, abs=1e-12)
        na, nb = len(ra["cx"]), len(rb["cx"])
        tested = (ca + cb) > 0
        p = np.ones(len(ca))
        for k in np.nonzero(tested)[0]:
            pooled = (ca[k] + cb[k]) / (na + nb)
            se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
            p[k] = 2 * norm.sf(abs(cb[k] / nb - ca[k] / na) / se) if se > 0 else 1.0
        np.testing.assert_allclose(t.p_value, p, rtol=1e-9, atol=1e-15)
        q = np.ones(len(p))
        q[tested] = ref_bh(p[tested])
        np.testing.assert_allclose(t.q_value, q, rtol=1e-9)
        np.testing.assert_allclose(t.diff, cb / nb - ca / na)


def test_w1_within_one_bin_of_scipy(two_seeds) -> None:  # noqa: ANN001
    a, b, c = two_seeds
    for t in c.types:
        ra, rb = raw(a, t.type.id), raw(b, t.type.id)
        for k, name in enumerate(("cx", "cy", "w", "h")):
            exact = wasserstein_distance(ra[name], rb[name])
            assert abs(t.w1[k] - exact) <= 1 / RESOLUTION, (t.type.id, name)


def test_identical_inputs_give_zeros_and_no_significant_hexagon() -> None:
    t = sample_layers(designs=300, seed=4)
    c = compare(t, t, metrics=False)
    for row in c.types:
        assert row.js == 0.0 and row.w1 == (0.0, 0.0, 0.0, 0.0)
        assert not row.significant.any() and not row.diff.any()


def test_same_generator_has_small_divergence_and_about_nominal_false_discoveries() -> None:
    fdr, runs, with_discovery = 0.05, 0, 0
    for seed in range(20):
        a = sample_layers(designs=150, seed=100 + seed)
        b = sample_layers(designs=150, seed=200 + seed)
        c = compare(a, b, fdr=fdr, gridsize=12, metrics=False)  # ~10 layers a hexagon
        for t in c.types:  # every discovery is false: each type has no difference at all
            runs += 1
            with_discovery += bool(t.significant.any())
            assert max(t.w1) < 2 / np.sqrt(min(t.n_a, t.n_b))  # sampling noise only
            occupied = int(((t.count_a + t.count_b) > 0).sum())
            if min(t.n_a, t.n_b) >= 5 * occupied:  # dense enough for plug-in JS to be small
                assert t.js < 0.1, (seed, t.type.id, t.js)
            assert t.js < 0.5  # sparse types: biased upward, still below a real move (0.63)
    # under the complete null, BH's FDR is the chance of any discovery: at most q
    assert with_discovery / runs <= fdr + 0.02
    assert runs == 20 * 14


def test_moving_one_type_to_the_top_right_ranks_it_first() -> None:
    c = compare(sample_layers(designs=500), sample_variant("logo-right", designs=500))
    first = c.types[0]
    assert first.type.id == 70 and first.js > 0.3 and first.significant.any()
    assert all(t.js == 0.0 for t in c.types[1:])
    right = first.centres[:, 0] > 0.5
    assert (first.diff[right & first.significant] > 0).all()
    assert (first.diff[~right & first.significant] < 0).all()


def test_marginal_histograms_merge_exactly() -> None:
    import pyarrow as pa

    from layerheat.validate import check

    tax = default_taxonomy()
    arrow = sample_layers(designs=200).arrow
    whole, first, second = (MarginalHistograms(tax) for _ in range(3))
    whole.add(check(arrow, taxonomy=tax))
    half = arrow.num_rows // 2
    first.add(check(arrow.slice(0, half), taxonomy=tax))
    second.add(check(pa.Table.from_batches(arrow.slice(half).to_batches()), taxonomy=tax))
    first.merge(pickle.loads(pickle.dumps(second)))  # partials travel pickled (Dask)
    w, m = whole.result(), first.result()
    assert (w.counts == m.counts).all() and w.designs == m.designs and w.n_designs == 200


def test_compare_cli_writes_the_folder(cli, tmp_path) -> None:  # noqa: ANN001
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    sample_layers(designs=60).write(a)
    sample_variant("logo-right", designs=60, seed=0).write(b)
    out = tmp_path / "cmp"
    result = cli("compare", a, b, "-o", out, "--label", "A", "--label", "B", "--max-iou")
    assert result.code == 0, result.err
    names = {"compare.csv", "compare-bins.csv", "scores.csv", "compare.png", "divergence.png",
             "metrics.png"}  # fmt: skip
    assert names <= {p.name for p in out.iterdir()}
    header = (out / "compare.csv").read_text().splitlines()[0]
    assert header.replace('"', "") == (
        "type_id,type_name,n_a,n_b,designs_a,designs_b,js_divergence,w1_cx,w1_cy,w1_w,w1_h"
    )
    assert (out / "compare.csv").read_text().splitlines()[1].startswith("70,")


def test_compare_cli_needs_two_sides(cli) -> None:  # noqa: ANN001
    result = cli("compare", "sample")
    assert result.code == 1 and len(result.err_lines) == 1


def test_minmax_bins_both_sides_in_the_union_of_their_extents() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a, b = sample_layers(designs=200, seed=1), sample_variant("logo-right", designs=150, seed=2)
    result = compare(a, b, scale="minmax", gridsize=12, metrics=False)
    centres = {}
    for name, side in (("a", a), ("b", b)):
        f = side.arrow.to_pandas()
        centres[name] = f.assign(cx=(f.xmin + f.xmax) / 2, cy=(f.ymin + f.ymax) / 2)
    for t in result.types:  # the oracle: matplotlib's hexbin of the union-scaled centres
        both = np.concatenate([centres[k][centres[k].type_id == t.type.id][["cx", "cy"]]
                               for k in "ab"])  # fmt: skip
        lo, hi = both.min(axis=0), both.max(axis=0)
        for k, got in (("a", t.count_a), ("b", t.count_b)):
            mine = centres[k][centres[k].type_id == t.type.id][["cx", "cy"]].to_numpy()
            span = np.where(hi > lo, hi - lo, 1.0)
            scaled = (mine - lo) / span
            want = plt.hexbin(scaled[:, 0], scaled[:, 1], gridsize=12, extent=(0, 1, 0, 1))
            plt.close("all")
            assert np.array_equal(got, want.get_array()), (t.type.name, k)
    assert result.types[0].type.id == 70  # the moved logo still ranks first


def test_other_canvases_share_the_first_sides_grid() -> None:
    from layerheat.errors import LayerheatError

    t = sample_layers(designs=20)
    with pytest.raises(LayerheatError, match="canvas or minmax"):
        compare(t, t, scale="fractions")
    tall = t.arrow.set_column(t.arrow.schema.get_field_index("canvas_height"), "canvas_height",
                              [t.numpy("canvas_height") * 3])  # fmt: skip
    # the same layers on canvases three times as tall: B's centres sit higher, same grid
    result = compare(t, LayerTable(tall), metrics=False)
    assert result.a.types[30].grid == result.b.types[30].grid


def test_sample_variant_cli_and_sides_given_with_a_and_b(cli, tmp_path) -> None:  # noqa: ANN001
    base, moved = tmp_path / "base.parquet", tmp_path / "moved.parquet"
    assert cli("sample", "-o", base, "--designs", "40").code == 0
    assert cli("sample", "-o", moved, "--designs", "40", "--variant", "logo-right").code == 0
    out = tmp_path / "cmp"
    result = cli(
        "compare", "--a", base, "--b", moved, "-o", out, "--no-metrics", "--gridsize", "10"
    )
    assert result.code == 0, result.err
    assert "Developer Logo (70)" in result.out
    assert not (out / "metrics.png").exists()


def test_every_engine_gives_the_same_comparison(engine) -> None:  # noqa: ANN001
    a, b = sample_layers(designs=300, seed=1), sample_variant("logo-right", designs=300, seed=2)
    here = compare(a, b, metrics=False, gridsize=12)
    there = compare(a, b, metrics=False, gridsize=12, engine=engine)
    assert here.summary().equals(there.summary())
    assert here.bins().equals(there.bins())
