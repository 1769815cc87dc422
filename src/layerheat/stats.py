"""Type statistics and relations from inputs: the driver behind ``layerheat stats``.

    >>> from layerheat.sample import sample_layers
    >>> result = type_stats(sample_layers(designs=100), gridsize=20)
    >>> [m.name for m in result.relative]
    ['relative-70-100', 'relative-70-120', 'relative-30-70']

One pass computes :class:`~layerheat.measures.stats.TypeStats`; a second pass bins the
relative placement of the pairs asked for, or of the :data:`TOP_PAIRS` pairs found
together in the most designs. The first pass also finds the designs whose rows are not
together (not one run of consecutive rows of one part): the second pass bins every
other design as soon as its rows end and keeps only those designs' centres, so memory
does not grow with the layers when the input's rows are grouped by design. Input without
design ids gets the per-type counts, centres and sizes, a note saying why the design
columns are empty, and no co-occurrence or relative placement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .engines import Engine, Progress
from .errors import LayerheatError
from .measures.stats import RelativeMap, RelativePlacement, TypeStats, TypeStatsResult
from .readreport import ReadReport
from .sources import Inputs
from .taxonomy import Taxonomy

__all__ = ["NO_DESIGNS_NOTE", "TOP_PAIRS", "Stats", "type_stats", "write_tables"]

#: pairs of relative placement when none are given: the most frequent ones
TOP_PAIRS = 3
NO_DESIGNS_NOTE = (
    "{n:,} usable layer(s) have no design id: types.csv has layer counts, centres and "
    "sizes only (design columns empty); co-occurrence and relative placement need a "
    "design_id column, so cooccurrence.csv and relative-*.csv are not written"
)


@dataclass
class Stats:
    """What :func:`type_stats` computed, with the run's row accounting."""

    types: TypeStatsResult
    relative: list[RelativeMap] = field(default_factory=list)
    report: ReadReport = field(default_factory=ReadReport)

    def __repr__(self) -> str:
        pairs = ", ".join(f"{r.type_a.id}:{r.type_b.id}" for r in self.relative[:4])
        pairs += ", ..." if len(self.relative) > 4 else ""
        return (
            f"Stats({self.types!r}, {len(self.relative)} relative placement(s)"
            f"{' ' + pairs if pairs else ''}; {self.report.rows_used:,} rows used)"
        )


def type_stats(
    data: Inputs = None,
    *,
    pairs: Sequence[tuple[int, int]] | None = None,
    gridsize: int = 35,
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    type_id: int | None = None,
    outside: str = "clip",
    progress: Progress | bool | None = None,
    dask: str | None = None,
    engine: Engine | None = None,
) -> Stats:
    """Type statistics, co-occurrence and relative placement of ``pairs`` (type ids;
    None: the :data:`TOP_PAIRS` most frequent pairs, () for none)."""
    from .pipeline import Pipeline

    options = {"taxonomy": taxonomy, "canvas": canvas, "type_id": type_id, "outside": outside}
    passes = 1 if pairs is not None and not pairs else 2
    pipe = Pipeline(data, progress=progress, dask=dask, engine=engine, passes=passes, **options)
    tax = pipe.taxonomy
    if pairs:  # fail on unknown types before reading
        RelativePlacement(tax, tuple(map(tuple, pairs)), gridsize)
    with pipe:
        total = pipe.run([TypeStats(tax)])
        report = pipe.report(total)
        stats = Stats(total.partials[0].result(), report=report)
        if pairs and not stats.types.has_designs:
            raise LayerheatError(
                "relative placement needs design ids (a design_id column) to pair layers "
                "of the same design; the input has none"
            )
        found = pairs if pairs is not None else ()
        if pairs is None and stats.types.has_designs:
            found = stats.types.top_pairs(TOP_PAIRS)
        if found:
            measure = RelativePlacement(
                tax, tuple(map(tuple, found)), gridsize, split=stats.types.split
            )
            stats.relative = pipe.run([measure]).partials[0].result()
    if not stats.types.has_designs:
        report.notes.append(NO_DESIGNS_NOTE.format(n=stats.types.without_design))
    return stats


def write_tables(stats: Stats, folder: Path) -> list[Path]:
    """types.csv, cooccurrence.csv (with design ids) and relative-A-B.csv per pair."""
    import pyarrow.csv as pacsv

    tables = {"types.csv": stats.types.types_table()}
    if stats.types.has_designs:
        tables["cooccurrence.csv"] = stats.types.cooccurrence_table()
    for rel in stats.relative:
        tables[f"{rel.name}.csv"] = rel.to_arrow()
    written = []
    for name, table in tables.items():
        pacsv.write_csv(table, folder / name)
        written.append(folder / name)
    return written
