"""layerheat's Parquet files number their designs; coverage counts designs by those
numbers when it can trust them, by the ids otherwise, with the same results."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerheat.binning.coverage_kernel import number_runs
from layerheat.errors import LayerheatError
from layerheat.measures.coverage import CoverageMaps, numbered_designs
from layerheat.measures.distinct import DistinctNumbers
from layerheat.pipeline import Pipeline
from layerheat.table import DESIGN_NUMBER_KEY, LayerTable
from layerheat.taxonomy import default_taxonomy

TAX = default_taxonomy()


def layers(n: int, seed: int, *, shuffle: bool = False) -> pa.Table:
    """Boxes on a 1000 x 600 canvas, ~7 layers a design, some ids missing or empty."""
    rng = np.random.default_rng(seed)
    ids = (np.arange(n) // 7).astype(str).astype(object)
    ids[rng.random(n) < 0.02] = None
    ids[rng.random(n) < 0.02] = ""
    x0, y0 = rng.uniform(-50, 1000, n), rng.uniform(-50, 600, n)
    table = pa.table(
        {
            "design_id": pa.array(ids, pa.string()),
            "type_id": pa.array(rng.choice([30, 70, 120], n).astype(np.int16)),
            "xmin": x0,
            "ymin": y0,
            "xmax": x0 + rng.uniform(0, 400, n),
            "ymax": y0 + rng.uniform(0, 300, n),
            "canvas_width": np.full(n, 1000.0),
            "canvas_height": np.full(n, 600.0),
        }
    )
    return table.take(rng.permutation(n)) if shuffle else table


def coverage(path, engine=None):  # noqa: ANN001, ANN201
    """The coverage result of ``path`` and the measure as the run read it."""
    with Pipeline([str(path)], taxonomy=TAX, engine=engine) as pipe:
        measure = CoverageMaps(TAX, pipe.frame, 30)
        used = measure.for_parts(pipe.parts)
        return pipe.run([measure]).partials[0].result(), used


def expected_designs(table: pa.Table) -> int:
    return len({"" if d is None else d for d in table.column("design_id").to_pylist()})


def test_write_numbers_designs_in_order_of_first_appearance(tmp_path) -> None:  # noqa: ANN001
    table = pa.table({"design_id": ["b", "a", None, "b", "", "c"]})
    path = LayerTable(
        table.append_column("type_id", pa.array([1] * 6, pa.int16()))
        .append_column("name", pa.array([""] * 6))
        .append_column("xmin", pa.array([0.0] * 6))
        .append_column("ymin", pa.array([0.0] * 6))
        .append_column("xmax", pa.array([1.0] * 6))
        .append_column("ymax", pa.array([1.0] * 6))
        .append_column("canvas_width", pa.array([2.0] * 6))
        .append_column("canvas_height", pa.array([2.0] * 6))
        .append_column("design_number", pa.array([9] * 6))  # replaced, never trusted
    ).write(tmp_path / "t.parquet")
    back = pq.read_table(path)
    # a missing id is the design "", as the row checks read it
    assert back.column("design_number").to_pylist() == [0, 1, 2, 0, 2, 3]
    assert back.schema.field("design_number").type == pa.int32()
    entry = json.loads(back.schema.metadata[DESIGN_NUMBER_KEY])
    assert entry == {"rows": 6, "designs": 4}


@pytest.mark.parametrize("shuffle", [False, True])
def test_coverage_counts_the_same_from_design_numbers_and_from_ids(tmp_path, shuffle) -> None:  # noqa: ANN001
    table = layers(30_000, 5, shuffle=shuffle)
    own = LayerTable.from_arrow(table).write(tmp_path / "own.parquet")
    plain = tmp_path / "plain.parquet"
    pq.write_table(table, plain)
    by_number, used = coverage(own)
    by_id, plain_used = coverage(plain)
    assert used.numbered is not None and used.columns == ("design_number",)
    assert plain_used.numbered is None and plain_used.columns == ("design_id",)
    assert by_number.n_designs == by_id.n_designs == expected_designs(table)
    np.testing.assert_array_equal(by_number.counts, by_id.counts)


def test_design_numbers_agree_on_engines_and_across_parts(tmp_path, engine, monkeypatch) -> None:  # noqa: ANN001
    import layerheat.sources as sources

    monkeypatch.setattr(sources, "PART_ROWS", 1000)  # many parts, merged in order
    table = layers(20_000, 8, shuffle=True)
    own = tmp_path / "own.parquet"
    pq.write_table(pq.read_table(LayerTable.from_arrow(table).write(own)), own, row_group_size=900)
    local, used = coverage(own)
    other, _ = coverage(own, engine)
    assert used.numbered is not None
    assert local.n_designs == other.n_designs == expected_designs(table)
    np.testing.assert_array_equal(local.counts, other.counts)


def _rewrite(path, table: pa.Table, **kwargs) -> None:  # noqa: ANN001
    pq.write_table(table, path, **kwargs)


@pytest.mark.parametrize(
    "edit",
    [
        "filtered",  # rows dropped by another tool: the footer entry no longer matches
        "concatenated",  # two files' numbers collide
        "int64",
        "float",
        "negative",
        "too large",
        "null",
        "no statistics",
        "no entry",
    ],
)
def test_design_numbers_not_trusted_fall_back_to_the_ids(tmp_path, edit) -> None:  # noqa: ANN001
    table = layers(4000, 2)
    own = LayerTable.from_arrow(table).write(tmp_path / "own.parquet")
    back = pq.read_table(own)
    col = back.schema.get_field_index("design_number")
    numbers = back.column("design_number")
    kwargs = {}
    if edit == "filtered":
        back = back.slice(100)
    elif edit == "concatenated":
        other = pq.read_table(LayerTable.from_arrow(layers(3000, 3)).write(tmp_path / "b.parquet"))
        back = pa.concat_tables([back, other.replace_schema_metadata(back.schema.metadata)])
    elif edit == "int64":
        back = back.set_column(col, "design_number", numbers.cast(pa.int64()))
    elif edit == "float":
        back = back.set_column(col, "design_number", numbers.cast(pa.float64()))
    elif edit == "negative":
        back = back.set_column(col, "design_number", pa.compute.subtract(numbers, 1))
    elif edit == "too large":
        back = back.set_column(col, "design_number", pa.compute.add(numbers, 1))
    elif edit == "null":
        mask = np.zeros(len(back), bool)
        mask[7] = True
        nulled = pa.compute.if_else(pa.array(mask), pa.scalar(None, pa.int32()), numbers)
        back = back.set_column(col, "design_number", nulled)
    elif edit == "no statistics":
        kwargs["write_statistics"] = False
    elif edit == "no entry":
        back = back.replace_schema_metadata({})
    _rewrite(own, back, **kwargs)
    result, used = coverage(own)
    expected = back if edit in ("filtered", "concatenated") else table
    assert used.numbered is None, edit
    assert result.n_designs == expected_designs(expected)


def test_rows_of_two_files_mixed_to_the_same_row_count_are_an_error(tmp_path) -> None:  # noqa: ANN001
    a = pq.read_table(LayerTable.from_arrow(layers(4000, 2)).write(tmp_path / "a.parquet"))
    b = pq.read_table(LayerTable.from_arrow(layers(4000, 3)).write(tmp_path / "b.parquet"))
    mixed = pa.concat_tables([a.slice(0, 2000), b.slice(0, 2000)])  # a's footer entry
    pq.write_table(mixed, tmp_path / "mixed.parquet")
    with pytest.raises(LayerheatError, match="holds 2.. distinct numbers but the file says"):
        coverage(tmp_path / "mixed.parquet")


def test_numbers_outside_the_stated_designs_are_an_error_not_a_count() -> None:
    nums = DistinctNumbers(5, "f.parquet")
    nums.add(pa.array([0, 1, 2, 3, 4], pa.int32()))
    assert len(nums) == 5
    for bad in ([0, 1, 5], [4, 5], [-1], [2, 3, 4, 5]):  # 5 right after a run ending at 4
        with pytest.raises(LayerheatError, match="outside 0..4"):
            DistinctNumbers(5, "f.parquet").add(pa.array(bad, pa.int32()))
    with pytest.raises(LayerheatError, match="missing numbers"):
        DistinctNumbers(5, "f.parquet").add(pa.array([1, None], pa.int32()))
    with pytest.raises(LayerheatError, match="type int64"):
        DistinctNumbers(5, "f.parquet").add(pa.array([1], pa.int64()))


def test_a_csv_with_design_numbers_is_counted_by_its_ids(tmp_path) -> None:  # noqa: ANN001
    table = layers(2000, 4)
    table = table.append_column("design_number", pa.array(np.zeros(2000, np.int32)))
    pacsv.write_csv(table, tmp_path / "t.csv")
    result, used = coverage(tmp_path / "t.csv")
    assert used.numbered is None and result.n_designs == expected_designs(table)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), max_size=60), max_size=6),
    st.integers(0, 3),
)
def test_distinct_numbers_equal_a_set_in_any_order_and_merge(batches, split) -> None:
    whole = DistinctNumbers(41, "f")
    parts = [DistinctNumbers(41, "f") for _ in range(2)]
    for i, batch in enumerate(batches):
        values = pa.array(batch, pa.int32())
        whole.add(values)
        parts[i >= split].add(values)
    parts[0].merge(parts[1])
    expected = len({v for batch in batches for v in batch})
    assert len(whole) == len(parts[0]) == expected


def test_number_runs_cover_exactly_the_numbers_seen() -> None:
    rng = np.random.default_rng(0)
    values = np.repeat(rng.permutation(1000), rng.integers(1, 5, 1000)).astype(np.int32)
    values = values[: len(values) // 2]
    starts, stops = np.empty(len(values), np.int64), np.empty(len(values), np.int64)
    m = number_runs(values, 1000, starts, stops)
    covered = np.concatenate([np.arange(a, b) for a, b in zip(starts[:m], stops[:m])])
    assert set(covered.tolist()) == set(values.tolist())
    grouped = np.repeat(np.arange(50), 7).astype(np.int32)
    assert number_runs(grouped, 50, starts, stops) == 1  # one range per grouped batch


def test_numbered_designs_needs_one_parquet_file(tmp_path) -> None:  # noqa: ANN001
    from layerheat.sources import make_parts, open_sources

    table = layers(500, 1)
    own = LayerTable.from_arrow(table).write(tmp_path / "own.parquet")
    one = make_parts(open_sources([str(own)], taxonomy=TAX))
    assert numbered_designs(one) == (str(own), expected_designs(table))
    assert numbered_designs(one[:0]) is None
    twice = make_parts(open_sources([str(own), str(own)], taxonomy=TAX))
    assert numbered_designs(twice) is None  # two inputs: their ids are deduplicated
