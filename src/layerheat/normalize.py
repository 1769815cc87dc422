"""Positions and sizes as numbers in [0, 1]: canvas-relative or the source's min-max.

Two frames (see ``docs/normalization.md``):

* ``canvas`` (default): centre x = (xmin+xmax)/2 / canvas_width, centre y likewise with
  the height; width w = (xmax-xmin)/canvas_width, height h = (ymax-ymin)/canvas_height.
  Every type shares the canvas frame, so heatmaps compare across types and designs.
* ``minmax`` (the source's method): per type, centres scaled by that type's own min and
  max, with scikit-learn ``MinMaxScaler`` arithmetic to the last bit (a constant column
  maps to 0).

    >>> import numpy as np
    >>> MinMax(2.0, 6.0).transform(np.array([2.0, 4.0, 6.0]))
    array([0. , 0.5, 1. ])

The source writes x = (xmax-xmin)/height and y = (ymax-ymin)/width, dividing each extent
by the other axis; layerheat divides each by its own axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SCALES", "MinMax"]

SCALES = ("canvas", "minmax")


@dataclass(frozen=True)
class MinMax:
    """Min-max scaling of one column, bit-for-bit as scikit-learn's MinMaxScaler."""

    data_min: float
    data_max: float

    @property
    def scale(self) -> float:
        data_range = self.data_max - self.data_min
        # scikit-learn's _handle_zeros_in_scale: a range below 10 eps counts as zero
        if data_range < 10 * np.finfo(np.float64).eps:
            data_range = 1.0
        return 1.0 / data_range

    @property
    def offset(self) -> float:
        return 0.0 - self.data_min * self.scale

    def transform(self, values: np.ndarray) -> np.ndarray:
        """``values * scale + offset``, in that order of operations, as scikit-learn does."""
        out = np.asarray(values, dtype=np.float64) * self.scale
        out += self.offset
        return out
