"""The report's pictures as data URIs: figures sized for the page, designs drawn small.

Everything is inlined (``data:image/png;base64,...``) so the page needs no other file
and no network. Figures are drawn at :data:`DPI`, about twice the pixels they take on
the page, which keeps text sharp on high-density screens and the file small.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from ..plot import Style, plot_summary, plot_type, recolour
from ..plot_measures import plot_coverage_summary, plot_size_summary
from ..render import design_scene, figure
from ..taxonomy import Taxonomy
from .content import Collection

__all__ = ["DPI", "DESIGN_SIZE", "Picture", "collection_pictures", "design_pictures", "picture"]

#: dots per inch of report figures (a 7-inch figure is 770 px, shown at about 380 px)
DPI = 110
#: longest side, in pixels, of an example design
DESIGN_SIZE = 360


@dataclass(frozen=True)
class Picture:
    """An inlined PNG with the size it was drawn at (for width/height attributes)."""

    uri: str
    width: int
    height: int
    alt: str


def picture(fig, alt: str, dpi: int = DPI) -> Picture:  # noqa: ANN001 - a matplotlib Figure
    """A figure as a PNG data URI."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    # a 256-colour palette: figures use few colours, and the file gets 2-3x smaller
    small = io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT).save(small, "png", optimize=True)
    data = base64.b64encode(small.getvalue()).decode("ascii")
    return Picture(f"data:image/png;base64,{data}", *image.size, alt)


def collection_pictures(c: Collection) -> dict:
    """The summary, size and coverage summaries, and per type its three maps."""
    style = Style()
    out: dict = {"summary": picture(plot_summary(c.centres, style), "summary heatmap")}
    out["sizes"] = picture(plot_size_summary(c.sizes), "size maps of every type")
    if c.coverage is not None:
        fig = plot_coverage_summary(c.coverage, c.frame)
        out["coverage"] = picture(fig, "coverage maps of every type")
    per_type = {}
    centres = None  # one figure re-coloured type after type (pixel-identical, faster)
    for facts in c.types:
        t = facts.type.id
        if centres is None:
            centres = plot_type(c.centres, t, style)
        else:
            recolour(centres, c.centres, t, style)
        maps = [picture(centres, f"{facts.type.name}: centres")]
        maps.append(picture(plot_size_summary(c.sizes, (t,)), f"{facts.type.name}: sizes"))
        if c.coverage is not None:
            fig = plot_coverage_summary(c.coverage, c.frame, (t,))
            maps.append(picture(fig, f"{facts.type.name}: coverage"))
        per_type[t] = maps
    out["types"] = per_type
    return out


def design_pictures(table, taxonomy: Taxonomy, designs: list[str]) -> dict[str, Picture]:  # noqa: ANN001
    """Each named design of ``table`` (a LayerTable) drawn small, with a legend."""
    out = {}
    for design in designs:
        scene = design_scene(table.design(design), design_id=design, taxonomy=taxonomy)
        fig = figure(scene, DESIGN_SIZE)
        out[design] = picture(fig, f"design {design}", dpi=int(fig.dpi))
    return out
