"""Seeds and deterministic mutants for fuzzing the readers (PSD, CSV, Parquet, COCO).

A mutant is made from a seed by one to three mutators chosen by a ``random.Random``
seeded from ``(seed, kind, index)``, so the same arguments always give the same bytes::

    >>> seeds = {"csv": [("s.csv", b"a,b\\n1,2\\n3,4\\n")]}
    >>> one = make_mutant("csv", seeds, 0, seed=7)
    >>> one.data == make_mutant("csv", seeds, 0, seed=7).data
    True

Mutators work on bytes (flips, truncations, duplicated or deleted chunks, inserted NULs,
invalid UTF-8, BOMs, CRLF), on the structure of a format (PSD header and section
lengths, layer records and tagged blocks set to huge values; CSV lines deleted,
repeated or garbled; Parquet tables rewritten with wrong types, nulls and odd values;
COCO JSON with wrong types, huge ids and deep nesting) and on text encodings.
"""

from __future__ import annotations

import io
import json
import random
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "KINDS",
    "MUTATORS",
    "SHARED",
    "SUFFIX",
    "Mutant",
    "coco_seed",
    "load_seeds",
    "make_mutant",
    "mutants",
    "psd_seed_paths",
]

#: the shared data folder beside the repository (never copied into it)
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
KINDS = ("psd", "csv", "parquet", "coco")
SUFFIX = {"psd": ".psd", "csv": ".csv", "parquet": ".parquet", "coco": ".json"}

HUGE_INTS = (0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFE, 0x10000000, 0, 1, 0xFFFF)
NASTY_BYTES = (
    b"\x00",
    b"\x00" * 16,
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\r",
    b'"',
    b",",
    b"\n",
)
NASTY_FIELDS = (
    "",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "-1e309",
    "99999999999999999999999999",
    "-9223372036854775809",
    "0x10",
    "1,5",
    "abc",
    '"unterminated',
    '"a\nb"',
    "\x00",
    "é",
    "   ",
    "-0",
    "1e-320",
    "2147483648",
    "32768",
)
ENCODINGS = ("latin-1", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "utf-8-sig")


@dataclass
class Mutant:
    """One fuzz input: its kind, a name, the bytes, and how it was made."""

    kind: str
    index: int
    seed_name: str
    data: bytes
    steps: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.index:05d}"

    @property
    def suffix(self) -> str:
        return SUFFIX[self.kind]


# -- seeds ---------------------------------------------------------------------------------
def psd_seed_paths(root: Path = SHARED) -> list[Path]:
    """The real PSD/PSB files of the shared data folder, sorted."""
    folder = root / "data" / "psd"
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".psd", ".psb"))


def coco_seed() -> bytes:
    """A small COCO dataset in the layout of ``tests/test_coco.py``."""
    data = {
        "images": [
            {"id": 1, "file_name": "page1.png", "width": 612, "height": 792},
            {"id": 2, "file_name": "page2.png", "width": 1000, "height": 500},
        ],
        "annotations": [
            {"id": 11, "image_id": 1, "category_id": 2, "bbox": [50.5, 40, 300, 30.25]},
            {"id": 12, "image_id": 1, "category_id": 1, "bbox": [50, 80, 500, 200], "iscrowd": 0},
            {"id": 13, "image_id": 2, "category_id": 5, "bbox": [0, 0, 1000, 250]},
            {"id": 14, "image_id": 2, "category_id": 7, "bbox": [10, 480, 0, 10]},
        ],
        "categories": [
            {"id": 1, "name": "text"},
            {"id": 2, "name": "title"},
            {"id": 5, "name": "figure"},
            {"id": 7, "name": "Page-footer"},
        ],
    }
    return json.dumps(data, indent=1).encode()


def load_seeds(kinds: tuple[str, ...] = KINDS, root: Path = SHARED) -> dict:
    """kind -> [(name, bytes)] of the seeds of each kind asked for."""
    seeds: dict[str, list[tuple[str, bytes]]] = {}
    if "psd" in kinds:
        seeds["psd"] = [(p.name, p.read_bytes()) for p in psd_seed_paths(root)]
        if not seeds["psd"]:
            raise SystemExit(f"no PSD seeds under {root / 'data' / 'psd'}")
    if "csv" in kinds or "parquet" in kinds:
        parquet, csv = _sample_bytes()
        seeds["csv"] = [("sample.csv", csv)]
        seeds["parquet"] = [("sample.parquet", parquet)]
    if "coco" in kinds:
        seeds["coco"] = [("coco.json", coco_seed())]
    return {k: v for k, v in seeds.items() if k in kinds}


def _sample_bytes() -> tuple[bytes, bytes]:
    """The built-in sample of 20 designs as Parquet (its own writer) and as CSV."""
    import tempfile

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.parquet"
        sample_layers(designs=20).write(path)
        parquet = path.read_bytes()
    out = io.BytesIO()
    pacsv.write_csv(pq.read_table(io.BytesIO(parquet)), out)
    return parquet, out.getvalue()


# -- byte mutators ---------------------------------------------------------------------------
def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if buf:
            buf[rng.randrange(len(buf))] ^= rng.randint(1, 255)
    return bytes(buf)


def flip_bits(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buf:
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return bytes(buf)


def truncate(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    cut = rng.choice([rng.randrange(len(data)), rng.randrange(min(len(data), 64))])
    return data[:cut]


def duplicate_chunk(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 2:
        return data * 2
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.choice([4, 16, 64, 512, 4096]))
    at = rng.randrange(len(data))
    return data[:at] + data[a:b] * rng.randint(1, 4) + data[at:]


def delete_chunk(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 2:
        return b""
    a = rng.randrange(len(data))
    return data[:a] + data[a + rng.choice([1, 4, 16, 256, 4096]) :]


def insert_nasty(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice(NASTY_BYTES) + data[at:]
    return data


def prepend_bom(rng: random.Random, data: bytes) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf" * 2]) + data


def huge_int(rng: random.Random, data: bytes) -> bytes:
    """Overwrite a 4-byte big-endian int at a random 4-aligned offset."""
    if len(data) < 4:
        return data
    at = rng.randrange(len(data) // 4) * 4
    return _put32(data, at, rng.choice(HUGE_INTS))


def _put32(data: bytes, at: int, value: int) -> bytes:
    if at < 0 or at + 4 > len(data):
        return data
    return data[:at] + struct.pack(">I", value & 0xFFFFFFFF) + data[at + 4 :]


def _put16(data: bytes, at: int, value: int) -> bytes:
    if at < 0 or at + 2 > len(data):
        return data
    return data[:at] + struct.pack(">H", value & 0xFFFF) + data[at + 2 :]


# -- PSD structure ---------------------------------------------------------------------------
def psd_fields(data: bytes) -> list[tuple[int, int]]:
    """(offset, width in bytes) of length and size fields of a PSD/PSB file.

    The header's channels, height, width, depth and mode; the colour mode data, image
    resources, layer-and-mask and layer info lengths; the layer count; each layer
    record's rectangle, channel count and channel lengths, extra data, mask and blending
    ranges lengths; and the length of every ``8BIM``/``8B64`` tagged block.
    """
    fields = [(12, 2), (14, 4), (18, 4), (22, 2), (24, 2)]
    try:
        wide = struct.unpack_from(">H", data, 4)[0] == 2
        at = 26
        for _ in range(2):  # colour mode data, image resources
            fields.append((at, 4))
            at += 4 + struct.unpack_from(">I", data, at)[0]
        fields.append((at, 8 if wide else 4))  # layer and mask information
        at += 8 if wide else 4
        fields.append((at, 8 if wide else 4))  # layer info
        at += 8 if wide else 4
        fields.append((at, 2))  # layer count
        count = abs(struct.unpack_from(">h", data, at)[0])
        at += 2
        for _ in range(min(count, 64)):
            at = _layer_record_fields(data, at, wide, fields)
    except (struct.error, IndexError):
        pass
    for tag in (b"8BIM", b"8B64"):
        start = data.find(tag)
        while start != -1 and len(fields) < 4000:
            fields.append((start + 8, 4))
            start = data.find(tag, start + 4)
    return [(o, w) for o, w in fields if o >= 0 and o + w <= len(data)]


def _layer_record_fields(data: bytes, at: int, wide: bool, fields: list) -> int:
    """Append the fields of one layer record starting at ``at``; return its end."""
    fields.extend((at + 4 * i, 4) for i in range(4))  # top, left, bottom, right
    at += 16
    fields.append((at, 2))
    channels = struct.unpack_from(">H", data, at)[0]
    at += 2
    step = 10 if wide else 6
    for i in range(min(channels, 64)):
        fields.append((at + i * step + 2, 8 if wide else 4))
    at += channels * step + 12  # channel info, blend signature and key, opacity...
    fields.append((at, 4))  # extra data length
    extra = struct.unpack_from(">I", data, at)[0]
    fields.append((at + 4, 4))  # layer mask data length
    mask = struct.unpack_from(">I", data, at + 4)[0]
    fields.append((at + 8 + mask, 4))  # blending ranges length
    return at + 4 + extra


def psd_huge_field(rng: random.Random, data: bytes) -> bytes:
    """Set one PSD length or size field to a huge, zero or negative value."""
    fields = psd_fields(data)
    if not fields:
        return huge_int(rng, data)
    at, width = rng.choice(fields)
    if width == 2:
        return _put16(data, at, rng.choice([0xFFFF, 0x7FFF, 0x8000, 0, 1, 300, 30001]))
    if width == 8:
        value = rng.choice([0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x7FFFFFFF, 0])
        return data[:at] + struct.pack(">Q", value) + data[at + 8 :]
    return _put32(data, at, rng.choice(HUGE_INTS))


def psd_nudge_field(rng: random.Random, data: bytes) -> bytes:
    """Add or subtract a little from one PSD length field (an off-by-some length)."""
    fields = [f for f in psd_fields(data) if f[1] == 4]
    if not fields:
        return data
    at, _ = rng.choice(fields)
    value = struct.unpack_from(">I", data, at)[0] + rng.choice([-4, -2, -1, 1, 2, 4, 64, -64])
    return _put32(data, at, value)


def psd_duplicate_tagged_block(rng: random.Random, data: bytes) -> bytes:
    """Repeat a tagged block (or a 4 KB chunk) right after itself."""
    start = data.find(b"8BIM", rng.randrange(max(1, len(data))))
    if start == -1 or start + 12 > len(data):
        return duplicate_chunk(rng, data)
    length = min(struct.unpack_from(">I", data, start + 8)[0], 1 << 16)
    end = min(len(data), start + 12 + length)
    return data[:end] + data[start:end] * rng.randint(1, 3) + data[end:]


# -- text (CSV) ------------------------------------------------------------------------------
def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, max(1, len(lines) // 4))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def repeat_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    times = rng.choice([1, 2, 10, 200])
    return b"\n".join(lines[: i + 1] + [lines[i]] * times + lines[i + 1 :])


def delete_header(rng: random.Random, data: bytes) -> bytes:
    return b"\n".join(_lines(data)[1:])


def garble_field(rng: random.Random, data: bytes) -> bytes:
    """Replace a few fields with empty, non-finite, huge, quoted or non-numeric text."""
    lines = _lines(data)
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(lines))
        cells = lines[i].split(b",")
        cells[rng.randrange(len(cells))] = rng.choice(NASTY_FIELDS).encode()
        lines[i] = b",".join(cells)
    return b"\n".join(lines)


def reshape_row(rng: random.Random, data: bytes) -> bytes:
    """A row or the header with a field too many, too few, or swapped."""
    lines = _lines(data)
    i = rng.choice([0, rng.randrange(len(lines))])
    cells = lines[i].split(b",")
    how = rng.randrange(4)
    if how == 0:
        cells.append(rng.choice([b"", b"extra", b"1"]))
    elif how == 1 and len(cells) > 1:
        del cells[rng.randrange(len(cells))]
    elif how == 2 and len(cells) > 1:
        a, b = rng.randrange(len(cells)), rng.randrange(len(cells))
        cells[a], cells[b] = cells[b], cells[a]
    else:
        cells[rng.randrange(len(cells))] = cells[0]  # a duplicated column name or value
    lines[i] = b",".join(cells)
    return b"\n".join(lines)


def change_delimiter(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b",", rng.choice([b";", b"\t", b"|", b" ", b", "]))


def crlf(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]))


def reencode(rng: random.Random, data: bytes) -> bytes:
    """The text in another encoding (latin-1, UTF-16 with or without BOM, UTF-32, ...)."""
    text = data.decode("utf-8", errors="replace")
    if rng.random() < 0.5:  # make sure something is not ASCII
        text = text.replace("Title", "Titré", 3).replace("Logo", "Lögo€", 3)
    return text.encode(rng.choice(ENCODINGS), errors="replace")


# -- Parquet tables --------------------------------------------------------------------------
def parquet_rewrite(rng: random.Random, data: bytes) -> bytes:
    """The table read back, changed in one way (types, nulls, values, names), rewritten."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - already broken by an earlier mutator
        return flip_bytes(rng, data)
    if table.num_columns == 0:
        return data
    table = rng.choice(_TABLE_EDITS)(rng, table)
    out = io.BytesIO()
    kwargs = {"row_group_size": rng.choice([None, 1, 7, 100])}
    try:
        pq.write_table(table, out, **{k: v for k, v in kwargs.items() if v})
    except (pa.ArrowException, ValueError, TypeError):
        return data
    return out.getvalue()


def _edit_column(rng: random.Random, table, make: Callable):  # noqa: ANN001, ANN202
    i = rng.randrange(table.num_columns)
    column = make(table.column(i), len(table))
    return table.set_column(i, table.field(i).name, column)


def _as_strings(rng: random.Random, table):  # noqa: ANN001, ANN202
    import pyarrow as pa

    return _edit_column(
        rng, table, lambda c, n: pa.array([rng.choice(NASTY_FIELDS) for _ in range(n)])
    )


def _nulls(rng: random.Random, table):  # noqa: ANN001, ANN202
    import pyarrow as pa

    return _edit_column(
        rng,
        table,
        lambda c, n: pa.array([None if rng.random() < 0.5 else v for v in c.to_pylist()], c.type),
    )


def _odd_numbers(rng: random.Random, table):  # noqa: ANN001, ANN202
    import pyarrow as pa

    odd = [float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 0.0, -0.0, 5e-324]
    return _edit_column(
        rng, table, lambda c, n: pa.array([rng.choice(odd) for _ in range(n)], pa.float64())
    )


def _big_ints(rng: random.Random, table):  # noqa: ANN001, ANN202
    import pyarrow as pa

    big = [2**63 - 1, -(2**63), 2**31, -1, 0, 32768, -32769, 2**53 + 1]
    return _edit_column(
        rng, table, lambda c, n: pa.array([rng.choice(big) for _ in range(n)], pa.int64())
    )


def _odd_types(rng: random.Random, table):  # noqa: ANN001, ANN202
    import pyarrow as pa

    def make(column, n):  # noqa: ANN001, ANN202
        kind = rng.randrange(5)
        if kind == 0:
            return pa.array([[1.0, 2.0]] * n)
        if kind == 1:
            return pa.array([{"a": 1}] * n)
        if kind == 2:
            return pa.array([True] * n)
        if kind == 3:
            return pa.array([b"\xff\x00"] * n, pa.binary())
        return column.dictionary_encode() if pa.types.is_string(column.type) else column

    return _edit_column(rng, table, make)


def _rename(rng: random.Random, table):  # noqa: ANN001, ANN202
    names = list(table.column_names)
    i = rng.randrange(len(names))
    names[i] = rng.choice(["", names[0], names[-1], "X MIN", "xmin\x00", "é", names[i].upper()])
    return table.rename_columns(names)


def _drop(rng: random.Random, table):  # noqa: ANN001, ANN202
    return table.remove_column(rng.randrange(table.num_columns))


def _rows(rng: random.Random, table):  # noqa: ANN001, ANN202
    how = rng.randrange(3)
    if how == 0:
        return table.slice(0, 0)
    if how == 1:  # one row (of none, when an earlier edit emptied the table)
        return table.slice(rng.randrange(len(table)), 1) if len(table) else table
    import pyarrow as pa

    return pa.concat_tables([table] * rng.randint(2, 20))


_TABLE_EDITS = (_as_strings, _nulls, _odd_numbers, _big_ints, _odd_types, _rename, _drop, _rows)


def parquet_footer_length(rng: random.Random, data: bytes) -> bytes:
    """Set the footer length (the little-endian int before the final ``PAR1``) to junk."""
    if len(data) < 8:
        return data
    value = rng.choice([0x7FFFFFFF, 0xFFFFFFFF, 0, len(data), len(data) - 7, 12])
    return data[:-8] + struct.pack("<I", value) + data[-4:]


# -- COCO JSON -------------------------------------------------------------------------------
def json_edit(rng: random.Random, data: bytes) -> bytes:
    """Parse, change one node (wrong type, huge id, deep nesting, dropped key), dump."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return garble_field(rng, data)
    doc = _edit_node(rng, doc, depth=0)
    try:
        return json.dumps(doc, allow_nan=True).encode(errors="surrogatepass")
    except (ValueError, RecursionError, TypeError):
        return data


WRONG_VALUES = (
    None,
    True,
    "12",
    "",
    "x" * 1000,
    [],
    {},
    [1, 2, 3, 4, 5],
    -1,
    0,
    2**64 + 1,
    2**200,
    -(2**70),
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    1.5,
    "\ud800",
)


def _edit_node(rng: random.Random, node, depth: int):  # noqa: ANN001, ANN202
    """A changed copy of ``node``: recurse into a random child, or change this one."""
    children = (
        list(node.keys())
        if isinstance(node, dict)
        else list(range(len(node)))
        if isinstance(node, list)
        else []
    )
    if children and (depth < 1 or rng.random() < 0.7):
        key = rng.choice(children)
        how = rng.randrange(8)
        if how == 0:  # drop the child
            del node[key]
        elif how == 1 and isinstance(node, list):  # repeat it
            node.extend([node[key]] * rng.choice([1, 100, 10000]))
        else:
            node[key] = _edit_node(rng, node[key], depth + 1)
        return node
    how = rng.randrange(3)
    if how == 0:
        return rng.choice(WRONG_VALUES)
    if how == 1:  # deep nesting
        deep = rng.choice([5, 50, 500])  # deeper in json_deep_text: dumps would recurse
        return json.loads("[" * deep + "1" + "]" * deep)
    return [node] if rng.random() < 0.5 else {"wrapped": node}


def json_deep_text(rng: random.Random, data: bytes) -> bytes:
    """Replace a value in the text with very deeply nested brackets."""
    deep = rng.choice([1000, 100000])
    at = data.find(b"[", rng.randrange(max(1, len(data))))
    if at == -1:
        at = 0
    return data[: at + 1] + b"[" * deep + b"1" + b"]" * deep + b"," + data[at + 1 :]


def json_huge_numbers(rng: random.Random, data: bytes) -> bytes:
    """Digits replaced in the text by huge ints, exponents or ``NaN``/``Infinity``."""
    text = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        start = rng.randrange(len(text) or 1)
        at = next((i for i in range(start, len(text)) if 48 <= text[i] <= 57), -1)
        if at == -1:
            break
        new = rng.choice([b"9" * 400, b"1e999", b"-1e999", b"NaN", b"Infinity", b"1" * 5000])
        text[at : at + 1] = new
    return bytes(text)


# -- choosing mutators -----------------------------------------------------------------------
BYTES = [flip_bytes, flip_bits, truncate, duplicate_chunk, delete_chunk, insert_nasty, huge_int]
TEXT = [
    delete_lines,
    repeat_lines,
    delete_header,
    garble_field,
    reshape_row,
    change_delimiter,
    crlf,
    reencode,
    prepend_bom,
    insert_nasty,
]
MUTATORS: dict[str, list[tuple[Callable, int]]] = {
    "psd": [(m, 1) for m in BYTES]
    + [(psd_huge_field, 6), (psd_nudge_field, 3), (psd_duplicate_tagged_block, 2)],
    "csv": [(m, 2) for m in TEXT] + [(m, 1) for m in BYTES],
    "parquet": [(parquet_rewrite, 8), (parquet_footer_length, 1)] + [(m, 1) for m in BYTES],
    "coco": [(json_edit, 8), (json_deep_text, 1), (json_huge_numbers, 2)]
    + [(m, 1) for m in TEXT if m not in (delete_header, change_delimiter)]
    + [(m, 1) for m in BYTES],
}


def make_mutant(kind: str, seeds: dict, index: int, seed: int = 0) -> Mutant:
    """Mutant number ``index`` of ``kind``: always the same bytes for the same arguments."""
    rng = random.Random(f"{seed}:{kind}:{index}")
    seed_name, data = rng.choice(seeds[kind])
    mutators, weights = zip(*MUTATORS[kind])
    steps = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        mutator = rng.choices(mutators, weights)[0]
        data = mutator(rng, data)
        steps.append(mutator.__name__)
    if len(data) > 64 << 20:  # repeated chunks: keep a mutant a sane size on disk
        data = data[: 64 << 20]
        steps.append("cap-64MB")
    return Mutant(kind, index, seed_name, data, steps)


def mutants(kinds: tuple[str, ...], seeds: dict, cases: int, seed: int = 0) -> list[Mutant]:
    """``cases`` mutants, spread round-robin over ``kinds``."""
    return [make_mutant(kinds[i % len(kinds)], seeds, i // len(kinds), seed) for i in range(cases)]
