"""Binning: hexagonal grids with matplotlib's exact geometry, and the counting kernels.

    >>> import numpy as np
    >>> from layerheat.binning import HexGrid, count_hex
    >>> grid = HexGrid.from_data(np.array([0.1, 0.5]), np.array([0.2, 0.9]), gridsize=35)
    >>> int(count_hex(grid, np.array([0.1, 0.5]), np.array([0.2, 0.9])).sum())
    2

``count_hex`` and ``count_hex_typed`` are the entry points every engine calls; they use
the NumPy reference in :mod:`layerheat.binning.hexgrid`.
"""

from __future__ import annotations

import numpy as np

from .hexgrid import HexGrid


def count_hex(grid: HexGrid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Points per hexagon of ``grid`` (int64, length ``grid.size``)."""
    return grid.count(x, y)


def count_hex_typed(
    grid: HexGrid, type_index: np.ndarray, x: np.ndarray, y: np.ndarray, n_types: int
) -> np.ndarray:
    """Points per (type, hexagon): int64 array of shape ``(n_types, grid.size)``.

    ``type_index`` holds each point's type position in 0..n_types-1.
    """
    idx = grid.bin_index(x, y)
    ok = idx >= 0
    flat = type_index[ok].astype(np.int64) * grid.size + idx[ok]
    counts = np.bincount(flat, minlength=n_types * grid.size)
    return counts.astype(np.int64).reshape(n_types, grid.size)


__all__ = ["HexGrid", "count_hex", "count_hex_typed"]
