"""How big: per type, a hexagonal heatmap of layer width against height.

Width and height are canvas fractions of each usable (clipped) box, w = (xmax - xmin) /
canvas_width and h = (ymax - ymin) / canvas_height, binned on the fixed extent
0..1 x 0..1 with matplotlib's hexbin geometry, so the counts equal
``matplotlib.pyplot.hexbin(w, h, gridsize=G, extent=(0, 1, 0, 1)).get_array()``.
``formula="source"`` uses the source document's swapped ratios instead
(w = (xmax - xmin) / canvas_height, h = (ymax - ymin) / canvas_width), which can exceed
1: such layers fall outside the extent and are counted in ``outside``, never dropped
silently (docs/measures.md).

    >>> from layerheat.pipeline import Pipeline
    >>> from layerheat.taxonomy import default_taxonomy
    >>> with Pipeline(None) as pipe:
    ...     total = pipe.run([SizeMaps(default_taxonomy(), 10)])
    >>> sizes = total.partials[0].result()
    >>> int(sizes.counts.sum()) + int(sizes.outside.sum()) == 34969
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..binning import HexGrid, reference
from ..binning.hexgrid import hex_bin_index
from ..taxonomy import Taxonomy

__all__ = ["FORMULAS", "SizeMap", "SizeMaps", "SizeMapsAccumulator"]

FORMULAS = ("canvas", "source")


@dataclass(frozen=True)
class SizeMaps:
    """The measure: width-height hexbin counts per type (``formula`` canvas or source)."""

    taxonomy: Taxonomy
    gridsize: int = 35
    formula: str = "canvas"
    columns: tuple[str, ...] = ()

    def accumulator(self) -> SizeMapsAccumulator:
        return SizeMapsAccumulator(self)


@dataclass
class SizeMap:
    """Result: counts per (type, hexagon) on ``grid``, and layers outside the extent."""

    taxonomy: Taxonomy
    grid: HexGrid
    counts: np.ndarray
    outside: np.ndarray
    formula: str

    def __repr__(self) -> str:
        present = int((self.counts.sum(axis=1) + self.outside > 0).sum())
        return (
            f"SizeMap({self.formula} sizes, {self.grid.nx}x{self.grid.ny} hexagons, "
            f"{len(self.counts)} types ({present} present), {int(self.counts.sum()):,} layers "
            f"binned, {int(self.outside.sum()):,} outside the extent)"
        )

    def to_arrow(self) -> pa.Table:
        """sizes.csv: type_id, type_name, w, h, count (zero hexagons included)."""
        centres = self.grid.tidy_centers()
        n = len(centres)
        parts = [
            pa.table(
                {
                    "type_id": pa.array(np.full(n, t.id, dtype=np.int16)),
                    "type_name": pa.array([t.name] * n, type=pa.string()),
                    "w": centres[:, 0],
                    "h": centres[:, 1],
                    "count": self.counts[i],
                }
            )
            for i, t in enumerate(self.taxonomy)
        ]
        return pa.concat_tables(parts)


class SizeMapsAccumulator:
    """Partial counts of :class:`SizeMaps`."""

    def __init__(self, measure: SizeMaps) -> None:
        if measure.formula not in FORMULAS:
            raise ValueError(f"size formula {measure.formula!r}: use canvas or source")
        self.measure = measure
        self.grid = HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, measure.gridsize)
        n_types = len(measure.taxonomy)
        self.counts = np.zeros((n_types, self.grid.size), dtype=np.int64)
        self.outside = np.zeros(n_types, dtype=np.int64)

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Bin the widths and heights of one checked batch's usable rows."""
        if not batch.n_used:
            return
        swap = self.measure.formula == "source"
        if len(batch.codes) >= reference.SMALL_BATCH:  # one compiled pass; the same counts
            from ..binning.kernels import size_accumulate

            args = (swap, self.grid.params(), self.counts, self.outside)
            size_accumulate(*batch.kernel_args(), *args)
            return
        keep = batch.slots >= 0
        x0, y0, x1, y1 = (v[keep] for v in batch.clipped())
        width, height = batch.width[keep], batch.height[keep]
        if swap:
            width, height = height, width
        w, h = (x1 - x0) / width, (y1 - y0) / height
        slots = batch.slots[keep].astype(np.int64)
        bins = hex_bin_index(w, h, *self.grid.params())
        inside = bins >= 0
        flat = slots[inside] * self.grid.size + bins[inside]
        self.counts += np.bincount(flat, minlength=self.counts.size).reshape(self.counts.shape)
        self.outside += np.bincount(slots[~inside], minlength=len(self.outside))

    def merge(self, other: SizeMapsAccumulator) -> None:
        self.counts += other.counts
        self.outside += other.outside

    def result(self) -> SizeMap:
        return SizeMap(
            self.measure.taxonomy, self.grid, self.counts, self.outside, self.measure.formula
        )
