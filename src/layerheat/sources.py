"""Inputs to readers: paths, globs, folders, URLs and tables become sources and parts.

    >>> from layerheat.sources import read_layers
    >>> table, report = read_layers(["sample"])
    >>> len(table) == report.rows_used
    True

Dispatch by what an input is: a quoted glob becomes the files it matches; a folder of
Parquet part files is one table (:mod:`layerheat.io.datasets`); a folder or
``.psd``/``.psb`` file goes to the PSD reader (through :mod:`layerheat.ingest`, which
reads many files safely), a ``.json`` file to the COCO reader, a URL or any other file
to :mod:`layerheat.io.tabular` (CSV, Parquet, the source's headerless x,y CSV), the
word ``sample`` to the built-in synthetic dataset.

Every command reads through here: :func:`read_layers` for a whole checked table
(render, viewer), :func:`make_parts` for the engines, which read, check and accumulate
part by part. The ``--delimiter``, ``--encoding`` and ``--units`` options reach the
readers as a :class:`ReadOptions`: the keywords of :func:`open_sources` and
:func:`read_layers`, or carried by each input as an :class:`InputPath` (what the CLI
passes, so that commands whose library functions only take inputs still honour them).
"""

from __future__ import annotations

import dataclasses
import glob
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from .errors import LayerheatError
from .io.options import InputPath, ReadOptions
from .readreport import ReadReport
from .table import LayerTable
from .taxonomy import Taxonomy, default_taxonomy
from .validate import CheckOptions, clean

if TYPE_CHECKING:
    from .io.tabular import TabularSource

__all__ = [
    "BATCH_ROWS",
    "PART_ROWS",
    "SAMPLE",
    "InputPath",
    "Part",
    "ReadOptions",
    "Source",
    "make_parts",
    "open_sources",
    "read_layers",
    "reader_report",
    "table_source",
]

SAMPLE = "sample"
#: rows per batch read from a file: small enough that the batches in flight stay near
#: 20 MB each, large enough that per-batch overhead is under a nanosecond a row
BATCH_ROWS = 1 << 17
#: rows per part: Parquet row groups are grouped into parts of at least this many rows
PART_ROWS = 1 << 20

Inputs = LayerTable | pa.Table | str | Path | Sequence[str | Path] | None


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
    inputs: Inputs,
    *,
    type_id: int | None = None,
    taxonomy: Taxonomy | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    units: str = "auto",
    canvas: tuple[float, float] | None = None,
) -> list[Source]:
    """Resolve inputs (a table, path(s), URL(s); None = the sample) to sources.

    ``delimiter``, ``encoding`` and ``units`` are the ``--delimiter``, ``--encoding``
    and ``--units`` options (see :class:`ReadOptions`); ``canvas`` is what fractional
    boxes without canvas columns are multiplied by. An :class:`InputPath` brings its own
    options. Raises LayerheatError for unusable ones.
    """
    if isinstance(inputs, (LayerTable, pa.Table)):
        return [table_source(inputs)]
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    taxonomy = taxonomy or default_taxonomy()
    given = ReadOptions(delimiter, encoding, units, canvas)
    sources = []
    for item in list(inputs or []) or [SAMPLE]:
        options = item.options if isinstance(item, InputPath) else given
        if options.canvas is None and canvas is not None:
            options = dataclasses.replace(options, canvas=canvas)
        for one in _expand(item):
            sources.append(_open_one(one, type_id, taxonomy, options))
    return sources


def _expand(item: str | Path) -> list[str | Path]:
    """A quoted glob (``'parts/*.csv'``) becomes the files it matches, sorted.

    A pattern of PSD/PSB files stays whole: the PSD reader reads it in parallel, with
    design ids relative to the pattern's fixed folder. URLs and paths that exist are
    never patterns.
    """
    from .io.psd import PSD_SUFFIXES
    from .io.tabular import is_url

    text = str(item)
    if is_url(item) or Path(text).exists() or not set("*?[") & set(text):
        return [item]
    matches = sorted(p for p in glob.glob(text, recursive=True) if Path(p).is_file())
    if not matches:
        raise LayerheatError(
            f"{text}: the pattern matched no files; check the folder and the pattern"
        )
    if all(Path(p).suffix.lower() in PSD_SUFFIXES for p in matches):
        return [item]
    return matches


def _open_one(
    item: str | Path, type_id: int | None, taxonomy: Taxonomy, options: ReadOptions
) -> Source:
    from .io.psd import PSD_SUFFIXES
    from .io.tabular import TabularSource, is_url

    path = Path(item)
    if is_url(item):  # s3://, file://, ... read through fsspec
        tab = TabularSource.open_url(str(item), type_id=type_id, options=options)
        return _lazy(str(item), tab.path.stem, tab)
    if str(item) == SAMPLE and not path.exists():
        from .sample import sample_layers

        return _unused(table_source(sample_layers(), SAMPLE), options, "the built-in sample")
    if path.is_dir():
        return _open_folder(path, type_id, taxonomy, options)
    if path.suffix.lower() in PSD_SUFFIXES:
        from .ingest import read_psd_layers

        source = _in_memory(path, *read_psd_layers([path], taxonomy=taxonomy))
        return _unused(source, options, "PSD files")
    if path.suffix.lower() == ".json" and _json_layout(path, options.encoding) == "coco":
        from .ingest import read_coco_layers

        source = _in_memory(path, *read_coco_layers([path], taxonomy=taxonomy))
        return _unused(source, options, "COCO files")
    tab = TabularSource.open(path, type_id=type_id, options=options)
    return _lazy(str(path), _stem(path), tab)


def _unused(source: Source, options: ReadOptions, what: str) -> Source:
    """Say in the run's notes that the reading options given do not apply to ``what``."""
    if options.given:
        report = source.report or ReadReport()
        report.notes.append(
            f"{source.label}: {', '.join(options.given)} not used: they apply to CSV and "
            f"JSON layer tables, not {what}"
        )
        source.report = report
    return source


def _stem(path: Path) -> str:
    """The file's name without its suffix: ``layers.csv.gz`` -> ``layers``."""
    from .io.streams import COMPRESSION_SUFFIXES

    if path.suffix.lower() in COMPRESSION_SUFFIXES:
        path = path.with_suffix("")
    return path.stem


def _lazy(label: str, design: str, tab: TabularSource) -> Source:
    """A file read in batches when needed, with the reader's notes on how it read it."""
    notes = list(tab.notes)
    unused = {"parquet": ("--delimiter", "--encoding"), "records": ("--delimiter",)}
    kind = "parquet" if tab.kind in ("dataset", "ipc") else tab.kind
    named = [o for o in tab.options.given if o.startswith(unused.get(kind, ()))]
    if named:
        what = "JSON has no delimiter" if kind == "records" else "Parquet and Arrow are not text"
        notes.append(f"{label}: {', '.join(named)} not used: {what}")
    report = ReadReport(notes=notes) if notes else None
    return Source(label, design, tab.has_canvas, tab.batches, report, tab)


def _json_layout(path: Path, encoding: str | None = None) -> str:
    """How a ``.json`` file holds its layers: ``coco``, ``records`` or ``lines``."""
    from .io.jsonrecords import json_layout

    try:
        with path.open("rb") as fh:
            return json_layout(fh.read(1 << 16), ".json", encoding)
    except OSError:
        return "coco"  # the COCO reader says what is wrong with the file


def _open_folder(
    path: Path, type_id: int | None, taxonomy: Taxonomy, options: ReadOptions
) -> Source:
    """A folder of Parquet part files is one table; a folder of PSD/PSB files a collection."""
    from .io.datasets import dataset_files
    from .io.psd import PSD_SUFFIXES
    from .io.tabular import TabularSource

    has_psd = any(p.suffix.lower() in PSD_SUFFIXES and p.is_file() for p in path.rglob("*"))
    if dataset_files(path):
        if has_psd:
            raise LayerheatError(
                f"{path}: holds both PSD/PSB and Parquet files; pass one kind, e.g. "
                f"'{path}/**/*.psd' or a subfolder"
            )
        tab = TabularSource.open_folder(path, type_id=type_id, options=options)
        return _lazy(str(path), path.name, tab)
    if not has_psd:
        raise LayerheatError(
            f"{path}: no .psd or .psb files and no .parquet files in this folder (searched "
            f"recursively); for CSV or JSON files pass a quoted glob like '{path}/*.csv'"
        )
    from .ingest import read_psd_layers

    return _unused(
        _in_memory(path, *read_psd_layers([path], taxonomy=taxonomy)), options, "PSD files"
    )


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


def reader_report(sources: Sequence[Source]) -> ReadReport:
    """What the readers themselves reported (files skipped, notes), rows not included:
    the row checks count those."""
    report = ReadReport()
    for source in sources:
        if source.report is not None:
            report.files_skipped.extend(source.report.files_skipped)
            report.notes.extend(source.report.notes)
    return report


def read_layers(
    inputs: Inputs = None,
    *,
    type_id: int | None = None,
    canvas: tuple[float, float] | None = None,
    taxonomy: Taxonomy | None = None,
    outside: str = "clip",
    require_canvas: bool = True,
    designs: Collection[str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    units: str = "auto",
) -> tuple[LayerTable, ReadReport]:
    """Read and check all inputs into one LayerTable, with counts of what was skipped.

    No inputs means the built-in sample. ``designs`` keeps only the rows of those design
    ids (the counts still cover every row). ``delimiter``, ``encoding`` and ``units``
    say how to read CSV and JSON where detection is not enough (see
    :class:`ReadOptions`). Raises LayerheatError when no usable layer is left at all.
    """
    taxonomy = taxonomy or default_taxonomy()
    options = CheckOptions(taxonomy, canvas, outside, require_canvas)
    how = {"delimiter": delimiter, "encoding": encoding, "units": units, "canvas": canvas}
    sources = open_sources(inputs, type_id=type_id, taxonomy=taxonomy, **how)
    report = reader_report(sources)
    tables = []
    for source in sources:
        for batch in source.batches():
            table, batch_report = clean(
                batch, options, default_design=source.default_design, source=source.label
            )
            report.merge(batch_report)
            if designs is not None:
                wanted = pc.is_in(table.column("design_id"), pa.array(list(designs), pa.string()))
                table = table.filter(wanted)
            tables.append(LayerTable(table))
    result = LayerTable.concat(tables)
    if len(result) == 0:
        names = ", ".join(s.label for s in sources)
        files = f" ({report.skipped_files_text()})" if report.files_skipped else ""
        raise LayerheatError(f"{names}: no usable layer rows ({report.summary()}){files}")
    return result, report


# -- parts: the units every engine reads, checks and accumulates independently ----------
@dataclass
class Part:
    """A piece of one input that is read, checked and accumulated on its own.

    A Parquet file splits into parts of whole row groups (a folder of Parquet files into
    parts of whole files), about :data:`PART_ROWS` rows or more each; a CSV file, a PSD
    folder, a COCO file or a table is one part.
    Picklable, so Dask workers read their parts themselves.
    """

    source: int
    label: str
    default_design: str
    reader: TabularSource | None = None  # None with ``tables`` set
    row_groups: tuple[int, ...] | None = None
    tables: list[pa.Table] | None = None

    def batches(self, columns: Sequence[str], *, native_floats: bool = False) -> Iterator[pa.Table]:
        """Canonical-column batches of this part (only ``columns``); ``native_floats``:
        float32 box and canvas columns may stay float32 (see ``TabularSource.batches``)."""
        if self.tables is not None:
            return (_project(t, columns) for t in self.tables)
        return self.reader.batches(
            columns, BATCH_ROWS, row_groups=self.row_groups, native_floats=native_floats
        )

    @property
    def rows(self) -> int | None:
        """Rows in this part if known without reading it."""
        if self.tables is not None:
            return sum(t.num_rows for t in self.tables)
        if self.row_groups is None:
            return None
        return self.reader.rows_in(self.row_groups)

    def expected_rows(self) -> int | None:
        """:attr:`rows`, or else an estimate (a CSV: its size over its first lines' length)."""
        rows = self.rows
        if rows is None and self.reader is not None:
            rows = self.reader.estimated_rows()
        return rows

    @property
    def in_memory(self) -> bool:
        """Whether the part's rows are already in memory (no reading to overlap)."""
        return self.tables is not None


def make_parts(sources: Sequence[Source]) -> list[Part]:
    """Split every source into parts, in input order."""
    parts = []
    for i, source in enumerate(sources):
        owner = source.reader
        if owner is None:
            tables = list(source.batches())
            parts.append(Part(i, source.label, source.default_design, tables=tables))
            continue
        groups = owner.parts(PART_ROWS)
        if groups is None:
            parts.append(Part(i, source.label, source.default_design, owner))
        else:
            parts.extend(Part(i, source.label, source.default_design, owner, g) for g in groups)
    return parts
