"""Build a report: measure, pick and draw example designs, compare, fill the page.

:func:`build_report` is what ``layerheat report`` and the Python API call; the result
holds the HTML text and the manifest embedded in it. Writing is the caller's (the CLI
writes atomically, see :mod:`layerheat.outputs`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from ..outputs import run_manifest
from ..readreport import ReadReport
from ..sources import read_layers
from .content import Collection, collect
from .figures import Picture, collection_pictures, design_pictures, picture
from .page import (
    Cell,
    Column,
    Table,
    cooccurrence_table,
    example_groups,
    number,
    render_page,
    safe_color,
    script_json,
    type_lead,
    type_row,
    types_table,
)

__all__ = ["Report", "build_report"]

#: how each measure is defined, shown at the end of the page
METHOD = [
    (
        "Centre map",
        "Hexagon counts of layer centres, centre = ((xmin + xmax) / 2, (ymin + ymax) "
        "/ 2) as fractions of each layer's canvas; hexagons regular on the most common canvas.",
    ),
    ("Size map", "Hexagon counts of (width / canvas width, height / canvas height) on 0..1."),
    (
        "Coverage",
        "Per cell of a square grid over the canvas: layers of the type whose box "
        "contains the cell's centre, divided by the number of designs.",
    ),
    (
        "Surprise",
        "Of a layer: -ln(share of its type's layers whose centre falls in the same "
        "hexagon). Of a design: the mean over its layers; per type: over that type's layers.",
    ),
    (
        "Typical / unusual",
        "Per type, the designs whose layers of that type have the lowest / highest mean surprise.",
    ),
]


@dataclass
class Report:
    """A built report: the page and what was measured for it."""

    html: str
    manifest: dict
    collection: Collection
    comparison: object | None = None  # a layerheat.compare.Comparison

    def __repr__(self) -> str:
        kib = len(self.html.encode()) / 1024
        return f"Report({self.collection.label!r}, {kib:,.0f} KiB)"


def build_report(
    data,  # noqa: ANN001 - Inputs of layerheat.sources (None: the sample)
    *,
    compare_with=None,  # noqa: ANN001 - Inputs of the second collection, or None
    labels: tuple[str | None, ...] | None = None,
    gridsize: int = 35,
    resolution: int = 60,
    examples: int = 2,
    outliers: int = 8,
    progress=None,  # noqa: ANN001 - a row progress callback
    argv: list[str] | None = None,
    **read: object,
) -> Report:
    """Measure ``data`` (and ``compare_with``) and make the report's page."""
    started = time.monotonic()
    given = tuple(labels or ()) + (None, None)
    labels = (given[0] or _label(data), given[1] or _label(compare_with))
    c = collect(
        data,
        label=labels[0],
        gridsize=gridsize,
        resolution=resolution,
        examples=examples,
        outliers=outliers,
        progress=progress,
        **read,
    )
    designs = _designs_to_draw(c)
    table, _ = read_layers(data, designs=designs, **read) if designs else (None, None)
    drawn = design_pictures(table, c.centres.taxonomy, designs) if designs else {}
    comparison = None
    if compare_with is not None:
        from ..compare import compare

        comparison = compare(data, compare_with, labels=labels, gridsize=gridsize, **read)
    options = {
        "gridsize": gridsize,
        "resolution": resolution,
        "examples": examples,
        "outliers": outliers,
        "compare": compare_with is not None,
    }
    inputs = data if isinstance(data, list | tuple) else ([] if data is None else [data])
    manifest = run_manifest(
        "report",
        [str(i) for i in inputs],
        options,
        c.report,
        started,
        designs=c.n_designs,
        canvas_sizes=_canvas_facts(c),
    )
    if compare_with is not None:
        others = compare_with if isinstance(compare_with, list | tuple) else [compare_with]
        manifest["compare_inputs"] = [str(i) for i in others]
    if argv is not None:
        manifest["argv"] = argv
    context = page_context(c, drawn, comparison, manifest)
    return Report(render_page(context), manifest, c, comparison)


def _label(data) -> str:  # noqa: ANN001
    """A short name for an input: the file or folder name, "+N" for more."""
    from pathlib import Path

    items = list(data) if isinstance(data, list | tuple) else [data]
    if not items or items[0] is None or items[0] == "sample":
        return "built-in sample"
    first = items[0]
    name = Path(first).stem if isinstance(first, str | Path) else type(first).__name__
    return name if len(items) == 1 else f"{name} +{len(items) - 1}"


def _designs_to_draw(c: Collection) -> list[str]:
    chosen: dict[str, None] = {}
    for f in c.types:
        for d, _ in f.typical + f.unusual:
            chosen[d] = None
    if c.outliers is not None:
        for d in c.outliers.column("design_id").to_pylist():
            chosen[d] = None
    return list(chosen)


def _canvas_facts(c: Collection) -> list[dict]:
    ordered = sorted(c.canvas_sizes.items(), key=lambda kv: -kv[1])
    return [{"width": w, "height": h, "layers": n} for (w, h), n in ordered]


def page_context(c: Collection, drawn: dict[str, Picture], comparison, manifest: dict) -> dict:  # noqa: ANN001
    """Everything the template shows, as plain values (escaped by the template)."""
    pictures = collection_pictures(c)
    r = c.report
    types = [
        {
            "id": f.type.id,
            "name": f.type.name,
            "color": safe_color(f.type.color),
            "lead": type_lead(f, c),
            "maps": pictures["types"][f.type.id],
            "examples": example_groups(f, drawn),
            "spread": type_row(c, f.type.id),
        }
        for f in c.types
    ]
    tables = [t for t in (types_table(c), cooccurrence_table(c)) if t is not None]
    contents = [
        {"anchor": "facts", "title": "Run facts"},
        {"anchor": "summary", "title": "Where each type goes"},
        *({"anchor": t.anchor, "title": t.title} for t in tables),
        {"anchor": "sizes", "title": "How big"},
    ]
    if "coverage" in pictures:
        contents.append({"anchor": "coverage", "title": "How much of the canvas"})
    contents.append(
        {
            "anchor": f"type-{types[0]['id']}",
            "title": "Per type",
            "children": [
                {"anchor": f"type-{t['id']}", "title": t["name"], "color": t["color"]}
                for t in types
            ],
        }
    )
    outliers = _outliers(c, drawn)
    if outliers:
        contents.append({"anchor": "outliers", "title": "Outliers"})
    compared = _comparison(comparison) if comparison is not None else None
    if compared:
        contents.append({"anchor": "compare", "title": compared["title"]})
    contents.append({"anchor": "method", "title": "How to read this report"})
    return {
        "title": c.label if comparison is None else " vs ".join(comparison.labels),
        "version": manifest["layerheat"],
        "made": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "command": "layerheat " + " ".join(manifest.get("argv") or ["report"]),
        "headline": _headline(c),
        "contents": contents,
        "notes": [n for n in [c.note, *r.notes] if n],
        "facts": _facts(c, manifest),
        "fact_tables": _fact_tables(c),
        "pictures": pictures,
        "tables": tables,
        "types": types,
        "outliers": outliers,
        "comparison": compared,
        "method": METHOD,
        "manifest_json": script_json(manifest),
    }


def _headline(c: Collection) -> list[tuple[str, str]]:
    r: ReadReport = c.report
    return [
        (f"{c.n_designs:,}" if c.n_designs else "–", "designs"),
        (f"{r.rows_used:,}", "layers used"),
        (f"{r.rows_skipped:,}", "rows skipped"),
        (f"{len(c.types)}", "layer types present"),
        (f"{len(c.canvas_sizes):,}", "canvas sizes"),
    ]


def _facts(c: Collection, manifest: dict) -> list[tuple[str, str]]:
    r = c.report
    inputs = [
        i["path"] + (f" ({i['size']:,} bytes)" if "size" in i else "") for i in manifest["inputs"]
    ]
    facts = [("Inputs", "; ".join(inputs)), ("Rows", r.summary())]
    if manifest.get("compare_inputs"):
        facts.insert(1, ("Compared with", "; ".join(manifest["compare_inputs"])))
    if r.files_skipped:
        facts.append(("Files skipped", r.skipped_files_text(most=10)))
    w, h = c.frame
    facts.append(("Figures drawn on", f"{w:g} x {h:g} px (the most common canvas)"))
    options = ", ".join(f"{k} {v}" for k, v in manifest["options"].items())
    facts.append(("Options", options))
    facts.append(("layerheat", str(manifest["layerheat"])))
    return facts


def _fact_tables(c: Collection) -> list[Table]:
    out = []
    skipped = c.report.skipped_in_order()
    if skipped:
        rows = [[Cell(why), number(n)] for why, n in skipped]
        out.append(Table([Column("rows skipped because"), Column("rows", True)], rows))
    sizes = sorted(c.canvas_sizes.items(), key=lambda kv: -kv[1])
    shown = [[Cell(f"{w:g} x {h:g}"), number(n)] for (w, h), n in sizes[:12]]
    if len(sizes) > 12:
        rest = sum(n for _, n in sizes[12:])
        shown.append([Cell(f"{len(sizes) - 12:,} more sizes"), number(rest)])
    out.append(Table([Column("canvas size (px)"), Column("layers", True)], shown))
    return out


def _outliers(c: Collection, drawn: dict[str, Picture]) -> dict | None:
    if c.outliers is None or not c.outliers.num_rows:
        return None
    ids = c.outliers.column("design_id").to_pylist()
    layers = c.outliers.column("layers").to_pylist()
    score = c.outliers.column("score").to_pylist()
    rows = [[Cell(d), number(n), number(s, 2)] for d, n, s in zip(ids, layers, score, strict=True)]
    table = Table([Column("design"), Column("layers", True), Column("score", True)], rows)
    designs = [
        {"id": d, "score": f"{s:.2f}", "picture": drawn[d]}
        for d, s in zip(ids, score, strict=True)
        if d in drawn
    ]
    return {"table": table, "designs": designs}


def _comparison(comp) -> dict:  # noqa: ANN001 - a layerheat.compare.Comparison
    from ..plot_compare import plot_differences, plot_divergences, plot_metrics

    a, b = comp.labels
    columns = [
        Column("type"),
        Column(f"layers {a}", True),
        Column(f"layers {b}", True),
        Column("JS divergence", True),
        Column("W1 x", True),
        Column("W1 y", True),
    ]
    rows = [
        [
            Cell(t.type.name, color=safe_color(t.type.color)),
            number(t.n_a),
            number(t.n_b),
            number(t.js, 3),
            number(t.w1[0], 3),
            number(t.w1[1], 3),
        ]
        for t in comp.types
    ]
    pictures = [
        picture(plot_differences(comp), "where the types differ most"),
        picture(plot_divergences(comp), "divergence per type"),
    ]
    if comp.metrics is not None:
        pictures.append(picture(plot_metrics(comp), "layout scores of both sides"))
    lead = (
        f"Types ranked by the Jensen-Shannon divergence between the centre maps of {a} "
        f"and {b}, in bits (0: the same placement, 1: no hexagon in common); W1: "
        "Wasserstein distance of the centres' x and y, in canvas fractions."
    )
    return {
        "title": f"Compared with {b}",
        "lead": lead,
        "notes": comp.notes,
        "table": Table(columns, rows),
        "pictures": pictures,
    }
