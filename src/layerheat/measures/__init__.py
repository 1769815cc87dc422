"""Measures: one accumulator per thing layerheat measures, each runnable on every engine.

* :mod:`~layerheat.measures.centres`: where layers go (hexagon counts of box centres)
  and the :class:`~layerheat.measures.centres.HeatmapSet` result;
* :mod:`~layerheat.measures.marginals`: per-type histograms of centre x, y and size
  (for Wasserstein distances between collections) and designs per type;
* :mod:`~layerheat.measures.stats`: per-type counts, centre and size statistics,
  co-occurrence in designs, and relative placement of pairs of types.

Each follows :mod:`layerheat.measures.base`: ``accumulator()`` gives an empty partial
with ``add(batch)`` / ``merge(other)`` / ``result()``.
"""

from __future__ import annotations

from .base import Accumulator, Measure

__all__ = ["Accumulator", "Measure"]
