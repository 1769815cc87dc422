"""COCO JSON reader: images become designs, annotations become layers.

The format PubLayNet, DocLayNet and most labelling tools export. An image's ``width``
and ``height`` are the canvas; an annotation's ``bbox`` ``[x, y, w, h]`` is the box;
its category becomes a type through a mapping (``--map "title=30,figure=120"``, a
taxonomy file's ``categories`` lists or its name rules). A category nothing maps keeps
its own id and name, so it never vanishes::

    >>> from layerheat.io.coco import read_coco_file
    >>> doc = read_coco_file("publaynet/val.json", mapping={"title": 30})  # doctest: +SKIP
    >>> doc.counts                                                          # doctest: +SKIP
    Counter({'crowd': 2, 'no bbox': 1})

Columns besides the canonical ones: ``category_id``, ``category`` (its name; also in
``name``), ``annotation_id``, ``image_id``, ``iscrowd``, ``has_area`` (false for a
zero-width or zero-height bbox) and ``type_rule`` (what chose ``type_id``).

Annotations left out are counted by reason: ``crowd`` (``iscrowd`` set; kept with
``keep_crowd``), ``no bbox``, ``bad bbox`` (not four finite numbers, or negative size),
``missing image`` (``image_id`` names no image), ``image without size`` (its image
has no positive width and height), ``no category`` (no ``category_id``).

Memory: the file is streamed (``ijson``): images and categories are read first, then
annotations one at a time into Arrow batches, so memory grows with the rows kept, not
with the JSON text (a 260 MB, 2 M-annotation file: ~2.1 GB with ``json.load``, see
``docs/performance.md``). Files the streaming parser must not see go to ``json.load``
instead when they are small (``STDLIB_BYTES``): JSON it rejects (so ``NaN`` and
``Infinity`` still read as bad numbers, and errors say line and column), numbers of more
than 4300 digits and nesting deeper than ``MAX_DEPTH``. A larger such file is rejected
with the reason.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..table import SCHEMA
from ..taxonomy import UNMAPPED_RULE, Match, Taxonomy, default_taxonomy

__all__ = [
    "COCO_SCHEMA",
    "MAX_DEPTH",
    "STDLIB_BYTES",
    "CocoDocument",
    "CocoReadError",
    "read_coco_file",
]

#: Arrow schema of the rows :func:`read_coco_file` returns, in column order.
COCO_SCHEMA = pa.schema(
    [
        *SCHEMA,
        ("category_id", pa.int64()),
        ("category", pa.string()),
        ("annotation_id", pa.int64()),
        ("image_id", pa.int64()),
        ("iscrowd", pa.bool_()),
        ("has_area", pa.bool_()),
        ("type_rule", pa.string()),
    ]
)

#: files up to this size that the streaming parser refuses are read by ``json.load``
STDLIB_BYTES = 48 * 2**20
#: deeper nesting (counted on brackets, strings included) is not streamed
MAX_DEPTH = 1000
#: longer runs of digits are not streamed (ijson's C backend crashes past Python's limit)
_MAX_DIGITS = 4000
_BATCH = 16384

_INT16 = (-32768, 32767)
_INT64 = (-(2**63), 2**63 - 1)


class CocoReadError(Exception):
    """A COCO file that yields no layer rows; the message is the reason (for rejects)."""


@dataclass
class CocoDocument:
    """What one COCO file gave: rows, annotations left out by reason, remarks."""

    table: pa.Table
    images: int
    counts: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    categories: dict[int, tuple[str, Match]] = field(default_factory=dict)


def read_coco_file(
    path: str | os.PathLike,
    *,
    taxonomy: Taxonomy | None = None,
    mapping: Mapping[str, int] | None = None,
    keep_crowd: bool = False,
) -> CocoDocument:
    """Rows of one COCO JSON file; raises :class:`CocoReadError` with a reason if none."""
    taxonomy = taxonomy or default_taxonomy()
    mapping = {str(k).casefold(): int(v) for k, v in (mapping or {}).items()}
    sections = _Sections.open(Path(path))
    try:
        return _read(sections, taxonomy, mapping, keep_crowd)
    except _Restart as restart:  # small and refused by ijson: json.load's data instead
        sections.data = restart.data
        return _read(sections, taxonomy, mapping, keep_crowd)


def _read(sections: _Sections, taxonomy: Taxonomy, mapping: dict, keep_crowd: bool) -> CocoDocument:
    notes: list[str] = []
    counts: Counter = Counter()
    names = _category_names(sections.categories(), notes)
    images = _images(sections.images(), counts, notes)
    reader = _Annotations(taxonomy, mapping, names, images, keep_crowd, counts)
    for ann in sections.annotations():
        reader.add(ann)
    sections.check(images, reader.seen)
    notes.extend(_category_notes(reader.matches, names, taxonomy, has_list=bool(names)))
    table = reader.table()
    if table.num_rows == 0:
        left = ", ".join(f"{n} {why}" for why, n in counts.most_common())
        raise CocoReadError(
            "no layers: no usable annotation"
            + (f" ({left})" if left else "")
            + f" among {reader.seen} annotations"
        )
    if reader.big_ids:
        notes.append(f"{reader.big_ids} annotation/image id(s) beyond 64 bits kept without them")
    return CocoDocument(table, len(images), counts, notes, reader.matches)


class _Sections:
    """The images, categories and annotations of one file: streamed with ijson (one pass
    each), or from ``json.load`` for the files :func:`_stream_refusal` names."""

    def __init__(self, path: Path, data: dict | None) -> None:
        self.path, self.data = path, data
        self.bom = 0

    @classmethod
    def open(cls, path: Path) -> _Sections:
        try:
            size = path.stat().st_size
            with open(path, "rb") as fp:
                head = fp.read(4)
            refusal = _stream_refusal(path, head)
        except OSError as exc:
            raise CocoReadError(f"cannot read file ({exc.strerror or exc})") from None
        if refusal is not None:
            if size > STDLIB_BYTES:
                raise CocoReadError(
                    f"invalid JSON for a file this large ({refusal}); "
                    f"files over {STDLIB_BYTES >> 20} MB must be UTF-8 without them"
                )
            return cls(path, _load(path))
        sections = cls(path, None)
        sections.bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
        return sections

    def _items(self, key: str) -> Iterator:
        if self.data is not None:
            value = self.data.get(key)
            yield from value if isinstance(value, list) else ()
            return
        import ijson

        try:
            with open(self.path, "rb") as fp:
                fp.seek(self.bom)
                yield from ijson.items(fp, f"{key}.item", use_float=True)
        except (ijson.JSONError, ValueError) as exc:  # ValueError: text ijson cannot decode
            self._failed(_first_line(exc))
        except OSError as exc:
            raise CocoReadError(f"cannot read file ({exc.strerror or exc})") from None

    def _failed(self, message: str) -> None:
        """ijson refused the file: json.load says where (and reads NaN) if it is small."""
        if self.path.stat().st_size <= STDLIB_BYTES:
            raise _Restart(_load(self.path))
        if "UTF8" in message or "UTF-8" in message:
            message = "not UTF-8 text"
        raise CocoReadError(f"invalid JSON ({message})")

    def images(self) -> Iterator:
        return self._items("images")

    def categories(self) -> list | None:
        items = list(self._items("categories"))
        if items or self._shape().get("categories") == "start_array":
            return items
        return None

    def annotations(self) -> Iterator:
        return self._items("annotations")

    def check(self, images: dict, annotations: int) -> None:
        """A file without an images or annotations list is not COCO; say what it is."""
        if self.data is not None:
            _check_shape(self.data)
        elif not (images and annotations):
            shape = self._shape()
            kinds = {"start_array": [], "start_map": {}, "string": "", "boolean": False}
            standin = {k: kinds.get(v, None if v == "null" else 0) for k, v in shape.items()}
            top = standin.pop("", {})
            _check_shape(standin if isinstance(top, dict) else top)

    def _shape(self) -> dict[str, str]:
        """The first event of the document (key "") and of each top-level value (one
        slow pass; only for files that gave no images, annotations or categories)."""
        if self.data is not None:
            return {k: "start_array" for k, v in self.data.items() if isinstance(v, list)}
        import ijson

        shape: dict[str, str] = {}
        key = None
        try:
            with open(self.path, "rb") as fp:
                fp.seek(self.bom)
                for prefix, event, value in ijson.parse(fp):
                    if prefix == "" and "" not in shape:
                        shape[""] = event
                    elif prefix == "" and event == "map_key":
                        key = value
                    elif key is not None:
                        shape.setdefault(key, event)
                        key = None
        except (ijson.JSONError, ValueError) as exc:
            self._failed(_first_line(exc))
        return shape


def _first_line(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")


class _Restart(Exception):  # noqa: N818 - control flow, never leaves this module
    """The streaming parser gave up on a small file: start again from json.load's data."""

    def __init__(self, data: dict) -> None:
        super().__init__()
        self.data = data


def _stream_refusal(path: Path, head: bytes) -> str | None:
    """Why ijson's C backend must not parse this file (None: it may).

    Not UTF-8 (a UTF-16/32 byte-order mark or NULs at the start), a run of more than 4000
    digits (it crashes converting them), or brackets nested deeper than MAX_DEPTH (its
    memory grows with the square of the depth). Scanned in blocks with NumPy."""
    import numpy as np

    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        return "not UTF-8 text"
    digits = 0  # digits at the end of the previous block
    level = low = 0  # bracket count so far, and its lowest value
    with open(path, "rb") as fp:
        while block := fp.read(1 << 18):
            a = np.frombuffer(block, np.uint8)
            others = np.flatnonzero((a < 48) | (a > 57))
            if others.size == 0:
                digits += a.size
            else:
                gaps = np.diff(others, prepend=-1 - digits, append=a.size) - 1
                digits = int(gaps[-1])
                if int(gaps.max()) > _MAX_DIGITS:
                    return f"a number of more than {_MAX_DIGITS} digits"
            if digits > _MAX_DIGITS:
                return f"a number of more than {_MAX_DIGITS} digits"
            step = ((a == 91) | (a == 123)).astype(np.int8) - ((a == 93) | (a == 125))
            count = np.cumsum(step, dtype=np.int64) + level
            lows = np.minimum.accumulate(np.minimum(count, low))
            if int((count - lows).max()) > MAX_DEPTH:
                return f"nesting deeper than {MAX_DEPTH}"
            level, low = int(count[-1]), int(lows[-1])
    return None


def _load(path: Path) -> dict:
    """The file's JSON object by ``json.load``, checked to be a COCO dataset."""
    try:
        with open(path, "rb") as fp:
            data = json.load(fp)
    except json.JSONDecodeError as exc:
        raise CocoReadError(
            f"invalid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError:
        raise CocoReadError("invalid JSON (not UTF-8 text)") from None
    except RecursionError:
        raise CocoReadError("invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise CocoReadError(f"invalid JSON ({str(exc).split(';')[0]})") from None
    except OSError as exc:
        raise CocoReadError(f"cannot read file ({exc.strerror or exc})") from None
    _check_shape(data)
    return data


def _check_shape(data: object) -> None:
    if isinstance(data, list):
        raise CocoReadError(
            "not a COCO dataset: a JSON list (a detection results file?); "
            "expected an object with images, annotations, categories"
        )
    if not isinstance(data, dict):
        raise CocoReadError("not a COCO dataset: expected a JSON object")
    missing = [k for k in ("images", "annotations") if not isinstance(data.get(k), list)]
    if missing:
        from .jsonrecords import describe

        what = " and ".join(repr(k) for k in missing)
        raise CocoReadError(
            f"not a COCO dataset: missing key {what} (a list) in {describe(data)}; "
            "layer records go in a JSON list [{...}, ...] or JSON Lines"
        )


def _category_names(categories: list | None, notes: list[str]) -> dict[int, str]:
    if categories is None:
        notes.append("no 'categories' list: categories keep their ids and have no names")
        return {}
    return {
        int(cat["id"]): _text(cat.get("name", ""))
        for cat in categories
        if isinstance(cat, dict) and _is_int(cat.get("id"))
    }


def _images(entries: Iterable, counts: Counter, notes: list[str]) -> dict:
    """image id -> (design id, width, height), or None for an image without a size."""
    images: dict[int, tuple[str, float, float] | None] = {}
    seen_files: Counter = Counter()
    for img in entries:
        if not isinstance(img, dict) or not _is_int(img.get("id")):
            counts["image without id"] += 1
            continue
        image_id = int(img["id"])
        w, h = img.get("width"), img.get("height")
        file_name = img.get("file_name")
        design = _text(file_name) if file_name not in (None, "") else f"image-{image_id}"
        if not (_is_finite(w) and _is_finite(h) and w > 0 and h > 0):
            images[image_id] = None
            continue
        seen_files[design] += 1
        images[image_id] = (design, float(w), float(h))
    dup = {d for d, n in seen_files.items() if n > 1}
    if dup:
        images = {
            i: (f"{v[0]}#{i}", v[1], v[2]) if v is not None and v[0] in dup else v
            for i, v in images.items()
        }
        notes.append(f"{len(dup)} file_name(s) used by several images; design ids get '#<id>'")
    sizeless = sum(1 for v in images.values() if v is None)
    if sizeless:
        notes.append(f"{sizeless} image(s) without a positive width and height")
    return images


class _Annotations:
    """Annotations become rows; the ones left out are counted by reason."""

    def __init__(self, taxonomy, mapping, names, images, keep_crowd, counts) -> None:  # noqa: ANN001
        self.taxonomy, self.mapping, self.names = taxonomy, mapping, names
        self.images, self.keep_crowd, self.counts = images, keep_crowd, counts
        self.cols: dict[str, list] = {name: [] for name in COCO_SCHEMA.names}
        self.batches: list[pa.RecordBatch] = []
        self.matches: dict[int, tuple[str, Match]] = {}
        self.big_ids = 0
        self.seen = 0

    def _flush(self) -> None:
        if self.cols["design_id"]:
            self.batches.append(pa.record_batch(self.cols, schema=COCO_SCHEMA))
            self.cols = {name: [] for name in COCO_SCHEMA.names}

    def table(self) -> pa.Table:
        """The rows so far, one Arrow table."""
        self._flush()
        return pa.Table.from_batches(self.batches, schema=COCO_SCHEMA)

    def _skip_reason(self, ann: object) -> str | None:
        if not isinstance(ann, dict):
            return "not an object"
        if not _is_int(ann.get("image_id")) or int(ann["image_id"]) not in self.images:
            return "missing image"
        if self.images[int(ann["image_id"])] is None:
            return "image without size"
        if bool(ann.get("iscrowd", 0)) and not self.keep_crowd:
            return "crowd"
        bbox = ann.get("bbox")
        if bbox is None or bbox == []:
            return "no bbox"
        if (
            not isinstance(bbox, list)
            or len(bbox) != 4
            or not all(_is_finite(v) for v in bbox)
            or bbox[2] < 0
            or bbox[3] < 0
        ):
            return "bad bbox"
        if not _is_int(ann.get("category_id")):
            return "no category"
        if self._match(int(ann["category_id"])) is None:
            return "category id out of range"
        return None

    def _match(self, cat_id: int) -> tuple[str, Match] | None:
        if cat_id not in self.matches:
            name = self.names.get(cat_id, "")
            match = self.taxonomy.match_category(name, cat_id, self.mapping)
            if not _INT16[0] <= match.type_id <= _INT16[1]:
                return None  # an unmapped id too large for a type id
            self.matches[cat_id] = (name, match)
        return self.matches[cat_id]

    def _id(self, value: object) -> int | None:
        if not _is_int(value):
            return None
        if not _INT64[0] <= int(value) <= _INT64[1]:
            self.big_ids += 1
            return None
        return int(value)

    def add(self, ann: object) -> None:
        """One annotation: a row, or a count of why not."""
        self.seen += 1
        reason = self._skip_reason(ann)
        if reason is not None:
            self.counts[reason] += 1
            return
        cat_id = int(ann["category_id"])
        name, match = self.matches[cat_id]
        x, y, w, h = (float(v) for v in ann["bbox"])
        design, cw, ch = self.images[int(ann["image_id"])]
        row = {
            "design_id": design,
            "type_id": match.type_id,
            "name": name,
            "xmin": x,
            "ymin": y,
            "xmax": x + w,
            "ymax": y + h,
            "canvas_width": cw,
            "canvas_height": ch,
            "category_id": self._id(cat_id),
            "category": name,
            "annotation_id": self._id(ann.get("id")),
            "image_id": self._id(ann["image_id"]),
            "iscrowd": bool(ann.get("iscrowd", 0)),
            "has_area": w > 0 and h > 0,
            "type_rule": match.rule,
        }
        for key, value in row.items():
            self.cols[key].append(value)
        if len(self.cols["design_id"]) >= _BATCH:
            self._flush()


def _category_notes(matches: dict, names: dict, taxonomy: Taxonomy, has_list: bool) -> list[str]:
    """Remarks on categories: unnamed ones, unmapped ones, and clashes with type ids."""
    notes = []
    unknown = sorted(c for c in matches if c not in names and has_list)
    if unknown:
        notes.append(f"category id(s) {unknown} not in 'categories'; kept with no name")
    unmapped = [(c, n) for c, (n, m) in sorted(matches.items()) if m.rule == UNMAPPED_RULE]
    if unmapped:
        shown = ", ".join(f"{c} {n!r}" if n else str(c) for c, n in unmapped[:8])
        more = f" and {len(unmapped) - 8} more" if len(unmapped) > 8 else ""
        notes.append(
            f"{len(unmapped)} unmapped categor{'y' if len(unmapped) == 1 else 'ies'} "
            f'kept their own ids ({shown}{more}); map them with --map "NAME=TYPE" '
            "or a taxonomy file's categories"
        )
    clash = [c for c, _ in unmapped if c in taxonomy]
    if clash:
        notes.append(
            f"unmapped category id(s) {clash} equal type ids of the taxonomy "
            f"({', '.join(taxonomy.name_of(c) for c in clash)}); map them to avoid mixing"
        )
    return notes


def _text(value: object) -> str:
    """A JSON value as text Arrow can store: a lone surrogate (``"\\ud800"``) becomes '?'."""
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value: object) -> bool:
    """A number that is a finite float: not inf or NaN, no int beyond float's range."""
    if not _is_number(value):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int of 309 digits or more
        return False
