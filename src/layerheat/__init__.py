"""layerheat: where does each kind of layer go across a collection of designs, and how big?

>>> import layerheat as lh
>>> table, report = lh.read_layers(["layers.parquet"])      # doctest: +SKIP
>>> hs = lh.heatmaps(table, scale="canvas", gridsize=35)      # doctest: +SKIP
>>> fig = lh.plot_summary(hs, types=[30, 70])                 # doctest: +SKIP
>>> hs.to_frame().head()                                      # doctest: +SKIP

Plotting: :func:`plot_summary`, :func:`plot_type` (``ax=`` draws into your own Axes),
:class:`Style`, :func:`plot_size_summary` and :func:`plot_coverage_summary` (of
:func:`measure`'s result). Two collections: ``layerheat.compare.compare`` (not
re-exported: the submodule ``layerheat.compare`` would shadow it). docs/guide.md walks
through all of it in a notebook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import LayerheatError

if TYPE_CHECKING:  # the names below load on first use: ``import layerheat`` stays cheap
    from .heatmap import HeatmapSet, Measured, TypeHeatmap, heatmaps, measure
    from .io.options import ReadOptions
    from .plot import Style, plot_summary, plot_type
    from .plot_measures import plot_coverage_summary, plot_size_summary
    from .readreport import ReadReport
    from .sample import sample_layers
    from .sources import read_layers
    from .table import LayerTable
    from .taxonomy import LayerType, Taxonomy, default_taxonomy, load_taxonomy

__version__ = "0.1.0"

_LAZY = {
    "HeatmapSet": ".heatmap",
    "Measured": ".heatmap",
    "TypeHeatmap": ".heatmap",
    "heatmaps": ".heatmap",
    "measure": ".heatmap",
    "Style": ".plot",  # matplotlib itself loads only when a figure is drawn
    "plot_summary": ".plot",
    "plot_type": ".plot",
    "plot_coverage_summary": ".plot_measures",
    "plot_size_summary": ".plot_measures",
    "read_layers": ".sources",
    "ReadOptions": ".io.options",
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


__all__ = [
    "HeatmapSet",
    "LayerTable",
    "LayerType",
    "LayerheatError",
    "Measured",
    "ReadOptions",
    "ReadReport",
    "Style",
    "Taxonomy",
    "TypeHeatmap",
    "default_taxonomy",
    "heatmaps",
    "load_taxonomy",
    "measure",
    "plot_coverage_summary",
    "plot_size_summary",
    "plot_summary",
    "plot_type",
    "read_layers",
    "sample_layers",
    "__version__",
]
