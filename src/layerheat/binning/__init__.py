"""Binning: matplotlib's hexagonal grid geometry and the compiled counting kernels.

    >>> import numpy as np
    >>> from layerheat.binning import HexGrid, count_hex
    >>> grid = HexGrid.from_data(np.array([0.1, 0.5]), np.array([0.2, 0.9]), gridsize=35)
    >>> int(count_hex(grid, np.array([0.1, 0.5]), np.array([0.2, 0.9])).sum())
    2

:class:`HexGrid` holds the geometry and the NumPy reference count (equal to
``matplotlib.pyplot.hexbin``); :func:`count_hex` and :func:`count_hex_typed` run the
Numba kernels of :mod:`layerheat.binning.kernels` (compiled on first use, cached on
disk), which give identical counts. The measures call the fused kernels of that module
directly on checked batches.
"""

from __future__ import annotations

import numpy as np

from .hexgrid import HexGrid

__all__ = ["HexGrid", "count_hex", "count_hex_typed", "floats", "floats32", "ints"]


def _readonly(a: np.ndarray, dtype: type) -> np.ndarray:
    """``a`` as a contiguous read-only array of ``dtype`` (one compiled signature for all)."""
    a = np.ascontiguousarray(a, dtype=dtype)
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


def floats(a: np.ndarray) -> np.ndarray:
    """``a`` as a contiguous read-only float64 array."""
    return _readonly(a, np.float64)


def floats32(a: np.ndarray) -> np.ndarray:
    """``a`` as a contiguous read-only float32 array (the kernels' float32 signature)."""
    return _readonly(a, np.float32)


def ints(a: np.ndarray) -> np.ndarray:
    """``a`` as a contiguous read-only int64 array."""
    return _readonly(a, np.int64)


def count_hex(grid: HexGrid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Points per hexagon of ``grid`` (int64, length ``grid.size``)."""
    from .kernels import hex_count_typed

    counts = np.zeros((1, grid.size), dtype=np.int64)
    hex_count_typed(ints(np.zeros(0)), floats(x), floats(y), *grid.params(), counts)
    return counts[0]


def count_hex_typed(
    grid: HexGrid, type_index: np.ndarray, x: np.ndarray, y: np.ndarray, n_types: int
) -> np.ndarray:
    """Points per (type, hexagon): int64 array of shape ``(n_types, grid.size)``.

    ``type_index`` holds each point's type position in 0..n_types-1 (negative: left out).
    """
    from .kernels import hex_count_typed

    counts = np.zeros((n_types, grid.size), dtype=np.int64)
    hex_count_typed(ints(type_index), floats(x), floats(y), *grid.params(), counts)
    return counts
