"""Bytes before parsing: compression by magic bytes, the first lines, the delimiter.

A compressed file is recognised by its first bytes, not its name, and read through
Arrow's own decompressing stream (gzip, bz2, zstd) or Python's :mod:`lzma` (xz, which
Arrow has no codec for)::

    >>> compression_of(b"\\x1f\\x8b\\x08\\x00")
    'gzip'
    >>> sniff_delimiter("design_id;type_id;xmin;ymin;xmax;ymax")
    ';'
    >>> sniff_delimiter("a,b,c", suffix=".tsv")
    '\\t'
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa

from ..errors import LayerheatError

__all__ = [
    "COMPRESSION_SUFFIXES",
    "DELIMITERS",
    "compression_of",
    "delimiter_name",
    "first_record",
    "inner_suffix",
    "open_decompressed",
    "read_head",
    "sniff_delimiter",
    "text_of",
]

#: magic bytes -> compression, as :func:`open_decompressed` names them
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
)
#: file name endings that say a file is compressed (stripped to find the inner format)
COMPRESSION_SUFFIXES = (".gz", ".gzip", ".bz2", ".zst", ".zstd", ".xz")
#: delimiters tried on the first line, in order of preference on a tie
DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}


def compression_of(head: bytes) -> str | None:
    """The compression of a file starting with ``head``, or None for plain bytes."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def inner_suffix(path: Path) -> str:
    """The suffix of the data inside: ``layers.csv.gz`` -> ``.csv``, ``a.tsv`` -> ``.tsv``."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def open_decompressed(source: object, compression: str | None) -> object:
    """What Arrow (or :mod:`json`) reads: ``source`` itself, or a decompressing stream.

    ``source`` is a local path or an open binary file (fsspec).
    """
    if compression is None:
        return source
    if compression == "xz":
        import lzma

        return lzma.open(source if not isinstance(source, Path) else str(source), "rb")
    if isinstance(source, (str, Path)):
        raw = pa.OSFile(str(source), "rb")
    else:
        raw = pa.PythonFile(source, mode="r")
    return pa.CompressedInputStream(raw, compression)


def read_head(source: object, compression: str | None, size: int = 1 << 16) -> bytes:
    """The first ``size`` bytes of the (decompressed) data.

    Raises OSError, EOFError, ``lzma.LZMAError`` or ``pa.ArrowInvalid`` for corrupt data.
    """
    stream = open_decompressed(source, compression)
    if stream is source and isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            return fh.read(size)
    try:
        return bytes(stream.read(size))
    finally:
        if stream is not source:
            stream.close()


def text_of(head: bytes, encoding: str | None = None, label: str = "input") -> str:
    """The head as text: UTF-8 (a BOM dropped), else Latin-1 so that every byte reads;
    with ``encoding`` (``--encoding``) that codec, and a LayerheatError where the head
    is not such text.

    A multi-byte character cut at the end of the head is dropped, not an error.
    """
    if encoding is not None:
        import codecs

        try:
            return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError as exc:
            raise LayerheatError(
                f"{label}: not {encoding} text (byte {exc.start}: {exc.reason}); check --encoding"
            ) from None
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:
            return head[: exc.start].decode("utf-8-sig")
        return head.decode("latin-1")


def sniff_delimiter(first_line: str, suffix: str = "") -> str:
    """The delimiter that splits the header line into the most fields (``.tsv``: tab).

    Only :data:`DELIMITERS` are tried; on a tie the earlier one wins, so a one-column
    line stays comma-separated.
    """
    if suffix == ".tsv":
        return "\t"
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])


def delimiter_name(delimiter: str) -> str:
    """``','`` for messages; ``tab`` for a tab."""
    return _NAMES.get(delimiter, repr(delimiter))


def first_record(text: str, delimiter: str) -> list[str]:
    """The first CSV record of ``text`` (quoted fields may hold delimiters and newlines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [f.strip() for f in next(reader, [])]
