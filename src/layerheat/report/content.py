"""What a report shows, computed: one read for every measure, one for placement scores.

:func:`collect` measures a collection (centre heatmaps, size and coverage maps, per-type
statistics), scores every design's placement (:mod:`layerheat.measures.placement`) and
picks example designs per type (the most typical and the most unusual) and the
collection's outliers. It returns plain data; :mod:`layerheat.report.page` draws it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa

from ..heatmap import HeatmapSet
from ..measures.canvases import CanvasSizes
from ..measures.centres import CanvasCentres
from ..measures.coverage import CoverageMap, CoverageMaps
from ..measures.placement import PlacementScores, Scores
from ..measures.sizes import SizeMap, SizeMaps
from ..measures.stats import TypeStats, TypeStatsResult
from ..pipeline import Pipeline
from ..readreport import ReadReport
from ..taxonomy import LayerType

__all__ = ["Collection", "TypeFacts", "collect", "pick_examples"]


@dataclass
class TypeFacts:
    """One present type's numbers and the designs chosen to show it."""

    type: LayerType
    layers: int
    designs: int
    mean_width: float
    mean_height: float
    typical: list[tuple[str, float]] = field(default_factory=list)  # (design, score)
    unusual: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Collection:
    """Everything measured about one collection for its report."""

    label: str
    centres: HeatmapSet
    sizes: SizeMap
    coverage: CoverageMap | None
    scores: Scores | None
    report: ReadReport
    canvas_sizes: dict
    types: list[TypeFacts]
    outliers: pa.Table | None  # design_id, layers, score; highest first
    n_designs: int
    stats: TypeStatsResult | None = None  # types.csv and cooccurrence.csv of `layerheat stats`
    note: str = ""

    @cached_property
    def types_frame(self):  # noqa: ANN201 - a pandas DataFrame indexed by type_id
        """types.csv of ``layerheat stats`` as a DataFrame, built once for every section."""
        return self.stats.types_table().to_pandas().set_index("type_id")

    @property
    def frame(self) -> tuple[float, float]:
        """The canvas figures are drawn in (the most common size)."""
        return tuple(self.centres.canvas or (1.0, 1.0))  # type: ignore[return-value]


def collect(
    data,  # noqa: ANN001 - any Inputs of layerheat.sources
    *,
    label: str,
    gridsize: int = 35,
    resolution: int = 60,
    examples: int = 2,
    outliers: int = 8,
    progress=None,  # noqa: ANN001 - a row progress callback
    **read: object,
) -> Collection:
    """Measure ``data`` for a report: every measure in one read, then placement scores."""
    pipe = Pipeline(data, progress=progress, **read)  # type: ignore[arg-type]
    with pipe:
        tax = pipe.taxonomy
        total = pipe.run(
            [
                CanvasSizes(),
                CanvasCentres(tax, gridsize, pipe.frame),
                SizeMaps(tax, gridsize),
                CoverageMaps(tax, pipe.frame, resolution, required=False),
                TypeStats(tax),
            ]
        )
        report = pipe.report(total)
        canvas_sizes, centres, sizes, coverage, stats = (p.result() for p in total.partials)
        centres.report, centres.canvas_sizes = report, canvas_sizes
        n_designs = coverage.n_designs
        has_designs = n_designs > 0
        coverage = coverage if has_designs else None
        scores = None
        if has_designs:
            scores = pipe.run([PlacementScores.of(centres)]).partials[0].result()
    types = type_facts(centres, scores, examples)
    top = scores.designs().slice(0, outliers) if scores is not None else None
    note = "" if has_designs else "the input has no design ids: coverage and outliers need them"
    return Collection(
        label,
        centres,
        sizes,
        coverage,
        scores,
        report,
        canvas_sizes,
        types,
        top,
        n_designs,
        stats=stats,
        note=note,
    )


def type_facts(centres: HeatmapSet, scores: Scores | None, examples: int) -> list[TypeFacts]:
    """Per present type: counts, mean size and example designs (typical and unusual)."""
    out = []
    for t in centres.taxonomy:
        th = centres.types[t.id]
        if not th.n_layers:
            continue
        facts = TypeFacts(t, th.n_layers, 0, th.mean_width, th.mean_height)
        if scores is not None:
            table = scores.per_type(t.id)
            facts.designs = table.num_rows
            facts.typical, facts.unusual = pick_examples(table, examples)
        out.append(facts)
    return out


def pick_examples(table: pa.Table, n: int) -> tuple[list, list]:
    """The ``n`` lowest-scored designs (typical) and the ``n`` highest (unusual), disjoint."""
    ids = table.column("design_id").to_pylist()
    score = table.column("score").to_numpy()
    typical = [(ids[i], float(score[i])) for i in range(min(n, len(ids)))]
    taken = {d for d, _ in typical}
    unusual = [
        (ids[i], float(score[i]))
        for i in np.arange(len(ids))[::-1][: 2 * n]
        if ids[i] not in taken and math.isfinite(score[i])
    ][:n]
    return typical, unusual
