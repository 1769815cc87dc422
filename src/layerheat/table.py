"""LayerTable: the one container every reader fills and every later step reads.

One row per layer, canvas pixels, origin top-left, y growing downward. The columns are
Arrow columns so that tables stream, concatenate and write to Parquet without copies::

    >>> from layerheat.table import LayerTable
    >>> t = LayerTable.from_columns(design_id=["a"], type_id=[30], xmin=[10], ymin=[20],
    ...                             xmax=[110], ymax=[60], canvas_width=[200],
    ...                             canvas_height=[100])
    >>> len(t), t.designs()
    (1, ['a'])

Sources add columns of their own (PSD: kind, visible, z order, group path); they are
kept as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from .arrays import column
from .errors import LayerheatError

__all__ = [
    "BOX_COLUMNS",
    "CANVAS_COLUMNS",
    "COLUMNS",
    "LayerTable",
    "SCHEMA",
]

#: The columns every layer table has, in this order, with their Arrow types.
SCHEMA = pa.schema(
    [
        ("design_id", pa.string()),
        ("type_id", pa.int16()),
        ("name", pa.string()),
        ("xmin", pa.float64()),
        ("ymin", pa.float64()),
        ("xmax", pa.float64()),
        ("ymax", pa.float64()),
        ("canvas_width", pa.float64()),
        ("canvas_height", pa.float64()),
    ]
)
COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)
BOX_COLUMNS = ("xmin", "ymin", "xmax", "ymax")
CANVAS_COLUMNS = ("canvas_width", "canvas_height")


class LayerTable:
    """A validated Arrow table of layers with the :data:`SCHEMA` columns first."""

    __slots__ = ("_table",)

    def __init__(self, table: pa.Table) -> None:
        missing = [c for c in COLUMNS if c not in table.column_names]
        if missing:
            raise LayerheatError(f"layer table is missing columns {missing}")
        extra = [c for c in table.column_names if c not in COLUMNS]
        arrays = []
        for field in SCHEMA:
            col = table.column(field.name)
            if col.type != field.type:
                try:
                    col = col.cast(field.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise LayerheatError(
                        f"layer table column {field.name!r} cannot be read as {field.type}: {exc}"
                    ) from None
            arrays.append(col)
        arrays += [table.column(c) for c in extra]
        self._table = pa.Table.from_arrays(arrays, names=list(COLUMNS) + extra)

    # -- construction ----------------------------------------------------------------
    @classmethod
    def from_columns(cls, **columns: Sequence | np.ndarray) -> LayerTable:
        """Build from keyword columns; ``name`` defaults to empty strings."""
        n = len(next(iter(columns.values()))) if columns else 0
        columns.setdefault("name", [""] * n)
        return cls(pa.table({name: column(values) for name, values in columns.items()}))

    @classmethod
    def empty(cls) -> LayerTable:
        """A table with the standard columns and no rows."""
        return cls(SCHEMA.empty_table())

    @classmethod
    def concat(cls, tables: Iterable[LayerTable]) -> LayerTable:
        """Rows of several tables, one after the other; columns missing somewhere become null."""
        arrow = [t.arrow for t in tables]
        if not arrow:
            return cls.empty()
        return cls(pa.concat_tables(arrow, promote_options="permissive"))

    @classmethod
    def from_pandas(cls, frame) -> LayerTable:  # noqa: ANN001 - a pandas DataFrame
        """Build from a pandas DataFrame with the standard columns (any order, extra
        columns kept after them; ``name`` defaults to empty strings). Columns are cast
        to the :data:`SCHEMA` types: integer design ids become strings, categoricals
        their values. The index is dropped; :meth:`to_pandas` gives the frame back."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
        return cls(_with_names(table))

    @classmethod
    def from_arrow(cls, table: pa.Table | pa.RecordBatch) -> LayerTable:
        """Build from an Arrow table or record batch with the standard columns (as
        :meth:`from_pandas`); :meth:`to_arrow` gives it back without copying."""
        if isinstance(table, pa.RecordBatch):
            table = pa.Table.from_batches([table])
        return cls(_with_names(table))

    # -- access ----------------------------------------------------------------------
    @property
    def arrow(self) -> pa.Table:
        """The underlying Arrow table."""
        return self._table

    def to_arrow(self) -> pa.Table:
        """The underlying Arrow table (the same as :attr:`arrow`; no copy)."""
        return self._table

    def __len__(self) -> int:
        return self._table.num_rows

    def __repr__(self) -> str:
        import pyarrow.compute as pc

        designs = pc.count_distinct(self._table.column("design_id")).as_py()
        types = pc.count_distinct(self._table.column("type_id")).as_py()
        return f"LayerTable({len(self):,} layers, {designs:,} designs, {types} types)"

    def _repr_html_(self) -> str:
        """For notebooks: layers, designs, canvas sizes, layers per type id and the first
        rows (text from the data escaped)."""
        from html import escape

        import pyarrow.compute as pc

        t = self._table
        designs = pc.count_distinct(t.column("design_id")).as_py()
        facts = [("layers", f"{len(self):,}"), ("designs", f"{designs:,}")]
        sizes = t.group_by(list(CANVAS_COLUMNS)).aggregate([([], "count_all")])
        sizes = sizes.sort_by([("count_all", "descending")])
        facts.append(("canvas sizes", f"{sizes.num_rows:,}"))
        per_size = [
            (f"{_number(w)} x {_number(h)}", f"{n:,}")
            for w, h, n in zip(*(sizes.column(c).to_pylist()[:5] for c in sizes.column_names))
        ]
        if sizes.num_rows > 5:
            per_size.append(("...", f"{sizes.num_rows - 5:,} more sizes"))
        types = t.group_by("type_id").aggregate([([], "count_all")]).sort_by("type_id")
        per_type = [
            (str(tid), f"{n:,}")
            for tid, n in zip(types.column(0).to_pylist(), types.column(1).to_pylist())
        ]
        rows = t.slice(0, 5).to_pandas().to_html(index=False, escape=True, border=0)
        return (
            f"<div class='layerheat-table'><p><b>{escape(repr(self))}</b></p>"
            "<div style='display:flex;gap:2em;align-items:flex-start'>"
            f"{_html_table(('', ''), facts)}"
            f"{_html_table(('canvas (w x h)', 'layers'), per_size)}"
            f"{_html_table(('type id', 'layers'), per_type)}</div>"
            f"<details><summary>first rows</summary>{rows}</details></div>"
        )

    @property
    def column_names(self) -> list[str]:
        return self._table.column_names

    def numpy(self, name: str) -> np.ndarray:
        """One column as a NumPy array (nulls become NaN for floats)."""
        col = self._table.column(name)
        if pa.types.is_floating(col.type):
            return col.to_numpy().astype(np.float64, copy=False)
        return col.to_numpy(zero_copy_only=False)

    def designs(self) -> list[str]:
        """Design ids in order of first appearance."""
        ids = self._table.column("design_id").to_pylist()
        return list(dict.fromkeys(ids))

    def design(self, design_id: str) -> LayerTable:
        """The layers of one design, in table (stacking) order."""
        import pyarrow.compute as pc

        mask = pc.equal(self._table.column("design_id"), design_id)
        return LayerTable(self._table.filter(mask))

    def filter(self, mask: np.ndarray | pa.Array) -> LayerTable:
        """Rows where ``mask`` is true."""
        return LayerTable(self._table.filter(mask))

    def to_pandas(self):  # noqa: ANN201 - pandas is optional here
        """The table as a pandas DataFrame."""
        return self._table.to_pandas()

    # -- output ----------------------------------------------------------------------
    def write(self, path: str | Path) -> Path:
        """Write to Parquet or CSV (by suffix) atomically: a temporary name, then rename."""
        from .outputs import atomic_path

        path = Path(path)
        with atomic_path(path) as tmp:
            if path.suffix.lower() == ".csv":
                import pyarrow.csv as pacsv

                pacsv.write_csv(self._table, tmp)
            elif path.suffix.lower() in (".parquet", ".pq"):
                import pyarrow.parquet as pq

                pq.write_table(with_design_numbers(self._table), tmp)
            else:
                raise LayerheatError(
                    f"{path}: unknown output format {path.suffix!r}; use .parquet or .csv"
                )
        return path


#: the column numbering each row's design in layerheat's own Parquet files
DESIGN_NUMBER = "design_number"
#: key-value metadata key saying the file's ``design_number`` is layerheat's own
DESIGN_NUMBER_KEY = b"layerheat.design_number"


def with_design_numbers(table: pa.Table) -> pa.Table:
    """``table`` with an int32 ``design_number`` column: 0, 1, 2, ... numbering the
    distinct ``design_id`` values (a missing id counts as "", as the row checks read it)
    in order of first appearance, and a metadata entry ``layerheat.design_number`` with
    the table's rows and designs, so a reader can tell the column still numbers this
    file's rows (a file filtered or concatenated by other tools no longer matches).
    Measures that count designs (coverage) count these numbers instead of reading the
    ids. A column of that name already in ``table`` is replaced."""
    import json

    import pyarrow.compute as pc

    if DESIGN_NUMBER in table.column_names:
        table = table.drop_columns([DESIGN_NUMBER])
    ids = table.column("design_id")
    if ids.null_count:  # only then: a Python fill value makes pyarrow import pandas (~0.16 s)
        ids = pc.fill_null(ids, "")
    ids = ids.combine_chunks()
    encoded = ids.dictionary_encode()
    numbers = encoded.indices.cast(pa.int32())
    designs = len(encoded.dictionary)
    table = table.append_column(pa.field(DESIGN_NUMBER, pa.int32(), nullable=False), numbers)
    meta = dict(table.schema.metadata or {})
    meta[DESIGN_NUMBER_KEY] = json.dumps({"rows": table.num_rows, "designs": designs}).encode()
    return table.replace_schema_metadata(meta)


def _with_names(table: pa.Table) -> pa.Table:
    """``table`` with an empty ``name`` column when it has none (names are optional)."""
    if "name" in table.column_names:
        return table
    return table.append_column("name", pa.array([""] * table.num_rows, pa.string()))


def _number(value: float | None) -> str:
    return "missing" if value is None or value != value else f"{value:g}"


def _html_table(head: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    """A two-column HTML table, every cell escaped, the second right-aligned."""
    from html import escape

    cells = "".join(
        f"<tr><td>{escape(a)}</td><td style='text-align:right'>{escape(b)}</td></tr>"
        for a, b in rows
    )
    header = "".join(f"<th>{escape(h)}</th>" for h in head) if any(head) else ""
    return f"<table>{'<tr>' + header + '</tr>' if header else ''}{cells}</table>"
