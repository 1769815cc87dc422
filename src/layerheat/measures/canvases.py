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
        used = int(np.count_nonzero(keep))
        if not used:
            return
        first = int(np.argmax(keep))
        width, height = batch.native_canvas  # float32 or float64: equal sizes either way
        w0, h0 = width[first], height[first]
        same = (width == w0) & (height == h0)
        if int(np.count_nonzero(same & keep)) == used:  # one size: no copies, no sort
            self.sizes[(float(w0), float(h0))] += used
            return
        w, h = width[keep].astype(np.float64), height[keep].astype(np.float64)
        pairs, counts = np.unique(np.stack([w, h], axis=1), axis=0, return_counts=True)
        for (pw, ph), n in zip(pairs.tolist(), counts.tolist(), strict=True):
            self.sizes[(pw, ph)] += n

    def merge(self, other: CanvasSizesAccumulator) -> None:
        self.sizes.update(other.sizes)

    def result(self) -> dict[tuple[float, float], int]:
        """Layers per canvas size, most frequent first."""
        return dict(self.sizes.most_common())
