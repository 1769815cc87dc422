"""Which designs a collection holds and where their layers are, without holding the layers.

The viewer lists millions of designs but draws one at a time, so it needs the list, not
the rows. :meth:`DesignIndex.build` reads each Parquet row group once (the design id and
the columns the row checks need, never the names), runs the same row checks as every
other command (:meth:`layerheat.validate.CheckOptions.check`) and keeps, as Arrow and
NumPy arrays:

* the design ids with a usable layer, in order of first appearance;
* for each design, the row groups holding it (CSR: ``offsets`` into ``units``);
* usable layers per design and, per layer type, layers and designs having it.

A design's layers are read on demand: its row groups (``read_row_groups`` through
:class:`layerheat.io.tabular.TabularSource`), checked with :func:`layerheat.validate.clean`
and filtered to that design; the last few row groups read are cached, so stepping
through neighbours reads nothing. Inputs that cannot be read a row group at a time
(CSV, PSD, COCO, the built-in sample, in-memory tables) are read and checked whole, as
before, and kept in memory behind the same interface::

    >>> from layerheat.viewer.index import DesignIndex
    >>> index = DesignIndex.build(["sample"])
    >>> len(index), index.name(0)
    (3000, 'sample-0001')
    >>> len(index.layers_of(0)) == int(index.layers[0])
    True
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import LayerheatError
from ..readreport import ReadReport
from ..sources import Part, make_parts, open_sources, reader_report
from ..table import COLUMNS, LayerTable
from ..taxonomy import Taxonomy, default_taxonomy
from ..validate import HAS_AREA, CheckOptions, clean, unknown_note

__all__ = ["CACHED_UNITS", "CHECK_COLUMNS", "DesignIndex", "IndexOptions"]

#: row groups whose checked rows are kept after a design was read from them
CACHED_UNITS = 4
#: the columns the row checks need (no names: they are only read for a design shown)
CHECK_COLUMNS = [c for c in COLUMNS if c != "name"] + [HAS_AREA]


@dataclass(frozen=True)
class IndexOptions:
    """How inputs are read and checked: as ``layerheat heatmaps`` reads them."""

    taxonomy: Taxonomy = field(default_factory=default_taxonomy)
    canvas: tuple[float, float] | None = None
    type_id: int | None = None
    outside: str = "clip"

    @property
    def check(self) -> CheckOptions:
        """The row checks (canvas not required: a missing one is reported as a whole)."""
        return CheckOptions(self.taxonomy, self.canvas, self.outside, False)


@dataclass
class _Scan:
    """One unit's usable rows summarised: its designs (first appearance), their layer
    counts, which types each has, layers per type, rows lacking a canvas."""

    names: pa.Array
    counts: np.ndarray
    types: np.ndarray  # (K, n_types) bool
    type_layers: np.ndarray
    no_canvas: int
    report: ReadReport
    table: LayerTable | None = None  # the checked rows, for units kept in memory
    kept: np.ndarray | None = None  # packed bits of usable rows (None: all usable)


class DesignIndex:
    """Designs of a collection as arrays, and their layers read on demand (see module)."""

    def __init__(
        self,
        units: list[Part],
        scans: list[_Scan],
        options: IndexOptions,
        report: ReadReport,
    ) -> None:
        self.options = options
        self.report = report
        self._units = units
        self._tables = {i: s.table for i, s in enumerate(scans) if s.table is not None}
        self._kept = {i: s.kept for i, s in enumerate(scans) if s.kept is not None}
        self._cache: OrderedDict[int, tuple[pa.Table, pa.ChunkedArray]] = OrderedDict()
        self._folded: pa.Array | None = None
        self._name_rows: list[tuple[np.ndarray, np.ndarray, pa.Array]] | None = None
        parts = [s.names for s in scans]
        names = pa.chunked_array(parts, pa.string()).combine_chunks()
        encoded = pc.dictionary_encode(names)
        #: design ids with at least one usable layer, in order of first appearance
        self.designs: pa.Array = encoded.dictionary
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        n = len(self.designs)
        sizes = [len(p) for p in parts]
        unit_of = np.repeat(np.arange(len(parts)), sizes)
        counts = np.concatenate([s.counts for s in scans]) if scans else np.zeros(0)
        #: usable layers of each design
        self.layers = np.bincount(codes, weights=counts, minlength=n).astype(np.int64)
        order = np.argsort(codes, kind="stable")
        #: row groups (units) of design i: units[offsets[i]:offsets[i + 1]]
        self.units = unit_of[order].astype(np.int32)
        self.offsets = np.searchsorted(codes[order], np.arange(n + 1))
        n_types = len(options.taxonomy.ids)
        has = np.zeros((n, n_types), dtype=bool)
        start = 0
        for scan, size in zip(scans, sizes, strict=True):
            has[codes[start : start + size]] |= scan.types
            start += size
        #: designs having each type, and layers of each type (taxonomy order)
        self.type_designs = has.sum(axis=0).astype(np.int64)
        self.type_layers = sum((s.type_layers for s in scans), np.zeros(n_types, np.int64))

    # -- building ---------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        inputs: Sequence[str] | str | None = None,
        options: IndexOptions | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
        label: str | None = None,
    ) -> DesignIndex:
        """Index ``inputs`` (anything ``layerheat heatmaps`` reads; none: the sample).

        ``progress(done, total)`` is called after each unit (row group). Raises
        LayerheatError when no layer is usable or some usable layer has no canvas size.
        """
        options = options or IndexOptions()
        sources = open_sources(inputs, type_id=options.type_id, taxonomy=options.taxonomy)
        units = _units(sources)
        done = [0]

        def scan(unit: Part) -> _Scan:
            out = _scan(unit, options)
            done[0] += 1
            if progress is not None:
                progress(done[0], len(units))
            return out

        with ThreadPoolExecutor(max_workers=2) as pool:  # Arrow and the checks drop the GIL
            scans = list(pool.map(scan, units))
        report = reader_report(sources)
        for s in scans:
            report.merge(s.report)
        label = label or ", ".join(s.label for s in sources)
        if not any(len(s.names) for s in scans):
            files = f" ({report.skipped_files_text()})" if report.files_skipped else ""
            raise LayerheatError(f"{label}: no usable layer rows ({report.summary()}){files}")
        no_canvas = sum(s.no_canvas for s in scans)
        if no_canvas:
            used = report.rows_used
            some = "" if used == no_canvas else f" for {no_canvas:,} of {used:,} layers"
            raise LayerheatError(
                f"{label}: no canvas size in the data{some}; pass --canvas WIDTHxHEIGHT "
                "(e.g. --canvas 5906x3543)"
            )
        return cls(units, scans, options, report)

    @classmethod
    def from_table(cls, table: LayerTable, taxonomy: Taxonomy | None = None) -> DesignIndex:
        """An index of rows already read and checked (kept in memory)."""
        options = IndexOptions(taxonomy or default_taxonomy())
        unit = Part(0, "table", "table", tables=[table.arrow])
        scan = _summarise(table.arrow.column("design_id"), table.numpy("type_id"), options)
        scan.table = table
        return cls([unit], [scan], options, ReadReport())

    # -- designs ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.designs)

    def name(self, position: int) -> str:
        """The design id at ``position``."""
        return self.designs[int(position)].as_py()

    def position(self, design_id: str) -> int | None:
        """Where ``design_id`` is in :attr:`designs`, or None."""
        i = pc.index(self.designs, pa.scalar(str(design_id), pa.string())).as_py()
        return None if i < 0 else i

    def layers_of(self, position: int) -> LayerTable:
        """The checked layers of the design at ``position``, in file order.

        The row checks look at one row at a time, so the design's rows are picked from
        its row groups first and only they are checked (:func:`~layerheat.validate.clean`),
        with the options the index was built with."""
        name = self.name(position)
        units = self.units[self.offsets[position] : self.offsets[position + 1]]
        tables = []
        for u in units.tolist():
            if u in self._tables:
                arrow = self._tables[u].arrow
                tables.append(arrow.filter(pc.equal(arrow.column("design_id"), name)))
                continue
            raw, design = self._raw(u)
            part = self._units[u]
            rows = raw.filter(pc.equal(design, name))
            opts = self.options.check
            tables.append(
                clean(rows, opts, default_design=part.default_design, source=part.label)[0]
            )
        return LayerTable(pa.concat_tables(tables, promote_options="permissive"))

    def _raw(self, unit: int) -> tuple[pa.Table, pa.ChunkedArray]:
        """One unit's rows as read (canonical columns, not checked) and their design ids
        as :func:`~layerheat.validate.clean` makes them; the last few are cached."""
        if unit in self._cache:
            self._cache.move_to_end(unit)
            return self._cache[unit]
        part = self._units[unit]
        rows = max(part.rows or 0, 1)
        raw = pa.concat_tables(
            part.reader.batches(None, rows, row_groups=part.row_groups),
            promote_options="permissive",
        )
        self._cache[unit] = (raw, _design_ids(raw, part.default_design))
        while len(self._cache) > CACHED_UNITS:
            self._cache.popitem(last=False)
        return self._cache[unit]

    # -- search -----------------------------------------------------------------------
    def search(self, words: Sequence[str]) -> np.ndarray:
        """Positions of the designs for which every word occurs (case-insensitively) in
        the design id or in one of its usable layers' names, ascending.

        Ids are matched with Arrow's ``match_substring`` over the lower-cased
        :attr:`designs`; names on each row group's dictionary of distinct names, whose
        rows point at designs (built on the first search: the name column is read
        again, a few seconds and ~6 bytes a layer at 20 M layers).
        """
        words = [w.lower() for w in words]
        if not words:
            return np.arange(len(self.designs))
        if self._folded is None:
            self._folded = pc.utf8_lower(self.designs)
        found = np.ones(len(self.designs), dtype=bool)
        for word in words:
            hit = pc.match_substring(self._folded, word).to_numpy(zero_copy_only=False)
            for design, names, folded in self.name_rows():
                wanted = pc.match_substring(folded, word).to_numpy(zero_copy_only=False)
                if wanted.any():
                    hit[design[wanted[names]]] = True
            found &= hit
        return np.nonzero(found)[0]

    def name_rows(self) -> list[tuple[np.ndarray, np.ndarray, pa.Array]]:
        """Per unit: the design position and name code of each usable row, and the
        unit's distinct names lower-cased (computed once, two units at a time)."""
        if self._name_rows is None:
            with ThreadPoolExecutor(max_workers=2) as pool:
                self._name_rows = list(pool.map(self._unit_names, range(len(self._units))))
        return self._name_rows

    def _unit_names(self, unit: int) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        if unit in self._tables:
            arrow = self._tables[unit].arrow
            design, names = arrow.column("design_id"), arrow.column("name")
        else:
            part = self._units[unit]
            rows = max(part.rows or 0, 1)
            raw = pa.concat_tables(
                part.reader.batches(["design_id", "name"], rows, row_groups=part.row_groups)
            )
            design = _design_ids(raw, part.default_design)
            names = (
                pc.fill_null(raw.column("name").cast(pa.string()), "")
                if "name" in raw.column_names
                else pa.array([""] * raw.num_rows, pa.string())
            )
            if unit in self._kept:
                keep = pa.array(np.unpackbits(self._kept[unit], count=raw.num_rows).astype(bool))
                design, names = design.filter(keep), names.filter(keep)
        mine = np.nonzero(self.units == unit)[0]  # this unit's designs, via the CSR lists
        owners = np.searchsorted(self.offsets, mine, side="right") - 1
        local = pc.index_in(design, value_set=self.designs.take(pa.array(owners)))
        encoded = _combined(pc.dictionary_encode(names))
        return (
            owners[_combined(local).to_numpy(zero_copy_only=False)].astype(np.int32),
            encoded.indices.to_numpy(zero_copy_only=False).astype(
                np.min_scalar_type(len(encoded.dictionary))
            ),
            pc.utf8_lower(encoded.dictionary),
        )


def _combined(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array from a possibly chunked one."""
    if isinstance(array, pa.ChunkedArray):
        return array.combine_chunks() if array.num_chunks else pa.array([], array.type)
    return array


def _units(sources: list) -> list[Part]:
    """One unit per Parquet row group (per file of a Parquet folder); other inputs whole."""
    units = []
    for i, source in enumerate(sources):
        reader = source.reader
        groups = reader.parts(1) if reader is not None else None
        if groups is None:
            units.extend(
                Part(i, p.label, p.default_design, p.reader, p.row_groups, p.tables)
                for p in make_parts([source])
            )
        else:
            units.extend(Part(i, source.label, source.default_design, reader, g) for g in groups)
    return units


def _design_ids(batch: pa.Table, default: str) -> pa.ChunkedArray | pa.Array:
    """Design ids as :func:`layerheat.validate.clean` makes them (text, missing: default)."""
    if "design_id" not in batch.column_names:
        return pa.array([default] * batch.num_rows, type=pa.string())
    return pc.fill_null(batch.column("design_id").cast(pa.string()), default)


def _scan(unit: Part, options: IndexOptions) -> _Scan:
    """Read and check one unit; summarise its usable rows (see :class:`_Scan`)."""
    opts = options.check
    if unit.row_groups is None:  # not re-readable by parts: check and keep it whole
        report = ReadReport()
        tables = []
        for batch in unit.batches(None):
            table, batch_report = clean(
                batch, opts, default_design=unit.default_design, source=unit.label
            )
            report.merge(batch_report)
            tables.append(LayerTable(table))
        table = LayerTable.concat(tables)
        scan = _summarise(table.arrow.column("design_id"), table.numpy("type_id"), options)
        scan.no_canvas = _no_canvas(table.numpy("canvas_width"), table.numpy("canvas_height"))
        scan.table, scan.report = table, report
        return scan
    designs, types, kept, report, no_canvas = [], [], [], ReadReport(), 0
    rows = max(unit.rows or 0, 1)  # one batch per row group: the checks cost per call
    for batch in unit.reader.batches(CHECK_COLUMNS, rows, row_groups=unit.row_groups):
        checked = opts.check(batch, source=unit.label)
        if checked.unknown:
            checked.report.notes.append(unknown_note(unit.label, checked.unknown))
        report.merge(checked.report)
        keep = checked.kept()
        design = _design_ids(batch, unit.default_design)
        all_kept = bool(keep.all())
        designs.append(design if all_kept else design.filter(pa.array(keep)))
        types.append(checked.types if all_kept else checked.types[keep])
        w, h = (
            (checked.width, checked.height)
            if all_kept
            else (checked.width[keep], checked.height[keep])
        )
        no_canvas += _no_canvas(w, h)
        kept.append(keep)
    chunks = [c for d in designs for c in (d.chunks if isinstance(d, pa.ChunkedArray) else [d])]
    kinds = np.concatenate(types) if types else np.zeros(0, dtype=np.int64)
    scan = _summarise(pa.chunked_array(chunks, pa.string()), kinds, options)
    mask = np.concatenate(kept) if kept else np.zeros(0, dtype=bool)
    scan.kept = None if mask.all() else np.packbits(mask)
    scan.report, scan.no_canvas = report, no_canvas
    return scan


def _no_canvas(width: np.ndarray, height: np.ndarray) -> int:
    return int((~(np.isfinite(width) & np.isfinite(height))).sum())


def _summarise(
    design: pa.ChunkedArray | pa.Array, types: np.ndarray, options: IndexOptions
) -> _Scan:
    """Designs of usable rows in order of first appearance (Arrow's dictionary order),
    layers per design, which types each design has, layers per type."""
    if isinstance(design, pa.ChunkedArray):
        design = design.combine_chunks() if design.num_chunks else pa.array([], pa.string())
    encoded = pc.dictionary_encode(design)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    ids = np.asarray(options.taxonomy.ids, dtype=np.int64)
    lookup = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    lookup[ids] = np.arange(len(ids))
    slots = lookup[np.asarray(types, dtype=np.int64)]
    k = len(encoded.dictionary)
    has = np.zeros((k, len(ids)), dtype=bool)
    has[codes, slots] = True
    return _Scan(
        names=encoded.dictionary,
        counts=np.bincount(codes, minlength=k),
        types=has,
        type_layers=np.bincount(slots, minlength=len(ids)).astype(np.int64),
        no_canvas=0,
        report=ReadReport(),
    )
