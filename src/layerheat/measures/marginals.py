"""Marginal histograms of centre x, centre y, width and height per type, and design counts.

    >>> from layerheat.measures.marginals import MarginalHistograms
    >>> acc = MarginalHistograms(taxonomy)              # doctest: +SKIP
    >>> acc.add(checked); acc.merge(other)              # doctest: +SKIP
    >>> m = acc.result(); m.w1(m_other, slot, 0)         # doctest: +SKIP

The four quantities are canvas fractions of the usable rows' boxes (clipped to their
canvas), counted on :data:`RESOLUTION` equal bins over [0, 1] (values outside land in
the end bins). Counts are integers, so partial accumulators merge exactly in any order
and a Wasserstein-1 distance computed from them is within one bin width (1/4096) of
``scipy.stats.wasserstein_distance`` on the raw values. Design counts per type are kept
as sets of design ids (exact under merge, picklable for Dask).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..taxonomy import Taxonomy
from .distinct import DistinctIds

__all__ = ["QUANTITIES", "RESOLUTION", "MarginalHistograms", "Marginals", "MarginalsMeasure"]

#: bins over [0, 1] per quantity: W1 from them is within 1/RESOLUTION of the exact one
RESOLUTION = 4096
#: the quantities, in the order of the histogram's second axis
QUANTITIES = ("cx", "cy", "w", "h")


@dataclass
class Marginals:
    """Result: counts (types, 4, RESOLUTION), designs containing each type, all designs."""

    taxonomy: Taxonomy
    counts: np.ndarray
    designs: list[int]
    n_designs: int

    def n_layers(self, slot: int) -> int:
        return int(self.counts[slot, 0].sum())

    def w1(self, other: Marginals, slot: int, quantity: int) -> float:
        """Wasserstein-1 distance of one quantity of one type between two results."""
        a, b = self.counts[slot, quantity], other.counts[slot, quantity]
        if not a.sum() or not b.sum():
            return float("nan")
        gap = np.cumsum(a / a.sum()) - np.cumsum(b / b.sum())
        return float(np.abs(gap[:-1]).sum() / RESOLUTION)


@dataclass(frozen=True)
class MarginalsMeasure:
    """The measure: :class:`MarginalHistograms` per part; reads the design ids too."""

    taxonomy: Taxonomy
    columns: tuple[str, ...] = ("design_id",)

    def accumulator(self) -> MarginalHistograms:
        return MarginalHistograms(self.taxonomy)


class MarginalHistograms:
    """Accumulator of :class:`Marginals` over Checked batches (add / merge / result)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        n = len(list(taxonomy))
        self.counts = np.zeros((n, len(QUANTITIES), RESOLUTION), dtype=np.int64)
        self.design_sets = [DistinctIds() for _ in range(n)]  # designs having each type
        self.all_designs = DistinctIds()

    def add(self, batch) -> None:  # noqa: ANN001 - a layerheat.validate.Checked
        use = batch.kept() & (batch.slots >= 0)
        xmin, ymin, xmax, ymax = (v[use] for v in batch.clipped())
        width, height, slots = batch.width[use], batch.height[use], batch.slots[use]
        values = (
            (xmin + xmax) / 2 / width,
            (ymin + ymax) / 2 / height,
            (xmax - xmin) / width,
            (ymax - ymin) / height,
        )
        flat = self.counts.reshape(-1)
        for q, v in enumerate(values):
            bins = np.clip(np.floor(v * RESOLUTION), 0, RESOLUTION - 1).astype(np.int64)
            index = (slots.astype(np.int64) * len(QUANTITIES) + q) * RESOLUTION + bins
            flat += np.bincount(index, minlength=flat.size)
        self._add_designs(batch.design, use, slots)

    def _add_designs(self, design, use: np.ndarray, slots: np.ndarray) -> None:  # noqa: ANN001
        """The batch's designs with a used row, per type and overall (Arrow, no sets)."""
        if design is None:
            design = pa.array([""] * len(use), pa.string())
        used = pc.filter(design, pa.array(use))
        self.all_designs.add(used)
        pairs = (
            pa.table({"t": slots.astype(np.int32), "d": used}).group_by(["t", "d"]).aggregate([])
        )
        kinds = pairs.column("t").to_numpy()
        for slot in np.unique(kinds):
            self.design_sets[slot].add(pairs.column("d").filter(pa.array(kinds == slot)))

    def merge(self, other: MarginalHistograms) -> None:
        self.counts += other.counts
        for mine, theirs in zip(self.design_sets, other.design_sets, strict=True):
            mine.merge(theirs)
        self.all_designs.merge(other.all_designs)

    def result(self) -> Marginals:
        return Marginals(
            self.taxonomy,
            self.counts.copy(),
            [len(s) for s in self.design_sets],
            len(self.all_designs),
        )
