"""Readers for tidy layer tables and the source's headerless point CSVs.

Tidy tables come as CSV (plain or gzip/bz2/zstd/xz; ``,`` ``;`` tab or ``|``), Parquet
(a file or a folder of part files), JSON records or JSON Lines, and Feather/Arrow IPC.
Every reader yields Arrow tables in batches with the canonical column names of
:mod:`layerheat.table` (aliases resolved), so memory stays flat however big the file
(JSON is read whole when opened)::

    >>> src = TabularSource.open("layers.parquet")           # doctest: +SKIP
    >>> for batch in src.batches(columns=["type_id", "xmin"]):  # doctest: +SKIP
    ...     ...

Readers never validate values or normalize; :mod:`layerheat.validate` does that.
Columns that should be numbers but hold text are coerced, and the rows where that failed
are flagged in the ``_non_numeric`` column so the run can count them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import LayerheatError
from .boxes import (
    FRACTION_RANGE,
    box_units,
    corners_from_size,
    fractions_to_pixels,
    size_box_mapping,
)
from .ipc import IPC_SUFFIXES, ipc_batches, ipc_layout, ipc_names
from .jsonrecords import (
    JSON_SUFFIXES,
    LINES_SUFFIXES,
    json_layout,
    read_json_lines,
    read_json_records,
)
from .options import ReadOptions
from .streams import (
    DELIMITERS,
    compression_of,
    delimiter_name,
    first_record,
    inner_suffix,
    open_decompressed,
    read_head,
    sniff_delimiter,
    text_of,
)

__all__ = [
    "ALIASES",
    "BATCH_ROWS",
    "NON_NUMERIC_FLAG",
    "NUMERIC",
    "TabularSource",
    "is_url",
    "resolve_columns",
]

#: canonical column -> accepted spellings (compared case-insensitively, spaces ignored)
ALIASES: dict[str, tuple[str, ...]] = {
    "design_id": ("design_id", "design", "designid", "document", "file", "image_id"),
    "type_id": ("type_id", "type", "layer_id", "id", "order", "typeid", "layer_type"),
    "name": ("name", "layer_name", "layername", "label"),
    "xmin": ("xmin", "x_min", "x0", "left"),
    "ymin": ("ymin", "y_min", "y0", "top"),
    "xmax": ("xmax", "x_max", "x1", "right"),
    "ymax": ("ymax", "y_max", "y1", "bottom"),
    "x": ("x", "xcenter", "x_center", "cx", "xcords", "x_cords"),
    "y": ("y", "ycenter", "y_center", "cy", "ycords", "y_cords"),
    "canvas_width": ("canvas_width", "width", "canvas_w", "canvaswidth"),
    "canvas_height": ("canvas_height", "height", "canvas_h", "canvasheight"),
}
NUMERIC = ("xmin", "ymin", "xmax", "ymax", "canvas_width", "canvas_height")
NON_NUMERIC_FLAG = "_non_numeric"
BATCH_ROWS = 1 << 20
PARQUET_SUFFIXES = (".parquet", ".pq")
_LEADING_NUMBER = re.compile(r"^(\d+)")


def _key(name: str) -> str:
    return re.sub(r"[\s\-]", "", name.strip().lower())


def resolve_columns(names: Sequence[str]) -> dict[str, str]:
    """Map canonical column -> the source's column name, for the columns present."""
    by_key = {}
    for n in names:
        by_key.setdefault(_key(n), n)
    found = {}
    for canon, spellings in ALIASES.items():
        for s in spellings:
            if s in by_key:
                found[canon] = by_key[s]
                break
    return found


@dataclass
class TabularSource:
    """One CSV or Parquet file of layers, read lazily in batches."""

    path: Path
    kind: str  # "parquet", "dataset" (a Parquet folder), "csv", "points" (headerless x,y)
    mapping: dict[str, str]
    type_id: int | None = None
    source_names: list[str] = field(default_factory=list)
    url: str | None = None  # set for inputs read through fsspec (s3://, gs://, file://...)
    compression: str | None = None  # "gzip", "bz2", "zstd" or "xz" for a compressed CSV
    delimiter: str = ","  # of a CSV: found from its first line (see io.streams)
    files: list[str] | None = None  # kind "dataset": the folder's Parquet part files
    keys: pa.Schema | None = None  # kind "dataset": columns from key=value folder names
    layout: str | None = None  # kind "ipc": "file", "stream" or "feather1"
    table: pa.Table | None = None  # kind "records" (JSON): the rows, read when opened
    box: str | None = None  # box units, "fraction" or "pixels" (io.boxes); None: pixels
    options: ReadOptions = field(default_factory=ReadOptions)  # --delimiter, --units, ...
    notes: list[str] = field(default_factory=list)  # how the file was read, for the report

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def open_url(
        cls, url: str, type_id: int | None = None, options: ReadOptions | None = None
    ) -> TabularSource:
        """Inspect a file given as an fsspec URL (``s3://bucket/layers.parquet``, ...).

        Needs fsspec and the file system's package (s3fs, gcsfs, ...) installed.
        """
        fs, fspath = _url_fs(url)
        if not fs.exists(fspath):
            raise LayerheatError(f"{url}: file not found; check the path")
        if fs.isdir(fspath):
            raise LayerheatError(f"{url}: is a folder; pass a file")
        if fs.size(fspath) == 0:
            raise LayerheatError(f"{url}: file is empty; expected CSV or Parquet layer data")
        with fs.open(fspath, "rb") as fh:
            head = fh.read(8192)
        name = Path(fspath.rsplit("/", 1)[-1])
        return cls._open_head(name, url, head, type_id, options or ReadOptions())

    @classmethod
    def open(
        cls, path: str | Path, type_id: int | None = None, options: ReadOptions | None = None
    ) -> TabularSource:
        """Inspect ``path`` (format, header, columns) without reading its rows."""
        path = Path(path)
        if not path.exists():
            raise LayerheatError(f"{path}: file not found; check the path")
        if path.is_dir():
            raise LayerheatError(f"{path}: is a folder with no PSD files; pass a file")
        size = path.stat().st_size
        if size == 0:
            raise LayerheatError(f"{path}: file is empty; expected CSV or Parquet layer data")
        with path.open("rb") as fh:
            head = fh.read(8192)
        return cls._open_head(path, None, head, type_id, options or ReadOptions())

    @classmethod
    def open_folder(
        cls, folder: str | Path, type_id: int | None = None, options: ReadOptions | None = None
    ) -> TabularSource:
        """Inspect a folder of Parquet part files (hive ``key=value`` folders too)."""
        from .datasets import dataset_files, open_dataset, partition_keys

        folder = Path(folder)
        files = dataset_files(folder)
        if not files:
            raise LayerheatError(f"{folder}: no .parquet files in this folder")
        try:
            dataset = open_dataset(folder, files)
        except (pa.ArrowInvalid, OSError) as exc:
            raise LayerheatError(
                f"{folder}: not a readable folder of Parquet files ({str(exc).splitlines()[0]})"
            ) from None
        keys = partition_keys(dataset, files, folder)
        names = dataset.schema.names
        extra = {"files": files, "keys": keys, "options": options or ReadOptions()}
        return cls._checked(folder, "dataset", names, type_id, **extra)

    @classmethod
    def _open_head(
        cls, path: Path, url: str | None, head: bytes, type_id: int | None, options: ReadOptions
    ) -> TabularSource:
        """Choose the format from the first bytes (and the name), then read the header."""
        label = url or str(path)
        suffix = inner_suffix(path)
        if head[:4] == b"PAR1" or suffix in PARQUET_SUFFIXES:
            return cls._open_parquet(path, url, type_id, options)
        if ipc_layout(head) is not None or suffix in IPC_SUFFIXES:
            return cls._open_ipc(path, url, ipc_layout(head), type_id, options)
        compression = compression_of(head)
        if compression is not None:
            try:
                head = read_head(_raw_input(path, url), compression)
            except (OSError, EOFError, ValueError, pa.ArrowInvalid) as exc:
                raise LayerheatError(
                    f"{label}: not readable as {compression}-compressed data "
                    f"({str(exc).splitlines()[0]}); check the file is complete"
                ) from None
            if not head:
                raise LayerheatError(f"{label}: file is empty once decompressed ({compression})")
        extra = {"url": url, "compression": compression, "options": options}
        if suffix in JSON_SUFFIXES + LINES_SUFFIXES:
            layout = json_layout(head, suffix, options.encoding)
            return cls._open_json(path, layout, type_id, **extra)
        if options.encoding is None:
            _refuse_utf16_and_binary(label, head)
        text = text_of(head, options.encoding, label)
        src = cls._open_csv(path, text, type_id, **extra)
        if len(head) < (8192 if compression is None else 1 << 16):  # the whole file
            _refuse_header_only(label, text, src)
        return src

    @classmethod
    def _open_parquet(
        cls, path: Path, url: str | None, type_id: int | None, options: ReadOptions
    ) -> TabularSource:
        import pyarrow.parquet as pq

        try:
            names = pq.ParquetFile(_raw_input(path, url)).schema_arrow.names
        except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # names not UTF-8 too
            raise LayerheatError(
                f"{url or path}: not a readable Parquet file (truncated or corrupt: "
                f"{' '.join(str(exc).split())})"
            ) from None
        return cls._checked(path, "parquet", names, type_id, url=url, options=options)

    @classmethod
    def _open_ipc(
        cls,
        path: Path,
        url: str | None,
        layout: str | None,
        type_id: int | None,
        options: ReadOptions,
    ) -> TabularSource:
        label = url or str(path)
        try:
            if layout is None:
                raise pa.ArrowInvalid("no Arrow IPC or Feather magic bytes at the start")
            names = ipc_names(_raw_input(path, url), layout)
        except (pa.ArrowInvalid, OSError) as exc:
            raise LayerheatError(
                f"{label}: not a readable Feather/Arrow IPC file ({str(exc).splitlines()[0]})"
            ) from None
        extra = {"url": url, "layout": layout, "options": options}
        return cls._checked(path, "ipc", names, type_id, **extra)

    @classmethod
    def _open_json(
        cls, path: Path, layout: str, type_id: int | None, **extra: object
    ) -> TabularSource:
        """Read a JSON list of records or JSON Lines whole (COCO goes to its own reader)."""
        url, options = extra["url"], extra["options"]
        label = url or str(path)
        stream = open_decompressed(_raw_input(path, url), extra["compression"])
        if isinstance(stream, Path):
            stream = stream.open("rb")
        try:
            if options.encoding is not None:  # JSON readers take UTF-8
                stream = io.BytesIO(_decoded(stream.read(), options.encoding, label).encode())
            if layout == "lines":
                table = read_json_lines(label, stream)
            else:
                table = read_json_records(label, stream)
        except (OSError, EOFError, pa.ArrowInvalid) as exc:
            raise LayerheatError(f"{label}: cannot read ({str(exc).splitlines()[0]})") from None
        finally:
            stream.close()
        extra = {"url": url, "table": table, "options": options}
        return cls._checked(path, "records", table.column_names, type_id, **extra)

    @classmethod
    def _open_csv(
        cls, path: Path, text: str, type_id: int | None, **extra: object
    ) -> TabularSource:
        label = extra["url"] or str(path)
        first = text.splitlines()[0] if text.strip() else ""
        if not first.strip():
            raise LayerheatError(f"{label}: file has no data (empty first line)")
        forced = extra["options"].delimiter
        delimiter = forced or sniff_delimiter(first, inner_suffix(path))
        fields = first_record(text, delimiter)
        if len(fields) < 2:
            tried = ", ".join(delimiter_name(d) for d in ([forced] if forced else DELIMITERS))
            how = f"{tried} (--delimiter)" if forced else f"any of {tried}"
            fix = "; check --delimiter, or leave it out to find it" if forced else ""
            raise LayerheatError(
                f"{label}: not a CSV of layers (first line has {len(fields)} field split at "
                f"{how}); expected a header like design_id,type_id,xmin,ymin,xmax,ymax{fix}"
            )
        extra["delimiter"] = delimiter
        if all(_is_number(f) for f in fields):
            if type_id is None:
                lead = _LEADING_NUMBER.match(path.name)
                if not lead:
                    raise LayerheatError(
                        f"{label}: headerless x,y file but its name has no leading type id "
                        "(like 20test2.csv); pass --type N"
                    )
                type_id = int(lead.group(1))
            names = ["x", "y"] + [f"_extra{i}" for i in range(len(fields) - 2)]
            src = cls(path, "points", {"x": "x", "y": "y"}, type_id, names, **extra)
            src._decide_units()
            return src
        return cls._checked(path, "csv", fields, type_id, **extra)

    @classmethod
    def _checked(
        cls, path: Path, kind: str, names: list[str], type_id: int | None, **extra: object
    ) -> TabularSource:
        label = extra.get("url") or str(path)
        _refuse_duplicates(label, names)
        mapping = resolve_columns(names)
        options = extra.get("options") or ReadOptions()
        found = _found_columns(names, extra.get("delimiter"), options.delimiter is not None)
        if "type_id" not in mapping and type_id is None:
            raise LayerheatError(
                f"{label}: missing column 'type_id' (or type, layer_id, id, order); "
                f"add it or pass --type N{found}"
            )
        keys: dict[str, str] = {}
        for n in names:
            keys.setdefault(_key(n), n)
        mapping = size_box_mapping(keys, mapping) or mapping
        corners = ("xmax", "ymax") if "box_width" not in mapping else ("box_width",)
        has_box = all(c in mapping for c in ("xmin", "ymin", *corners))
        has_point = "x" in mapping and "y" in mapping
        if not has_box and not has_point:
            missing = [c for c in ("xmin", "ymin", "xmax", "ymax") if c not in mapping]
            raise LayerheatError(
                f"{label}: missing column(s) {', '.join(missing)}; give a box "
                f"(xmin,ymin,xmax,ymax) or a point (x,y or xcenter,ycenter){found}"
            )
        if has_box:
            mapping.pop("x", None)
            mapping.pop("y", None)
        src = cls(path, kind, mapping, type_id, list(names), **extra)
        src._decide_units()
        return src

    def _decide_units(self) -> None:
        """Fractions or pixels: as ``--units`` says, else from the first rows of a
        left/top/width/height table (other tables are pixels); the note says which."""
        units = {"px": "pixels", "fraction": "fraction"}.get(self.options.units)
        sized = "box_width" in self.mapping
        if units is None and not sized:
            return  # xmin..ymax boxes and points: pixels, as always
        coords = ("xmin", "ymin", "box_width", "box_height", "xmax", "ymax", "x", "y")
        names = "/".join(self.mapping[c] for c in coords if c in self.mapping)
        if units is None:
            sample = next(iter(self.batches(["xmin", "ymin", "box_width", "box_height"])), None)
            self.box = box_units(sample) if sample is not None else "fraction"
            lo, hi = FRACTION_RANGE
            why = f"first rows all within {lo:g}..{hi:g}" if self.box == "fraction" else ""
        else:
            self.box, why = units, f"--units {self.options.units}"
        if self.box == "pixels":
            corner = " (corner and size)" if sized else ""
            self.notes.append(f"{self.label}: {names} read as pixels{corner}{_paren(why)}")
            return
        note = f"{self.label}: {names} read as fractions of the canvas ({why})"
        self.notes.append(note + self._canvas_note())

    def _canvas_note(self) -> str:
        """What fractional boxes are multiplied by when the file has no canvas columns."""
        if "canvas_width" in self.mapping and "canvas_height" in self.mapping:
            return ""
        canvas = self.options.canvas
        if canvas is not None:
            return (
                f"; no canvas_width/canvas_height columns, so multiplied by --canvas "
                f"{canvas[0]:g}x{canvas[1]:g}"
            )
        return (
            "; no canvas_width/canvas_height columns, so the canvas is 1x1 (square); "
            "add them or pass --canvas WxH for the designs' own aspect"
        )

    # -- reading ---------------------------------------------------------------------
    @property
    def has_canvas(self) -> bool:
        """Whether the file carries canvas width and height columns (or fractional boxes,
        which are on the ``--canvas`` or the unit canvas without them)."""
        has = "canvas_width" in self.mapping and "canvas_height" in self.mapping
        return has or self.box == "fraction"

    def source_columns(self, columns: Sequence[str] | None) -> list[str]:
        """The file's own column names needed to produce canonical ``columns``."""
        if columns is None:  # everything: the layer columns and the source's own extras
            return [n for n in self.source_names if not n.startswith("_extra")]
        wanted = set(columns)
        if wanted & {"xmin", "xmax", "ymin", "ymax"} and "x" in self.mapping:
            wanted |= {"x", "y"}
        if wanted & {"xmin", "xmax", "ymin", "ymax"} and "box_width" in self.mapping:
            wanted |= {"xmin", "ymin", "box_width", "box_height"}
        if wanted & {"xmin", "xmax", "ymin", "ymax"} and self.box == "fraction":
            wanted |= {"canvas_width", "canvas_height"}
        out = [src for canon, src in self.mapping.items() if canon in wanted]
        mapped = set(self.mapping.values())
        # requested columns of the source's own (e.g. PSD ingest's has_area) come along
        return out + [n for n in self.source_names if n in wanted and n not in mapped]

    def batches(
        self,
        columns: Sequence[str] | None = None,
        batch_rows: int = BATCH_ROWS,
        row_groups: Sequence[int] | None = None,
        *,
        native_floats: bool = False,
    ) -> Iterator[pa.Table]:
        """Yield tables with canonical columns (only ``columns`` if given).

        ``row_groups`` reads only those row groups of a Parquet file, or those files of
        a folder of Parquet files (see :meth:`parts`). Number columns come as float64;
        with ``native_floats``, box and canvas columns stored as float32 in Parquet or
        Arrow files stay float32 where nothing is computed from them here (the row
        checks and kernels widen them exactly: ``validate.Rows``).
        """
        needed = self.source_columns(columns)
        try:
            if self.kind == "parquet":
                yield from self._parquet_batches(needed, batch_rows, row_groups, native_floats)
            elif self.kind == "dataset":
                yield from self._dataset_batches(needed, batch_rows, row_groups, native_floats)
            elif self.kind == "records":
                yield from self._table_batches(needed, batch_rows)
            elif self.kind == "ipc":
                for table in ipc_batches(self._input(), self.layout, needed, batch_rows):
                    yield self._canonical(table, native_floats)
            else:
                yield from self._csv_batches(needed)
        except UnicodeDecodeError as exc:
            if self.options.encoding is None:
                raise LayerheatError(f"{self.label}: cannot read ({exc})") from None
            raise LayerheatError(
                f"{self.label}: not {self.options.encoding} text ({exc.reason} at byte "
                f"{exc.start} of a block); check --encoding"
            ) from None
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as exc:
            msg = str(exc).splitlines()[0]
            raise LayerheatError(f"{self.label}: cannot read ({msg})") from None

    def parts(self, rows: int = BATCH_ROWS) -> list[tuple[int, ...]] | None:
        """Row groups of a Parquet file (files of a Parquet folder) grouped into parts of
        about ``rows`` rows or more.

        Parts can be read and binned independently (threads, Dask tasks) and their
        counts added. None for a CSV file, which is read as one stream.
        """
        if self.kind not in ("parquet", "dataset"):
            return None
        parts: list[tuple[int, ...]] = []
        current: list[int] = []
        size = 0
        for i, n in enumerate(self._unit_rows()):
            current.append(i)
            size += n
            if size >= rows:
                parts.append(tuple(current))
                current, size = [], 0
        if current or not parts:
            parts.append(tuple(current))
        return parts

    def _unit_rows(self) -> list[int]:
        """Rows in each unit parts are made of: row groups of a file, files of a folder."""
        if self.kind == "dataset":
            from .datasets import file_rows

            return file_rows(self.files or [])
        meta = self._parquet_file().metadata
        return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]

    def estimated_rows(self, sample: int = 1 << 20) -> int | None:
        """About how many data rows a local, uncompressed CSV holds: its size over the mean
        length of its first lines (``sample`` bytes); None where that cannot be told."""
        if self.kind not in ("csv", "points") or self.url is not None or self.compression:
            return None
        try:
            size = self.path.stat().st_size
            with open(self.path, "rb") as fp:
                head = fp.read(sample)
        except OSError:
            return None
        lines = head.count(b"\n") + (len(head) == size and not head.endswith(b"\n"))
        header = 0 if self.kind == "points" else 1
        if len(head) == size or not lines:
            return max(lines - header, 0)
        return max(round(size * lines / len(head)) - header, 0)

    def rows_in(self, row_groups: Sequence[int]) -> int:
        """Rows in the given Parquet row groups (or files of a folder), from metadata."""
        if self.kind == "dataset":
            from .datasets import file_rows

            return sum(file_rows([self.files[i] for i in row_groups]))
        meta = self._parquet_file().metadata
        return sum(meta.row_group(i).num_rows for i in row_groups)

    @property
    def num_rows(self) -> int | None:
        """Rows in the file when known without reading it (Parquet), else None."""
        if self.kind == "dataset":
            return sum(self._unit_rows())
        if self.kind != "parquet":
            return None
        return self._parquet_file().metadata.num_rows

    def _parquet_file(self):  # noqa: ANN202 - a pyarrow.parquet.ParquetFile
        import pyarrow.parquet as pq

        return pq.ParquetFile(self._input())

    def _input(self):  # noqa: ANN202 - a path or an open binary file
        """What Arrow reads: the local path, or an fsspec file for a URL; decompressing."""
        return open_decompressed(_raw_input(self.path, self.url), self.compression)

    @property
    def label(self) -> str:
        """The input as the user named it, for messages."""
        return self.url or str(self.path)

    def _parquet_batches(
        self,
        needed: list[str],
        batch_rows: int,
        row_groups: Sequence[int] | None = None,
        native_floats: bool = False,
    ) -> Iterator[pa.Table]:
        pf = self._parquet_file()
        meta = pf.metadata
        groups = range(meta.num_row_groups) if row_groups is None else row_groups
        # A reader per run of row groups of about a batch: Arrow's reader keeps the buffers
        # of every row group it has read until it is exhausted, so one reader over a part's
        # row groups held all of them (memory growing with the part, and with the parts
        # read at once); runs keep batches of small row groups full-sized.
        for run in _runs(groups, lambda g: meta.row_group(g).num_rows, batch_rows):
            batches = pf.iter_batches(
                batch_size=batch_rows,
                columns=needed,
                row_groups=run,
                use_threads=row_groups is None,
            )
            for batch in batches:
                yield self._canonical(pa.Table.from_batches([batch]), native_floats)

    def _table_batches(self, needed: list[str], batch_rows: int) -> Iterator[pa.Table]:
        """Slices of the rows read when the file was opened (JSON)."""
        raw = self.table.select([c for c in needed if c in self.table.column_names])
        meta = self.table.schema.metadata or {}
        for start in range(0, raw.num_rows, batch_rows):
            table = self._canonical(raw.slice(start, batch_rows))
            if start == 0 and b"malformed_rows" in meta:
                table = table.replace_schema_metadata({b"malformed_rows": meta[b"malformed_rows"]})
            yield table

    def _dataset_batches(
        self,
        needed: list[str],
        batch_rows: int,
        files: Sequence[int] | None = None,
        native_floats: bool = False,
    ) -> Iterator[pa.Table]:
        from .datasets import iter_dataset, open_dataset

        chosen = self.files if files is None else [self.files[i] for i in files]
        if not chosen:
            return
        dataset = open_dataset(self.path, chosen, self.keys)
        for table in iter_dataset(dataset, needed, batch_rows):
            yield self._canonical(table, native_floats)

    def _csv_batches(self, needed: list[str]) -> Iterator[pa.Table]:
        import pyarrow.csv as pacsv

        malformed = {"n": 0}

        def on_invalid(row: object) -> str:
            malformed["n"] += 1
            return "skip"

        numeric_src = {
            self.mapping[c]: pa.float64() for c in (*NUMERIC, "x", "y") if c in self.mapping
        }
        read = pacsv.ReadOptions(
            column_names=self.source_names if self.kind == "points" else None,
            block_size=1 << 24,
            encoding=self.options.encoding or "utf8",
        )
        parse = pacsv.ParseOptions(
            delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        )

        def reader(types: dict) -> Iterator[pa.RecordBatch]:
            convert = pacsv.ConvertOptions(
                include_columns=needed,
                column_types={k: v for k, v in types.items() if k in needed},
                strings_can_be_null=True,
            )
            return pacsv.open_csv(
                self._input(), read_options=read, parse_options=parse, convert_options=convert
            )

        with _UndecodableRows(self.label) as guard:
            if not self._small():
                # Large files stream with typed numbers; past a value that is not a number
                # (text, bytes that are not UTF-8), the rest is read as bytes and coerced
                # per row, so every row is used or counted.
                done = 0
                try:
                    for batch in guard.iterate(reader(numeric_src)):
                        done += batch.num_rows + malformed["n"]
                        yield self._with_malformed(batch, malformed)
                except pa.ArrowInvalid as exc:
                    if "conversion" not in str(exc).lower():
                        raise
                    malformed["n"] = 0
                    read.skip_rows_after_names = done
                    as_bytes = dict.fromkeys(numeric_src, pa.binary())
                    for batch in guard.iterate(reader(as_bytes)):
                        yield self._with_malformed(batch, malformed)
                return
            try:
                batches = guard.run(lambda: list(reader(numeric_src)))
            except pa.ArrowInvalid as exc:
                if "conversion" not in str(exc).lower():
                    raise
                # Some value is not a number: read with inferred types and coerce per row.
                malformed["n"] = 0
                batches = guard.run(lambda: list(reader({})))
        for batch in batches:
            yield self._with_malformed(batch, malformed)

    def _small(self) -> bool:
        limit = 256 << 20 if self.compression is None else 32 << 20  # ~8x once unpacked
        if self.url is not None:
            fs, fspath = _url_fs(self.url)
            return fs.size(fspath) <= limit
        return self.path.stat().st_size <= limit

    def _with_malformed(self, batch: pa.RecordBatch, malformed: dict) -> pa.Table:
        table = self._canonical(pa.Table.from_batches([batch]))
        if malformed["n"]:
            table = table.replace_schema_metadata({b"malformed_rows": str(malformed["n"])})
            malformed["n"] = 0
        return table

    def _canonical(self, raw: pa.Table, native_floats: bool = False) -> pa.Table:
        """Rename to canonical columns, coerce numbers, expand points to boxes.

        ``native_floats``: float32 box and canvas columns are not widened when they
        are used as they are (corner boxes in pixels: no sums or products here)."""
        n = raw.num_rows
        out: dict[str, pa.Array | pa.ChunkedArray] = {}
        bad = None
        as_read = native_floats and "box_width" not in self.mapping and self.box != "fraction"
        for canon, src in self.mapping.items():
            if src not in raw.column_names:
                continue
            col = raw.column(src)
            if as_read and canon in NUMERIC and col.type == pa.float32():
                pass  # kept float32 (see batches)
            elif canon in (*NUMERIC, "x", "y", "box_width", "box_height"):
                col, col_bad = _to_float(col)
                if col_bad is not None:
                    bad = col_bad if bad is None else bad | col_bad
            out[canon] = col
        mapped = set(self.mapping.values())
        for name in raw.column_names:  # the source's own columns are kept as they are
            if name not in mapped and name not in out and name not in ALIASES:
                out[name] = raw.column(name)
        if "box_width" in out and self.box is not None:  # None: still deciding the units
            out = corners_from_size(out)
        if "x" in out:
            out["xmin"] = out["xmax"] = out.pop("x")
            out["ymin"] = out["ymax"] = out.pop("y")
        if self.box == "fraction" and "xmin" in out:
            out = fractions_to_pixels(out, n, self.options.canvas)
        if self.type_id is not None and "type_id" not in out:
            out["type_id"] = pa.array(np.full(n, self.type_id, dtype=np.int64))
        for text in ("design_id", "name"):
            if text in out:
                out[text] = self._as_text(out[text], text)
        table = pa.table(out) if out else pa.table({"_rows": pa.nulls(n)}).drop(["_rows"])
        if bad is not None and bad.any():
            table = table.append_column(NON_NUMERIC_FLAG, pa.array(bad))
        return table

    def _as_text(self, column: pa.ChunkedArray | pa.Array, canon: str) -> pa.ChunkedArray:
        """A text column as strings; one clear error, with the fix, if it is not UTF-8."""
        try:
            return column.cast(pa.string())
        except pa.ArrowInvalid:
            if not (pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type)):
                raise
        raise LayerheatError(
            f"{self.label}: column {self.mapping[canon]!r} holds text that is not UTF-8; "
            "pass the file's encoding, e.g. --encoding latin-1 or --encoding cp1252"
        )


class _UndecodableRows:
    """Turns a malformed CSV row that is not UTF-8 into one clear error.

    Arrow decodes such a row for the invalid-row handler before calling it; the decode
    fails, Arrow prints that failure as an "Exception ignored" traceback and stops with a
    parse error. While Arrow reads, this hides that print and afterwards raises a
    LayerheatError that says what is wrong (never spanning a ``yield``).
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.seen = 0

    def __enter__(self) -> _UndecodableRows:
        return self

    def __exit__(self, kind, exc, tb) -> None:  # noqa: ANN001
        if self.seen and kind is not None and issubclass(kind, pa.ArrowInvalid):
            raise LayerheatError(
                f"{self.label}: a malformed row (wrong number of fields) holds bytes that are "
                f"not UTF-8 ({str(exc).splitlines()[0]}); save the file as UTF-8 text"
            ) from None

    def run(self, read):  # noqa: ANN001, ANN202 - a callable and what it returns
        import sys

        previous = sys.unraisablehook

        def hook(unraisable) -> None:  # noqa: ANN001 - sys.UnraisableHookArgs
            if isinstance(unraisable.exc_value, UnicodeDecodeError):
                self.seen += 1
            else:
                previous(unraisable)

        sys.unraisablehook = hook
        try:
            return read()
        finally:
            sys.unraisablehook = previous

    def iterate(self, batches: Iterator) -> Iterator:
        """The batches, each read with the hook in place."""
        done = object()
        while (batch := self.run(lambda: next(batches, done))) is not done:
            yield batch


def is_url(name: str | Path) -> bool:
    """Whether an input names a file through a URL scheme (s3://, file://, ...)."""
    return isinstance(name, str) and "://" in name


def _raw_input(path: Path, url: str | None):  # noqa: ANN202 - a path or a binary file
    """The file's bytes as stored: the local path, or an open fsspec file for a URL."""
    if url is None:
        return path
    fs, fspath = _url_fs(url)
    return fs.open(fspath, "rb")


def _refuse_duplicates(label: str, names: Sequence[str]) -> None:
    """One clear error for a header naming a column twice (readers would pick one)."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = _key(name)
        if key in seen:
            first = names[seen[key]]
            same = f"{name!r}" if first == name else f"{first!r} and {name!r}"
            raise LayerheatError(
                f"{label}: column {same} appears twice in the header (columns "
                f"{seen[key] + 1} and {i + 1}); rename or remove one"
            )
        seen[key] = i


def _refuse_header_only(label: str, text: str, src: TabularSource) -> None:
    """One clear error for a whole file that is a header and nothing else."""
    if src.kind == "points":
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=src.delimiter)
    next(reader, None)
    if not any(any(f.strip() for f in record) for record in reader):
        raise LayerheatError(
            f"{label}: no usable layer rows: the file has a header and no data rows "
            "(read 0 layers); add layer rows below the header"
        )


def _found_columns(names: Sequence[str], delimiter: str | None, forced: bool = False) -> str:
    """`` (found columns a, b, c split at ';')`` for messages about a missing column."""
    shown = ", ".join(repr(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")
    split = f" split at {delimiter_name(delimiter)}" if delimiter else ""
    split += " (--delimiter)" if delimiter and forced else ""
    return f" (found {len(names)} column(s){split}: {shown})"


def _paren(text: str) -> str:
    return f" ({text})" if text else ""


def _refuse_utf16_and_binary(label: str, head: bytes) -> None:
    """Without ``--encoding``: one clear error for UTF-16 text or binary content."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise LayerheatError(
            f"{label}: UTF-16 text; save it as UTF-8 CSV (Excel: 'CSV UTF-8') or pass "
            "--encoding utf-16"
        )
    if b"\x00" in head:
        raise LayerheatError(
            f"{label}: not a CSV or Parquet file (binary content); "
            "pass layer data as CSV or Parquet"
        )


def _decoded(data: bytes, encoding: str, label: str) -> str:
    """``data`` decoded with ``--encoding``; one clear error where it is not that text."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LayerheatError(
            f"{label}: not {encoding} text (byte {exc.start}: {exc.reason}); check --encoding"
        ) from None


def _url_fs(url: str):  # noqa: ANN202 - (fsspec file system, path in it)
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise LayerheatError(
            f"{url}: reading URLs needs fsspec; pip install 'layerheat[dask]'"
        ) from None
    try:
        return url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise LayerheatError(
            f"{url}: cannot open ({exc}); install the file system's package "
            "(e.g. s3fs for s3://, gcsfs for gs://)"
        ) from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _to_float(col: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """Column as float64; text that is not a number becomes NaN and is flagged.

    The flags are None when the column holds numbers only (the common, fast case).
    """
    if col.type == pa.float64():
        return col, None
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        return col.cast(pa.float64(), safe=False), None  # ints past 2**53 round, not fail
    if pa.types.is_null(col.type):
        return pa.array(np.full(len(col), np.nan)), None
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
        # CSV text that is not UTF-8 arrives as bytes: such a value is simply not a number
        texts = [None if v is None else v.decode("utf-8", "replace") for v in col.to_pylist()]
        col = pa.array(texts, pa.string())
    import pandas as pd

    values = col.to_pandas()
    present = values.notna() & (values.astype(str).str.strip() != "")
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (present & numbers.isna()).to_numpy()
    return pa.array(numbers.to_numpy(dtype=np.float64)), bad


def _runs(groups: Iterable[int], rows: Callable[[int], int], at_least: int) -> Iterator[list[int]]:
    """Consecutive row groups of ``groups`` in runs of ``at_least`` rows or more (the last
    run maybe fewer); a row group of that many rows is a run of its own."""
    run: list[int] = []
    size = 0
    for group in groups:
        run.append(group)
        size += rows(group)
        if size >= at_least:
            yield run
            run, size = [], 0
    if run:
        yield run
