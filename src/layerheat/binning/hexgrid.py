"""Hexagonal grid geometry, exactly as matplotlib's ``Axes.hexbin`` defines it.

A grid has two interleaved rectangular lattices of hexagon centres: lattice 1 at
``(xmin + i*sx, ymin + j*sy)`` for ``i in 0..nx, j in 0..ny`` and lattice 2 offset by
half a cell. A point goes to the nearer centre, measured with y scaled by sqrt(3), as
matplotlib measures it (ties go to lattice 2). Counts are laid out as matplotlib's
``get_array()``: lattice 1 column-major (``i*(ny+1)+j``), then lattice 2.

    >>> grid = HexGrid.for_canvas(35, 5906, 3543)   # regular hexagons on that canvas
    >>> grid.nx, grid.ny
    (35, 13)

``count`` here is the NumPy reference; :mod:`layerheat.binning.kernels` holds the fast
compiled kernels that must give identical counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "HexGrid",
    "hex_bin_index",
    "nonsingular",
]

_PADDING = 1.0e-9  # matplotlib's padding of the x extent against round-off
#: tallest canvas (height / width) whose hexagons stay regular: a taller canvas
#: (100 x 300000 px) gets the rows of this aspect, hexagons stretched, instead of tens of
#: thousands of rows
MAX_ASPECT = 4.0


def nonsingular(vmin: float, vmax: float, expander: float = 0.1, tiny: float = 1e-15):
    """matplotlib.transforms.nonsingular: widen an empty or degenerate range."""
    if not (np.isfinite(vmin) and np.isfinite(vmax)):
        return -expander, expander
    swapped = vmax < vmin
    if swapped:
        vmin, vmax = vmax, vmin
    vmin, vmax = float(vmin), float(vmax)
    maxabs = max(abs(vmin), abs(vmax))
    if maxabs < (1e6 / tiny) * np.finfo(float).tiny:
        vmin, vmax = -expander, expander
    elif vmax - vmin <= maxabs * tiny:
        if vmax == 0 and vmin == 0:
            vmin, vmax = -expander, expander
        else:
            vmin -= expander * abs(vmin)
            vmax += expander * abs(vmax)
    if swapped:
        vmin, vmax = vmax, vmin
    return vmin, vmax


@dataclass(frozen=True)
class HexGrid:
    """A hexbin grid: padded extent and the number of hexagons across (nx) and up (ny)."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float
    nx: int
    ny: int

    # -- construction ----------------------------------------------------------------
    @classmethod
    def from_extent(
        cls, xmin: float, xmax: float, ymin: float, ymax: float, gridsize: int | tuple[int, int]
    ) -> HexGrid:
        """Grid over a data range, padded in x exactly as matplotlib pads it."""
        nx, ny = _grid_shape(gridsize)
        xmin, xmax = nonsingular(xmin, xmax)
        ymin, ymax = nonsingular(ymin, ymax)
        padding = _PADDING * (xmax - xmin)
        return cls(xmin - padding, xmax + padding, ymin, ymax, nx, ny)

    @classmethod
    def from_data(
        cls, x: np.ndarray, y: np.ndarray, gridsize: int | tuple[int, int] = 35
    ) -> HexGrid:
        """The grid ``matplotlib.pyplot.hexbin(x, y, gridsize=gridsize)`` would use."""
        if len(x):
            return cls.from_extent(np.min(x), np.max(x), np.min(y), np.max(y), gridsize)
        return cls.from_extent(0.0, 1.0, 0.0, 1.0, gridsize)

    @classmethod
    def for_canvas(cls, nx: int, width: float, height: float) -> HexGrid:
        """Grid over canvas fractions [0,1]x[0,1] whose hexagons are regular on the canvas.

        ``nx`` hexagons span the width; the row pitch is chosen so each hexagon is
        regular in canvas pixels; the rows overhang the top and bottom edges equally.
        """
        if nx < 1:
            raise ValueError("gridsize must be at least 1")
        sx = (1.0 + 2 * _PADDING) / nx
        # regular pointy-top hexagon: row pitch sy (pixels) = sqrt(3) * sx (pixels)
        sy = math.sqrt(3.0) * sx * width / height
        ny = max(1, math.ceil(1.0 / sy - 1e-9))
        max_rows = max(1, math.ceil(MAX_ASPECT / (math.sqrt(3.0) * sx) - 1e-9))
        if ny > max_rows:  # extreme aspect: cap the rows, hexagons get taller
            ny = max_rows
            sy = 1.0 / ny
        overhang = (ny * sy - 1.0) / 2
        return cls(-_PADDING, 1.0 + _PADDING, -overhang, 1.0 + overhang, nx, ny)

    # -- geometry --------------------------------------------------------------------
    @property
    def sx(self) -> float:
        return (self.xmax - self.xmin) / self.nx

    @property
    def sy(self) -> float:
        return (self.ymax - self.ymin) / self.ny

    @property
    def n1(self) -> int:
        """Number of hexagons in lattice 1, ``(nx+1)*(ny+1)``."""
        return (self.nx + 1) * (self.ny + 1)

    @property
    def size(self) -> int:
        """Total number of hexagons (both lattices)."""
        return self.n1 + self.nx * self.ny

    def centers(self) -> np.ndarray:
        """Hexagon centres, shape ``(size, 2)``, in matplotlib's ``get_offsets()`` order."""
        nx1, ny1, nx2, ny2 = self.nx + 1, self.ny + 1, self.nx, self.ny
        out = np.zeros((self.size, 2), float)
        out[: nx1 * ny1, 0] = np.repeat(np.arange(nx1), ny1)
        out[: nx1 * ny1, 1] = np.tile(np.arange(ny1), nx1)
        out[nx1 * ny1 :, 0] = np.repeat(np.arange(nx2) + 0.5, ny2)
        out[nx1 * ny1 :, 1] = np.tile(np.arange(ny2), nx2) + 0.5
        out[:, 0] *= self.sx
        out[:, 1] *= self.sy
        out[:, 0] += self.xmin
        out[:, 1] += self.ymin
        return out

    def tidy_centers(self) -> np.ndarray:
        """:meth:`centers` with the padding dust at the grid's x edges snapped away.

        matplotlib pads the x extent by 1e-9, so the first and last columns of centres
        sit at -1e-09 and 1.000000001 (in units of the extent); those become exactly the
        edge. Every other value is returned unchanged, bit for bit.
        """
        out = self.centers()
        x = out[:, 0]
        span = self.xmax - self.xmin
        tol = 1.5 * _PADDING * span
        pad = _PADDING * span / (1 + 2 * _PADDING)
        # the unpadded edges, rounded to 12 significant digits (0 and 1 in both frames)
        lo, hi = (float(f"{v:.12g}") for v in (self.xmin + pad, self.xmax - pad))
        lo = 0.0 if abs(lo) < tol else lo
        x[np.abs(x - lo) <= tol] = lo
        x[np.abs(x - hi) <= tol] = hi
        return out

    def hexagon(self) -> np.ndarray:
        """Vertices of one hexagon relative to its centre, shape ``(6, 2)``."""
        return [self.sx, self.sy / 3] * np.array(
            [[0.5, -0.5], [0.5, 0.5], [0.0, 1.0], [-0.5, 0.5], [-0.5, -0.5], [0.0, -1.0]]
        )

    # -- binning (NumPy reference) ------------------------------------------------------
    def bin_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat hexagon index of each point, or -1 where it falls outside the grid."""
        return hex_bin_index(x, y, *self.params())

    def params(self) -> tuple[float, float, float, float, int, int]:
        """``(xmin, ymin, sx, sy, nx, ny)``: the numbers the compiled kernels take."""
        return float(self.xmin), float(self.ymin), float(self.sx), float(self.sy), self.nx, self.ny

    def count(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Points per hexagon (int64, length ``size``), as matplotlib's hexbin counts."""
        idx = self.bin_index(x, y)
        return np.bincount(idx[idx >= 0], minlength=self.size).astype(np.int64)


def hex_bin_index(x, y, xmin, ymin, sx, sy, nx: int, ny: int) -> np.ndarray:  # noqa: ANN001
    """Flat hexagon index of each point by matplotlib's rules, or -1 outside the grid.

    ``xmin``, ``ymin``, ``sx``, ``sy`` may be arrays (one grid per point, same shape).
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    nx1, ny1, nx2, ny2 = nx + 1, ny + 1, nx, ny
    ix = (x - xmin) / sx
    iy = (y - ymin) / sy
    ix1 = np.round(ix).astype(np.int64)
    iy1 = np.round(iy).astype(np.int64)
    ix2 = np.floor(ix).astype(np.int64)
    iy2 = np.floor(iy).astype(np.int64)
    i1 = np.where((ix1 >= 0) & (ix1 < nx1) & (iy1 >= 0) & (iy1 < ny1), ix1 * ny1 + iy1, -1)
    i2 = np.where(
        (ix2 >= 0) & (ix2 < nx2) & (iy2 >= 0) & (iy2 < ny2),
        nx1 * ny1 + ix2 * ny2 + iy2,
        -1,
    )
    d1 = (ix - ix1) ** 2 + 3.0 * (iy - iy1) ** 2
    d2 = (ix - ix2 - 0.5) ** 2 + 3.0 * (iy - iy2 - 0.5) ** 2
    return np.where(d1 < d2, i1, i2)


def _grid_shape(gridsize: int | tuple[int, int]) -> tuple[int, int]:
    if np.iterable(gridsize):
        nx, ny = gridsize
    else:
        nx = int(gridsize)
        ny = int(nx / math.sqrt(3))
    if nx < 1 or ny < 1:
        raise ValueError(f"gridsize {gridsize!r} gives an empty grid")
    return int(nx), int(ny)
