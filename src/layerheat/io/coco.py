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
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..table import SCHEMA
from ..taxonomy import UNMAPPED_RULE, Match, Taxonomy, default_taxonomy

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

_INT16 = (-32768, 32767)


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
    path = Path(path)
    taxonomy = taxonomy or default_taxonomy()
    mapping = {str(k).casefold(): int(v) for k, v in (mapping or {}).items()}
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
    except OSError as exc:
        raise CocoReadError(f"cannot read file ({exc.strerror or exc})") from None
    if isinstance(data, list):
        raise CocoReadError(
            "not a COCO dataset: a JSON list (a detection results file?); "
            "expected an object with images, annotations, categories"
        )
    if not isinstance(data, dict):
        raise CocoReadError("not a COCO dataset: expected a JSON object")
    missing = [k for k in ("images", "annotations") if not isinstance(data.get(k), list)]
    if missing:
        what = " and ".join(repr(k) for k in missing)
        raise CocoReadError(f"not a COCO dataset: missing key {what} (a list)")

    notes: list[str] = []
    counts: Counter = Counter()
    names: dict[int, str] = {}
    categories = data.get("categories")
    if not isinstance(categories, list):
        notes.append("no 'categories' list: categories keep their ids and have no names")
        categories = []
    for cat in categories:
        if isinstance(cat, dict) and _is_int(cat.get("id")):
            names[int(cat["id"])] = str(cat.get("name", ""))

    images: dict[int, tuple[str, float, float] | None] = {}
    seen_files: Counter = Counter()
    for img in data["images"]:
        if not isinstance(img, dict) or not _is_int(img.get("id")):
            counts["image without id"] += 1
            continue
        image_id = int(img["id"])
        w, h = img.get("width"), img.get("height")
        file_name = img.get("file_name")
        design = str(file_name) if file_name not in (None, "") else f"image-{image_id}"
        if not (_is_number(w) and _is_number(h) and w > 0 and h > 0):
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

    cols: dict[str, list] = {name: [] for name in COCO_SCHEMA.names}
    matches: dict[int, tuple[str, Match]] = {}
    for ann in data["annotations"]:
        if not isinstance(ann, dict):
            counts["not an object"] += 1
            continue
        if not _is_int(ann.get("image_id")) or int(ann["image_id"]) not in images:
            counts["missing image"] += 1
            continue
        image = images[int(ann["image_id"])]
        if image is None:
            counts["image without size"] += 1
            continue
        crowd = bool(ann.get("iscrowd", 0))
        if crowd and not keep_crowd:
            counts["crowd"] += 1
            continue
        bbox = ann.get("bbox")
        if bbox is None or bbox == []:
            counts["no bbox"] += 1
            continue
        if (
            not isinstance(bbox, list)
            or len(bbox) != 4
            or not all(_is_number(v) and math.isfinite(v) for v in bbox)
            or bbox[2] < 0
            or bbox[3] < 0
        ):
            counts["bad bbox"] += 1
            continue
        if not _is_int(ann.get("category_id")):
            counts["no category"] += 1
            continue
        cat_id = int(ann["category_id"])
        if cat_id not in matches:
            name = names.get(cat_id, "")
            match = taxonomy.match_category(name, cat_id, mapping)
            if not _INT16[0] <= match.type_id <= _INT16[1]:
                raise CocoReadError(f"category id {cat_id} does not fit a type id (int16)")
            matches[cat_id] = (name, match)
        name, match = matches[cat_id]
        x, y, w, h = (float(v) for v in bbox)
        design, cw, ch = image
        cols["design_id"].append(design)
        cols["type_id"].append(match.type_id)
        cols["name"].append(name)
        cols["xmin"].append(x)
        cols["ymin"].append(y)
        cols["xmax"].append(x + w)
        cols["ymax"].append(y + h)
        cols["canvas_width"].append(cw)
        cols["canvas_height"].append(ch)
        cols["category_id"].append(cat_id)
        cols["category"].append(name)
        cols["annotation_id"].append(int(ann["id"]) if _is_int(ann.get("id")) else None)
        cols["image_id"].append(int(ann["image_id"]))
        cols["iscrowd"].append(crowd)
        cols["has_area"].append(w > 0 and h > 0)
        cols["type_rule"].append(match.rule)

    unknown = sorted(c for c in matches if c not in names and categories)
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
    if sum(1 for v in images.values() if v is None):
        notes.append(
            f"{sum(1 for v in images.values() if v is None)} image(s) without a positive "
            "width and height"
        )
    if not cols["design_id"]:
        left = ", ".join(f"{n} {why}" for why, n in counts.most_common())
        raise CocoReadError(
            "no layers: no usable annotation"
            + (f" ({left})" if left else "")
            + f" among {len(data['annotations'])} annotations"
        )
    table = pa.table(cols, schema=COCO_SCHEMA)
    return CocoDocument(table, len(images), counts, notes, matches)


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
