"""Rectangular grid geometry, exactly as ``numpy.histogram2d`` defines it.

``nx`` by ``ny`` equal cells over ``[xmin, xmax] x [ymin, ymax]``; edges are
``numpy.linspace`` of the extent, each cell holds ``edge[i] <= v < edge[i+1]`` and the
last cell also its right edge. Counts are laid out x-major (``i*ny + j``), i.e.
``histogram2d(x, y, bins=(nx, ny), range=...)[0].ravel()``. Same API as
:class:`~layerheat.binning.hexgrid.HexGrid`, so engines take either.

    >>> import numpy as np
    >>> grid = RectGrid.from_extent(0.0, 1.0, 0.0, 1.0, 4)
    >>> grid.count(np.array([0.1, 1.0]), np.array([0.1, 1.0])).tolist()[:1]
    [1]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RectGrid:
    """An ``nx`` x ``ny`` grid of equal rectangles over an extent."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float
    nx: int
    ny: int

    @classmethod
    def from_extent(
        cls, xmin: float, xmax: float, ymin: float, ymax: float, gridsize: int | tuple[int, int]
    ) -> RectGrid:
        """Grid over a range; an empty range is widened by 0.5 each side, as numpy does."""
        nx, ny = (gridsize, gridsize) if np.ndim(gridsize) == 0 else gridsize
        if xmin == xmax:
            xmin, xmax = xmin - 0.5, xmax + 0.5
        if ymin == ymax:
            ymin, ymax = ymin - 0.5, ymax + 0.5
        return cls(float(xmin), float(xmax), float(ymin), float(ymax), int(nx), int(ny))

    @classmethod
    def from_data(
        cls, x: np.ndarray, y: np.ndarray, gridsize: int | tuple[int, int] = 35
    ) -> RectGrid:
        """The grid ``numpy.histogram2d(x, y, bins=gridsize)`` would use."""
        if len(x):
            return cls.from_extent(np.min(x), np.max(x), np.min(y), np.max(y), gridsize)
        return cls.from_extent(0.0, 1.0, 0.0, 1.0, gridsize)

    @classmethod
    def for_canvas(cls, nx: int, width: float, height: float) -> RectGrid:
        """Grid over canvas fractions [0,1]x[0,1] whose cells are square on the canvas."""
        if nx < 1:
            raise ValueError("gridsize must be at least 1")
        ny = max(1, math.ceil(nx * height / width - 1e-9))
        return cls(0.0, 1.0, 0.0, 1.0, nx, ny)

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.nx * self.ny

    @property
    def xedges(self) -> np.ndarray:
        return np.linspace(self.xmin, self.xmax, self.nx + 1)

    @property
    def yedges(self) -> np.ndarray:
        return np.linspace(self.ymin, self.ymax, self.ny + 1)

    def centers(self) -> np.ndarray:
        """Cell centres, shape ``(size, 2)``, x-major like the counts."""
        ex, ey = self.xedges, self.yedges
        cx = (ex[:-1] + ex[1:]) / 2
        cy = (ey[:-1] + ey[1:]) / 2
        return np.stack([np.repeat(cx, self.ny), np.tile(cy, self.nx)], axis=1)

    def cell(self) -> np.ndarray:
        """Corners of one cell relative to its centre, shape ``(4, 2)``."""
        hx = (self.xmax - self.xmin) / self.nx / 2
        hy = (self.ymax - self.ymin) / self.ny / 2
        return np.array([[-hx, -hy], [hx, -hy], [hx, hy], [-hx, hy]])

    def bin_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat cell index of each point, or -1 outside (NumPy reference)."""
        ex, ey = self.xedges, self.yedges
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        i = np.searchsorted(ex, x, side="right") - 1
        j = np.searchsorted(ey, y, side="right") - 1
        i[x == ex[-1]] -= 1
        j[y == ey[-1]] -= 1
        ok = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        return np.where(ok, i * self.ny + j, -1)

    def count(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Points per cell (int64, length ``size``), as ``numpy.histogram2d``."""
        idx = self.bin_index(x, y)
        return np.bincount(idx[idx >= 0], minlength=self.size).astype(np.int64)
