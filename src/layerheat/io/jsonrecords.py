"""Layer tables as JSON: a list of records, or JSON Lines (one record per line).

What ``pandas.DataFrame.to_json(orient="records")`` (and ``lines=True``) writes::

    [{"design_id": "a", "type_id": 30, "xmin": 10, "ymin": 20, "xmax": 110, "ymax": 60}]

    {"design_id": "a", "type_id": 30, "xmin": 10, "ymin": 20, "xmax": 110, "ymax": 60}
    {"design_id": "a", "type_id": 70, "xmin": 0, "ymin": 0, "xmax": 50, "ymax": 50}

Keys are column names with the same aliases as CSV headers. A key missing from a
record is a null; a column mixing numbers and text is read as text (the row checks
then count the values that are not numbers). A JSON Lines line that is not a JSON
object is counted as a malformed row, like a broken CSV row.

    >>> json_layout(b'[{"type_id": 30}]', ".json")
    'records'
    >>> json_layout(b'{"images": [], "annotations": []}', ".json")
    'coco'
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyarrow as pa

from ..errors import LayerheatError

__all__ = [
    "JSON_SUFFIXES",
    "describe",
    "LINES_SUFFIXES",
    "json_layout",
    "read_json_lines",
    "read_json_records",
    "records_table",
]

JSON_SUFFIXES = (".json",)
LINES_SUFFIXES = (".jsonl", ".ndjson")
_EXAMPLE = '[{"design_id": ..., "type_id": ..., "xmin": ..., ...}]'


def json_layout(head: bytes, suffix: str, encoding: str | None = None) -> str:
    """``records`` (a list), ``lines`` (JSON Lines) or ``coco`` (one object), from the
    first bytes of the file (in ``encoding``, default UTF-8) and its suffix."""
    if suffix in LINES_SUFFIXES:
        return "lines"
    import codecs

    decoder = codecs.getincrementaldecoder(encoding or "utf-8-sig")(errors="replace")
    text = decoder.decode(head, final=False).lstrip("\ufeff").lstrip()
    if text.startswith("["):
        return "records"
    first, _, rest = text.partition("\n")
    if text.startswith("{") and rest.strip().startswith("{"):
        try:
            if isinstance(json.loads(first), dict):
                return "lines"
        except ValueError:
            pass
    return "coco"


def records_table(records: Iterable[dict]) -> pa.Table:
    """Columns in order of first appearance; a key a record lacks is null there."""
    records = list(records)
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns = {}
    for name in names:
        values = [r.get(name) for r in records]
        try:
            columns[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, UnicodeEncodeError):
            columns[name] = pa.array([None if v is None else _text(v) for v in values])
    return pa.table(columns) if columns else pa.table({})


def _text(value: object) -> str:
    """A value as text Arrow can store: a lone surrogate ("\\ud800") becomes '?'."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "replace").decode("utf-8")


def read_json_records(label: str, stream: object) -> pa.Table:
    """The table of a JSON list of records; one clear error for anything else."""
    try:
        data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise LayerheatError(
            f"{label}: invalid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (UnicodeDecodeError, RecursionError) as exc:
        raise LayerheatError(f"{label}: invalid JSON ({type(exc).__name__})") from None
    if not isinstance(data, list):
        raise LayerheatError(f"{label}: {describe(data)}; expected a list of records {_EXAMPLE}")
    if not data:
        raise LayerheatError(f"{label}: an empty JSON list; no layer rows to read")
    odd = next((i for i, r in enumerate(data) if not isinstance(r, dict)), None)
    if odd is not None:
        raise LayerheatError(
            f"{label}: a JSON list whose item {odd + 1} is {describe(data[odd])}, not a "
            f"record; expected a list of records {_EXAMPLE}"
        )
    return records_table(data)


def read_json_lines(label: str, stream: object) -> pa.Table:
    """The table of a JSON Lines file; lines that are not objects become a count of
    malformed rows in the table's ``malformed_rows`` metadata."""
    import pyarrow.json as pajson

    data = stream.read()
    try:
        table = pajson.read_json(pa.BufferReader(data))
    except pa.ArrowInvalid:
        table = None  # mixed types or a broken line: parse line by line below
    if table is not None:
        return table
    records, malformed = [], 0
    for line in bytes(data).decode("utf-8-sig", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict):
            records.append(record)
        else:
            malformed += 1
    if not records:
        raise LayerheatError(f"{label}: no line is a JSON object; expected JSON Lines records")
    table = records_table(records)
    if malformed:
        table = table.replace_schema_metadata({b"malformed_rows": str(malformed)})
    return table


def describe(value: object) -> str:
    """What a JSON value is, for messages: ``a JSON object with keys 'a', 'b'``."""
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:6]) + (", ..." if len(value) > 6 else "")
        return f"a JSON object with keys {keys}" if value else "an empty JSON object"
    if isinstance(value, list):
        return f"a JSON list of {len(value)} item(s)"
    kinds = {str: "a string", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "a number")
