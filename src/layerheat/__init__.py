"""layerheat: where does each kind of layer go across a collection of designs, and how big?

>>> import layerheat as lh
>>> table, report = lh.read_layers(["layers.parquet"])      # doctest: +SKIP
>>> hs = lh.heatmaps(table, scale="canvas", gridsize=35)      # doctest: +SKIP
>>> fig = lh.plot_summary(hs)                                 # doctest: +SKIP
>>> hs.to_frame().head()                                      # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import LayerheatError

if TYPE_CHECKING:  # the names below load on first use: ``import layerheat`` stays cheap
    from .heatmap import HeatmapSet, TypeHeatmap, heatmaps
    from .readreport import ReadReport
    from .sample import sample_layers
    from .sources import read_layers
    from .table import LayerTable
    from .taxonomy import LayerType, Taxonomy, default_taxonomy, load_taxonomy

__version__ = "0.1.0"

_LAZY = {
    "HeatmapSet": ".heatmap",
    "TypeHeatmap": ".heatmap",
    "heatmaps": ".heatmap",
    "read_layers": ".sources",
    "ReadReport": ".readreport",
    "sample_layers": ".sample",
    "LayerTable": ".table",
    "LayerType": ".taxonomy",
    "Taxonomy": ".taxonomy",
    "default_taxonomy": ".taxonomy",
    "load_taxonomy": ".taxonomy",
}


def __getattr__(name: str):  # noqa: ANN202 - module-level lazy attribute access
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'layerheat' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (names load lazily, so the module's globals do not show them)."""
    return sorted(__all__)


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
