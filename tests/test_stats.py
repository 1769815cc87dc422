"""Type statistics, co-occurrence and relative placement equal independent references.

The references are computed from the raw rows with pandas groupby, numpy.percentile and
brute-force pairs binned by matplotlib's hexbin; the measures run on parts that split
designs, on every engine.
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import pytest  # noqa: E402

import layerheat.sources as sources  # noqa: E402
from layerheat.measures.stats import (  # noqa: E402
    ASPECT_BINS,
    ASPECT_RANGE,
    FRACTION_BINS,
    RelativePlacement,
    TypeStats,
)
from layerheat.pipeline import Pipeline  # noqa: E402
from layerheat.sample import sample_layers  # noqa: E402
from layerheat.taxonomy import default_taxonomy  # noqa: E402

TAX = default_taxonomy()
#: half a bin, and a little for the round-off of computing a bin from a value
HALF_FRACTION = 0.5 / FRACTION_BINS + 1e-12
HALF_LOG2 = 0.5 * (ASPECT_RANGE[1] - ASPECT_RANGE[0]) / ASPECT_BINS + 1e-12


def random_layers(n: int = 6000, seed: int = 3) -> pa.Table:
    """Shuffled rows of ~400 designs on two canvases; boxes partly outside, some thin."""
    rng = np.random.default_rng(seed)
    design = rng.integers(0, 400, n)
    canvas = np.where(design % 2, 1000.0, 600.0), np.where(design % 2, 600.0, 900.0)
    w, h = canvas
    x0 = rng.uniform(-0.1, 0.95, n) * w
    y0 = rng.uniform(-0.1, 0.95, n) * h
    x1 = x0 + rng.uniform(0, 0.5, n) * w * (rng.random(n) > 0.03)  # some zero width
    y1 = y0 + rng.uniform(0, 0.4, n) * h
    return pa.table(
        {
            "design_id": pa.array([f"d{d}" for d in design]),
            "type_id": pa.array(rng.choice([30, 40, 70, 120, 140], n, p=[0.3, 0.2, 0.1, 0.3, 0.1])),
            "xmin": x0,
            "ymin": y0,
            "xmax": x1,
            "ymax": y1,
            "canvas_width": w,
            "canvas_height": h,
        }
    )


def frame(table: pa.Table) -> pd.DataFrame:
    """The raw rows as the checks leave them: boxes clipped to their canvas, in fractions."""
    df = table.to_pandas()
    w, h = df["canvas_width"], df["canvas_height"]
    x0, x1 = df["xmin"].clip(0, w), df["xmax"].clip(0, w)
    y0, y1 = df["ymin"].clip(0, h), df["ymax"].clip(0, h)
    return pd.DataFrame(
        {
            "design_id": df["design_id"],
            "type_id": df["type_id"],
            "cx": (x0 + x1) / 2 / w,
            "cy": (y0 + y1) / 2 / h,
            "w": (x1 - x0) / w,
            "h": (y1 - y0) / h,
            "w_px": x1 - x0,
            "h_px": y1 - y0,
        }
    )


def reference_types(df: pd.DataFrame) -> pd.DataFrame:
    """types.csv's count and moment columns by pandas groupby."""
    g = df.groupby("type_id")
    per_design = df.groupby(["type_id", "design_id"]).size().groupby(level=0)
    out = pd.DataFrame(
        {
            "layers": g.size(),
            "designs": g["design_id"].nunique(),
            "per_design_mean": per_design.mean(),
            "per_design_max": per_design.max(),
            "cx_mean": g["cx"].mean(),
            "cx_sd": g["cx"].std(),
            "cy_mean": g["cy"].mean(),
            "cy_sd": g["cy"].std(),
        }
    )
    out["design_share"] = out["designs"] / df["design_id"].nunique()
    return out


def reference_cooccurrence(df: pd.DataFrame) -> pd.DataFrame:
    """Designs with both types of every pair, Jaccard and lift, from a design x type table."""
    has = (pd.crosstab(df["design_id"], df["type_id"]) > 0).astype(np.int64)
    both = has.T @ has
    n, count = len(has), has.sum()
    rows = []
    ids = sorted(has.columns)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            k = both.loc[a, b]
            rows.append((a, b, k, k / (count[a] + count[b] - k), k * n / (count[a] * count[b])))
    return pd.DataFrame(rows, columns=["type_a_id", "type_b_id", "designs_both", "jaccard", "lift"])


def check_against_reference(result, df: pd.DataFrame) -> None:  # noqa: ANN001
    got = result.types_table().to_pandas().set_index("type_id")
    ref = reference_types(df)
    assert list(got.index) == list(ref.index)
    for col in ("layers", "designs", "per_design_max"):
        np.testing.assert_array_equal(got[col].to_numpy(), ref[col].to_numpy(), err_msg=col)
    for col in ("design_share", "per_design_mean", "cx_mean", "cx_sd", "cy_mean", "cy_sd"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-9, atol=1e-12, err_msg=col)
    for type_id, rows in df.groupby("type_id"):
        values = {q: rows[q].to_numpy() for q in ("cx", "cy", "w", "h")}
        values["area"] = rows["w"].to_numpy() * rows["h"].to_numpy()
        sized = (rows["w_px"] > 0) & (rows["h_px"] > 0)
        log2 = np.log2(rows["w_px"][sized] / rows["h_px"][sized]).to_numpy()
        for q in (5, 50, 95):
            for name, v in values.items():
                exact = np.percentile(v, q, method="inverted_cdf")
                assert abs(got.loc[type_id, f"{name}_p{q}"] - exact) <= HALF_FRACTION, (name, q)
            exact = np.percentile(log2, q, method="inverted_cdf")
            assert abs(np.log2(got.loc[type_id, f"aspect_p{q}"]) - exact) <= HALF_LOG2, q
    co = result.cooccurrence_table().to_pandas()
    ref_co = reference_cooccurrence(df)
    keys = ["type_a_id", "type_b_id", "designs_both"]
    np.testing.assert_array_equal(co[keys], ref_co[keys])
    np.testing.assert_allclose(co[["jaccard", "lift"]], ref_co[["jaccard", "lift"]], rtol=1e-12)


def run(data, measures, engine=None):  # noqa: ANN001, ANN201 - the results of one pass
    with Pipeline(data, taxonomy=TAX, engine=engine) as pipe:
        total = pipe.run(measures)
        parts = len(pipe.parts)
    return [p.result() for p in total.partials], parts


def test_sample_equals_pandas_groupby_reference() -> None:
    table = sample_layers(designs=200).arrow
    (result,), _ = run(table, [TypeStats(TAX)])
    assert result.n_designs == 200
    check_against_reference(result, frame(table))


@pytest.fixture
def split_parquet(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """Random rows in a Parquet file of many parts; every design's rows are spread out."""
    table = random_layers()
    path = tmp_path / "layers.parquet"
    pq.write_table(table, path, row_group_size=500)
    # parts of two row groups; batches are left alone, as Dask workers (other processes)
    # would not see a smaller BATCH_ROWS, and float sums depend on the batches' order
    monkeypatch.setattr(sources, "PART_ROWS", 1000)
    return path, table


def test_designs_split_across_parts_equal_the_reference_on_every_engine(
    split_parquet, engine
) -> None:  # noqa: ANN001
    from layerheat.engines import LocalEngine

    path, table = split_parquet
    measures = [TypeStats(TAX), RelativePlacement(TAX, ((30, 120), (120, 120)), 15)]
    (result, rel), parts = run(str(path), measures, engine)
    assert parts >= 6
    part_of_row = pd.Series(np.arange(len(table)) // 1000)
    split = part_of_row.groupby(table.column("design_id").to_numpy()).nunique() > 1
    assert split.mean() > 0.9  # most designs have rows in several parts
    df = frame(table).loc[lambda d: ~_wholly_outside(table)]
    check_against_reference(result, df)
    with LocalEngine(1) as one:
        (base, base_rel), _ = run(str(path), measures, one)
    assert result.types_table().equals(base.types_table())
    assert result.cooccurrence_table().equals(base.cooccurrence_table())
    for got, expected in zip(rel, base_rel, strict=True):
        np.testing.assert_array_equal(got.counts, expected.counts)


def _wholly_outside(table: pa.Table) -> np.ndarray:
    c = {k: table.column(k).to_numpy() for k in table.column_names if k != "design_id"}
    return (
        (c["xmax"] < 0)
        | (c["ymax"] < 0)
        | (c["xmin"] > c["canvas_width"])
        | (c["ymin"] > c["canvas_height"])
    )


def brute_force_offsets(df: pd.DataFrame, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (A, B) layer pair of each design (A == B: two different layers)."""
    dx, dy = [], []
    for _, rows in df.groupby("design_id"):
        first, second = rows[rows["type_id"] == a], rows[rows["type_id"] == b]
        ox = np.subtract.outer(first["cx"].to_numpy(), second["cx"].to_numpy())
        oy = np.subtract.outer(first["cy"].to_numpy(), second["cy"].to_numpy())
        keep = ~np.eye(*ox.shape, dtype=bool) if a == b else np.ones(ox.shape, bool)
        dx.append(-ox[keep])  # B - A
        dy.append(-oy[keep])
    return np.concatenate(dx), np.concatenate(dy)


@pytest.mark.parametrize("gridsize", [7, 20])
def test_relative_placement_equals_brute_force_pairs_binned_by_matplotlib(
    split_parquet, gridsize
) -> None:  # noqa: ANN001
    path, table = split_parquet
    pairs = ((30, 120), (120, 30), (120, 120), (70, 140))
    (maps,), _ = run(str(path), [RelativePlacement(TAX, pairs, gridsize)])
    df = frame(table).loc[lambda d: ~_wholly_outside(table)]
    for (a, b), rel in zip(pairs, maps, strict=True):
        dx, dy = brute_force_offsets(df, a, b)
        fig, ax = plt.subplots()
        poly = ax.hexbin(dx, dy, gridsize=gridsize, extent=(-1, 1, -1, 1))
        expected = np.asarray(poly.get_array(), dtype=np.int64)
        plt.close(fig)
        np.testing.assert_array_equal(rel.counts, expected, err_msg=f"{a}:{b}")
        assert rel.n_pairs == len(dx) == rel.counts.sum()
        table_out = rel.to_arrow()
        assert table_out.column_names[-3:] == ["dx", "dy", "count"]
        assert table_out.column("count").to_numpy().sum() == len(dx)


def test_cli_writes_exactly_the_files_of_its_manifest(cli, tmp_path) -> None:  # noqa: ANN001
    data = tmp_path / "layers.parquet"
    pq.write_table(sample_layers(designs=150).arrow, data)
    out = tmp_path / "out"
    result = cli("stats", data, "-o", out, "-q", "--pair", "30:40", "--pair", "70:70")
    assert result.code == 0, result.err
    manifest = json.loads((out / "layerheat.json").read_text())
    names = {p.name for p in out.iterdir()}
    assert names == set(manifest["files"])
    expected = {"types.csv", "cooccurrence.csv", "layerheat.json"}
    expected |= {f"relative-{p}.{ext}" for p in ("30-40", "70-70") for ext in ("csv", "png")}
    assert names == expected
    assert manifest["command"] == "stats" and manifest["options"]["pairs"] == [[30, 40], [70, 70]]
    assert manifest["designs"] == 150
    types = pacsv.read_csv(out / "types.csv").to_pandas()
    check_against_reference_types_csv(types, sample_layers(designs=150).arrow)
    assert str(out / "types.csv") in result.out and result.err == ""


def check_against_reference_types_csv(types: pd.DataFrame, table: pa.Table) -> None:
    ref = reference_types(frame(table))
    np.testing.assert_array_equal(types["layers"], ref["layers"])
    np.testing.assert_array_equal(types["designs"], ref["designs"])


def test_cli_default_pairs_are_the_three_most_frequent(cli, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    assert cli("stats", "-o", out, "-q").code == 0
    co = pacsv.read_csv(out / "cooccurrence.csv").to_pandas()
    top = co.sort_values(["designs_both", "type_a_id", "type_b_id"], ascending=[False, True, True])
    wanted = {f"relative-{a}-{b}.csv" for a, b in top[["type_a_id", "type_b_id"]].values[:3]}
    assert {p.name for p in out.glob("relative-*.csv")} == wanted


def test_points_without_design_ids_give_types_only_and_one_note(cli, write, tmp_path) -> None:  # noqa: ANN001
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 1000, (50, 2))
    path = write("30points.csv", "".join(f"{x:.1f},{y / 2:.1f}\n" for x, y in xy))
    out = tmp_path / "out"
    result = cli("stats", path, "-o", out, "-q", "--canvas", "1000x500")
    assert result.code == 0, result.err
    assert len(result.err_lines) == 1 and "design_id" in result.err_lines[0]
    assert result.err_lines[0].startswith("layerheat: note: ")
    assert {p.name for p in out.iterdir()} == {"types.csv", "layerheat.json"}
    types = pacsv.read_csv(out / "types.csv").to_pandas()
    assert types["layers"].tolist() == [50]
    design_columns = ["designs", "design_share", "per_design_mean", "per_design_max"]
    assert types[design_columns].isna().all(axis=None)
    assert types["cx_mean"].iloc[0] == pytest.approx(xy[:, 0].mean() / 1000, abs=1e-4)
    assert pd.isna(types["aspect_p50"].iloc[0])  # points have no aspect
    # relative placement asked for by name: a clear error, nothing written
    options = ["-q", "--canvas", "1000x500", "--pair", "30:30"]
    again = cli("stats", path, "-o", tmp_path / "o2", *options)
    assert again.code == 1 and len(again.err_lines) == 1 and "design_id" in again.err
    assert not (tmp_path / "o2").exists()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["nope.csv"], "nope.csv"),
        (["--pair", "30-40"], "--pair '30-40'"),
        (["--pair", "30:999"], "999"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(cli, tmp_path, args, fragment) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    result = cli("stats", *args, "-o", out, "-q")
    assert result.code == 1
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith("layerheat: error: ")
    assert fragment in result.err and "Traceback" not in result.err
    assert not out.exists()


def test_design_counts_fold_exactly_and_co_occurrence_is_has_t_has(monkeypatch) -> None:
    import pyarrow as pa

    from layerheat.measures import stats as stats_module
    from layerheat.measures.stats import DesignCounts, co_occurrence

    monkeypatch.setattr(stats_module, "_FOLD_ROWS", 7)  # fold often: the path 100 M takes
    rng = np.random.default_rng(4)
    design = rng.integers(0, 300, 5000).astype(str)
    slots = rng.integers(0, 14, 5000)
    parts = [DesignCounts(14) for _ in range(3)]
    for k, start in enumerate(range(0, 5000, 250)):  # batches spread over three partials
        parts[k % 3].add(pa.array(design[start : start + 250]), slots[start : start + 250])
    parts[0].merge(parts[1])
    parts[0].merge(parts[2])
    got = parts[0].counts()
    want = pd.crosstab(pd.Series(design, name="d"), pd.Series(slots, name="t"))
    want = want.reindex(columns=range(14), fill_value=0)
    ids = parts[0].ids().to_pylist()
    assert sorted(ids) == sorted(want.index) and got.sum() == 5000
    assert np.array_equal(got, want.loc[ids].to_numpy())
    has = got > 0
    assert np.array_equal(co_occurrence(has), has.astype(np.int64).T @ has.astype(np.int64))


def grouped_layers(seed: int = 5) -> pa.Table:
    """random_layers with each design's rows together, except 12 designs whose rows are
    spread out (some rows moved to the end): runs that cross batches and parts, and
    designs that are not one run, for the split path."""
    table = random_layers(seed=seed)
    design = np.array([int(d[1:]) for d in table.column("design_id").to_pylist()])
    order = np.argsort(design, kind="stable")
    moved = np.isin(design[order], np.arange(0, 400, 33)) & (np.arange(len(order)) % 2 == 0)
    return table.take(np.concatenate([order[~moved], order[moved]]))


def test_relative_placement_bins_grouped_designs_as_they_end(tmp_path, monkeypatch) -> None:
    from layerheat.stats import type_stats

    table = grouped_layers()
    path = tmp_path / "grouped.parquet"
    pq.write_table(table, path, row_group_size=500)
    monkeypatch.setattr(sources, "PART_ROWS", 1000)
    monkeypatch.setattr(sources, "BATCH_ROWS", 170)  # runs cross batches and parts
    pairs = ((30, 120), (120, 120), (70, 140))
    stats = type_stats(str(path), pairs=pairs, gridsize=9, taxonomy=TAX)
    split = set(stats.types.split.to_pylist())
    assert {f"d{d}" for d in range(0, 400, 33)} <= split and len(split) < 40
    df = frame(table).loc[lambda d: ~_wholly_outside(table)]
    check_against_reference(stats.types, df)
    with Pipeline(str(path), taxonomy=TAX) as pipe:  # every centre kept: the old path
        (kept,) = pipe.run([RelativePlacement(TAX, pairs, 9)]).partials
    for (a, b), rel, old in zip(pairs, stats.relative, kept.result(), strict=True):
        dx, dy = brute_force_offsets(df, a, b)
        fig, ax = plt.subplots()
        poly = ax.hexbin(dx, dy, gridsize=9, extent=(-1, 1, -1, 1))
        expected = np.asarray(poly.get_array(), dtype=np.int64)
        plt.close(fig)
        np.testing.assert_array_equal(rel.counts, expected, err_msg=f"{a}:{b}")
        assert rel.n_pairs == len(dx) == old.n_pairs
        assert rel.n_designs == old.n_designs > 0


def test_grouped_designs_give_the_same_numbers_on_every_engine(tmp_path, engine) -> None:  # noqa: ANN001
    from layerheat.engines import LocalEngine
    from layerheat.stats import type_stats

    path = tmp_path / "grouped.parquet"
    pq.write_table(grouped_layers(seed=6), path, row_group_size=700)
    pairs = ((30, 120), (40, 40))
    got = type_stats(str(path), pairs=pairs, gridsize=11, taxonomy=TAX, engine=engine)
    with LocalEngine(1) as one:
        base = type_stats(str(path), pairs=pairs, gridsize=11, taxonomy=TAX, engine=one)
    assert got.types.types_table().equals(base.types.types_table())
    assert got.types.split.to_pylist() == base.types.split.to_pylist()
    for rel, expected in zip(got.relative, base.relative, strict=True):
        np.testing.assert_array_equal(rel.counts, expected.counts)
        assert (rel.n_pairs, rel.n_designs) == (expected.n_pairs, expected.n_designs)


def test_design_counts_widen_past_uint8_and_note_runs() -> None:
    import pyarrow as pa

    from layerheat.measures.stats import DesignCounts

    counts = DesignCounts(3)
    counts.add(pa.array(["a"] * 200 + ["b"] * 2), np.zeros(202, np.int64))
    counts.add(pa.array(["b"] + ["a"] * 100), np.r_[1, np.zeros(100, np.int64)])  # b goes on
    other = DesignCounts(3)
    other.add(pa.array(["c", "a"] * 70_000), np.tile([2, 0], 70_000))  # past uint16 too
    counts.merge(other)
    got = dict(zip(counts.ids().to_pylist(), counts.counts().tolist(), strict=True))
    assert got == {"a": [70_300, 0, 0], "b": [2, 1, 0], "c": [0, 0, 70_000]}
    assert sorted(counts.split().to_pylist()) == ["a", "c"]  # b is one run
