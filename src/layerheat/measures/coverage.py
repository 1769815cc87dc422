"""How much of the canvas: per type, the share of designs whose layers cover each point.

A grid of square cells over the canvas (``resolution`` cells along its long side, the
reference canvas's aspect); per type and cell, the number of the type's layers whose
box (clipped to its canvas, in canvas fractions) contains the cell's centre, divided by
the number of designs. For a type present once per design that is the share of designs
whose layer covers the point. Boxes are added with 2-D difference arrays in a compiled
kernel (:mod:`layerheat.binning.coverage_kernel`), so the work per layer is constant.

    >>> from layerheat.pipeline import Pipeline
    >>> from layerheat.taxonomy import default_taxonomy
    >>> with Pipeline(None) as pipe:
    ...     total = pipe.run([CoverageMaps(default_taxonomy(), pipe.frame, 50)])
    >>> cov = total.partials[0].result()
    >>> cov.n_designs, cov.coverage.shape
    (3000, (14, 30, 50))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..errors import LayerheatError
from ..taxonomy import Taxonomy
from .distinct import DistinctIds

__all__ = ["CoverageMap", "CoverageMaps", "CoverageMapsAccumulator", "grid_shape"]


def grid_shape(canvas: tuple[float, float] | None, resolution: int) -> tuple[int, int]:
    """(nx, ny): ``resolution`` square cells along the canvas's long side."""
    w, h = canvas or (1.0, 1.0)
    if w >= h:
        return resolution, max(1, round(resolution * h / w))
    return max(1, round(resolution * w / h)), resolution


@dataclass(frozen=True)
class CoverageMaps:
    """The measure: coverage per type on a grid over the canvas ``canvas`` (w, h)."""

    taxonomy: Taxonomy
    canvas: tuple[float, float] | None
    resolution: int = 100
    columns: tuple[str, ...] = ("design_id",)
    #: without design ids: raise (True), or skip those rows and count no designs (False)
    required: bool = True

    def accumulator(self) -> CoverageMapsAccumulator:
        return CoverageMapsAccumulator(self)


@dataclass
class CoverageMap:
    """Result: coverage (n_types, ny, nx), y down, and the number of designs."""

    taxonomy: Taxonomy
    counts: np.ndarray
    n_designs: int

    def __repr__(self) -> str:
        n_types, ny, nx = self.counts.shape
        present = int((self.counts.reshape(n_types, -1).max(axis=1, initial=0) > 0).sum())
        peak = float(self.coverage.max(initial=0.0))
        return (
            f"CoverageMap({n_types} types ({present} present), {nx}x{ny} cells, "
            f"{self.n_designs:,} designs, max coverage {peak:.2f})"
        )

    @property
    def coverage(self) -> np.ndarray:
        """Layers containing each cell centre per design."""
        return self.counts / max(self.n_designs, 1)

    def to_arrow(self) -> pa.Table:
        """coverage.csv: type_id, type_name, x, y (cell centre, fractions), coverage."""
        n_types, ny, nx = self.counts.shape
        gx, gy = np.meshgrid((np.arange(nx) + 0.5) / nx, (np.arange(ny) + 0.5) / ny)
        parts = [
            pa.table(
                {
                    "type_id": pa.array(np.full(nx * ny, t.id, dtype=np.int16)),
                    "type_name": pa.array([t.name] * (nx * ny), type=pa.string()),
                    "x": gx.ravel(),
                    "y": gy.ravel(),
                    "coverage": self.coverage[i].ravel(),
                }
            )
            for i, t in enumerate(self.taxonomy)
        ]
        return pa.concat_tables(parts)


class CoverageMapsAccumulator:
    """Partial difference arrays and design ids of :class:`CoverageMaps`."""

    def __init__(self, measure: CoverageMaps) -> None:
        self.measure = measure
        self.nx, self.ny = grid_shape(measure.canvas, measure.resolution)
        self.diff = np.zeros((len(measure.taxonomy), self.ny + 1, self.nx + 1), dtype=np.int64)
        self.designs = DistinctIds()

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Add the usable boxes of one checked batch."""
        from ..binning.coverage_kernel import coverage_accumulate

        if batch.design is None:
            if not self.measure.required:
                return
            raise LayerheatError(
                "coverage needs design ids (a design_id column) to divide by the number "
                "of designs; the input has none"
            )
        self.designs.add(batch.design)  # every design seen
        if not batch.n_used:
            return
        from ..reasons import CLIP

        nx, ny = self.nx, self.ny
        coverage_accumulate(*batch.kernel_args(), CLIP, nx, ny, self.diff)

    def merge(self, other: CoverageMapsAccumulator) -> None:
        self.diff += other.diff
        self.designs.merge(other.designs)

    def result(self) -> CoverageMap:
        from ..binning.coverage_kernel import coverage_counts

        return CoverageMap(self.measure.taxonomy, coverage_counts(self.diff), len(self.designs))
