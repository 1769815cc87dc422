"""Figures of the measures beyond centres: size maps and coverage maps per type, and
where one type sits relative to another.

    >>> from layerheat.heatmap import measure
    >>> result = measure(None, ("size", "coverage"), gridsize=20, resolution=40)
    >>> fig = plot_size_summary(result.sizes)      # doctest: +SKIP

Both summaries draw one panel per type present, titled like the centre heatmaps, with
labelled axes and colour bars (:mod:`layerheat.plot`'s conventions: per-type colour
scales, empty cells in the background colour, compact tick labels).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import LayerheatError
from .measures.coverage import CoverageMap
from .measures.sizes import SizeMap
from .measures.stats import RelativeMap
from .plot import compact, hexagons
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_coverage_summary", "plot_relative", "plot_size_summary"]


def _chosen(taxonomy: Taxonomy, has_layers, types: Sequence[int] | None) -> list:  # noqa: ANN001
    """(slot, type) pairs to draw: types with layers, or of ``types`` in that order."""
    slots = {t.id: (i, t) for i, t in enumerate(taxonomy)}
    if types is None:
        return [(i, t) for i, t in enumerate(taxonomy) if has_layers[i]]
    unknown = [t for t in types if t not in slots]
    if unknown:
        raise LayerheatError(f"type ids {unknown} are not in the taxonomy; known: {list(slots)}")
    return [slots[t] for t in types if has_layers[slots[t][0]]]


def _grid(n: int, panel: tuple[float, float], title: str):  # noqa: ANN202 - (Figure, axes)
    from matplotlib.figure import Figure

    ncols = max(1, min(4, n))
    nrows = -(-n // ncols)
    w, h = panel
    fig_w = max(w * ncols, 8.0) if n > 1 else w + 0.6
    fig = Figure(figsize=(fig_w, h * nrows + (1.2 if n > 1 else 0.6)))
    fig_h = fig.get_figheight()
    fig.subplots_adjust(
        left=0.55 / fig_w,
        right=1 - 0.8 / fig_w,
        top=1 - (1.0 if n > 1 else 0.4) / fig_h,
        bottom=0.5 / fig_h,
        wspace=0.5,
        hspace=0.6,
    )
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_axis_off()
    if n > 1:
        fig.suptitle(title, fontsize=11, y=1 - 0.15 / fig_h, va="top")
    return fig, axes


def _colorbar(ax, artist, label: str) -> None:  # noqa: ANN001
    from matplotlib.ticker import FuncFormatter

    cb = ax.figure.colorbar(artist, ax=ax, fraction=0.05, pad=0.03)
    cb.ax.tick_params(labelsize=6)
    cb.ax.yaxis.set_major_formatter(FuncFormatter(compact))
    cb.set_label(label, fontsize=6)


def plot_size_summary(sizes: SizeMap, types: Sequence[int] | None = None) -> Figure:
    """Width against height (canvas fractions) per type present, as a new Figure.

    ``types``: just these type ids (those with layers), in that order.
    """
    from matplotlib import colormaps

    present = _chosen(sizes.taxonomy, sizes.counts.sum(axis=1) > 0, types)
    formula = "w = width / canvas width" if sizes.formula == "canvas" else "source's formula"
    fig, axes = _grid(len(present), (4.0, 3.6), f"How big each layer type is ({formula})")
    cmap = colormaps["viridis"].with_extremes(bad=(0, 0, 0, 0))
    centres, hexagon = sizes.grid.centers(), sizes.grid.hexagon()
    for ax, (i, t) in zip(axes, present, strict=False):
        coll = hexagons(ax, centres, hexagon, sizes.counts[i], cmap)
        coll.set_clim(0, max(int(sizes.counts[i].max()), 1))
        ax.add_collection(coll)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=6)
        ax.set_xlabel("width (fraction of canvas width)", fontsize=6)
        ax.set_ylabel("height (fraction of canvas height)", fontsize=6)
        n = int(sizes.counts[i].sum() + sizes.outside[i])
        ax.set_title(f"{t.label} · n = {n:,}", fontsize=8)
        _colorbar(ax, coll, "layers per hexagon")
    return fig


def plot_coverage_summary(
    coverage: CoverageMap,
    canvas: tuple[float, float] | None = None,
    types: Sequence[int] | None = None,
) -> Figure:
    """Per type present, the layers covering each point per design, as a new Figure.

    ``canvas`` (width, height) gives the panels the canvas's shape (None: square);
    ``types``: just these type ids (those with layers), in that order.
    """
    from matplotlib import colormaps

    has = [bool(coverage.counts[i].any()) for i in range(len(coverage.taxonomy))]
    present = _chosen(coverage.taxonomy, has, types)
    w, h = canvas or (1.0, 1.0)
    aspect = min(max(h / w, 0.25), 2.5)
    title = f"How much of the canvas each type covers ({coverage.n_designs:,} designs)"
    fig, axes = _grid(len(present), (4.2, 4.2 * aspect * 0.9 + 0.6), title)
    cmap = colormaps["magma"].with_extremes(bad=(0, 0, 0, 0))
    for ax, (i, t) in zip(axes, present, strict=False):
        values = np.where(coverage.counts[i] > 0, coverage.coverage[i], np.nan)
        image = ax.imshow(
            values, extent=(0, 1, 1, 0), cmap=cmap, vmin=0, aspect=aspect, interpolation="nearest"
        )
        ax.tick_params(labelsize=6)
        ax.set_xlabel("x (fraction of canvas)", fontsize=6)
        ax.set_ylabel("y (fraction of canvas, down)", fontsize=6)
        ax.set_title(f"{t.label} · peak {coverage.coverage[i].max():.2f}", fontsize=8)
        _colorbar(ax, image, "layers covering the point, per design")
    return fig


def plot_relative(rel: RelativeMap):  # noqa: ANN201 - a matplotlib Figure
    """Offsets of type B's centres from type A's (canvas fractions, y down) as hexagons,
    A's centre marked at the origin."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.6, 5.0))
    ax = fig.subplots()
    cmap = colormaps["viridis"].with_extremes(bad=(0, 0, 0, 0))
    coll = hexagons(ax, rel.grid.centers(), rel.grid.hexagon(), rel.counts, cmap)
    coll.set_clim(0, max(int(rel.counts.max(initial=0)), 1))
    ax.plot([0], [0], marker="+", color="crimson", markersize=12, label=f"{rel.type_a.label}")
    ax.set_xlim(-1, 1)
    ax.set_ylim(1, -1)  # y down, as on the canvas
    ax.set_aspect("equal")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("offset x (canvas fraction)", fontsize=8)
    ax.set_ylabel("offset y (canvas fraction, down)", fontsize=8)
    ax.set_title(
        f"{rel.type_b.label} relative to {rel.type_a.label}\n"
        f"{rel.n_pairs:,} pairs in {rel.n_designs:,} designs",
        fontsize=9,
    )
    ax.legend(loc="upper right", fontsize=7, title="centre of", title_fontsize=7)
    _colorbar(ax, coll, "pairs per hexagon")
    return fig
