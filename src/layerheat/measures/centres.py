"""Where layers go: per-type hexagon counts of box centres, and the HeatmapSet result.

    >>> from layerheat import heatmaps
    >>> hs = heatmaps()                      # the built-in sample, canvas frame
    >>> bool(hs[30].n_layers > 0), bool(hs[30].counts.sum() == hs[30].n_layers)
    (True, True)
    >>> list(hs.to_frame().columns)
    ['type_id', 'type_name', 'x', 'y', 'count']

Canvas frame (:class:`CanvasCentres`): one grid for all types over canvas fractions,
fixed by the reference canvas, one pass. Min-max (the source's method): pass 1
(:class:`CentreExtents`) finds each type's extents, which fit its scalers and its grid
the way matplotlib's ``hexbin`` would choose it; pass 2 (:class:`MinMaxCentres`) bins
the scaled centres. Counts and mean sizes come from the fused kernels of
:mod:`layerheat.binning.kernels`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..arrays import arrow
from ..binning import HexGrid
from ..binning.reference import pick
from ..normalize import MinMax
from ..readreport import ReadReport
from ..taxonomy import LayerType, Taxonomy

__all__ = [
    "CanvasCentres",
    "CentreExtents",
    "HeatmapSet",
    "MinMaxCentres",
    "TypeHeatmap",
    "minmax_set",
]

Fit = tuple[MinMax | None, MinMax | None, HexGrid]


@dataclass
class TypeHeatmap:
    """One layer type's hexagon counts on its grid, with layer count and mean size."""

    type: LayerType
    grid: HexGrid
    counts: np.ndarray
    n_layers: int = 0
    mean_width: float = float("nan")
    mean_height: float = float("nan")
    scaler_x: MinMax | None = None
    scaler_y: MinMax | None = None

    @property
    def max_count(self) -> int:
        """The largest count of any hexagon."""
        return int(self.counts.max()) if self.counts.size else 0

    def __repr__(self) -> str:
        size = ""
        if self.n_layers and not np.isnan(self.mean_width):
            size = f", mean size {self.mean_width:.0%} x {self.mean_height:.0%}"
        return (
            f"TypeHeatmap({self.type.name} [{self.type.id}], {self.n_layers:,} layers, "
            f"{self.grid.size} hexagons, max {self.max_count:,}{size})"
        )

    def to_frame(self):  # noqa: ANN201 - a pandas DataFrame
        """One row per hexagon (zero counts included): x, y and count.

        x, y is the hexagon's centre in the frame: canvas fractions (multiply by the
        canvas size for pixels) or min-max units, y growing downward; the same values as
        this type's rows of :meth:`HeatmapSet.to_frame`. :meth:`polygons` gives the
        outlines, in the same order.
        """
        import pandas as pd

        centres = self.grid.tidy_centers()
        return pd.DataFrame({"x": centres[:, 0], "y": centres[:, 1], "count": self.counts})

    def polygons(self) -> np.ndarray:
        """Every hexagon's six vertices in the frame, shape ``(hexagons, 6, 2)``, in the
        order of ``counts`` (for drawing with other plotting libraries)."""
        return self.grid.centers()[:, None, :] + self.grid.hexagon()[None, :, :]


@dataclass
class HeatmapSet:
    """Heatmaps of every type of a taxonomy (empty types included), in one frame."""

    scale: str
    gridsize: int
    taxonomy: Taxonomy
    types: dict[int, TypeHeatmap]
    canvas: tuple[float, float] | None = None
    report: ReadReport = field(default_factory=ReadReport)
    #: layers per canvas size (width, height) among the usable rows, most frequent first
    canvas_sizes: dict[tuple[float, float], int] = field(default_factory=dict)

    def __getitem__(self, type_id: int) -> TypeHeatmap:
        return self.types[type_id]

    def __iter__(self) -> Iterator[TypeHeatmap]:
        return iter(self.types.values())

    def __len__(self) -> int:
        return len(self.types)

    @property
    def n_layers(self) -> int:
        """Layers binned, all types together."""
        return sum(t.n_layers for t in self)

    @property
    def max_count(self) -> int:
        """The largest count of any hexagon of any type."""
        return max((t.max_count for t in self), default=0)

    def present(self) -> list[TypeHeatmap]:
        """Types with at least one layer."""
        return [t for t in self if t.n_layers]

    def __repr__(self) -> str:
        frame = "min-max frame" if self.scale == "minmax" else "canvas frame"
        if self.scale == "canvas" and self.canvas:
            frame += f" {self.canvas[0]:g}x{self.canvas[1]:g}"
        return (
            f"HeatmapSet({frame}, gridsize {self.gridsize}, {len(self)} types "
            f"({len(self.present())} present), {self.n_layers:,} layers)"
        )

    def _repr_html_(self) -> str:
        """For notebooks: the summary line, then one row per type present with its
        layers, largest count, mean size and a thumbnail of its heatmap (each on its own
        colour scale, viridis: yellow = most, top of the canvas at the top); text escaped."""
        from html import escape

        shape = _thumbnail_shape(self)
        rows = "".join(
            f"<tr><td>{t.type.id}</td><td>{escape(t.type.name)}</td>"
            f"<td style='text-align:right'>{t.n_layers:,}</td>"
            f"<td style='text-align:right'>{t.max_count:,}</td>"
            f"<td>{_size_text(t)}</td>"
            f"<td><img src='{_thumbnail(t, self.scale, shape)}' width='{shape[1]}' "
            f"height='{shape[0]}' style='border:1px solid #999' "
            f"alt='{escape(t.type.name, quote=True)} heatmap'></td></tr>"
            for t in self.present()
        )
        head = "<tr><th>id</th><th>type</th><th>layers</th><th>max / hexagon</th>"
        head += "<th>mean size (w x h)</th><th>where</th></tr>"
        empty = [escape(t.type.name) for t in self if not t.n_layers]
        foot = f"<p>no layers: {', '.join(empty)}</p>" if empty else ""
        return f"<p>{escape(repr(self))}</p><table>{head}{rows}</table>{foot}"

    def to_arrow(self) -> pa.Table:
        """One row per hexagon of every type: type_id, type_name, x, y, count.

        x, y are the hexagon centre in the frame used (canvas fractions or min-max
        units), y growing downward as in the canvas; zero-count hexagons included.
        """
        parts = []
        for t in self:
            centres = t.grid.tidy_centers()
            n = len(centres)
            columns = {
                "type_id": arrow(np.full(n, t.type.id, dtype=np.int16)),
                "type_name": arrow([t.type.name] * n),
                "x": arrow(centres[:, 0]),
                "y": arrow(centres[:, 1]),
                "count": arrow(t.counts.astype(np.int64)),
            }
            parts.append(pa.table(columns))
        return pa.concat_tables(parts)

    def to_frame(self):  # noqa: ANN201 - returns a pandas DataFrame
        """:meth:`to_arrow` as a pandas DataFrame."""
        return self.to_arrow().to_pandas()

    def write_bins(self, path: str | Path) -> Path:
        """Write :meth:`to_arrow` as CSV, atomically."""
        import pyarrow.csv as pacsv

        from ..outputs import atomic_path

        path = Path(path)
        with atomic_path(path) as tmp:
            pacsv.write_csv(self.to_arrow(), tmp)
        return path


#: thumbnail width in the HTML repr (pixels)
THUMBNAIL_WIDTH = 96


def _thumbnail_shape(hs: HeatmapSet) -> tuple[int, int]:
    """(rows, columns) of the thumbnails: the canvas's shape (aspect kept within 1:4 and
    5:2), square in the min-max frame."""
    aspect = 1.0
    if hs.scale == "canvas" and hs.canvas:
        aspect = min(max(hs.canvas[1] / hs.canvas[0], 0.25), 2.5)
    return max(1, round(THUMBNAIL_WIDTH * aspect)), THUMBNAIL_WIDTH


def _thumbnail(t: TypeHeatmap, scale: str, shape: tuple[int, int]) -> str:
    """The type's hexagon counts rasterised as a small PNG ``data:`` URI: each pixel
    takes its hexagon's count, viridis on the type's own scale, empty hexagons white."""
    import base64
    import io

    from matplotlib import colormaps
    from PIL import Image

    g = t.grid
    x0, x1, y0, y1 = (0.0, 1.0, 0.0, 1.0) if scale == "canvas" else (g.xmin, g.xmax, g.ymin, g.ymax)
    rows, cols = shape
    ys = y0 + (np.arange(rows) + 0.5) * (y1 - y0) / rows  # row 0 at the top: y grows down
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    gx, gy = np.meshgrid(xs, ys)
    index = g.bin_index(gx.ravel(), gy.ravel())
    counts = np.where(index >= 0, t.counts[np.maximum(index, 0)], 0).reshape(rows, cols)
    rgba = colormaps["viridis"](counts / max(t.max_count, 1), bytes=True)
    rgba[counts == 0] = 255
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _size_text(t: TypeHeatmap) -> str:
    if np.isnan(t.mean_width) or (t.mean_width == 0 and t.mean_height == 0):
        return "points only"
    return f"{t.mean_width:.1%} x {t.mean_height:.1%}"


class _TypeSums:
    """Per type: layers and the sums of their widths and heights (canvas fractions)."""

    def __init__(self, n_types: int) -> None:
        self.n = np.zeros(n_types, dtype=np.int64)
        self.sum_w = np.zeros(n_types)
        self.sum_h = np.zeros(n_types)

    def merge_sums(self, other: _TypeSums) -> None:
        self.n += other.n
        self.sum_w += other.sum_w
        self.sum_h += other.sum_h

    def type_heatmap(self, i: int, t: LayerType, grid: HexGrid, counts: np.ndarray, *fit):  # noqa: ANN002, ANN201
        n = self.n[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_w, mean_h = self.sum_w[i] / n, self.sum_h[i] / n
        return TypeHeatmap(t, grid, counts, int(n), mean_w, mean_h, *fit)


@dataclass(frozen=True)
class _CentreMeasure:
    """What both first-pass centre measures are given; ``accumulator()`` starts one."""

    taxonomy: Taxonomy
    gridsize: int
    canvas: tuple[float, float] | None
    columns: tuple[str, ...] = ()

    def accumulator(self):  # noqa: ANN201 - the subclass's accumulator
        return self._accumulator_class()(self)

    def _accumulator_class(self) -> type:
        raise NotImplementedError


# -- canvas frame -------------------------------------------------------------------------
class CanvasCentres(_CentreMeasure):
    """Centre counts per type on one hexagon grid over the canvas ``canvas`` (w, h)."""

    def _accumulator_class(self) -> type:
        return CanvasCentresAccumulator


class CanvasCentresAccumulator(_TypeSums):
    """Partial counts of :class:`CanvasCentres`."""

    def __init__(self, measure: CanvasCentres) -> None:
        super().__init__(len(measure.taxonomy))
        self.measure = measure
        self.canvas = measure.canvas or (1.0, 1.0)
        self.grid = HexGrid.for_canvas(measure.gridsize, *self.canvas)
        self.counts = np.zeros((len(measure.taxonomy), self.grid.size), dtype=np.int64)

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Bin one checked batch."""
        if batch.n_used:
            canvas_accumulate = pick("canvas_accumulate", len(batch.codes))
            sums = (self.n, self.sum_w, self.sum_h)
            canvas_accumulate(*batch.kernel_args(), self.grid.params(), self.counts, *sums)

    def merge(self, other: CanvasCentresAccumulator) -> None:
        """Add another partial's counts (same grid) to this one."""
        self.counts += other.counts
        self.merge_sums(other)

    def result(self) -> HeatmapSet:
        """The HeatmapSet (the engine's read report is attached by the caller)."""
        m = self.measure
        types = {
            t.id: self.type_heatmap(i, t, self.grid, self.counts[i])
            for i, t in enumerate(m.taxonomy)
        }
        return HeatmapSet("canvas", m.gridsize, m.taxonomy, types, self.canvas)


# -- min-max (the source's method) ----------------------------------------------------------
class CentreExtents(_CentreMeasure):
    """Min-max pass 1: each type's min and max of box centres (the scalers' fit)."""

    def _accumulator_class(self) -> type:
        return CentreExtentsAccumulator


class CentreExtentsAccumulator(_TypeSums):
    """Partial extents of :class:`CentreExtents`."""

    def __init__(self, measure: CentreExtents) -> None:
        n_types = len(measure.taxonomy)
        super().__init__(n_types)
        self.measure = measure
        self.lo = np.full((n_types, 2), np.inf)
        self.hi = np.full((n_types, 2), -np.inf)

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Take one checked batch into the extents."""
        if batch.n_used:
            minmax_extent = pick("minmax_extent", len(batch.codes))
            sums = (self.n, self.sum_w, self.sum_h)
            minmax_extent(*batch.kernel_args(), self.lo, self.hi, *sums)

    def merge(self, other: CentreExtentsAccumulator) -> None:
        """Add another partial (a later part of the input) to this one."""
        np.minimum(self.lo, other.lo, out=self.lo)
        np.maximum(self.hi, other.hi, out=self.hi)
        self.merge_sums(other)

    def result(self) -> list[Fit]:
        """Per type: x and y scalers (None for an empty type) and the hexbin grid."""
        gridsize = self.measure.gridsize
        out: list[Fit] = []
        for i in range(len(self.measure.taxonomy)):
            if not self.n[i]:
                out.append((None, None, HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, gridsize)))
                continue
            (x0, y0), (x1, y1) = self.lo[i], self.hi[i]
            sx, sy = MinMax(x0, x1), MinMax(y0, y1)
            (gx0, gx1), (gy0, gy1) = sx.transform([x0, x1]), sy.transform([y0, y1])
            grid = HexGrid.from_extent(float(gx0), float(gx1), float(gy0), float(gy1), gridsize)
            out.append((sx, sy, grid))
        return out


@dataclass(frozen=True)
class MinMaxCentres:
    """Min-max pass 2: each type's centres scaled by its scaler, binned on its grid."""

    taxonomy: Taxonomy
    fits: tuple[Fit, ...]
    columns: tuple[str, ...] = ()

    def accumulator(self) -> MinMaxCentresAccumulator:
        return MinMaxCentresAccumulator(self)


class MinMaxCentresAccumulator:
    """Partial counts of :class:`MinMaxCentres`."""

    def __init__(self, measure: MinMaxCentres) -> None:
        n_types = len(measure.taxonomy)
        self.scale = np.zeros((n_types, 2))
        self.offset = np.zeros((n_types, 2))
        self.grids = np.zeros((n_types, 4))
        grid0 = measure.fits[0][2]
        self.nx, self.ny = grid0.nx, grid0.ny
        for i, (sx, sy, grid) in enumerate(measure.fits):
            if sx is not None:
                self.scale[i] = sx.scale, sy.scale
                self.offset[i] = sx.offset, sy.offset
            self.grids[i] = grid.params()[:4]
        self.counts = np.zeros((n_types, grid0.size), dtype=np.int64)

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Bin one checked batch."""
        if batch.n_used:
            minmax_accumulate = pick("minmax_accumulate", len(batch.codes))
            args = (self.scale, self.offset, self.grids, self.nx, self.ny, self.counts)
            minmax_accumulate(*batch.kernel_args(), *args)

    def merge(self, other: MinMaxCentresAccumulator) -> None:
        """Add another partial's counts."""
        self.counts += other.counts

    def result(self) -> np.ndarray:
        """Counts per (type, hexagon), in taxonomy order."""
        return self.counts


def minmax_set(extents: CentreExtentsAccumulator, counts: np.ndarray | None) -> HeatmapSet:
    """The min-max HeatmapSet from pass 1's extents and pass 2's counts (None: empty)."""
    m = extents.measure
    fits = extents.result()
    types = {}
    for i, t in enumerate(m.taxonomy):
        sx, sy, grid = fits[i]
        type_counts = counts[i] if counts is not None else np.zeros(grid.size, dtype=np.int64)
        types[t.id] = extents.type_heatmap(i, t, grid, type_counts, sx, sy)
    return HeatmapSet("minmax", m.gridsize, m.taxonomy, types, m.canvas)
