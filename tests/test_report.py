"""The HTML report: self-contained, escaped, its scores true to a brute-force reference.

The browser tests (tests/test_report_browser.py) open the page in Chromium; these read
the HTML as text and check the numbers behind it.
"""

from __future__ import annotations

import base64
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from layerheat.binning import HexGrid
from layerheat.heatmap import heatmaps
from layerheat.measures.placement import PlacementScores
from layerheat.pipeline import Pipeline
from layerheat.report import build_report
from layerheat.sample import sample_layers
from layerheat.table import LayerTable

HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="window.pwned=1">', "a&b\"'<>"]


class Page(HTMLParser):
    """Tags, attributes, ids and text of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


@pytest.fixture(scope="module")
def small_report():  # noqa: ANN201 - a built Report of 300 sample designs
    return build_report(sample_layers(designs=300), examples=1, outliers=3)


def test_the_page_is_self_contained(small_report) -> None:  # noqa: ANN001
    page = Page(small_report.html)
    images = page.all("img")
    assert len(images) > 20
    for img in images:  # every image inlined, decodable, with the size it claims
        head, data = img["src"].split(",", 1)
        assert head == "data:image/png;base64"
        picture = Image.open(io.BytesIO(base64.b64decode(data)))
        assert picture.size == (int(img["width"]), int(img["height"])) and min(picture.size) > 50
        assert img["alt"]
    for tag, attrs in page.tags:  # nothing to fetch: no external src, href, link or import
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert value.startswith(("data:", "#")) or not value, (tag, name, value[:40])
        assert tag not in ("link", "iframe", "object", "embed")
    assert "@import" not in small_report.html and "url(" not in small_report.html


def test_contents_link_to_sections_and_every_present_type_has_one(small_report) -> None:  # noqa: ANN001
    page = Page(small_report.html)
    links = [a["href"][1:] for a in page.all("a") if a.get("href", "").startswith("#")]
    assert links and set(links) <= page.ids
    present = [f.type.id for f in small_report.collection.types]
    assert {f"type-{t}" for t in present} <= page.ids
    assert {"facts", "summary", "types", "sizes", "coverage", "outliers", "method"} <= page.ids


def test_the_manifest_is_embedded_and_says_what_was_read(small_report) -> None:  # noqa: ANN001
    html = small_report.html
    start = html.index('<script type="application/json" id="layerheat-manifest">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    manifest = json.loads(body)
    assert manifest == json.loads(json.dumps(small_report.manifest, default=str))
    assert manifest["command"] == "report" and manifest["designs"] == 300
    assert manifest["rows"]["used"] == small_report.collection.report.rows_used


def test_data_from_files_is_text_never_markup(tmp_path: Path) -> None:
    table = sample_layers(designs=40).arrow.to_pandas()
    for i, name in enumerate(HOSTILE):  # hostile design ids; one layer far from the rest
        table.loc[table.design_id == table.design_id.unique()[i], "design_id"] = name
    report = build_report(LayerTable.from_pandas(table), examples=2, outliers=40)
    page = Page(report.html)
    assert len(page.all("script")) == 2  # the manifest and the table sorter: nothing injected
    assert all(img["src"].startswith("data:") for img in page.all("img"))
    assert not any("onerror" in attrs for _, attrs in page.tags)
    text = "".join(page.text)
    for name in HOSTILE:
        assert name in text  # shown as text (the parser unescaped it)
        assert name not in report.html or name == ""  # never raw in the markup


def test_outlier_scores_equal_a_brute_force_reference() -> None:
    layers = sample_layers(designs=200)
    hs = heatmaps(layers, gridsize=12)
    with Pipeline(layers) as pipe:
        scores = pipe.run([PlacementScores.of(hs)]).partials[0].result()
    got = scores.designs().to_pandas().set_index("design_id")

    frame = layers.arrow.to_pandas()
    w, h = hs.canvas
    cx = (frame.xmin + frame.xmax) / 2 / frame.canvas_width
    cy = (frame.ymin + frame.ymax) / 2 / frame.canvas_height
    centres = HexGrid.for_canvas(12, w, h).centers()  # nearest hexagon centre on the canvas
    d = np.hypot((centres[None, :, 0] - cx.to_numpy()[:, None]) * w,
                 (centres[None, :, 1] - cy.to_numpy()[:, None]) * h)  # fmt: skip
    frame["hexagon"] = d.argmin(axis=1)
    per_hex = frame.groupby(["type_id", "hexagon"]).size()
    per_type = frame.groupby("type_id").size()
    share = per_hex.loc[list(zip(frame.type_id, frame.hexagon, strict=True))].to_numpy()
    frame["surprise"] = -np.log(share / per_type.loc[frame.type_id].to_numpy())
    want = frame.groupby("design_id").surprise.mean()
    assert len(got) == len(want) == 200
    assert np.allclose(got.loc[want.index, "score"], want, rtol=0, atol=1e-9)
    assert (got.loc[want.index, "layers"] == frame.groupby("design_id").size()).all()
    assert list(got.score) == sorted(got.score, reverse=True)  # highest first


def test_placement_scores_are_the_same_on_every_engine(engine) -> None:  # noqa: ANN001
    layers = sample_layers(designs=150)
    hs = heatmaps(layers, gridsize=10)
    with Pipeline(layers) as pipe:
        want = pipe.run([PlacementScores.of(hs)]).partials[0].result().designs()
    with Pipeline(layers, engine=engine) as pipe:
        got = pipe.run([PlacementScores.of(hs)]).partials[0].result().designs()
    assert got.column("design_id").to_pylist() == want.column("design_id").to_pylist()
    assert np.allclose(got.column("score").to_numpy(), want.column("score").to_numpy(), atol=1e-12)


def test_typical_and_unusual_examples_are_the_lowest_and_highest_scored(small_report) -> None:  # noqa: ANN001
    scores = small_report.collection.scores
    for facts in small_report.collection.types:
        table = scores.per_type(facts.type.id).to_pandas()
        assert facts.designs == len(table)
        assert [d for d, _ in facts.typical] == list(table.design_id[:1])
        if facts.unusual:
            assert facts.unusual[0][1] == pytest.approx(table.score.max())


def test_without_design_ids_the_report_says_what_it_cannot_show(tmp_path: Path) -> None:
    points = tmp_path / "30test2.csv"  # the source's headerless x,y format: no designs
    rng = np.random.default_rng(1)
    pd.DataFrame(rng.random((50, 2)) * 500).to_csv(points, header=False, index=False)
    report = build_report([str(points)], canvas=(500.0, 500.0))
    page = Page(report.html)
    assert "coverage" not in page.ids and "outliers" not in page.ids
    assert "the input has no design ids" in report.html
    assert "type-30" in page.ids


def test_cli_writes_one_file_and_a_failed_run_writes_nothing(tmp_path: Path, cli) -> None:  # noqa: ANN001
    data = tmp_path / "d.parquet"
    sample_layers(designs=60).write(data)
    out = tmp_path / "out" / "r.html"
    res = cli("report", data, "-o", out, "-q", "--examples", "1")
    assert res.code == 0, res.err
    assert out.read_text().startswith("<!doctype html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["r.html"]  # no temporary left
    assert "report of" in res.out and "MB in" in res.out

    before = out.read_bytes()
    res = cli("report", tmp_path / "missing.parquet", "-o", out, "-q")
    assert res.code != 0 and len(res.err_lines) == 1 and "missing.parquet" in res.err
    assert out.read_bytes() == before  # the previous report stays whole
    (tmp_path / "empty.csv").write_text("")
    res = cli("report", tmp_path / "empty.csv", "-o", tmp_path / "new" / "r.html", "-q")
    assert res.code != 0 and not (tmp_path / "new").exists()  # a failed run creates nothing
    res = cli("report", data, "-o", tmp_path / "r.png")
    assert res.code != 0 and "give -o NAME.html" in res.err
