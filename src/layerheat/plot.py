"""Drawing heatmaps: one panel per type and a summary grid, with matplotlib (Agg).

    >>> from layerheat import heatmaps
    >>> from layerheat.plot import plot_summary
    >>> fig = plot_summary(heatmaps())        # doctest: +SKIP
    >>> fig.savefig("summary.png")            # doctest: +SKIP

In the canvas frame a panel is the canvas as the designer sees it: pixel axes of the
reference canvas, top of the design at the top, the canvas's aspect ratio, regular
hexagons. In the min-max frame the axes are the source's [0, 1] units, y downward too.
Drawing never reads files; :func:`write_figures` writes them atomically, in parallel.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import LayerheatError
from .measures.centres import HeatmapSet, TypeHeatmap
from .outputs import IMAGE_FORMATS

if TYPE_CHECKING:  # matplotlib loads when something is drawn, not on import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CMAP",
    "COLOR_SCALES",
    "FigureWorkers",
    "FORMATS",
    "Style",
    "TypePainter",
    "compact",
    "draw_panel",
    "hexagons",
    "figure_names",
    "panel_title",
    "plot_summary",
    "plot_type",
    "recolour",
    "summary_pixels",
    "write_figures",
]

COLOR_SCALES = ("shared", "per-type")
FORMATS = IMAGE_FORMATS
CMAP = "viridis"  # the source's (matplotlib's default) colour map


@dataclass(frozen=True)
class Style:
    """How counts become colours.

    ``color_scale``: ``per-type`` (default: every type's pattern visible, each panel's
    colour bar shows its own maximum) or ``shared`` (one scale, magnitudes comparable
    across panels); ``log``; ``density`` colours by the share of the type's layers in
    each hexagon instead of the count, so types with different numbers of layers
    compare. Empty hexagons always show the background. See docs/figures.md.
    """

    color_scale: str = "per-type"
    log: bool = False
    cmap: str = CMAP
    all_types: bool = False  # summary: draw types without layers too
    density: bool = False

    def values(self, th: TypeHeatmap) -> np.ndarray:
        """What a panel colours: counts, or shares of the type's layers (``density``)."""
        values = th.counts.astype(float)
        if self.density and th.n_layers:
            values = values / th.n_layers
        return values

    def label(self) -> str:
        """The colour bar's label."""
        return "share of the type's layers" if self.density else "layers per hexagon"

    def __post_init__(self) -> None:
        if self.color_scale not in COLOR_SCALES:
            raise LayerheatError(
                f"--color-scale {self.color_scale!r} unknown; use shared or per-type"
            )

    def norm(self, hs: HeatmapSet, th: TypeHeatmap):  # noqa: ANN201 - a matplotlib Normalize
        from matplotlib import colors

        own = self.values(th).max(initial=0.0)
        vmax = max((self.values(t).max(initial=0.0) for t in hs), default=0.0)
        vmax = vmax if self.color_scale == "shared" else own
        floor = (1.0 / max(th.n_layers, 1)) if self.density else 1.0
        vmax = max(vmax, floor)
        if self.log:
            return colors.LogNorm(vmin=floor, vmax=max(vmax, 2 * floor), clip=True)
        return colors.Normalize(vmin=0, vmax=vmax)


def _frame(hs: HeatmapSet) -> tuple[float, float]:
    """Axis units per frame unit: canvas pixels in the canvas frame (one canvas size), 1
    in canvas fractions (several sizes: no one size's pixels are everyone's) and min-max."""
    if hs.scale == "canvas" and hs.canvas and len(hs.canvas_sizes) <= 1:
        return hs.canvas
    return 1.0, 1.0


def _axis_unit(hs: HeatmapSet) -> str:
    if hs.scale != "canvas":
        return "min-max units"
    return "px" if _frame(hs) != (1.0, 1.0) or not hs.canvas else "fraction of canvas"


def compact(value: float, _pos: object = None) -> str:
    """A tick label that stays short at any magnitude: 950, 25k, 1.2M, 0.05."""
    v = abs(value)
    if v >= 1e6:
        text = f"{value / 1e6:.3g}M"
    elif v >= 1e4:
        text = f"{value / 1e3:.3g}k"
    elif v >= 1 or v == 0:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:.3g}"
    else:
        text = f"{value:.2g}"
    return text


def draw_panel(ax, hs: HeatmapSet, type_id: int, style: Style = Style(), colorbar=True):  # noqa: ANN001, ANN201, B008
    """Draw one type's hexagons into ``ax``; returns the PolyCollection."""
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    th = hs[type_id]
    sx, sy = _frame(hs)
    offsets = th.grid.centers() * [sx, sy]
    hexagon = th.grid.hexagon() * [sx, sy]
    coll = hexagons(ax, offsets, hexagon, style.values(th), _cmap(style.cmap))
    coll.set_norm(style.norm(hs, th))
    if hs.scale == "canvas":
        ax.set_xlim(0, sx)
        ax.set_ylim(sy, 0)  # top of the design at the top
        ref = hs.canvas or (sx, sy)
        aspect = ref[1] / ref[0]
        if ASPECT_RANGE[0] <= aspect <= ASPECT_RANGE[1]:
            ax.set_aspect(aspect * sx / sy)  # the reference canvas's shape, in any units
        ax.add_patch(Rectangle((0, 0), sx, sy, fill=False, lw=0.8, ec="0.3"))
        ax.tick_params(labelsize=6)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(5, integer=sx > 1))
            axis.set_major_formatter(FuncFormatter(compact))
    else:
        xs = offsets[:, 0]
        ys = offsets[:, 1]
        ax.set_xlim(xs.min(), xs.max())
        ax.set_ylim(ys.max(), ys.min())
        ax.tick_params(labelsize=6)
    unit = _axis_unit(hs)
    ax.set_xlabel(f"x ({unit})", fontsize=6, labelpad=1)
    ax.set_ylabel(f"y ({unit}, down)", fontsize=6, labelpad=1)
    ax.set_title(panel_title(hs, th), fontsize=8, y=1.0)  # y given: no auto placement
    if colorbar:
        cb = ax.figure.colorbar(coll, ax=ax, fraction=0.04, pad=0.02)
        cb.ax.tick_params(labelsize=6)
        colorbar_ticks(cb, style)
        cb.set_label(style.label(), fontsize=6)
    return coll


def colorbar_ticks(cb, style: Style) -> None:  # noqa: ANN001 - a matplotlib Colorbar
    """Compact tick labels; whole numbers only where the bar shows counts (a linear count
    scale with a small maximum would otherwise show 0.25, 0.75, ... layers per hexagon).
    Called again after each new norm, which resets the ticks."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if not style.log and not style.density:
        cb.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    cb.ax.yaxis.set_major_formatter(FuncFormatter(compact))


def hexagons(ax, offsets: np.ndarray, hexagon: np.ndarray, values: np.ndarray, cmap):  # noqa: ANN001, ANN201
    """Hexagons at ``offsets`` (data units) coloured by ``values``, added to ``ax``; zero
    values are not coloured, so empty hexagons show the background, unlike a count of 1."""
    from matplotlib import transforms
    from matplotlib.collections import PolyCollection

    coll = PolyCollection(
        [hexagon],
        offsets=offsets,
        offset_transform=ax.transData,
        edgecolors="face",
        linewidths=0.2,
        cmap=cmap,
    )
    # vertices in data units around each offset, as matplotlib's hexbin draws them
    coll.set_transform(transforms.AffineDeltaTransform(ax.transData))
    coll.set_array(np.where(values > 0, values, np.nan).astype(float))
    ax.add_collection(coll)
    return coll


def _cmap(name: str):  # noqa: ANN202 - a matplotlib Colormap
    """The colour map with empty (NaN) hexagons transparent, so the background shows."""
    from matplotlib import colormaps

    return colormaps[name].with_extremes(bad=(0, 0, 0, 0))


def panel_title(hs: HeatmapSet, th: TypeHeatmap) -> str:
    """``Title (30) · n = 2,947``, then the peak per hexagon and the mean size as a share
    of the canvas on a second line (short lines: they fit over the panel)."""
    title = f"{th.type.label} · n = {th.n_layers:,}\nmax {compact(th.max_count)}/hexagon"
    sized = th.n_layers and np.isfinite(th.mean_width) and np.isfinite(th.mean_height)
    if sized and (th.mean_width > 0 or th.mean_height > 0):  # point-only layers: no size
        title += f" · mean size {th.mean_width:.0%} × {th.mean_height:.0%}"
    return title


#: narrowest summary figure (inches), so its title and footnote fit with few panels
MIN_SUMMARY_WIDTH = 8.0


def _summary_title(hs: HeatmapSet, style: Style, shown: int | None = None) -> str:
    frame = "canvas frame" if hs.scale == "canvas" else "per-type min-max frame"
    if hs.scale == "canvas" and len(hs.canvas_sizes) > 1:
        frame += f" ({len(hs.canvas_sizes)} canvas sizes, in fractions)"
    scale = "log " if style.log else ""
    scale += "shared" if style.color_scale == "shared" else "per-type"
    scale += " density" if style.density else ""
    subset = f" ({shown} of {len(hs)} types shown)" if shown is not None else ""
    return (
        f"Where each layer type goes: {hs.n_layers:,} layers{subset}\n"
        f"{frame}, gridsize {hs.gridsize}, {scale} colour scale"
    )


def _footnote(empty: list[str], fig_w: float) -> str:
    """``no layers: ...`` wrapped to the figure's width (about 17 characters an inch)."""
    if not empty:
        return ""
    width = max(40, int(fig_w * 17))
    lines, line = [], "no layers:"
    for item in empty:  # wrap between types, never inside a name
        if len(line) + len(item) + 2 > width:
            lines.append(line + ",")
            line = item
        else:
            line = f"{line} {item}" if line.endswith(":") else f"{line}, {item}"
    return "\n".join([*lines, line])


#: panel aspect (height / width) is kept within these bounds so a tall or wide canvas
#: (100 x 300000 px) gets a readable figure of bounded size, not a 45,810-px image
ASPECT_RANGE = (0.25, 2.5)


def _figsize(hs: HeatmapSet, width: float) -> tuple[float, float]:
    sx, sy = hs.canvas or _frame(hs)
    aspect = sy / sx if hs.scale == "canvas" else 1.0
    aspect = min(max(aspect, ASPECT_RANGE[0]), ASPECT_RANGE[1])
    return width, width * aspect * 0.9 + 0.6


def plot_type(
    hs: HeatmapSet,
    type_id: int,
    style: Style = Style(),  # noqa: B008 - frozen, never mutated
    *,
    ax: Axes | None = None,
    colorbar: bool = True,
) -> Figure | Axes:
    """One type's heatmap with a colour bar.

    Without ``ax``, a new :class:`matplotlib.figure.Figure` (not registered with pyplot,
    so it does not show twice in a notebook) sized for the canvas; the Figure is
    returned. With ``ax`` (any matplotlib Axes: from ``plt.subplots``, a plain
    ``Figure`` or a subfigure), the panel and its colour bar are drawn into that Axes
    and the Axes is returned; its figure's layout is left to the caller (e.g.
    ``layout="constrained"``). The rule: the Figure when this function made one, else
    the Axes it was given. ``colorbar=False`` leaves the colour bar out.
    """
    if ax is not None:
        _check_type(hs, type_id)
        draw_panel(ax, hs, type_id, style, colorbar=colorbar)
        return ax
    from matplotlib.figure import Figure

    _check_type(hs, type_id)
    fig = Figure(figsize=_figsize(hs, 7.0))
    w, h = fig.get_figwidth(), fig.get_figheight()
    fig.subplots_adjust(left=0.6 / w, right=1 - 0.85 / w, top=1 - 0.5 / h, bottom=0.45 / h)
    draw_panel(fig.add_subplot(), hs, type_id, style, colorbar=colorbar)
    return fig


def _check_type(hs: HeatmapSet, type_id: object) -> int:
    """``type_id`` as an int of ``hs``'s taxonomy, or a LayerheatError naming the known ids."""
    try:
        tid = int(type_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        tid = None
    if tid is None or tid != type_id or tid not in hs.types:
        known = ", ".join(str(t) for t in hs.types)
        raise LayerheatError(f"type id {type_id!r} is not in the taxonomy; known ids: {known}")
    return tid


def plot_summary(
    hs: HeatmapSet,
    style: Style = Style(),  # noqa: B008 - frozen, never mutated
    ncols: int = 4,
    *,
    types: Sequence[int] | None = None,
) -> Figure:
    """Every type present in one grid of panels, as a new matplotlib Figure.

    Types without layers are named in a footnote; with ``style.all_types`` every type
    of the taxonomy gets a panel (empty ones n = 0). ``types`` draws just those type
    ids, in that order (empty ones too, no footnote). ``ncols`` panels per row. The
    Figure is not registered with pyplot: show it by leaving it as a notebook cell's
    value, or save it with ``fig.savefig(path)``.
    """
    fig, ids, ncols, nrows = _summary_frame(hs, style, ncols, types)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, type_id in zip(axes, ids):
        draw_panel(ax, hs, type_id, style)
    for ax in axes[len(ids) :]:
        ax.set_axis_off()
    _label_outer(axes[: len(ids)], ncols)
    return fig


def _summary_frame(
    hs: HeatmapSet,
    style: Style,
    ncols: int,
    types: Sequence[int] | None,
    dpi: float | None = None,
) -> tuple[Figure, list[int], int, int]:
    """The summary's Figure without panels: size, margins, title and footnote; with the
    type ids to draw, the columns and the rows of its grid."""
    from matplotlib.figure import Figure

    ids, empty = _summary_ids(hs, style, types)
    ncols = max(1, min(ncols, len(ids)))
    nrows = -(-len(ids) // ncols)
    w, h = _figsize(hs, 4.2)
    fig_w = max(w * ncols, MIN_SUMMARY_WIDTH)
    footnote = _footnote(empty, fig_w)
    foot_h = 0.16 * len(footnote.splitlines()) + 0.1 if footnote else 0.0
    top_inches = 1.25  # the two-line suptitle and the first row's two-line titles
    fig = Figure(figsize=(fig_w, h * nrows + top_inches + foot_h), dpi=dpi)
    # A fixed layout, in inches: matplotlib's constrained layout would double the time.
    fig_h = fig.get_figheight()
    fig.subplots_adjust(
        left=0.55 / fig_w,
        right=1 - 0.75 / fig_w,  # room for the last colour bar's ticks and label
        top=1 - top_inches / fig_h,
        bottom=(0.45 + foot_h) / fig_h,
        wspace=0.45,
        hspace=0.55 * 4.2 / w,
    )
    shown = len(ids) if types is not None else None
    fig.suptitle(_summary_title(hs, style, shown), fontsize=11, y=1 - 0.12 / fig_h, va="top")
    if footnote:
        fig.text(0.01, 0.08 / fig_h, footnote, fontsize=7, ha="left", va="bottom")
    return fig, ids, ncols, nrows


def summary_pixels(hs: HeatmapSet, style: Style = Style(), dpi: float = 150) -> np.ndarray:  # noqa: B008
    """:func:`plot_summary`'s figure as RGBA pixels (rows, columns, 4), drawn ~3x faster.

    Every panel of a summary has the same axes, ticks and colour-bar geometry. Instead of
    building 14 panels (their ~340 tick objects cost more than drawing them), one panel
    is built, then moved from cell to cell of the same grid, re-coloured
    (:func:`recolour`) and drawn onto one canvas. Same layout, titles and labels as
    :func:`plot_summary` (tested: the pixels agree up to sub-pixel placement).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import FixedLocator

    fig, ids, ncols, _ = _summary_frame(hs, style, 4, None, dpi=dpi)
    grid = fig.add_gridspec(-(-len(ids) // ncols), ncols)
    ax = fig.add_subplot(grid[0])
    draw_panel(ax, hs, ids[0], style)
    cax = ax.collections[0].colorbar.ax
    for axis in (ax.xaxis, ax.yaxis):  # the same ticks in every cell: locate them once
        axis.set_major_locator(FixedLocator(axis.get_majorticklocs()))
    moving = (ax, cax)
    home = [a.get_position(original=True) for a in moving]
    origin = grid[0].get_position(fig)
    labels = ax.xaxis.label.get_text(), ax.yaxis.label.get_text()
    canvas = FigureCanvasAgg(fig)
    for a in moving:
        a.set_visible(False)
    canvas.draw()  # the background, title and footnote
    renderer = canvas.get_renderer()
    for a in moving:
        a.set_visible(True)
    for i, type_id in enumerate(ids):
        cell = grid[i].get_position(fig)
        for a, box in zip(moving, home):
            a.set_position(box.translated(cell.x0 - origin.x0, cell.y0 - origin.y0))
        recolour(fig, hs, type_id, style)
        below, left = i + ncols < len(ids), i % ncols == 0  # as _label_outer
        ax.tick_params(labelbottom=not below, labelleft=left)
        ax.xaxis.label.set_text("" if below else labels[0])
        ax.yaxis.label.set_text(labels[1] if left else "")
        ax.draw(renderer)
        cax.draw(renderer)
    return np.asarray(canvas.buffer_rgba())


def _label_outer(axes: Sequence[Axes], ncols: int) -> None:
    """Every panel of a summary has the same axes: tick labels and axis labels only on the
    left column and on the lowest panel of each column, as small multiples are read."""
    for i, ax in enumerate(axes):
        if i + ncols < len(axes):  # another panel below this one
            ax.tick_params(labelbottom=False)
            ax.set_xlabel("")
        if i % ncols:
            ax.tick_params(labelleft=False)
            ax.set_ylabel("")


def _summary_ids(
    hs: HeatmapSet, style: Style, types: Sequence[int] | None
) -> tuple[list[int], list[str]]:
    """The type ids to draw, and the labels of the types left out for having no layers."""
    if types is not None:
        if isinstance(types, (str, bytes)) or not len(types):
            raise LayerheatError(f"types= needs one or more type ids, not {types!r}")
        return [_check_type(hs, t) for t in types], []
    present = [t.type.id for t in hs.present()] or [t.type.id for t in hs][:1]
    ids = [t.type.id for t in hs] if style.all_types else present
    return ids, [t.type.label for t in hs if t.type.id not in ids]


# -- writing -------------------------------------------------------------------------------
_WORK: dict = {}


def recolour(fig: Figure, hs: HeatmapSet, type_id: int, style: Style = Style()) -> Figure:  # noqa: B008
    """Turn a figure made by :func:`plot_type` (with its colour bar) into ``type_id``'s.

    Every type's panel has the same grid, axes and ticks; only the colours, the colour
    bar's scale and the title differ. Re-using the figure skips building axes and ticks
    again, which costs more than drawing: the result is pixel-identical to a fresh
    ``plot_type(hs, type_id, style)`` (tested), at about half the time per figure.
    """

    th = hs[_check_type(hs, type_id)]
    ax = fig.axes[0]
    coll = ax.collections[0]
    coll.set_array(np.where(style.values(th) > 0, style.values(th), np.nan).astype(float))
    coll.set_norm(style.norm(hs, th))  # updates the colour bar (a callback), once
    colorbar = coll.colorbar
    if colorbar is not None:  # a new norm resets the colour bar's ticks: set ours
        colorbar_ticks(colorbar, style)
    ax.set_title(panel_title(hs, th), fontsize=8, y=1.0)
    return fig


def _draw_summary(tmp: str, fmt: str, dpi: int) -> str:
    if fmt == "png":  # a raster: drawn from one panel moved from cell to cell
        _save_png(summary_pixels(_WORK["hs"], _WORK["style"], dpi), tmp, dpi)
    else:
        plot_summary(_WORK["hs"], _WORK["style"]).savefig(tmp, format=fmt, dpi=dpi)
    return tmp


def _save_png(pixels: np.ndarray, path: str, dpi: float) -> None:
    """RGBA pixels as a PNG file, as ``savefig`` writes them (same metadata)."""
    from matplotlib.image import imsave

    imsave(path, pixels, format="png", dpi=dpi, **_encoding("png"))


def _encoding(fmt: str) -> dict:
    """savefig's options for ``fmt``: PNGs with zlib level 2, not Pillow's 6: their
    encoding takes 0.6x the time, for files ~25% larger (48 kB a type at 150 dpi)."""
    return {"pil_kwargs": {"compress_level": 2}} if fmt == "png" else {}


def _draw_types(jobs: list[tuple[int, str, str, int]]) -> list[str]:
    """Draw several types' figures from one: PNGs with :class:`TypePainter`, vector
    formats from one re-coloured figure (see :func:`recolour`)."""
    hs, style = _WORK["hs"], _WORK["style"]
    fig: Figure | None = None
    painter: TypePainter | None = None
    for type_id, tmp, fmt, dpi in jobs:
        if fmt == "png":
            if painter is None or painter.dpi != dpi:
                painter = TypePainter(hs, type_id, style, dpi)
            _save_png(painter.pixels(type_id), tmp, dpi)
            continue
        if fig is None:
            fig = plot_type(hs, type_id, style)
        else:
            recolour(fig, hs, type_id, style)
        fig.savefig(tmp, format=fmt, dpi=dpi, **_encoding(fmt))
    return [tmp for _, tmp, _, _ in jobs]


class TypePainter:
    """Every type's figure (:func:`plot_type`) as RGBA pixels, from one figure whose
    shared parts are drawn once.

    The types' figures differ only in the hexagons, the title and the colour bar; the
    axes, their ticks and labels (most of a figure's drawing time) are the same. They are
    drawn once with the changing parts hidden and kept as a background; each type then
    restores it and draws its hexagons, the frame and spines over them (as a full drawing
    orders them), its title and colour bar: ~40% less time a figure, the same pixels as
    a fresh ``plot_type(hs, type_id, style)`` (tested)."""

    def __init__(self, hs: HeatmapSet, type_id: int, style: Style, dpi: float) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.hs, self.style, self.dpi = hs, style, dpi
        self.fig = plot_type(hs, type_id, style)
        self.fig.set_dpi(dpi)
        ax = self.fig.axes[0]
        coll = ax.collections[0]
        # in a full drawing's order: the hexagons, then what lies over their edges
        self.changing = [coll, *ax.patches, *ax.spines.values(), ax.title]
        if coll.colorbar is not None:
            self.changing.append(coll.colorbar.ax)
        self.canvas = FigureCanvasAgg(self.fig)
        for artist in self.changing:
            artist.set_visible(False)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        for artist in self.changing:
            artist.set_visible(True)

    def pixels(self, type_id: int) -> np.ndarray:
        """``type_id``'s figure; the array is overwritten by the next call."""
        recolour(self.fig, self.hs, type_id, self.style)
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.changing:
            artist.draw(renderer)
        return np.asarray(self.canvas.buffer_rgba())


def _draw_one(unit: list[tuple[int | None, str, str, int]]) -> object:
    """One unit of work for a drawing process: the summary (type id None) and/or a run of
    types, drawn from one re-coloured figure."""
    summary = [_draw_summary(*job[1:]) for job in unit if job[0] is None]
    return summary + _draw_types([job for job in unit if job[0] is not None])


class FigureWorkers:
    """A drawing process started before the heatmaps are computed, so that importing
    matplotlib and loading its fonts (half a second, more than a small input takes to
    read) happens while the parent reads; given the work, it forks the other ``jobs - 1``
    drawing processes, which then need no import of their own::

        with FigureWorkers(jobs) as workers:
            hs = heatmaps(...)
            write_figures(hs, outdir, workers=workers)

    Without a second core, or where forking is unsafe, no process starts and
    :func:`write_figures` works as without it.
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.workers = jobs or os.cpu_count() or 1
        self.pool = None

    def __enter__(self) -> FigureWorkers:
        from .parallel import can_fork, worker_pool

        if self.workers > 1 and can_fork():  # one process: it forks the others when warm
            self.pool = worker_pool(1, warm=_warm)
            self.pool.submit(int)  # the first task starts every process
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            # after an error, do not wait for the warming-up workers: they die with us
            self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)
            self.pool = None


def _warm() -> None:
    """What every drawing needs, loaded ahead: matplotlib's modules and a font."""
    from matplotlib import collections, colorbar, patches, ticker, transforms  # noqa: F401
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.text(0.5, 0.5, "0,9 k")
    FigureCanvasAgg(fig).draw()


def _draw_sent(sent: tuple) -> list:
    """Units of work with the heatmaps they draw, sent to the one drawing process started
    early (forked before the heatmaps existed, it gets them pickled). It forks a process
    per further unit, so matplotlib is imported and its font loaded once, not once per
    process (~0.5 s of CPU), and draws the first unit itself."""
    units, hs, style = sent
    _WORK.update(hs=hs, style=style)
    children = [_fork_unit(unit) for unit in units[1:]]
    try:
        done = _draw_one(units[0]) if units else []
    finally:
        errors = [error for error in map(_reap, children) if error]
    if errors:
        raise LayerheatError(f"drawing figures failed in a worker process: {errors[0]}")
    return done


def _fork_unit(unit: list) -> tuple[int, int]:
    """Draw ``unit`` in a forked child; returns its pid and a pipe that gets its error."""
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    code = 1  # the child: draw, report a failure, exit without the pool's exit handlers
    try:
        from .parallel import die_with_parent

        os.close(read)
        die_with_parent()
        _draw_one(unit)
        code = 0
    except BaseException as error:  # noqa: BLE001 - reported to the parent, then exit
        os.write(write, f"{type(error).__name__}: {error}".encode()[-2000:])
    finally:
        os._exit(code)


def _reap(child: tuple[int, int]) -> str:
    """Wait for a forked child: its error message, or "" when it drew its unit."""
    pid, read = child
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode(errors="replace")
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return message or (f"exit status {status}" if status else "")


def figure_names(hs: HeatmapSet, fmt: str = "png") -> dict[int | None, str]:
    """Output file names: ``summary.<fmt>`` and ``layer-<id>.<fmt>`` per type present."""
    names: dict[int | None, str] = {None: f"summary.{fmt}"}
    names.update({t.type.id: f"layer-{t.type.id}.{fmt}" for t in hs.present()})
    return names


def write_figures(
    hs: HeatmapSet,
    outdir: str | Path,
    *,
    fmt: str = "png",
    dpi: int = 150,
    style: Style = Style(),  # noqa: B008
    jobs: int | None = None,
    extra: Sequence[tuple[str, object]] = (),
    workers: FigureWorkers | None = None,
) -> list[Path]:
    """Write the summary and per-type figures into ``outdir``, all or nothing.

    Figures are drawn in parallel worker processes (``jobs``, default: all cores; or
    ``workers`` started earlier) into temporary files, and renamed into place only when
    every one succeeded.
    """
    import tempfile

    from .outputs import ensure_dir

    if fmt not in FORMATS:
        raise LayerheatError(f"--format {fmt!r} unknown; use png, svg or pdf")
    if dpi < 10 or dpi > 2400:
        raise LayerheatError(f"--dpi {dpi} out of range; use 10..2400")
    outdir = ensure_dir(outdir)
    names = figure_names(hs, fmt)
    tmpdir = Path(tempfile.mkdtemp(prefix=".layerheat-", dir=outdir))
    try:
        jobs_list = [(tid, str(tmpdir / name), fmt, dpi) for tid, name in names.items()]
        _run_jobs(hs, style, jobs_list, jobs, workers)
        for name, writer in extra:
            writer(tmpdir / name)  # type: ignore[operator]
        final = []
        for name in list(names.values()) + [name for name, _ in extra]:
            os.replace(tmpdir / name, outdir / name)
            final.append(outdir / name)
        return final
    finally:
        for leftover in tmpdir.glob("*"):
            leftover.unlink(missing_ok=True)
        tmpdir.rmdir()


def _run_jobs(
    hs: HeatmapSet, style: Style, jobs_list: list, jobs: int | None, early: FigureWorkers | None
) -> None:
    from .parallel import can_fork, worker_pool

    _WORK.update(hs=hs, style=style)
    pool = early.pool if early is not None else None
    workers = early.workers if pool is not None else (jobs or os.cpu_count() or 1)
    work = _share_work(jobs_list, min(workers, len(jobs_list)))
    if pool is not None:
        pool.submit(_draw_sent, (work, hs, style)).result()
        return
    # Fork shares the computed heatmaps and the imported matplotlib with the workers at
    # no cost; where forking is unsafe (other threads running), draw here instead.
    if len(work) <= 1 or not can_fork():
        for unit in work:
            _draw_one(unit)
        return
    with worker_pool(len(work)) as pool:  # workers die with this process
        list(pool.map(_draw_one, work))


#: drawing and encoding a summary panel costs about a type's painted figure (CPU time
#: measured on the fixed-cost input: each panel is drawn whole, the types' axes once)
SUMMARY_PANEL_COST = 1.0


def _share_work(jobs_list: list, workers: int) -> list[list]:
    """``jobs_list`` in ``workers`` units of about equal drawing time: the summary (the
    slowest figure) in one unit with a few types, the other types in even runs, each
    run drawn from one re-coloured figure."""
    summary = [job for job in jobs_list if job[0] is None]
    types = [job for job in jobs_list if job[0] is not None]
    if workers <= 1:
        return [summary + types] if jobs_list else []
    if not summary:
        return [types[i::workers] for i in range(workers) if types[i::workers]]
    cost = SUMMARY_PANEL_COST * len(types)  # in type figures
    extra = max(0, min(len(types), round((cost + len(types)) / workers - cost)))
    rest, runs = types[: len(types) - extra], workers - 1
    units = [summary + types[len(rest) :]]
    return units + [rest[i::runs] for i in range(runs) if rest[i::runs]]
