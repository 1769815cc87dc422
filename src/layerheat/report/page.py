"""The report page: measured content and pictures into one self-contained HTML file.

The page is a Jinja2 template (``template.html`` beside this module) rendered with
autoescaping on, so every text from the data (design ids, file names, type names)
reaches the page as text, never as markup. Colours are normalised to ``#rrggbb`` before
they enter a style attribute; the run manifest is embedded as JSON with ``<``, ``>``
and ``&`` escaped, so no string in it can close its script element.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib.resources import files

from .content import Collection, TypeFacts
from .figures import Picture

__all__ = ["Cell", "Column", "Table", "render_page", "safe_color", "script_json"]


@dataclass(frozen=True)
class Column:
    """A table column: its header and whether it holds numbers (right-aligned, sortable)."""

    name: str
    num: bool = False


@dataclass(frozen=True)
class Cell:
    """A table cell: shown text, its numeric value for sorting, an optional swatch colour."""

    text: str
    value: float | None = None
    color: str | None = None

    @property
    def num(self) -> bool:
        return self.value is not None


@dataclass
class Table:
    """A titled table of the page (its own section when it has an anchor)."""

    columns: list[Column]
    rows: list[list[Cell]]
    anchor: str = ""
    title: str = ""
    lead: str = ""
    children: list = field(default_factory=list)


def number(value: float, digits: int = 0, percent: bool = False) -> Cell:
    """A numeric cell: thousands separators, ``digits`` decimals, or a percentage."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return Cell("–", float("nan"))
    text = f"{value:.{digits}%}" if percent else f"{value:,.{digits}f}"
    return Cell(text, float(value))


def safe_color(color: str) -> str:
    """A colour as ``#rrggbb`` (anything matplotlib cannot read becomes grey)."""
    from matplotlib.colors import to_hex

    try:
        return to_hex(color)
    except (ValueError, TypeError):
        return "#808080"


def script_json(data: object) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, default=str, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _environment():  # noqa: ANN202 - a jinja2 Environment
    from jinja2 import DictLoader, Environment, StrictUndefined

    here = files(__package__)
    loader = DictLoader(
        {
            "page": (here / "template.html").read_text("utf-8"),
            "table": (here / "table.html").read_text("utf-8"),
        }
    )
    return Environment(loader=loader, autoescape=True, undefined=StrictUndefined)


def render_page(context: dict) -> str:
    """The HTML of the report from a context made by :func:`page_context`."""
    return _environment().get_template("page").render(**context)


def types_table(c: Collection) -> Table:
    """Per present type, the headline columns of ``types.csv`` (``layerheat stats``)."""
    t = c.types_frame.reset_index()
    columns = [Column("type"), Column("id", True), Column("layers", True)]
    columns += [Column(n, True) for n in ("designs", "share", "per design")]
    columns += [Column(n, True) for n in ("x", "y", "width", "height", "area")]
    colours = {f.type.id: safe_color(f.type.color) for f in c.types}
    rows = []
    for r in t.itertuples():
        rows.append(
            [
                Cell(r.type_name, color=colours.get(r.type_id)),
                Cell(str(r.type_id), r.type_id),
                number(r.layers),
                number(r.designs),
                number(r.design_share, 0, percent=True),
                number(r.per_design_mean, 2),
                *(number(getattr(r, f"{k}_p50"), 1, percent=True) for k in ("cx", "cy", "w", "h")),
                number(r.area_p50, 1, percent=True),
            ]
        )
    lead = (
        "Per type: layers, designs that have it (and their share), layers per design, and "
        "the medians of centre x, centre y, width, height and area as fractions of each "
        "layer's canvas (from fine fixed histograms: within 0.05% of the canvas). Each "
        "type's section gives the 5th and 95th percentiles; layerheat stats writes every "
        "column as types.csv."
    )
    return Table(columns, rows, "types", "Layer types", lead)


def type_row(c: Collection, type_id: int) -> Table:
    """A type's spread: 5th, 50th and 95th percentiles of position and size."""
    t = c.types_frame.loc[type_id]
    names = {"cx": "centre x", "cy": "centre y", "w": "width", "h": "height", "area": "area"}
    rows = [
        [Cell(label), *(number(t[f"{k}_p{q}"], 1, percent=True) for q in (5, 50, 95))]
        for k, label in names.items()
    ]
    rows.append([Cell("aspect (w/h px)"), *(number(t[f"aspect_p{q}"], 2) for q in (5, 50, 95))])
    columns = [Column("of the canvas"), Column("5%", True), Column("median", True)]
    return Table([*columns, Column("95%", True)], rows)


def cooccurrence_table(c: Collection, most: int = 20) -> Table | None:
    """The pairs of types found together in the most designs, with Jaccard and lift."""
    if c.stats is None or not c.stats.has_designs:
        return None
    t = c.stats.cooccurrence_table().to_pandas()
    t = t.sort_values(["designs_both", "type_a_id", "type_b_id"], ascending=[False, True, True])
    colours = {f.type.id: safe_color(f.type.color) for f in c.types}
    rows = [
        [
            Cell(r.type_a, color=colours.get(r.type_a_id)),
            Cell(r.type_b, color=colours.get(r.type_b_id)),
            number(r.designs_both),
            number(r.jaccard, 2),
            number(r.lift, 2),
        ]
        for r in t.head(most).itertuples()
    ]
    columns = [Column("type A"), Column("type B"), Column("designs with both", True)]
    columns += [Column("Jaccard", True), Column("lift", True)]
    lead = (
        f"The {min(most, len(t))} pairs found together in the most designs (of {len(t)}). "
        "Jaccard: designs with both / designs with either; lift: how much more often than "
        "if the types were independent (1 = as often)."
    )
    return Table(columns, rows, "cooccurrence", "Which types go together", lead)


def type_lead(f: TypeFacts, c: Collection) -> str:
    """One sentence about a type: how many, in how many designs, how big."""
    text = f"{f.layers:,} layers"
    if c.n_designs:
        text += f" in {f.designs:,} of {c.n_designs:,} designs ({f.designs / c.n_designs:.0%})"
    if not math.isnan(f.mean_width) and (f.mean_width or f.mean_height):
        text += f"; mean size {f.mean_width:.0%} x {f.mean_height:.0%} of the canvas"
    return text + ". Left to right: centres, sizes (width x height) and coverage."


def example_groups(f: TypeFacts, designs: dict[str, Picture]) -> list[dict]:
    """The typical and unusual example designs of a type, with their pictures."""
    groups = []
    for title, chosen in (("Typical placements", f.typical), ("Unusual placements", f.unusual)):
        shown = [
            {"id": d, "score": f"{s:.2f}", "picture": designs[d]} for d, s in chosen if d in designs
        ]
        if shown:
            groups.append({"title": title, "designs": shown})
    return groups
