"""layerheat: where does each kind of layer go across a collection of designs, and how big?

>>> import layerheat as lh
>>> table, report = lh.read_layers(["layers.parquet"])      # doctest: +SKIP
>>> hs = lh.heatmaps(table, scale="canvas", gridsize=35)      # doctest: +SKIP
>>> fig = lh.plot_summary(hs)                                 # doctest: +SKIP
>>> hs.to_frame().head()                                      # doctest: +SKIP
"""

from __future__ import annotations

from .errors import LayerheatError
from .heatmap import HeatmapSet, TypeHeatmap, heatmaps
from .io import read_layers
from .report import ReadReport
from .sample import sample_layers
from .table import LayerTable
from .taxonomy import LayerType, Taxonomy, default_taxonomy, load_taxonomy

__version__ = "0.1.0"


def plot_summary(heatmap_set: HeatmapSet, *args, **kwargs):  # noqa: ANN201 - a Figure
    """Summary grid of every type's heatmap as a matplotlib Figure (see layerheat.plot).

    Imported lazily so that ``import layerheat`` does not pay for matplotlib.
    """
    from .plot import plot_summary as _plot_summary

    return _plot_summary(heatmap_set, *args, **kwargs)


def plot_type(heatmap_set: HeatmapSet, type_id: int, *args, **kwargs):  # noqa: ANN201
    """One type's heatmap as a matplotlib Figure (see layerheat.plot)."""
    from .plot import plot_type as _plot_type

    return _plot_type(heatmap_set, type_id, *args, **kwargs)


__all__ = [
    "HeatmapSet",
    "LayerTable",
    "LayerType",
    "LayerheatError",
    "ReadReport",
    "Taxonomy",
    "TypeHeatmap",
    "default_taxonomy",
    "heatmaps",
    "load_taxonomy",
    "plot_summary",
    "plot_type",
    "read_layers",
    "sample_layers",
    "__version__",
]
