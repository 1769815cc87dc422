"""Figures of a comparison: maps side by side, per-type divergences, score distributions.

    >>> from layerheat.compare import compare
    >>> from layerheat.plot_compare import plot_differences
    >>> fig = plot_differences(compare("a.parquet", "b.parquet"))   # doctest: +SKIP
    >>> fig.savefig("compare.png")                                    # doctest: +SKIP

* :func:`plot_differences`: for the top types, A's shares, B's shares and the
  difference (B - A) on a diverging colour map centred on 0, significant hexagons
  outlined in black;
* :func:`plot_divergences`: Jensen-Shannon divergence per type, a bar each;
* :func:`plot_metrics`: histograms of the per-design scores of both sides.

All figures are matplotlib ``Figure`` objects (Agg); drawing never reads files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .compare import Comparison, TypeComparison

__all__ = ["plot_differences", "plot_divergences", "plot_metrics", "write_figures"]

SHARE_CMAP = "viridis"
DIFF_CMAP = "RdBu_r"  # blue: more on side A, red: more on side B


def _percent(signed: bool = False):  # noqa: ANN202 - a matplotlib Formatter
    """Percent tick labels with as many decimals as the ticks need (no "0.1%" twice)."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    plain = PercentFormatter(xmax=1.0, decimals=None)

    class Signed(FuncFormatter):
        def set_axis(self, axis) -> None:  # noqa: ANN001 - keep the wrapped one informed
            super().set_axis(axis)
            plain.set_axis(axis)

    if not signed:
        return plain
    return Signed(lambda x, pos: ("+" if x > 0 else "") + plain(x, pos))


def _frame(c: Comparison) -> tuple[tuple[float, float], str]:
    """The frame the maps are drawn in and its unit: A's canvas in pixels, or the unit
    square of min-max scaling (where pixels mean nothing)."""
    if c.a.scale == "minmax":
        return (1.0, 1.0), "min-max units"
    canvas = c.a.canvas or (1.0, 1.0)
    return canvas, "px" if c.a.canvas else "fraction of canvas"


def _hexes(ax, grid, canvas, values, norm, cmap, outline=None, unit="px"):  # noqa: ANN001, ANN202
    """Hexagons of ``grid`` coloured by ``values`` in ``canvas`` units, top at the top."""
    from matplotlib import transforms
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Rectangle

    sx, sy = canvas
    offsets = grid.centers() * [sx, sy]
    hexagon = grid.hexagon() * [sx, sy]
    coll = PolyCollection([hexagon], offsets=offsets, edgecolors="face", linewidths=0.2)
    coll.set_offset_transform(ax.transData)
    coll.set_transform(transforms.AffineDeltaTransform(ax.transData))
    coll.set_array(values)
    coll.set_cmap(cmap)
    coll.set_norm(norm)
    ax.add_collection(coll)
    if outline is not None and outline.any():
        edges = PolyCollection(
            [hexagon], offsets=offsets[outline], facecolors="none", edgecolors="black",
            linewidths=0.9,
        )  # fmt: skip
        edges.set_offset_transform(ax.transData)
        edges.set_transform(transforms.AffineDeltaTransform(ax.transData))
        ax.add_collection(edges)
    ax.set_xlim(0, sx)
    ax.set_ylim(sy, 0)
    ax.set_aspect("equal")
    ax.add_patch(Rectangle((0, 0), sx, sy, fill=False, lw=0.8, ec="0.3"))
    ax.tick_params(labelsize=7)
    ax.set_xlabel(f"x ({unit})", fontsize=7)
    ax.set_ylabel(f"y ({unit}, down)", fontsize=7)
    return coll


def _row(fig, axes, c: Comparison, t: TypeComparison) -> None:  # noqa: ANN001
    from matplotlib import colors

    canvas, unit = _frame(c)
    top = max(float(t.share_a.max()), float(t.share_b.max()), 1e-12)
    share_norm = colors.Normalize(0, top)
    for ax, share, label, n in ((axes[0], t.share_a, c.labels[0], t.n_a),
                                (axes[1], t.share_b, c.labels[1], t.n_b)):  # fmt: skip
        coll = _hexes(ax, t.grid, canvas, share, share_norm, SHARE_CMAP, unit=unit)
        ax.set_title(f"{label}: {t.type.label} · n = {n:,}", fontsize=8)
        cb = fig.colorbar(coll, ax=ax, fraction=0.04, pad=0.02, format=_percent())
        cb.set_label("share of the type's layers", fontsize=7)
        cb.ax.tick_params(labelsize=6)
    half = max(float(np.abs(t.diff).max()), 0.005)  # at least +-0.5 points on the bar
    norm = colors.CenteredNorm(0.0, half)
    coll = _hexes(axes[2], t.grid, canvas, t.diff, norm, DIFF_CMAP, t.significant, unit)
    n_sig = int(t.significant.sum())
    axes[2].set_title(
        f"{c.labels[1]} − {c.labels[0]} · JS {t.js:.3f} bits\n"
        f"{n_sig} hexagon(s) significant at FDR {c.fdr:g} (outlined)",
        fontsize=8,
    )
    cb = fig.colorbar(coll, ax=axes[2], fraction=0.04, pad=0.02, format=_percent(signed=True))
    cb.set_label(f"share {c.labels[1]} − share {c.labels[0]}", fontsize=7)
    cb.ax.tick_params(labelsize=6)


def plot_differences(c: Comparison, top: int = 4):  # noqa: ANN201 - a matplotlib Figure
    """The ``top`` types by divergence: A's map, B's map and the difference, one row each."""
    from matplotlib.figure import Figure

    shown = [t for t in c.types if t.n_a and t.n_b][:top] or c.types[:top]
    canvas, _ = _frame(c)
    ratio = canvas[1] / canvas[0]
    fig = Figure(figsize=(15, len(shown) * (4.6 * ratio + 0.9) + 0.7), layout="constrained")
    axes = fig.subplots(len(shown), 3, squeeze=False)
    for row, t in zip(axes, shown, strict=True):
        _row(fig, row, c, t)
    fig.suptitle(
        f"{c.labels[0]} vs {c.labels[1]}: the {len(shown)} layer types that differ most "
        f"(by Jensen-Shannon divergence), gridsize {c.a.gridsize}"
        + (", min-max scaled with both sides' extents" if c.a.scale == "minmax" else ""),
        fontsize=11,
    )
    return fig


def plot_divergences(c: Comparison):  # noqa: ANN201 - a matplotlib Figure
    """One horizontal bar per type: JS divergence (types on one side only: marked)."""
    from matplotlib.figure import Figure

    types = c.types
    fig = Figure(figsize=(8, 0.35 * len(types) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(types))
    js = np.array([t.js for t in types])
    ax.barh(y, np.nan_to_num(js), color=[t.type.color for t in types], edgecolor="0.2", lw=0.5)
    for yi, t in zip(y, types, strict=True):
        note = f"{t.js:.3f}" if np.isfinite(t.js) else "only on one side"
        note += f" · {int(t.significant.sum())} significant hexagon(s)"
        ax.text(np.nan_to_num(t.js), yi, f" {note}", va="center", fontsize=7)
    ax.set_yticks(y, [t.type.label for t in types], fontsize=8)
    ax.invert_yaxis()
    finite = js[np.isfinite(js)]
    ax.set_xlim(0, max(float(finite.max()) if finite.size else 0.0, 0.05) * 1.5)
    ax.set_xlabel("Jensen-Shannon divergence of hexagon shares (bits, 0 = same, 1 = disjoint)")
    ax.set_title(f"How differently each type is placed: {c.labels[0]} vs {c.labels[1]}")
    return fig


_SCORES = (
    ("alignment", "alignment: mean −ln(1 − d) (LayoutGAN++; lower = better aligned)"),
    ("overlap", "overlap: mean Σ area(i∩j)/area(i) (LayoutGAN++)"),
    ("validity", "validity: share of layers ≥ 0.1% of canvas (PosterLayout Val)"),
)


def plot_metrics(c: Comparison):  # noqa: ANN201 - a matplotlib Figure
    """Histograms of alignment, overlap and validity per design, both sides overlaid."""
    from matplotlib.figure import Figure

    if c.metrics is None:
        raise ValueError("the comparison has no per-design metrics")
    fig = Figure(figsize=(15, 4.2), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, (name, label) in zip(axes, _SCORES, strict=True):
        values = [m.column(name).to_numpy(zero_copy_only=False) for m in c.metrics]
        values = [v[np.isfinite(v)] for v in values]
        both = np.concatenate(values)
        lo, hi = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
        bins = np.linspace(lo, hi if hi > lo else lo + 1e-9, 41)
        for v, side, colour in zip(values, c.labels, ("tab:blue", "tab:red"), strict=True):
            mean = f"{v.mean():.3g}" if v.size else "n/a"
            ax.hist(v, bins=bins, histtype="step", lw=1.5, color=colour,
                    label=f"{side} ({v.size:,} designs, mean {mean})")  # fmt: skip
        ax.set_xlabel(label, fontsize=8)
        ax.set_ylabel("designs", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    fig.suptitle(f"Layout scores per design: {c.labels[0]} vs {c.labels[1]}", fontsize=11)
    return fig


def write_figures(c: Comparison, outdir: str | Path, *, top: int = 4, dpi: int = 150) -> list[Path]:
    """Write compare.png, divergence.png and (with metrics) metrics.png atomically."""
    from .outputs import atomic_path

    figures = {"compare.png": plot_differences(c, top), "divergence.png": plot_divergences(c)}
    if c.metrics is not None:
        figures["metrics.png"] = plot_metrics(c)
    written = []
    for name, fig in figures.items():
        with atomic_path(Path(outdir) / name) as tmp:
            fig.savefig(tmp, dpi=dpi, format="png")
        written.append(Path(outdir) / name)
    return written
