"""Which canvas sizes the usable layers have, and how many layers each: so a run can say
when a collection mixes canvases and draw it in a frame true for all of them.

    >>> from layerheat.pipeline import Pipeline
    >>> with Pipeline(None) as pipe:
    ...     total = pipe.run([CanvasSizes()])
    >>> total.partials[0].result()
    {(5906.0, 3543.0): 34969}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

__all__ = ["CanvasSizes", "CanvasSizesAccumulator"]


@dataclass(frozen=True)
class CanvasSizes:
    """The measure: layers per canvas size (width, height in pixels) of the usable rows."""

    columns: tuple[str, ...] = ()

    def accumulator(self) -> CanvasSizesAccumulator:
        return CanvasSizesAccumulator()


class CanvasSizesAccumulator:
    """Partial counts of :class:`CanvasSizes`."""

    def __init__(self) -> None:
        self.sizes: Counter = Counter()

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        keep = batch.kept()
        w, h = batch.width[keep], batch.height[keep]
        if not len(w):
            return
        if (w == w[0]).all() and (h == h[0]).all():
            self.sizes[(float(w[0]), float(h[0]))] += len(w)
            return
        pairs, counts = np.unique(np.stack([w, h], axis=1), axis=0, return_counts=True)
        for (pw, ph), n in zip(pairs.tolist(), counts.tolist(), strict=True):
            self.sizes[(pw, ph)] += n

    def merge(self, other: CanvasSizesAccumulator) -> None:
        self.sizes.update(other.sizes)

    def result(self) -> dict[tuple[float, float], int]:
        """Layers per canvas size, most frequent first."""
        return dict(self.sizes.most_common())
