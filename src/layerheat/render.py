"""Rendering one design from its layer data: a scene of coloured boxes, then a picture.

A design's layers become a :class:`Scene` in canvas pixels: one :class:`Shape` per
layer (translucent fill of its type's colour, solid outline of the same colour, a label
tag with its type name), bottom layer first, labels placed so that they do not cover
each other, and a legend of the types present beside the canvas. :func:`draw` paints a
scene with matplotlib (Agg) as PNG, SVG or PDF; the viewer paints the same scene with Qt,
so what it shows is what ``layerheat render`` exports::

    >>> from layerheat.sample import sample_layers
    >>> from layerheat.render import design_scene, draw
    >>> table = sample_layers(designs=2)
    >>> scene = design_scene(table.design("sample-1"))
    >>> scene.canvas, len(scene.shapes) > 0
    ((5906.0, 3543.0), True)
    >>> draw(scene, "design.png", size=1600)          # doctest: +SKIP

Sizes of lines, text and markers are fractions of the canvas's longest side, so a
picture looks the same at any ``size``. Stacking order is the table's row order, or the
``z`` column (0 = bottom, as PSD files number layers) when the data has one.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import LayerheatError
from .outputs import IMAGE_FORMATS
from .palette import BACKGROUND, FRAME_COLOR, NOTE_COLOR
from .table import LayerTable
from .taxonomy import LayerType, Taxonomy, default_taxonomy

__all__ = [
    "BACKGROUND",
    "Box",
    "DEFAULT_SIZE",
    "DPI",
    "FORMATS",
    "FRAME_COLOR",
    "Label",
    "LegendEntry",
    "MAX_STEM",
    "NOTE_COLOR",
    "PARALLEL_FROM",
    "RenderRequest",
    "RenderResult",
    "Scene",
    "Shape",
    "Style",
    "VISIBLE_COLUMN",
    "blend",
    "check_canvas",
    "check_folder_name",
    "choose_designs",
    "design_scene",
    "draw",
    "figure",
    "file_names",
    "font_file",
    "format_of",
    "luminance",
    "render_design",
    "render_designs",
    "rgb",
    "suggest",
    "text_color_on",
    "text_width",
]

FORMATS = IMAGE_FORMATS
DEFAULT_SIZE = 1600
#: Resolution used to turn output pixels into figure inches (SVG/PDF sizes follow it).
DPI = 100

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Style:
    """How a scene looks; lengths are fractions of the canvas's longest side."""

    #: opacity of a layer's fill (its outline is opaque)
    fill_alpha: float = 0.3
    line_width: float = 0.0012
    font_size: float = 0.014
    marker_radius: float = 0.006
    frame_width: float = 0.0008

    def px(self, longest: float) -> dict[str, float]:
        """The style's lengths in canvas pixels for a canvas whose longest side is given."""
        return {
            "line": self.line_width * longest,
            "font": self.font_size * longest,
            "marker": self.marker_radius * longest,
            "frame": self.frame_width * longest,
        }


@dataclass(frozen=True)
class Label:
    """A label tag: a solid rectangle of the type's colour with the text on it."""

    text: str
    x: float
    y: float
    width: float
    height: float
    font_size: float
    text_color: str
    background: str

    @property
    def box(self) -> Box:
        """The tag's rectangle as (xmin, ymin, xmax, ymax) in canvas pixels."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    @property
    def padding(self) -> float:
        """Space between the tag's left edge and the text."""
        return 0.3 * self.font_size


@dataclass(frozen=True)
class Shape:
    """One layer as drawn: its box in canvas pixels, its type, colour and label."""

    row: int
    type: LayerType
    name: str
    box: Box
    is_point: bool
    label: Label

    @property
    def color(self) -> str:
        """The type's colour, ``#RRGGBB``."""
        return self.type.color

    def contains(self, x: float, y: float, radius: float = 0.0) -> bool:
        """Whether canvas point (x, y) is on the layer (a point layer: within ``radius``)."""
        x0, y0, x1, y1 = self.box
        if self.is_point:
            return (x - x0) ** 2 + (y - y0) ** 2 <= radius**2
        return x0 <= x <= x1 and y0 <= y <= y1


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: a swatch drawn like a layer, and the type's label."""

    type: LayerType
    swatch: Box
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Scene:
    """Everything needed to draw one design, in canvas pixels (origin top-left, y down)."""

    design_id: str
    canvas: tuple[float, float]
    shapes: tuple[Shape, ...]
    legend: tuple[LegendEntry, ...] = ()
    note: str | None = None
    style: Style = field(default_factory=Style)

    @property
    def longest(self) -> float:
        """The canvas's longest side in pixels."""
        return float(max(self.canvas))

    @property
    def sizes(self) -> dict[str, float]:
        """Line width, font size, marker radius and frame width in canvas pixels."""
        return self.style.px(self.longest)

    @property
    def bounds(self) -> tuple[float, float]:
        """Width and height of the whole picture (canvas plus legend) in canvas pixels."""
        width, height = self.canvas
        if not self.legend:
            return width, height
        font = self.sizes["font"]
        right = max(e.text_x + text_width(e.type.label, font) for e in self.legend) + font
        bottom = max(e.swatch[3] for e in self.legend) + font
        return max(width, right), max(height, bottom)

    def scale_for(self, size: int) -> float:
        """Output pixels per canvas pixel when the canvas's longest side is ``size`` px."""
        return size / self.longest

    def output_size(self, size: int) -> tuple[int, int]:
        """The picture's size in pixels when the canvas's longest side is ``size`` px."""
        scale = self.scale_for(size)
        width, height = self.bounds
        return max(1, round(width * scale)), max(1, round(height * scale))

    def types_present(self) -> list[LayerType]:
        """The types of the scene's shapes, in taxonomy (id) order."""
        return sorted({s.type for s in self.shapes}, key=lambda t: t.id)

    def shape_at(self, x: float, y: float) -> Shape | None:
        """The top-most shape under canvas point (x, y), or None."""
        radius = self.sizes["marker"]
        for shape in reversed(self.shapes):
            if shape.contains(x, y, radius):
                return shape
        return None


# -- colours and text -------------------------------------------------------------------
def rgb(color: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` -> (r, g, b) in 0..255."""
    text = color.lstrip("#")
    if len(text) != 6:
        raise LayerheatError(f"colour {color!r} is not #RRGGBB")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def blend(color: str, alpha: float, background: str = BACKGROUND) -> tuple[float, float, float]:
    """The colour ``color`` at opacity ``alpha`` over ``background``, as 0..255 floats."""
    fg = np.array(rgb(color), float)
    bg = np.array(rgb(background), float)
    r, g, b = alpha * fg + (1 - alpha) * bg
    return float(r), float(g), float(b)


def luminance(color: str) -> float:
    """WCAG relative luminance of a ``#RRGGBB`` colour (0 black .. 1 white)."""
    channels = np.array(rgb(color), float) / 255
    linear = np.where(channels <= 0.03928, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def text_color_on(color: str) -> str:
    """Black or white, whichever contrasts more with ``color`` (white on dark colours)."""
    lum = luminance(color)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return "#000000" if on_black >= on_white else "#FFFFFF"


@functools.cache
def font_file() -> str:
    """The TrueType file labels are set in (DejaVu Sans, shipped with matplotlib)."""
    from matplotlib import font_manager

    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))


@functools.lru_cache(maxsize=64)
def _font(size_px: int):  # noqa: ANN202 - a PIL FreeTypeFont
    from PIL import ImageFont

    return ImageFont.truetype(font_file(), size_px)


def text_width(text: str, font_size: float) -> float:
    """Advance width of ``text`` in pixels at ``font_size`` pixels (DejaVu Sans)."""
    reference = 100
    return float(_font(reference).getlength(text)) * font_size / reference


# -- building a scene ------------------------------------------------------------------
#: column of PSD-derived tables: false for layers hidden in the file (or in a hidden group)
VISIBLE_COLUMN = "effective_visible"


def _stacking(layers: LayerTable) -> np.ndarray:
    """Row indices bottom first: the ``z`` column when present, else table order."""
    n = len(layers)
    if "z" in layers.column_names:
        z = np.asarray(layers.arrow.column("z").to_pandas(), dtype=float)
        if n and np.isfinite(z).any():
            z = np.where(np.isfinite(z), z, np.inf)
            return np.argsort(z, kind="stable")
    return np.arange(n)


def _visible_in_file(layers: LayerTable) -> np.ndarray | None:
    """Per row, whether the source file shows the layer (None: the data does not say)."""
    if VISIBLE_COLUMN not in layers.column_names:
        return None
    col = layers.arrow.column(VISIBLE_COLUMN).to_pylist()
    return np.array([v is not False for v in col], dtype=bool)


def _canvas_of(layers: LayerTable, canvas: tuple[float, float] | None, label: str):  # noqa: ANN202
    if len(layers):
        w = layers.numpy("canvas_width")
        h = layers.numpy("canvas_height")
        ok = np.isfinite(w) & np.isfinite(h) & (w > 0) & (h > 0)
        if ok.any():
            i = int(np.argmax(ok))
            return float(w[i]), float(h[i])
    if canvas is not None:
        return float(canvas[0]), float(canvas[1])
    raise LayerheatError(
        f"{label}: no canvas size in the data; pass --canvas WIDTHxHEIGHT (e.g. --canvas 5906x3543)"
    )


def check_canvas(table: LayerTable, label: str = "input") -> None:
    """Raise LayerheatError asking for ``--canvas`` when some layer has no canvas size."""
    w, h = table.numpy("canvas_width"), table.numpy("canvas_height")
    missing = ~(np.isfinite(w) & np.isfinite(h))
    if missing.any():
        some = "" if missing.all() else f" for {int(missing.sum()):,} of {len(table):,} layers"
        raise LayerheatError(
            f"{label}: no canvas size in the data{some}; pass --canvas WIDTHxHEIGHT "
            "(e.g. --canvas 5906x3543)"
        )


def _clamp(x: float, y: float, w: float, h: float, canvas: tuple[float, float]) -> Box:
    cw, ch = canvas
    x = min(max(x, 0.0), max(cw - w, 0.0))
    y = min(max(y, 0.0), max(ch - h, 0.0))
    return (x, y, x + w, y + h)


def _candidates(box: Box, is_point: bool, w: float, h: float, gap: float) -> list[Box]:
    """Where a tag of size w x h may go, best first: inside the box's corners, then outside."""
    x0, y0, x1, y1 = box
    if is_point:
        return [
            (x0 + gap, y0 - h / 2, x0 + gap + w, y0 + h / 2),
            (x0 - gap - w, y0 - h / 2, x0 - gap, y0 + h / 2),
            (x0 - w / 2, y0 - gap - h, x0 + w / 2, y0 - gap),
            (x0 - w / 2, y0 + gap, x0 + w / 2, y0 + gap + h),
        ]
    fits = (x1 - x0) >= w + 2 * gap and (y1 - y0) >= h + 2 * gap
    inside = [
        (x0 + gap, y0 + gap),  # top-left
        (x1 - gap - w, y1 - gap - h),  # bottom-right
        (x0 + gap, y1 - gap - h),  # bottom-left
        (x1 - gap - w, y0 + gap),  # top-right
    ]
    outside = [
        (x0, y0 - h),  # above, left-aligned
        (x0, y1),  # below, left-aligned
        (x1 + gap, y0),  # right of the box, top-aligned
        (x1 + gap, y1 - h),  # right of the box, bottom-aligned
        (x1 - w, y0 - h),  # above, right-aligned
        (x1 - w, y1),  # below, right-aligned
        (x0 - gap - w, y0),  # left of the box
    ]
    spots = (inside if fits else []) + outside + ([] if fits else inside)
    return [(x, y, x + w, y + h) for x, y in spots]


def _place(
    box: Box,
    is_point: bool,
    size: tuple[float, float],
    gap: float,
    canvas: tuple[float, float],
    taken: Sequence[Box],
) -> Box:
    """The first candidate spot (kept on the canvas) that covers no placed tag.

    When every candidate is taken, candidates are slid down (then up) a tag's height at
    a time until one is free; failing that, the spot with the least overlap is used.
    """
    w, h = size
    bases = np.array(
        [_clamp(c[0], c[1], w, h, canvas) for c in _candidates(box, is_point, w, h, gap)]
    )
    if not taken:
        return tuple(bases[0])
    placed = np.asarray(taken)
    for steps in ((0,), (*range(1, 41), *range(-1, -41, -1))):
        shift = np.repeat(np.asarray(steps, float) * (h + gap), len(bases))
        spots = np.tile(bases, (len(steps), 1))
        y = np.clip(spots[:, 1] + shift, 0.0, max(canvas[1] - h, 0.0))
        spots[:, 1], spots[:, 3] = y, y + h
        ow = np.minimum(spots[:, None, 2], placed[None, :, 2]) - np.maximum(
            spots[:, None, 0], placed[None, :, 0]
        )
        oh = np.minimum(spots[:, None, 3], placed[None, :, 3]) - np.maximum(
            spots[:, None, 1], placed[None, :, 1]
        )
        cost = (np.clip(ow, 0, None) * np.clip(oh, 0, None)).sum(axis=1)
        free = np.flatnonzero(cost == 0)
        if free.size:
            return tuple(float(v) for v in spots[free[0]])
    return tuple(float(v) for v in bases[0])


def design_scene(
    layers: LayerTable,
    *,
    design_id: str | None = None,
    canvas: tuple[float, float] | None = None,
    taxonomy: Taxonomy | None = None,
    hidden: Iterable[int] = (),
    legend: bool = True,
    style: Style | None = None,
    invisible: bool = False,
) -> Scene:
    """The scene of one design's layers (rows of a single design, any order of columns).

    ``canvas`` is used when the rows carry no canvas size (or there are no rows);
    ``hidden`` type ids are left out of the picture and the legend. Layers the source
    file itself hides (PSD: ``effective_visible`` false, e.g. inside a hidden group) are
    left out too, as the designer sees the file, unless ``invisible`` is true. A design
    with no (shown) layers gives an empty canvas with a note. Raises LayerheatError when
    no canvas size is known.
    """
    taxonomy = taxonomy or default_taxonomy()
    style = style or Style()
    if design_id is None:
        ids = layers.designs()
        design_id = ids[0] if ids else ""
    size = _canvas_of(layers, canvas, design_id or "design")
    sizes = style.px(max(size))
    font, gap = sizes["font"], sizes["line"] * 2
    tag_h = 1.35 * font
    hidden = {int(t) for t in hidden}

    type_ids = layers.numpy("type_id").astype(np.int64)
    names = layers.arrow.column("name").to_pylist()
    coords = [layers.numpy(c) for c in ("xmin", "ymin", "xmax", "ymax")]
    shapes: list[Shape] = []
    taken: list[Box] = []
    n_hidden = n_invisible = 0
    shown = _visible_in_file(layers) if not invisible else None
    for row in _stacking(layers):
        type_id = int(type_ids[row])
        if type_id in hidden:
            n_hidden += 1
            continue
        if shown is not None and not shown[row]:
            n_invisible += 1
            continue
        if type_id not in taxonomy:
            raise LayerheatError(
                f"design {design_id!r}: type id {type_id} is not in the taxonomy; "
                "add it with --taxonomy FILE"
            )
        ltype = taxonomy[type_id]
        box = tuple(float(c[row]) for c in coords)
        is_point = box[0] == box[2] and box[1] == box[3]
        tag_w = text_width(ltype.name, font) + 2 * 0.3 * font
        anchor = box if not is_point else (box[0] + sizes["marker"], *box[1:])
        spot = _place(anchor, is_point, (tag_w, tag_h), gap, size, taken)
        taken.append(spot)
        colours = (text_color_on(ltype.color), ltype.color)
        label = Label(ltype.name, spot[0], spot[1], tag_w, tag_h, font, *colours)
        shapes.append(Shape(int(row), ltype, names[row] or "", box, is_point, label))

    note = None if shapes else _empty_note(n_hidden, n_invisible)
    entries = _legend(shapes, size, font) if legend else ()
    return Scene(design_id or "", size, tuple(shapes), entries, note, style)


def _empty_note(n_hidden: int, n_invisible: int) -> str:
    """Why a design shows no layer."""
    if n_hidden:
        return "no layers shown: all types hidden"
    if n_invisible:
        return "no layers shown: all hidden in the file"
    return "no layers"


def _legend(shapes: list[Shape], size: tuple[float, float], font: float) -> tuple:
    """Legend entries beside the canvas for the types shown, in id order."""
    entries = []
    x = size[0] + font
    present = sorted({s.type for s in shapes}, key=lambda t: t.id)
    for i, ltype in enumerate(present):
        y = font + i * 1.6 * font
        swatch = (x, y, x + 1.1 * font, y + 1.1 * font)
        entries.append(LegendEntry(ltype, swatch, swatch[2] + 0.5 * font, y + 0.55 * font))
    return tuple(entries)


# -- drawing -----------------------------------------------------------------------------
def figure(scene: Scene, size: int = DEFAULT_SIZE):  # noqa: ANN201 - a matplotlib Figure
    """The scene as a matplotlib Figure whose canvas's longest side is ``size`` pixels."""
    from matplotlib.figure import Figure

    if not isinstance(size, int) or size < 16:
        raise LayerheatError(f"--size {size!r} must be a whole number of pixels, at least 16")
    out_w, out_h = scene.output_size(size)
    width, height = scene.bounds
    scale = scene.scale_for(size)
    pt = 72 / DPI * scale  # points per canvas pixel
    sizes = scene.sizes
    fig = Figure(figsize=(out_w / DPI, out_h / DPI), dpi=DPI, facecolor=BACKGROUND)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    _draw_frame(ax, scene, pt)
    _draw_shapes(ax, scene, pt)
    top = len(scene.shapes) + 1
    for shape in scene.shapes:
        _draw_label(ax, shape.label, pt, top)
    _draw_legend(ax, scene, pt, top)
    if scene.note:
        cw, ch = scene.canvas
        ax.text(
            cw / 2,
            ch / 2,
            scene.note,
            fontsize=2 * sizes["font"] * pt,
            family="DejaVu Sans",
            color=NOTE_COLOR,
            va="center",
            ha="center",
            zorder=top,
        )
    return fig


def _box_patch(box: tuple, color: str, alpha: float, linewidth: float, zorder: int):  # noqa: ANN202
    """A translucent fill of ``color`` with a solid outline of it."""
    from matplotlib.patches import Rectangle

    x0, y0, x1, y1 = box
    return Rectangle(
        (x0, y0),
        x1 - x0,
        y1 - y0,
        facecolor=(*_unit(color), alpha),
        edgecolor=color,
        linewidth=linewidth,
        joinstyle="miter",
        zorder=zorder,
    )


def _draw_frame(ax, scene: Scene, pt: float) -> None:  # noqa: ANN001
    """The canvas: background and a thin frame."""
    from matplotlib.patches import Rectangle

    cw, ch = scene.canvas
    frame = scene.sizes["frame"]
    ax.add_patch(
        Rectangle(
            (frame / 2, frame / 2),
            cw - frame,
            ch - frame,
            facecolor=BACKGROUND,
            edgecolor=FRAME_COLOR,
            linewidth=frame * pt,
            zorder=0,
        )
    )


def _draw_shapes(ax, scene: Scene, pt: float) -> None:  # noqa: ANN001
    """Every layer, bottom first: boxes as translucent fills, points as dots."""
    from matplotlib.patches import Circle

    line = scene.sizes["line"] * pt
    for z, shape in enumerate(scene.shapes, start=1):
        x0, y0, _, _ = shape.box
        if shape.is_point:
            ax.add_patch(
                Circle(
                    (x0, y0),
                    scene.sizes["marker"],
                    facecolor=shape.color,
                    edgecolor=BACKGROUND,
                    linewidth=line,
                    zorder=z,
                )
            )
        else:
            ax.add_patch(_box_patch(shape.box, shape.color, scene.style.fill_alpha, line, z))


def _draw_legend(ax, scene: Scene, pt: float, top: int) -> None:  # noqa: ANN001
    """Legend entries: a swatch and the type's name and id."""
    line = scene.sizes["line"] * pt
    for entry in scene.legend:
        color = entry.type.color
        ax.add_patch(_box_patch(entry.swatch, color, scene.style.fill_alpha, line, top))
        ax.text(
            entry.text_x,
            entry.text_y,
            entry.type.label,
            fontsize=scene.sizes["font"] * pt,
            family="DejaVu Sans",
            color="#000000",
            va="center",
            ha="left",
            zorder=top,
        )


def _unit(color: str) -> tuple[float, float, float]:
    r, g, b = rgb(color)
    return r / 255, g / 255, b / 255


def _draw_label(ax, label: Label, pt: float, zorder: int) -> None:  # noqa: ANN001
    from matplotlib.patches import Rectangle

    ax.add_patch(
        Rectangle(
            (label.x, label.y),
            label.width,
            label.height,
            facecolor=label.background,
            edgecolor="none",
            zorder=zorder,
        )
    )
    ax.text(
        label.x + label.padding,
        label.y + label.height / 2,
        label.text,
        fontsize=label.font_size * pt,
        family="DejaVu Sans",
        color=label.text_color,
        va="center_baseline",
        ha="left",
        zorder=zorder,
    )


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The output format: ``fmt`` if given, else the file's suffix; checked against FORMATS."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if fmt is None:
        fmt = suffix or "png"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise LayerheatError(f"{path}: unknown image format {fmt!r}; use .png, .svg or .pdf")
    if suffix in FORMATS and suffix != fmt:
        raise LayerheatError(f"{path}: the name says {suffix} but --format says {fmt}")
    return fmt


def draw(
    scene: Scene, path: str | Path | io.IOBase, *, size: int = DEFAULT_SIZE, fmt: str | None = None
) -> Path | None:
    """Write the scene as PNG, SVG or PDF (by ``fmt`` or the suffix), atomically.

    ``path`` may also be a binary file object (``fmt`` defaults to png then).
    """
    fig = figure(scene, size)
    if isinstance(path, io.IOBase):
        fig.savefig(path, format=fmt or "png", dpi=DPI, facecolor=BACKGROUND)
        return None
    from .outputs import atomic_path

    path = Path(path)
    fmt = format_of(path, fmt)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=DPI, facecolor=BACKGROUND)
    return path


def render_design(
    layers: LayerTable,
    path: str | Path,
    *,
    size: int = DEFAULT_SIZE,
    fmt: str | None = None,
    **scene_options: object,
) -> Path:
    """Build the scene of ``layers`` (one design) and write it; see :func:`design_scene`."""
    scene = design_scene(layers, **scene_options)  # type: ignore[arg-type]
    out = draw(scene, path, size=size, fmt=fmt)
    assert out is not None
    return out


# -- many designs: selection, file names, parallel drawing, per-design notes -------------------
#: draw in parallel processes from this many designs on (unless ``jobs`` says otherwise)
PARALLEL_FROM = 20
#: longest file name stem made from a design id (longer ids are cut and get a hash)
MAX_STEM = 80


@dataclass
class RenderRequest:
    """What :func:`render_designs` draws: which designs, where, how."""

    out: Path
    designs: Sequence[str] = ()
    all_designs: bool = False
    size: int = DEFAULT_SIZE
    fmt: str | None = None
    legend: bool = True
    hidden: frozenset[int] = frozenset()
    invisible: bool = False
    canvas: tuple[float, float] | None = None
    jobs: int | None = None

    def to_file(self) -> bool:
        """Whether ``out`` names one image file (else a folder of them)."""
        suffix = self.out.suffix.lower().lstrip(".")
        return suffix in FORMATS and not self.out.is_dir()


@dataclass
class RenderResult:
    """The files written, the designs drawn empty (with why), and the read report."""

    written: list[Path]
    empty: dict[str, str]
    report: object  # a ReadReport


def render_designs(
    table: LayerTable,
    report,  # noqa: ANN001 - the ReadReport of read_layers
    request: RenderRequest,
    taxonomy: Taxonomy,
    progress=None,  # noqa: ANN001 - called with 1 per design drawn
) -> RenderResult:
    """Draw the requested designs of a checked ``table`` (from
    :func:`layerheat.sources.read_layers`, whose ``report.designs`` names every design
    seen, usable or not): one file per design, in parallel processes for many. A design
    whose rows were all skipped is drawn as an empty canvas and named in ``empty`` with
    its own counts. ``progress`` is told each design drawn."""
    counts = report.designs
    known = counts.designs() if counts is not None else table.designs()
    chosen = choose_designs(known, request)
    fmt = _output_format(request, chosen)
    if request.to_file():
        targets = {chosen[0]: request.out}
    else:
        from .outputs import ensure_dir

        ensure_dir(request.out)
        targets = dict(zip(chosen, file_names(chosen, fmt, request.out), strict=True))
    present = set(table.designs())
    empty = {d: counts.why_empty(d) for d in chosen if d not in present and counts is not None}
    jobs = [
        (_scene_of(table, d, request, taxonomy, counts), targets[d], request.size, fmt)
        for d in chosen
    ]
    if hasattr(progress, "add_total"):
        progress.add_total(len(jobs))
    return RenderResult(_draw_all(jobs, request.jobs, progress), empty, report)


def _scene_of(table: LayerTable, design: str, request: RenderRequest, taxonomy, counts) -> Scene:  # noqa: ANN001
    layers = table.design(design)
    own = counts.canvas.get(design) if counts is not None and not len(layers) else None
    return design_scene(
        layers,
        design_id=design,
        canvas=own or request.canvas,
        taxonomy=taxonomy,
        hidden=set(request.hidden),
        legend=request.legend,
        invisible=request.invisible,
    )


def choose_designs(known: list[str], request: RenderRequest) -> list[str]:
    """The designs to draw: ``--all``, the ``--design`` ids (all must exist), or the only one."""
    if request.all_designs and request.designs:
        raise LayerheatError("give --design ID or --all, not both")
    if request.all_designs:
        return list(known)
    if request.designs:
        have = set(known)
        missing = [d for d in request.designs if d not in have]
        if missing:
            raise LayerheatError(f"design {missing[0]!r} not found; {suggest(missing[0], known)}")
        return list(dict.fromkeys(request.designs))
    if len(known) == 1:
        return list(known)
    raise LayerheatError(
        f"the input has {len(known):,} designs; pick one with --design ID "
        f"(e.g. {', '.join(known[:3])}) or draw them all with --all"
    )


def check_folder_name(out: Path) -> None:
    """A folder output must not look like a file of another format (``x.jpg``)."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix and suffix not in FORMATS and not out.is_dir():
        raise LayerheatError(
            f"-o {out}: unknown image format {suffix!r}; end it in .png, .svg or .pdf, "
            "or give a folder name without a suffix"
        )


def _output_format(request: RenderRequest, chosen: list[str]) -> str:
    out, fmt = request.out, request.fmt
    suffix = out.suffix.lower().lstrip(".")
    if not request.to_file():
        check_folder_name(out)
        return fmt or "png"
    if fmt is not None and fmt != suffix:
        raise LayerheatError(f"-o {out} says {suffix} but --format says {fmt}; make them agree")
    if len(chosen) > 1:
        raise LayerheatError(
            f"-o {out} is one {suffix} file but several designs are drawn; give a folder"
        )
    return suffix


def suggest(design: str, known: list[str], n: int = 3) -> str:
    """Designs like ``design``: the same name with the same numbers first
    (``sample-7`` finds ``sample-0007``), then close spellings."""
    import difflib
    import re

    def numbers_as_values(name: str) -> str:
        return re.sub(r"\d+", lambda m: str(int(m.group())), name)

    wanted = numbers_as_values(design)
    same = [k for k in known if numbers_as_values(k) == wanted]
    close = difflib.get_close_matches(design, known, n=n - 1, cutoff=0.6)
    shown = list(dict.fromkeys(same + close + known[:n]))[:n]
    return f"the input has {len(known):,} designs, e.g. {', '.join(shown)}"


def file_names(designs: list[str], fmt: str, folder: Path) -> list[Path]:
    """One file per design in ``folder``: the id made safe (letters, digits, ``._-``),
    at most :data:`MAX_STEM` characters (a longer id is cut and gets a short hash of
    itself), and unique; never a path outside ``folder``."""
    import hashlib
    import re

    seen: set[str] = set()
    paths = []
    for design in designs:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", design).strip("._") or "design"
        if len(stem) > MAX_STEM:
            digest = hashlib.sha1(design.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            stem = f"{stem[:MAX_STEM]}-{digest}"
        name, n = stem, 1
        while name.casefold() in seen:
            n += 1
            name = f"{stem}-{n}"
        seen.add(name.casefold())
        paths.append(folder / f"{name}.{fmt}")
    return paths


def _draw_job(job: tuple) -> Path:
    """Draw one scene to its file (in a worker process when drawing in parallel)."""
    scene, path, size, fmt = job
    out = draw(scene, path, size=size, fmt=fmt)
    assert out is not None
    return out


def _draw_all(jobs: list[tuple], workers: int | None, progress) -> list[Path]:  # noqa: ANN001
    """Draw every job, in parallel processes for :data:`PARALLEL_FROM` jobs or more."""
    import os

    from .parallel import worker_pool

    tick = progress or (lambda n=1: None)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(jobs) >= PARALLEL_FROM else 1
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        written = []
        for job in jobs:
            written.append(_draw_job(job))
            tick(1)
        return written
    written = []
    with worker_pool(workers) as pool:
        try:
            for path in pool.map(_draw_job, jobs, chunksize=4):
                written.append(path)
                tick(1)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return written
