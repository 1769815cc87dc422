"""How much of the canvas: per type, the share of designs whose layers cover each point.

A grid of square cells over the canvas (``resolution`` cells along its long side, the
reference canvas's aspect); per type and cell, the number of the type's layers whose
box (clipped to its canvas, in canvas fractions) contains the cell's centre, divided by
the number of designs. For a type present once per design that is the share of designs
whose layer covers the point. Boxes are added with 2-D difference arrays in a compiled
kernel (:mod:`layerheat.binning.coverage_kernel`), so the work per layer is constant.

Designs are counted by their ``design_id`` strings, except in layerheat's own Parquet
files (``LayerTable.write``, ``layerheat ingest``): there the ``design_number`` column
numbers the designs, and reading it instead of the ids makes coverage cost about what
centre binning does. It is used only when the whole input is one such file whose footer
still matches what layerheat wrote (see :func:`numbered_designs`); otherwise, or for
any other input, the ids are read as before. Same counts either way.

    >>> from layerheat.pipeline import Pipeline
    >>> from layerheat.taxonomy import default_taxonomy
    >>> with Pipeline(None) as pipe:
    ...     total = pipe.run([CoverageMaps(default_taxonomy(), pipe.frame, 50)])
    >>> cov = total.partials[0].result()
    >>> cov.n_designs, cov.coverage.shape
    (3000, (14, 30, 50))
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from ..errors import LayerheatError
from ..table import DESIGN_NUMBER, DESIGN_NUMBER_KEY
from ..taxonomy import Taxonomy
from .distinct import DistinctIds, DistinctNumbers

__all__ = [
    "CoverageMap",
    "CoverageMaps",
    "CoverageMapsAccumulator",
    "grid_shape",
    "numbered_designs",
]


def grid_shape(canvas: tuple[float, float] | None, resolution: int) -> tuple[int, int]:
    """(nx, ny): ``resolution`` square cells along the canvas's long side."""
    w, h = canvas or (1.0, 1.0)
    if w >= h:
        return resolution, max(1, round(resolution * h / w))
    return max(1, round(resolution * w / h)), resolution


@dataclass(frozen=True)
class CoverageMaps:
    """The measure: coverage per type on a grid over the canvas ``canvas`` (w, h)."""

    taxonomy: Taxonomy
    canvas: tuple[float, float] | None
    resolution: int = 100
    columns: tuple[str, ...] = ("design_id",)
    #: without design ids: raise (True), or skip those rows and count no designs (False)
    required: bool = True
    #: designs counted by ``design_number`` (set by :meth:`for_parts`): the file's label
    #: and its number of designs, which bounds every number
    numbered: tuple[str, int] | None = None

    def accumulator(self) -> CoverageMapsAccumulator:
        return CoverageMapsAccumulator(self)

    def for_parts(self, parts: Sequence) -> CoverageMaps:
        """This measure for reading ``parts``: counting designs by ``design_number``
        instead of ``design_id`` when the parts are all of one layerheat Parquet file."""
        if self.numbered is not None or self.columns != ("design_id",):
            return self
        found = numbered_designs(parts)
        if found is None:
            return self
        return replace(self, columns=(DESIGN_NUMBER,), numbered=found)


def numbered_designs(parts: Sequence) -> tuple[str, int] | None:
    """(label, designs) when every part reads one Parquet file that layerheat wrote with
    its ``design_number`` column (``table.with_design_numbers``) and whose footer still
    says so, else None (designs are then counted by their ids).

    The footer must hold layerheat's entry with the file's true row count (a file
    filtered or concatenated by other tools keeps the entry but not the count), the
    column must be int32 with statistics in every row group: no nulls, numbers from 0
    to below the designs the entry states, and the parts must read the whole file. The
    numbers themselves are checked again as they are read, and at the end exactly the
    stated number of designs must have been seen (layerheat numbers them densely): an
    error, never a wrong count, if the footer lied or rows of two files were mixed. Not
    checkable without reading the ids: that ``design_id`` was not edited in place
    since; docs/measures.md says so.
    """
    readers = {id(p.reader) for p in parts}
    if not parts or len(readers) != 1 or parts[0].tables is not None:
        return None
    reader = parts[0].reader
    if reader.kind != "parquet" or reader.mapping.get("design_id") != "design_id":
        return None
    if DESIGN_NUMBER not in reader.source_names or DESIGN_NUMBER in reader.mapping.values():
        return None
    try:
        pf = reader._parquet_file()  # the reader's own way in (URLs, compression)
        meta = pf.metadata
        field = pf.schema_arrow.field(DESIGN_NUMBER)
        entry = json.loads((meta.metadata or {}).get(DESIGN_NUMBER_KEY, b"null"))
        rows, designs = int(entry["rows"]), int(entry["designs"])
    except (KeyError, TypeError, ValueError, OSError, pa.ArrowException):
        return None
    if field.type != pa.int32() or rows != meta.num_rows or not 0 <= designs <= rows:
        return None
    groups = [g for p in parts for g in (p.row_groups or ())]
    whole = len(parts) == 1 and parts[0].row_groups is None
    if not whole and sorted(groups) != list(range(meta.num_row_groups)):
        return None  # not the whole file once: the count could not be checked at the end
    column = pf.schema_arrow.get_field_index(DESIGN_NUMBER)
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        stats = group.column(column).statistics if group.num_rows else None
        if group.num_rows and (
            stats is None
            or not stats.has_min_max
            or stats.null_count != 0
            or not 0 <= stats.min <= stats.max < designs
        ):
            return None
    return reader.label, designs


@dataclass
class CoverageMap:
    """Result: coverage (n_types, ny, nx), y down, and the number of designs."""

    taxonomy: Taxonomy
    counts: np.ndarray
    n_designs: int

    def __repr__(self) -> str:
        n_types, ny, nx = self.counts.shape
        present = int((self.counts.reshape(n_types, -1).max(axis=1, initial=0) > 0).sum())
        peak = float(self.coverage.max(initial=0.0))
        return (
            f"CoverageMap({n_types} types ({present} present), {nx}x{ny} cells, "
            f"{self.n_designs:,} designs, max coverage {peak:.2f})"
        )

    @property
    def coverage(self) -> np.ndarray:
        """Layers containing each cell centre per design."""
        return self.counts / max(self.n_designs, 1)

    def to_arrow(self) -> pa.Table:
        """coverage.csv: type_id, type_name, x, y (cell centre, fractions), coverage."""
        n_types, ny, nx = self.counts.shape
        gx, gy = np.meshgrid((np.arange(nx) + 0.5) / nx, (np.arange(ny) + 0.5) / ny)
        parts = [
            pa.table(
                {
                    "type_id": pa.array(np.full(nx * ny, t.id, dtype=np.int16)),
                    "type_name": pa.array([t.name] * (nx * ny), type=pa.string()),
                    "x": gx.ravel(),
                    "y": gy.ravel(),
                    "coverage": self.coverage[i].ravel(),
                }
            )
            for i, t in enumerate(self.taxonomy)
        ]
        return pa.concat_tables(parts)


class CoverageMapsAccumulator:
    """Partial difference arrays and design ids of :class:`CoverageMaps`."""

    def __init__(self, measure: CoverageMaps) -> None:
        self.measure = measure
        self.nx, self.ny = grid_shape(measure.canvas, measure.resolution)
        self.diff = np.zeros((len(measure.taxonomy), self.ny + 1, self.nx + 1), dtype=np.int64)
        numbered = measure.numbered
        self.designs = (
            DistinctIds() if numbered is None else DistinctNumbers(numbered[1], numbered[0])
        )

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Add the usable boxes of one checked batch."""
        from ..binning.coverage_kernel import coverage_accumulate

        if self.measure.numbered is not None:
            numbers = getattr(batch, "extra", {}).get(DESIGN_NUMBER)
            if numbers is None:
                raise LayerheatError(f"{self.measure.numbered[0]}: no design_number column read")
            self.designs.add(numbers)  # every design seen
        elif batch.design is None:
            if not self.measure.required:
                return
            raise LayerheatError(
                "coverage needs design ids (a design_id column) to divide by the number "
                "of designs; the input has none"
            )
        else:
            self.designs.add(batch.design)  # every design seen
        if not batch.n_used:
            return
        from ..reasons import CLIP

        nx, ny = self.nx, self.ny
        coverage_accumulate(*batch.kernel_args(), CLIP, nx, ny, self.diff)

    def merge(self, other: CoverageMapsAccumulator) -> None:
        self.diff += other.diff
        self.designs.merge(other.designs)

    def result(self) -> CoverageMap:
        from ..binning.coverage_kernel import coverage_counts

        designs = len(self.designs)
        numbered = self.measure.numbered
        if numbered is not None and designs != numbered[1]:
            raise LayerheatError(
                f"{numbered[0]}: column design_number holds {designs:,} distinct numbers "
                f"but the file says it numbers {numbered[1]:,} designs; the file was "
                "edited after layerheat wrote it (rows of several files mixed?); drop its "
                "design_number column (designs are then counted by design_id) or write "
                "it again with layerheat"
            )
        return CoverageMap(self.measure.taxonomy, coverage_counts(self.diff), designs)
