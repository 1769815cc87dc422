"""Readers: tidy tables with aliases, the source's headerless files, CSV = Parquet."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from layerheat import LayerheatError, heatmaps, read_layers, sample_layers

from .conftest import rows


def test_aliases_give_the_same_table_as_canonical_names(write):
    canonical = write("c.csv", rows("a,30,T,10,20,10,20,100,50"))
    aliased = write("a.csv", "Design,Type,cx,cy,Width,Height\na,30,10,20,100,50\n")
    t1, _ = read_layers([canonical])
    t2, _ = read_layers([aliased])
    for col in ("design_id", "type_id", "xmin", "ymin", "xmax", "ymax", "canvas_width"):
        assert t1.arrow.column(col).to_pylist() == t2.arrow.column(col).to_pylist(), col


def test_point_rows_become_zero_size_boxes(write):
    t, _ = read_layers([write("p.csv", "type_id,x,y,width,height\n30,10,20,100,50\n")])
    assert (t.numpy("xmin")[0], t.numpy("xmax")[0]) == (10.0, 10.0)
    assert (t.numpy("ymin")[0], t.numpy("ymax")[0]) == (20.0, 20.0)


def test_order_alias_and_type_names(write):
    path = write(
        "o.csv", "order,xmin,ymin,xmax,ymax,width,height\n70,0,0,1,1,10,10\nTitle,0,0,1,1,10,10\n"
    )
    t, _ = read_layers([path])
    assert t.numpy("type_id").tolist() == [70, 30]


def test_source_headerless_files_take_their_type_from_the_file_name(write):
    a = write("20test2.csv", "3318,539\n2236,2342\n887,65\n")
    b = write("130test2.csv", "661,232\n")
    hs = heatmaps([a, b], scale="minmax")
    assert hs[20].n_layers == 3
    assert hs[130].n_layers == 1
    assert sum(t.n_layers for t in hs) == 4


def test_type_option_overrides_missing_leading_number(write):
    path = write("points.csv", "1,2\n3,4\n")
    with pytest.raises(LayerheatError, match="--type"):
        heatmaps([path], scale="minmax")
    assert heatmaps([path], scale="minmax", type_id=40)[40].n_layers == 2


def test_canvas_option_fills_missing_canvas(write):
    path = write("30test.csv", "2953,100\n")
    hs = heatmaps([path], canvas=(5906, 3543))
    frame = hs.to_frame()
    hot = frame[(frame.type_id == 30) & (frame["count"] > 0)]
    assert len(hot) == 1
    assert abs(hot.x.iloc[0] - 0.5) < 1 / 35 and hot.y.iloc[0] < 0.1


def test_csv_and_parquet_give_identical_heatmaps(tmp_path):
    table = sample_layers(designs=200, seed=3)
    table.write(tmp_path / "s.csv")
    table.write(tmp_path / "s.parquet")
    a = heatmaps(tmp_path / "s.csv")
    b = heatmaps(tmp_path / "s.parquet")
    for type_id in a.taxonomy.ids:
        np.testing.assert_array_equal(a[type_id].counts, b[type_id].counts)
    assert a.report.summary() == b.report.summary()


def test_parquet_with_extra_columns_keeps_them(tmp_path):
    path = tmp_path / "x.parquet"
    pq.write_table(
        pa.table(
            {
                "type_id": [30],
                "xmin": [1.0],
                "ymin": [1.0],
                "xmax": [2.0],
                "ymax": [2.0],
                "canvas_width": [10.0],
                "canvas_height": [10.0],
                "kind": ["type"],
            }
        ),
        path,
    )
    table, _ = read_layers([path])
    assert table.arrow.column("kind").to_pylist() == ["type"]
    assert table.arrow.column("design_id").to_pylist() == ["x"]  # file stem by default


def test_several_inputs_add_up(write):
    a = write("a.csv", rows("a,30,T,10,20,30,40,100,100"))
    b = write("b.csv", rows("b,30,T,10,20,30,40,100,100", "b,70,L,1,2,3,4,100,100"))
    hs = heatmaps([a, b])
    assert hs[30].n_layers == 2 and hs[70].n_layers == 1
    assert hs.report.summary() == "read 3 layers, used 3, skipped 0"


def test_layer_table_round_trips_through_parquet_and_csv(tmp_path):
    table = sample_layers(designs=5)
    for name in ("t.parquet", "t.csv"):
        table.write(tmp_path / name)
        back, report = read_layers([tmp_path / name])
        assert back.arrow.select(list(table.column_names)).equals(table.arrow), name
        assert report.rows_used == len(table)


def test_layers_flagged_without_area_are_counted_not_binned(tmp_path):
    path = tmp_path / "ingested.parquet"
    pq.write_table(
        pa.table(
            {
                "type_id": [30, 30],
                "xmin": [1.0, 0.0],
                "ymin": [1.0, 0.0],
                "xmax": [2.0, 0.0],
                "ymax": [2.0, 0.0],
                "canvas_width": [10.0, 10.0],
                "canvas_height": [10.0, 10.0],
                "has_area": [True, False],
            }
        ),
        path,
    )
    hs = heatmaps(path)
    assert hs[30].n_layers == 1
    assert hs.report.summary() == "read 2 layers, used 1, skipped 1 (1 no area)"


def test_layer_table_from_and_to_pandas_round_trip():
    from layerheat import LayerTable

    table = sample_layers(designs=3)
    frame = table.to_pandas()
    back = LayerTable.from_pandas(frame)
    assert back.arrow.equals(table.arrow)
    first = back.designs()[0]
    assert len(back.design(first)) == int((frame.design_id == first).sum())
