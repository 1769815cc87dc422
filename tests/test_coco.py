"""COCO JSON reading: images -> designs, annotations -> layers, categories -> types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layerheat.ingest import read_coco_layers
from layerheat.io.coco import CocoReadError, read_coco_file
from layerheat.taxonomy import UNMAPPED_RULE, Taxonomy, default_taxonomy, parse_category_map

IMAGES = [
    {"id": 1, "file_name": "page1.png", "width": 612, "height": 792},
    {"id": 2, "file_name": "page2.png", "width": 1000, "height": 500},
]
CATEGORIES = [
    {"id": 1, "name": "text"},
    {"id": 2, "name": "title"},
    {"id": 5, "name": "figure"},
    {"id": 7, "name": "Page-footer"},
]
ANNOTATIONS = [
    {"id": 11, "image_id": 1, "category_id": 2, "bbox": [50.5, 40, 300, 30.25], "iscrowd": 0},
    {"id": 12, "image_id": 1, "category_id": 1, "bbox": [50, 80, 500, 200], "iscrowd": 0},
    {"id": 13, "image_id": 2, "category_id": 5, "bbox": [0, 0, 1000, 250]},
    {"id": 14, "image_id": 2, "category_id": 7, "bbox": [10, 480, 0, 10]},
]


def coco(tmp_path: Path, name: str = "coco.json", **changes) -> Path:
    data = {"images": IMAGES, "annotations": ANNOTATIONS, "categories": CATEGORIES}
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_coco_comes_back_exactly(tmp_path: Path) -> None:
    doc = read_coco_file(coco(tmp_path))
    rows = doc.table.to_pylist()
    assert [r["annotation_id"] for r in rows] == [11, 12, 13, 14]
    got = [
        (r["design_id"], r["xmin"], r["ymin"], r["xmax"], r["ymax"], r["canvas_width"],
         r["canvas_height"], r["category_id"], r["category"], r["name"], r["image_id"])
        for r in rows
    ]  # fmt: skip
    assert got == [
        ("page1.png", 50.5, 40.0, 350.5, 70.25, 612.0, 792.0, 2, "title", "title", 1),
        ("page1.png", 50.0, 80.0, 550.0, 280.0, 612.0, 792.0, 1, "text", "text", 1),
        ("page2.png", 0.0, 0.0, 1000.0, 250.0, 1000.0, 500.0, 5, "figure", "figure", 2),
        ("page2.png", 10.0, 480.0, 10.0, 490.0, 1000.0, 500.0, 7, "Page-footer", "Page-footer", 2),
    ]
    assert [r["has_area"] for r in rows] == [True, True, True, False]
    # default taxonomy: names its rules know map; others keep their own ids
    assert [r["type_id"] for r in rows] == [30, 1, 120, 7]
    assert rows[1]["type_rule"] == UNMAPPED_RULE
    assert any("unmapped" in n and "1 'text'" in n for n in doc.notes)


def test_map_option_and_taxonomy_categories_choose_types(tmp_path: Path) -> None:
    tax = Taxonomy.from_dict({"types": [{"id": 100, "categories": ["page-footer"]}]})
    mapping = parse_category_map("text=Subtitle, 5=130", tax)
    doc = read_coco_file(coco(tmp_path), taxonomy=tax, mapping=mapping)
    rows = doc.table.to_pylist()
    assert [(r["category"], r["type_id"]) for r in rows] == [
        ("title", 30),
        ("text", 40),
        ("figure", 130),
        ("Page-footer", 100),
    ]
    assert rows[1]["type_rule"] == "--map text"
    assert rows[2]["type_rule"] == "--map 5"
    assert not any("unmapped" in n for n in doc.notes)


def test_crowd_missing_bbox_and_missing_image_are_counted(tmp_path: Path) -> None:
    extra = [
        {"id": 20, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "iscrowd": 1},
        {"id": 21, "image_id": 1, "category_id": 1},
        {"id": 22, "image_id": 99, "category_id": 1, "bbox": [1, 2, 3, 4]},
        {"id": 23, "image_id": 1, "category_id": 1, "bbox": [1, 2, -3, 4]},
        {"id": 24, "image_id": 1, "category_id": 1, "bbox": [1, 2, "x", 4]},
        {"id": 25, "image_id": 3, "category_id": 1, "bbox": [1, 2, 3, 4]},
        {"id": 26, "image_id": 1, "bbox": [1, 2, 3, 4]},
    ]
    images = [*IMAGES, {"id": 3, "file_name": "nosize.png"}]
    doc = read_coco_file(coco(tmp_path, annotations=ANNOTATIONS + extra, images=images))
    assert doc.table.num_rows == 4
    assert doc.counts == {
        "crowd": 1,
        "no bbox": 1,
        "missing image": 1,
        "bad bbox": 2,
        "image without size": 1,
        "no category": 1,
    }
    kept = read_coco_file(coco(tmp_path, annotations=ANNOTATIONS + extra[:1]), keep_crowd=True)
    assert kept.table.column("iscrowd").to_pylist() == [False] * 4 + [True]


def test_duplicate_file_names_get_distinct_design_ids(tmp_path: Path) -> None:
    images = [{**IMAGES[0]}, {**IMAGES[1], "file_name": "page1.png"}]
    ids = set(read_coco_file(coco(tmp_path, images=images)).table.column("design_id").to_pylist())
    assert ids == {"page1.png#1", "page1.png#2"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"images": [], "annotations": [', "invalid JSON"),
        ("[]", "detection results"),
        ('{"images": []}', "missing key 'annotations'"),
        ('{"annotations": [], "categories": []}', "missing key 'images'"),
        ('{"images": [], "annotations": [], "categories": []}', "no layers"),
        ("\xff\xfe", "invalid JSON"),
    ],
)
def test_broken_coco_is_rejected_with_a_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(CocoReadError, match=reason):
        read_coco_file(path)


def test_read_coco_layers_reports_rejects_and_notes(tmp_path: Path) -> None:
    good = coco(tmp_path)
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    table, report = read_coco_layers([good, bad], taxonomy=default_taxonomy())
    assert len(table) == 4
    assert report.files_skipped == [(str(bad), report.files_skipped[0][1])]
    assert "invalid JSON" in report.files_skipped[0][1]
    assert any("unmapped" in n for n in report.notes)


# -- streaming (ijson) and what it hands to json.load ------------------------------------------
def big_coco(path: Path, annotations: int) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "coco_memory", Path(__file__).parents[1] / "benchmarks" / "coco_memory.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_coco(path, annotations, max(1, annotations // 10))


def test_streaming_gives_the_rows_json_load_gives(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import layerheat.io.coco as coco_module

    path = big_coco(tmp_path / "big.json", 40_000)
    streamed = read_coco_file(path)
    monkeypatch.setattr(coco_module, "_stream_refusal", lambda *_: "forced")
    loaded = read_coco_file(path)
    assert streamed.table.num_rows == 40_000
    assert streamed.table.equals(loaded.table)
    assert (streamed.counts, streamed.notes) == (loaded.counts, loaded.notes)


def test_streaming_memory_grows_with_rows_not_with_the_json_text(tmp_path: Path) -> None:
    import tracemalloc

    path = big_coco(tmp_path / "big.json", 150_000)
    read_coco_file(coco(tmp_path))  # imports done before measuring
    tracemalloc.start()
    doc = read_coco_file(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert doc.table.num_rows == 150_000
    # json.load alone holds ~8x the file in Python objects; streaming holds one batch
    assert peak < path.stat().st_size, (peak, path.stat().st_size)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"images": [{"id": 1, "width": 5, "height": 5}], "annotations": [',
         r"invalid JSON \(parse error: premature EOF\)"),
        (b'{"images": [], "annotations": [{"bbox": [NaN, 1, 2, 3]}]}', "invalid JSON"),
        (b'{"images": [{"id": ' + b"9" * 5000 + b'}], "annotations": []}',
         "a number of more than 4000 digits"),
        (b'{"images": [], "annotations": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
         "nesting deeper than 1000"),
        ('{"images": [], "annotations": []}'.encode("utf-16"), "not UTF-8 text"),
        (b'{"images": [{"file_name": "\xff\xfe"}], "annotations": []}', "not UTF-8 text"),
        (b'[{"image_id": 1, "bbox": [1, 2, 3, 4]}]', "detection results"),
        (b'{"images": [], "categories": []}', "missing key 'annotations'"),
        (b'{"images": {"a": 1}, "annotations": [{}]}', "missing key 'images'"),
        (b'{"images": [{"id": 1, "width": 5, "height": 5}], "annotations": []}', "no layers"),
    ],
)  # fmt: skip
def test_a_large_broken_file_is_rejected_by_the_stream_with_a_reason(
    tmp_path: Path,
    monkeypatch,
    content: bytes,
    reason: str,  # noqa: ANN001
) -> None:
    import layerheat.io.coco as coco_module

    monkeypatch.setattr(coco_module, "STDLIB_BYTES", 0)  # every file counts as large
    monkeypatch.setattr(coco_module, "_load", lambda *_: pytest.fail("json.load used"))
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CocoReadError, match=reason):
        read_coco_file(path)


def test_a_utf8_bom_is_skipped_when_streaming(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import layerheat.io.coco as coco_module

    monkeypatch.setattr(coco_module, "_load", lambda *_: pytest.fail("json.load used"))
    path = coco(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_coco_file(path).table.num_rows == 4


def test_out_of_memory_is_said_as_such_not_as_another_error(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import layerheat.io.coco as coco_module

    def exhausted(*_: object) -> None:
        raise MemoryError

    monkeypatch.setattr(coco_module, "_images", exhausted)
    table, report = read_coco_layers([coco(tmp_path)], taxonomy=default_taxonomy())
    assert len(table) == 0
    assert report.files_skipped[0][1] == "out of memory reading this file (0 MB)"
