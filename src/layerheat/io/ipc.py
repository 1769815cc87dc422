"""Feather and Arrow IPC files: the file format (Feather v2, ``.arrow``), the stream
format (``.arrows``) and the old Feather v1.

The layout is told by the first bytes, not the name::

    >>> ipc_layout(b"ARROW1\\x00\\x00"), ipc_layout(b"FEA1"), ipc_layout(b"\\xff\\xff\\xff\\xff")
    ('file', 'feather1', 'stream')

Files are memory-mapped where they are local and read a record batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa

__all__ = [
    "IPC_SUFFIXES",
    "ipc_batches",
    "ipc_layout",
    "ipc_names",
]

IPC_SUFFIXES = (".feather", ".arrow", ".arrows", ".ipc")


def ipc_layout(head: bytes) -> str | None:
    """``file``, ``stream`` or ``feather1`` from the first bytes; None if none of them."""
    if head.startswith(b"ARROW1"):
        return "file"
    if head.startswith(b"FEA1"):
        return "feather1"
    if head.startswith(b"\xff\xff\xff\xff"):
        return "stream"
    return None


def _open(source: object) -> object:
    if isinstance(source, Path):
        return pa.memory_map(str(source), "r")
    return source


def ipc_names(source: object, layout: str) -> list[str]:
    """Column names, from the schema only (Feather v1: the whole file is read)."""
    if layout == "feather1":
        import pyarrow.feather as feather

        return feather.read_table(_open(source)).column_names
    if layout == "file":
        return pa.ipc.open_file(_open(source)).schema.names
    return pa.ipc.open_stream(_open(source)).schema.names


def ipc_batches(
    source: object, layout: str, columns: Sequence[str], batch_rows: int
) -> Iterator[pa.Table]:
    """Tables of ``columns``, at most ``batch_rows`` rows each."""
    if layout == "feather1":
        import pyarrow.feather as feather

        table = feather.read_table(_open(source), columns=list(columns))
        yield from (table.slice(i, batch_rows) for i in range(0, table.num_rows, batch_rows))
        return
    if layout == "file":
        reader = pa.ipc.open_file(_open(source))
        batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
    else:
        batches = iter(pa.ipc.open_stream(_open(source)))
    for batch in batches:
        table = pa.Table.from_batches([batch]).select(list(columns))
        yield from (table.slice(i, batch_rows) for i in range(0, table.num_rows, batch_rows))
