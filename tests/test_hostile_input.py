"""Broken and hostile input: clear reasons, ids of any size, nothing fatal that need not be."""

from __future__ import annotations

import json

from layerheat.io.coco import read_coco_file


def coco(images, annotations, categories) -> dict:  # noqa: ANN001
    return {"images": images, "annotations": annotations, "categories": categories}


def test_coco_ids_of_any_size_are_never_fatal(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "huge.json"
    data = coco(
        [{"id": 2**64 + 5, "file_name": "a.png", "width": 100, "height": 50}],
        [
            {"id": 2**63 + 1, "image_id": 2**64 + 5, "category_id": 1, "bbox": [1, 2, 30, 20]},
            {"id": 3, "image_id": 2**64 + 5, "category_id": 70000, "bbox": [1, 2, 30, 20]},
            {"id": 4, "image_id": 2**64 + 5, "category_id": 2**70, "bbox": [1, 2, 30, 20]},
        ],
        [{"id": 1, "name": "title"}, {"id": 70000, "name": "logo"}, {"id": 2**70, "name": "x"}],
    )
    path.write_text(json.dumps(data))
    doc = read_coco_file(path)
    rows = doc.table.to_pylist()
    assert [r["type_id"] for r in rows] == [30, 70]  # by category name
    assert rows[0]["annotation_id"] is None and rows[0]["image_id"] is None
    assert rows[1]["annotation_id"] == 3
    assert doc.counts == {"category id out of range": 1}
    assert any("beyond 64 bits" in n for n in doc.notes)


def test_a_file_that_gives_nothing_says_why_in_the_one_error_line(cli, tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "broken.json"
    bad.write_text('{"images": [')
    result = cli("heatmaps", bad, "-o", tmp_path / "out")
    assert result.code == 1 and len(result.err_lines) == 1
    assert "broken.json: invalid JSON (line 1, column 13" in result.err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
