"""``heatmaps()``: the public entry point, layers in, a HeatmapSet out.

    >>> from layerheat import heatmaps
    >>> hs = heatmaps(gridsize=20)             # the built-in sample, canvas frame
    >>> hs.report.summary()
    'read 34969 layers, used 34969, skipped 0'

Inputs stream batch by batch (Arrow record batches), so memory does not grow with the
number of layers. ``scale="canvas"`` bins every type on one grid over canvas fractions;
``scale="minmax"`` reproduces the source: per type, centres min-max scaled and binned on
the grid matplotlib's ``hexbin(x, y, gridsize)`` would choose for them. The result
types live in :mod:`layerheat.measures.centres`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engines import Engine, Progress
from .errors import LayerheatError
from .measures.canvases import CanvasSizes
from .measures.centres import (
    CanvasCentres,
    CentreExtents,
    HeatmapSet,
    MinMaxCentres,
    TypeHeatmap,
    minmax_set,
)
from .measures.coverage import CoverageMap, CoverageMaps
from .measures.sizes import SizeMap, SizeMaps
from .normalize import SCALES
from .pipeline import Pipeline
from .readreport import ReadReport
from .sources import Inputs
from .taxonomy import Taxonomy
from .validate import OUTSIDE_POLICIES

__all__ = ["MEASURES", "HeatmapSet", "Measured", "TypeHeatmap", "heatmaps", "measure"]


def heatmaps(
    data: Inputs = None,
    *,
    scale: str = "canvas",
    gridsize: int = 35,
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    type_id: int | None = None,
    outside: str = "clip",
    progress: Progress | bool | None = None,
    dask: str | None = None,
    engine: Engine | None = None,
) -> HeatmapSet:
    """Heatmaps of every type from a LayerTable, input path(s), or the sample (None).

    ``scale`` is ``"canvas"`` or ``"minmax"``; ``gridsize`` the number of hexagons
    across, as matplotlib's ``gridsize``; ``canvas`` a (width, height) for data without
    one; ``type_id`` the type of headerless x,y files; ``progress=True`` shows a
    progress bar (rows read, total, percentage, time left; in a notebook too), or a
    callable is called with the number of rows read after each batch (in min-max mode
    both passes report; if it has an ``add_total(rows, estimate=False)`` method it is
    told the rows expected: exact from Parquet metadata, estimated for a CSV).
    ``dask`` runs the binning on a Dask cluster: a scheduler address
    (``tcp://host:8786``) or ``local[:N]`` (N local worker processes); ``engine`` an
    engine of :mod:`layerheat.engines` the caller has entered. The result is the same
    on every engine.
    """
    _check_options(scale, gridsize, outside)
    passes = 2 if scale == "minmax" else 1
    pipe = Pipeline(
        data,
        taxonomy=taxonomy,
        canvas=canvas,
        type_id=type_id,
        outside=outside,
        require_canvas=scale == "canvas",
        progress=progress,
        passes=passes,
        dask=dask,
        engine=engine,
    )
    with pipe:
        tax = pipe.taxonomy
        if scale == "canvas":
            total = pipe.run([CanvasCentres(tax, gridsize, pipe.frame), CanvasSizes()])
            result = total.partials[0].result()
        else:
            total = pipe.run([CentreExtents(tax, gridsize, pipe.frame), CanvasSizes()])
            extents = total.partials[0]
            second = pipe.run([MinMaxCentres(tax, tuple(extents.result()))])
            result = minmax_set(extents, second.partials[0].result())
    result.report = pipe.report(total)
    result.canvas_sizes = total.partials[1].result()
    return result


def _check_options(scale: str, gridsize: int, outside: str) -> None:
    if scale not in SCALES:
        raise LayerheatError(f"--scale {scale!r} unknown; use canvas or minmax")
    if not isinstance(gridsize, int) or gridsize < 1:
        raise LayerheatError(f"--gridsize {gridsize!r} must be a positive whole number")
    if scale == "minmax" and gridsize < 2:
        raise LayerheatError("--gridsize must be at least 2 with --scale minmax")
    if outside not in OUTSIDE_POLICIES:
        raise LayerheatError(f"outside policy {outside!r} unknown; use clip or skip")


@dataclass
class Measured:
    """What :func:`measure` computed: any of the centre heatmaps, size and coverage maps."""

    centres: HeatmapSet | None
    sizes: SizeMap | None
    coverage: CoverageMap | None
    report: ReadReport
    canvas_sizes: dict

    def __repr__(self) -> str:
        parts = [n for n in ("centres", "sizes", "coverage") if getattr(self, n) is not None]
        return f"Measured({', '.join(parts)}; {self.report.rows_used:,} rows used)"


#: the measures :func:`measure` knows
MEASURES = ("centre", "size", "coverage")


def measure(
    data: Inputs = None,
    which: tuple[str, ...] = MEASURES,
    *,
    gridsize: int = 35,
    resolution: int = 100,
    size_formula: str = "canvas",
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    type_id: int | None = None,
    outside: str = "clip",
    progress: Progress | bool | None = None,
    dask: str | None = None,
    engine: Engine | None = None,
) -> Measured:
    """Centre heatmaps, size maps and coverage maps in the canvas frame, in one read.

    ``which`` names the measures (``centre``, ``size``, ``coverage``); the others come
    back as None. Coverage needs design ids. See :mod:`layerheat.measures.sizes` and
    :mod:`layerheat.measures.coverage`.
    """
    unknown = [m for m in which if m not in MEASURES]
    if unknown:
        raise LayerheatError(f"--measure {unknown[0]!r} unknown; use centre, size or coverage")
    _check_options("canvas", gridsize, outside)
    options = {"taxonomy": taxonomy, "canvas": canvas, "type_id": type_id, "outside": outside}
    pipe = Pipeline(data, progress=progress, dask=dask, engine=engine, **options)
    with pipe:
        tax = pipe.taxonomy
        wanted = {
            "centre": CanvasCentres(tax, gridsize, pipe.frame),
            "size": SizeMaps(tax, gridsize, size_formula),
            "coverage": CoverageMaps(tax, pipe.frame, resolution),
        }
        chosen = [m for m in MEASURES if m in which]
        total = pipe.run([CanvasSizes(), *(wanted[m] for m in chosen)])
    report = pipe.report(total)
    results = dict(zip(chosen, (p.result() for p in total.partials[1:]), strict=True))
    sizes = total.partials[0].result()
    centres = results.get("centre")
    if centres is not None:
        centres.report, centres.canvas_sizes = report, sizes
    return Measured(centres, results.get("size"), results.get("coverage"), report, sizes)
