"""What a notebook user sees: short reprs, HTML tables, tidy frames with coordinates."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

import layerheat as lh


def test_reprs_are_one_short_line() -> None:
    hs = lh.heatmaps(gridsize=10)
    text = repr(hs)
    assert text.startswith("HeatmapSet(canvas frame 5906x3543, gridsize 10, 14 types")
    assert "\n" not in text and len(text) < 120
    assert repr(hs[70]).startswith("TypeHeatmap(Developer Logo [70], ")
    assert repr(lh.sample_layers()) == "LayerTable(34,969 layers, 3,000 designs, 14 types)"


def test_html_reprs_escape_names_from_the_data() -> None:
    table = lh.LayerTable.from_columns(
        design_id=["<script>x</script>"],
        type_id=np.array([30], dtype=np.int16),
        name=["<b>n</b>"],
        xmin=[0.0],
        ymin=[0.0],
        xmax=[1.0],
        ymax=[1.0],
        canvas_width=[10.0],
        canvas_height=[10.0],
    )
    html = table._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    hs = lh.heatmaps(table, gridsize=5)
    assert "<td>Title</td>" in hs._repr_html_()


def test_a_types_counts_come_with_coordinates_and_polygons() -> None:
    hs = lh.heatmaps(gridsize=12)
    frame = hs[70].to_frame()
    assert list(frame.columns) == ["x", "y", "count"]
    assert frame["count"].sum() == hs[70].n_layers
    np.testing.assert_allclose(frame[["x", "y"]].to_numpy(), hs[70].grid.centers(), atol=1e-8)
    polygons = hs[70].polygons()
    assert polygons.shape == (hs[70].grid.size, 6, 2)
    # every polygon is a hexagon around its centre: its vertices average to the centre
    np.testing.assert_allclose(polygons.mean(axis=1), hs[70].grid.centers(), atol=1e-12)


def test_tables_convert_to_and_from_pandas_and_arrow() -> None:
    table = lh.sample_layers(designs=20)
    again = lh.LayerTable.from_pandas(table.to_pandas())
    assert again.arrow.equals(table.arrow)
    assert lh.LayerTable(pa.table(table.arrow)).arrow.equals(table.arrow)
