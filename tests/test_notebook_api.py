"""What a notebook user sees: short reprs, HTML tables, tidy frames with coordinates."""

from __future__ import annotations

import base64
import inspect
import io
import subprocess
import sys
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pytest  # noqa: E402

import layerheat as lh  # noqa: E402
from layerheat.table import COLUMNS  # noqa: E402
from tests.test_figures_read import texts_outside  # noqa: E402


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


# -- the top-level API ------------------------------------------------------------------------
PLOTTING = ("Style", "plot_summary", "plot_type", "plot_size_summary", "plot_coverage_summary")


@pytest.mark.parametrize("name", [*PLOTTING, "measure", "heatmaps", "sample_layers"])
def test_top_level_names_have_real_signatures_and_docstrings(name: str) -> None:
    assert name in dir(lh)
    value = getattr(lh, name)
    assert value.__doc__ and value.__doc__.strip()
    kinds = {p.kind for p in inspect.signature(value).parameters.values()}
    assert not kinds & {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}


def test_plotting_names_are_the_plot_modules_own() -> None:
    from layerheat import plot, plot_measures

    assert lh.plot_summary is plot.plot_summary and lh.plot_type is plot.plot_type
    assert lh.Style is plot.Style and lh.plot_size_summary is plot_measures.plot_size_summary


def test_import_and_style_do_not_load_matplotlib() -> None:
    code = "import sys, layerheat as lh; lh.Style(log=True); print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# -- plot_type(ax=) and plot_summary(types=) ----------------------------------------------------
@pytest.fixture(scope="module")
def small() -> lh.HeatmapSet:
    return lh.heatmaps(lh.sample_layers(designs=300), gridsize=12)


def _titles(axes) -> list[str]:  # noqa: ANN001
    return [ax.get_title().split(" · ")[0] for ax in axes if ax.get_title()]


def test_plot_type_draws_into_a_pyplot_axes_and_returns_it(small: lh.HeatmapSet) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7), layout="constrained")
    try:
        for ax, type_id in zip(axes.ravel(), (30, 70, 120, 140)):
            assert lh.plot_type(small, type_id, ax=ax) is ax
            assert len(ax.collections) == 1 and ax.collections[0].get_array().count() > 0
        expected = ["Title (30)", "Developer Logo (70)", "Graphics (120)", "Other (140)"]
        assert _titles(fig.axes) == expected
        assert len(fig.axes) == 8  # four panels, four colour bars
        assert texts_outside(fig) == []
    finally:
        plt.close(fig)


def test_plot_type_draws_into_a_plain_figure(small: lh.HeatmapSet) -> None:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert lh.plot_type(small, 30, lh.Style(log=True), ax=left) is left
    assert lh.plot_type(small, 70, ax=right, colorbar=False) is right
    assert len(fig.axes) == 3  # no colour bar for the second
    own = lh.plot_type(small, 30)
    assert isinstance(own, Figure) and not isinstance(own, Axes) and len(own.axes) == 2


def test_plot_type_names_the_known_ids_for_an_unknown_one(small: lh.HeatmapSet) -> None:
    with pytest.raises(lh.LayerheatError, match="type id 31 .* known ids: 10, 20"):
        lh.plot_type(small, 31)


def test_plot_summary_types_draws_those_types_in_that_order(small: lh.HeatmapSet) -> None:
    import numpy as np

    fig = lh.plot_summary(small, types=[70, np.int16(30), 140], ncols=2)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert _titles(panels) == ["Developer Logo (70)", "Title (30)", "Other (140)"]
    assert "(3 of 14 types shown)" in fig._suptitle.get_text()
    assert texts_outside(fig) == []
    default = lh.plot_summary(small)  # the CLI's figure is unchanged
    assert "types shown" not in default._suptitle.get_text()
    assert len(_titles(default.axes)) == len(small.present())


def test_plot_summary_types_draws_a_requested_empty_type(small: lh.HeatmapSet) -> None:
    only = lh.heatmaps(small_table(), gridsize=5)  # one Title layer
    fig = lh.plot_summary(only, types=[70, 30])
    assert _titles(fig.axes) == ["Developer Logo (70)", "Title (30)"]
    assert not [t for t in fig.texts if t.get_text().startswith("no layers")]


@pytest.mark.parametrize("types", [[], [30, 999], "30"])
def test_plot_summary_rejects_bad_types(small: lh.HeatmapSet, types: object) -> None:
    with pytest.raises(lh.LayerheatError):
        lh.plot_summary(small, types=types)


def test_size_and_coverage_summaries_take_types_in_order() -> None:
    m = lh.measure(lh.sample_layers(designs=100), ("size", "coverage"), gridsize=10, resolution=20)
    fig = lh.plot_size_summary(m.sizes, types=[70, 30])
    assert _titles(fig.axes) == ["Developer Logo (70)", "Title (30)"]
    cov = lh.plot_coverage_summary(m.coverage, (5906, 3543), types=[120])
    assert _titles(cov.axes) == ["Graphics (120)"]
    with pytest.raises(lh.LayerheatError, match="not in the taxonomy"):
        lh.plot_size_summary(m.sizes, types=[5])


# -- HTML reprs, parsed -------------------------------------------------------------------------
class Cells(HTMLParser):
    """Tables as lists of rows of cell texts, and the images' attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.images: list[dict] = []
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def small_table(**overrides) -> lh.LayerTable:  # noqa: ANN003
    columns = {
        "design_id": ["d1"],
        "type_id": [30],
        "xmin": [0.0],
        "ymin": [0.0],
        "xmax": [1.0],
        "ymax": [1.0],
        "canvas_width": [10.0],
        "canvas_height": [10.0],
    }
    return lh.LayerTable.from_columns(**{**columns, **overrides})


def test_layer_table_html_shows_designs_canvas_sizes_and_layers_per_type() -> None:
    table = lh.LayerTable.concat(
        [lh.sample_layers(designs=40), small_table(canvas_width=[640.0], canvas_height=[480.0])]
    )
    parsed = Cells(table._repr_html_())
    facts, sizes, per_type = (dict(rows) for rows in parsed.tables[:3])
    assert facts["layers"] == f"{len(table):,}" and facts["designs"] == "41"
    assert facts["canvas sizes"] == "2"
    assert sizes["5906 x 3543"] == f"{len(table) - 1:,}" and sizes["640 x 480"] == "1"
    counts = table.to_pandas()["type_id"].value_counts()
    assert {int(k): int(v.replace(",", "")) for k, v in per_type.items() if k != "type id"} == {
        int(k): int(v) for k, v in counts.items()
    }
    assert parsed.tables[3][1][0] == "sample-01"  # the first rows, folded away


def test_layer_table_html_escapes_canvas_and_row_text() -> None:
    html = small_table(design_id=["<img src=x onerror=alert(1)>"])._repr_html_()
    assert "<img" not in html and "&lt;img src=x" in html


def test_heatmap_set_html_is_a_table_of_types_with_thumbnails() -> None:
    from PIL import Image

    hs = lh.heatmaps(lh.sample_layers(designs=200), gridsize=15)
    parsed = Cells(hs._repr_html_())
    head, *rows = parsed.tables[0]
    assert head == ["id", "type", "layers", "max / hexagon", "mean size (w x h)", "where"]
    assert [(int(r[0]), int(r[2].replace(",", ""))) for r in rows] == [
        (t.type.id, t.n_layers) for t in hs.present()
    ]
    assert len(parsed.images) == len(rows)
    for image in parsed.images:
        prefix = "data:image/png;base64,"
        assert image["src"].startswith(prefix)
        png = Image.open(io.BytesIO(base64.b64decode(image["src"][len(prefix) :])))
        assert png.size == (96, 58) == (int(image["width"]), int(image["height"]))
    # a thumbnail shows where the type is: Developer Logo sits in the corners
    logo = parsed.images[[int(r[0]) for r in rows].index(70)]["src"]
    rgb = np.asarray(Image.open(io.BytesIO(base64.b64decode(logo.split(",")[1]))).convert("L"))
    assert rgb[25:35, 40:56].min() == 255 and rgb[:15, :20].min() < 255


def test_heatmap_set_html_escapes_type_names_and_lists_empty_types() -> None:
    from layerheat.taxonomy import LayerType, Taxonomy

    tax = Taxonomy((LayerType(1, "<b>A</b>", "#000000", ()), LayerType(2, "B & C", "#111111", ())))
    hs = lh.heatmaps(small_table(type_id=[1]), gridsize=5, taxonomy=tax)
    html = hs._repr_html_()
    assert "<b>A</b>" not in html and "&lt;b&gt;A&lt;/b&gt;" in html
    assert "no layers: B &amp; C" in html
    assert Cells(html).images[0]["alt"] == "<b>A</b> heatmap"


# -- conversions --------------------------------------------------------------------------------
def test_from_pandas_takes_the_frames_people_have() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "ymin": [5.0, 6.0],
            "xmin": [1, 2],
            "design_id": [7, 8],  # integer ids
            "type_id": pd.Categorical([30, 70]),
            "xmax": [3.0, 4.0],
            "ymax": [9.0, 9.5],
            "canvas_width": [100, 100],
            "canvas_height": [50, 50],
            "score": [0.5, 0.25],  # extra columns stay, after the standard ones
        },
        index=[10, 20],
    )
    table = lh.LayerTable.from_pandas(frame)
    assert table.column_names == [*COLUMNS, "score"]
    back = table.to_pandas()
    assert back["design_id"].tolist() == ["7", "8"] and back["name"].tolist() == ["", ""]
    assert back["type_id"].tolist() == [30, 70] and list(back.index) == [0, 1]


def test_arrow_round_trips_without_copies() -> None:
    table = lh.sample_layers(designs=10)
    assert lh.LayerTable.from_arrow(table.to_arrow()).arrow.equals(table.arrow)
    assert table.to_arrow() is table.arrow
    batch = table.arrow.to_batches()[0]
    assert len(lh.LayerTable.from_arrow(batch)) == batch.num_rows


def test_type_frames_match_the_tidy_frame_and_polygons_draw_elsewhere() -> None:
    hs = lh.heatmaps(lh.sample_layers(designs=100), gridsize=10)
    tidy = hs.to_frame()
    assert list(tidy.columns) == ["type_id", "type_name", "x", "y", "count"]
    one = tidy[tidy["type_id"] == 70][["x", "y", "count"]].reset_index(drop=True)
    assert one.equals(hs[70].to_frame())
    # the polygons as another library would draw them: a matplotlib PolyCollection
    from matplotlib.collections import PolyCollection

    coll = PolyCollection(hs[70].polygons(), array=hs[70].counts)
    assert len(coll.get_paths()) == hs[70].grid.size
