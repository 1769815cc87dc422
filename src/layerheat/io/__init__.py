"""Readers: every source becomes batches of the layer table's canonical columns.

    >>> from layerheat.io import read_layers
    >>> table, report = read_layers(["layers.parquet"])       # doctest: +SKIP

Dispatch by what the path is: a folder or ``.psd``/``.psb`` file goes to
:mod:`layerheat.io.psd`, a ``.json`` file to :mod:`layerheat.io.coco`, anything else to
:mod:`layerheat.io.tabular` (CSV, Parquet, the source's headerless x,y CSV). An input
path may also be the word ``sample``: the built-in synthetic dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from ..errors import LayerheatError
from ..readreport import ReadReport
from ..table import LayerTable
from ..taxonomy import Taxonomy, default_taxonomy
from ..validate import clean

if TYPE_CHECKING:
    from .tabular import TabularSource

SAMPLE = "sample"
PSD_SUFFIXES = (".psd", ".psb")


@dataclass
class Source:
    """One input: a name for messages and a way to produce canonical batches."""

    label: str
    default_design: str
    has_canvas: bool
    _batches: Callable[[Sequence[str] | None], Iterator[pa.Table]]
    report: ReadReport | None = None  # what the reader itself already counted
    reader: TabularSource | None = None  # set for files read lazily (engines split them)

    def batches(self, columns: Sequence[str] | None = None) -> Iterator[pa.Table]:
        """Canonical-column batches of this input."""
        return self._batches(columns)


def table_source(table: LayerTable | pa.Table, label: str = "table") -> Source:
    """An in-memory table as a source (what the Python API's ``heatmaps(table)`` reads)."""
    arrow = table.arrow if isinstance(table, LayerTable) else table
    return Source(label, label, True, lambda columns=None: iter([_project(arrow, columns)]))


def open_sources(
    inputs: Sequence[str | Path],
    *,
    type_id: int | None = None,
    taxonomy: Taxonomy | None = None,
) -> list[Source]:
    """Resolve input paths to sources; raises LayerheatError for unusable ones."""
    taxonomy = taxonomy or default_taxonomy()
    sources: list[Source] = []
    from .tabular import TabularSource, is_url

    for item in inputs or [SAMPLE]:
        path = Path(item)
        if is_url(item):  # s3://, file://, ... read through fsspec
            tab = TabularSource.open_url(str(item), type_id=type_id)
            sources.append(Source(str(item), tab.path.stem, tab.has_canvas, tab.batches, None, tab))
        elif str(item) == SAMPLE and not path.exists():
            sources.append(_sample_source())
        elif path.is_dir() or path.suffix.lower() in PSD_SUFFIXES:
            from .psd import read_psd_layers

            sources.append(_in_memory(path, *read_psd_layers([path], taxonomy=taxonomy)))
        elif path.suffix.lower() == ".json":
            from .coco import read_coco_layers

            sources.append(_in_memory(path, *read_coco_layers([path], taxonomy=taxonomy)))
        else:
            tab = TabularSource.open(path, type_id=type_id)
            sources.append(Source(str(path), path.stem, tab.has_canvas, tab.batches, None, tab))
    return sources


def _sample_source() -> Source:
    from ..sample import sample_layers

    return table_source(sample_layers(), SAMPLE)


def _in_memory(path: Path, table: LayerTable, report: ReadReport) -> Source:
    """A file or folder read whole by its reader (PSD, COCO), with what it reported."""
    source = table_source(table, str(path))
    source.default_design = path.stem
    source.report = report
    return source


def _project(table: pa.Table, columns: Sequence[str] | None) -> pa.Table:
    if columns is None:
        return table
    return table.select([c for c in columns if c in table.column_names])


def read_layers(
    inputs: Sequence[str | Path] = (),
    *,
    type_id: int | None = None,
    canvas: tuple[float, float] | None = None,
    taxonomy: Taxonomy | None = None,
    outside: str = "clip",
    require_canvas: bool = True,
) -> tuple[LayerTable, ReadReport]:
    """Read and check all inputs into one LayerTable, with counts of what was skipped.

    No inputs means the built-in sample. Raises LayerheatError when no usable layer is
    left at all.
    """
    taxonomy = taxonomy or default_taxonomy()
    report = ReadReport()
    tables = []
    for source in open_sources(inputs, type_id=type_id, taxonomy=taxonomy):
        if source.report is not None:
            report.merge(_files_only(source.report))
        for batch in source.batches():
            table, batch_report = clean(
                batch,
                taxonomy=taxonomy,
                canvas=canvas,
                outside=outside,
                require_canvas=require_canvas,
                default_design=source.default_design,
                source=source.label,
            )
            report.merge(batch_report)
            tables.append(LayerTable(table))
    result = LayerTable.concat(tables)
    if len(result) == 0:
        raise LayerheatError(
            f"{', '.join(map(str, inputs)) or 'input'}: no usable layer rows ({report.summary()})"
        )
    return result, report


def _files_only(report: ReadReport) -> ReadReport:
    """The parts of a reader's own report that row checks will not count again."""
    out = ReadReport()
    out.files_skipped.extend(report.files_skipped)
    out.notes.extend(report.notes)
    return out
