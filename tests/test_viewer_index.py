"""The viewer's design index against oracles: pandas ``groupby('design_id')`` over the
rows the whole-table read keeps, and a plain-Python search over those rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from layerheat.errors import LayerheatError
from layerheat.sources import read_layers
from layerheat.viewer.index import DesignIndex, IndexOptions
from layerheat.viewer.model import ViewerModel

WORDS = ["poster", "x1", "Flyer", "hero", "TITLE", "price 2", "7", "zz-none"]


def messy_parquet(path, rows: int = 3000, seed: int = 4, group: int = 211) -> None:
    """Layers of ~300 designs, rows shuffled so most designs span several row groups of
    ``group`` rows; some rows fail the checks (unknown type, inverted box, no canvas),
    some have no design id (they belong to the file-stem design), one design has only
    bad rows."""
    rng = np.random.default_rng(seed)
    kinds = np.array(["poster", "flyer", "card"])
    n_designs = 300
    design = rng.integers(0, n_designs, rows)
    ids = np.array([f"{kinds[d % 3]}-{d:03d}" for d in design], dtype=object)
    ids[rng.random(rows) < 0.01] = None
    types = rng.choice([10, 30, 70, 90, 120, 999], rows, p=[0.2, 0.2, 0.2, 0.2, 0.15, 0.05])
    x0 = rng.uniform(0, 800, rows)
    y0 = rng.uniform(0, 400, rows)
    x1 = x0 + rng.uniform(-20, 300, rows)  # some inverted
    y1 = y0 + rng.uniform(1, 200, rows)
    cw = np.full(rows, 1000.0)
    cw[rng.random(rows) < 0.02] = np.nan
    names = rng.choice(["Hero image", "Title", "Price 2", "logo", None, "Flyer X1"], rows)
    bad = ids == "card-297"
    types[bad] = 999  # this design has no usable layer
    table = pa.table(
        {
            "design_id": pa.array(ids, pa.string()),
            "type_id": pa.array(types, pa.int64()),
            "name": pa.array(names, pa.string()),
            "xmin": x0,
            "ymin": y0,
            "xmax": x1,
            "ymax": y1,
            "canvas_width": cw,
            "canvas_height": np.full(rows, 500.0),
        }
    )
    pq.write_table(table, path, row_group_size=group)


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    path = tmp_path_factory.mktemp("index") / "messy.parquet"
    messy_parquet(path)
    return path


@pytest.fixture(scope="module")
def oracle(messy) -> pd.DataFrame:
    table, _ = read_layers([messy], require_canvas=False, canvas=(1000.0, 500.0))
    return table.arrow.to_pandas()


@pytest.fixture(scope="module")
def index(messy) -> DesignIndex:
    return DesignIndex.build([str(messy)], IndexOptions(canvas=(1000.0, 500.0)))


def test_the_file_really_splits_designs_across_row_groups(messy, index, oracle):
    assert pq.ParquetFile(messy).metadata.num_row_groups > 10
    assert len(oracle) < 3000 - 200  # the checks skip rows
    groups_per_design = np.diff(index.offsets)
    assert groups_per_design.max() > 3 and len(index) > 250


def test_index_lists_the_designs_groupby_finds_in_first_appearance_order(index, oracle):
    want = list(dict.fromkeys(oracle["design_id"]))  # first appearance, usable rows only
    assert index.designs.to_pylist() == want
    assert "messy" in want  # rows without a design id: the file's stem, as everywhere
    assert "card-297" not in want  # only unusable rows
    sizes = oracle.groupby("design_id", sort=False).size()
    assert index.layers.tolist() == [int(sizes[d]) for d in want]


def test_each_designs_layers_are_the_rows_groupby_finds(index, oracle):
    groups = dict(tuple(oracle.groupby("design_id", sort=False)))
    for position, design in enumerate(index.designs.to_pylist()):
        got = index.layers_of(position).arrow.to_pandas()
        want = groups[design].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=True)


def test_type_counts_match_pandas(index, oracle):
    layers = oracle.groupby("type_id").size()
    designs = oracle.groupby("type_id")["design_id"].nunique()
    ids = index.options.taxonomy.ids
    assert {t: int(n) for t, n in zip(ids, index.type_layers, strict=True) if n} == {
        int(t): int(n) for t, n in layers.items()
    }
    assert {t: int(n) for t, n in zip(ids, index.type_designs, strict=True) if n} == {
        int(t): int(n) for t, n in designs.items()
    }


def reference_search(oracle: pd.DataFrame, query: str) -> list[str]:
    """Every word in the id or in a usable layer's name, case-insensitively (Python)."""
    words = query.casefold().split()
    hay = {}
    for design, rows in oracle.groupby("design_id", sort=False):
        hay[design] = " ".join([design, *rows["name"].fillna("")]).casefold()
    return [d for d, text in hay.items() if all(w in text for w in words)]


@pytest.mark.parametrize(
    "query", [*WORDS, "poster hero", "flyer-01 x1", "CARD price", "", "messy", "-00"]
)
def test_search_through_the_index_equals_a_python_reference(index, oracle, query):
    found = index.search(query.casefold().split())
    assert index.designs.take(pa.array(found)).to_pylist() == reference_search(oracle, query)


def test_a_model_reading_through_the_index_behaves_like_one_on_the_table(messy, oracle):
    lazy = ViewerModel.open([str(messy)], canvas=(1000.0, 500.0))
    assert lazy.loading and lazy.current is None and lazy.scene() is None
    assert lazy.status().startswith("reading ")
    seen = []
    lazy.subscribe(seen.append)
    lazy.set_index(lazy.load())
    assert seen[:3] == ["loaded", "designs", "design"]
    from layerheat.table import LayerTable

    eager = ViewerModel(LayerTable(pa.Table.from_pandas(oracle, preserve_index=False)))
    assert lazy.designs == eager.designs and lazy.current == eager.current
    assert lazy.type_counts() == eager.type_counts()
    for query in ("poster hero", "x1", "nothing-here"):
        lazy.set_query(query)
        eager.set_query(query)
        assert lazy.filtered == eager.filtered and lazy.current == eager.current
    lazy.set_query("")
    eager.set_query("")
    for n in (1, 10, -3, 500, -1000):
        assert lazy.step(n) == eager.step(n)
        assert lazy.status() == eager.status()
    assert lazy.layers().arrow.equals(eager.layers().arrow)


def test_unusable_inputs_fail_with_one_clear_message(tmp_path):
    path = tmp_path / "bad.parquet"
    pq.write_table(
        pa.table({"design_id": ["a"], "type_id": [999], "xmin": [0.0], "ymin": [0.0],
                  "xmax": [1.0], "ymax": [1.0], "canvas_width": [9.0], "canvas_height": [9.0]}),
        path,
    )  # fmt: skip
    with pytest.raises(LayerheatError, match=r"bad\.parquet: no usable layer rows"):
        DesignIndex.build([str(path)])
    nocanvas = tmp_path / "nocanvas.parquet"
    pq.write_table(
        pa.table({"design_id": ["a"], "type_id": [30], "xmin": [0.0], "ymin": [0.0],
                  "xmax": [1.0], "ymax": [1.0]}),
        nocanvas,
    )  # fmt: skip
    with pytest.raises(LayerheatError, match=r"no canvas size in the data; pass --canvas"):
        DesignIndex.build([str(nocanvas)])
