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


# -- CSV bytes that are not UTF-8: every physical row is used or counted ------------------------
HEADER = b"design_id,type_id,xmin,ymin,xmax,ymax,canvas_width,canvas_height\n"


def not_utf8_rows(rows: int, *, bad_text_at: int, bad_number_at: int) -> bytes:
    lines = [b"d%d,10,1,1,5,5,10,10\n" % i for i in range(rows)]
    lines[bad_text_at] = b"d\xff\xfe,10,1,1,5,5,10,10\n"  # a text field: still a row
    lines[bad_number_at] = b"e,10,1\xff,1,5,5,10,10\n"  # a number field: non-numeric
    return HEADER + b"".join(lines)


def test_csv_rows_with_bytes_that_are_not_utf8_are_each_used_or_counted(cli, tmp_path) -> None:  # noqa: ANN001
    data = tmp_path / "mixed.csv"
    data.write_bytes(not_utf8_rows(4, bad_text_at=1, bad_number_at=2))
    result = cli("heatmaps", data, "-o", tmp_path / "out", "-q", "--jobs", "1")
    assert result.code == 0, result.err
    manifest = json.loads((tmp_path / "out" / "layerheat.json").read_text())
    assert manifest["rows"]["read"] == 4 and manifest["rows"]["used"] == 3
    assert manifest["rows"]["skipped"] == {"non-numeric": 1}


def test_a_large_csv_streamed_past_a_value_that_is_no_number_keeps_every_row(
    cli,
    tmp_path,
    monkeypatch,  # noqa: ANN001
) -> None:
    # large files stream with typed numbers: a bad value after the first 16 MB block once
    # ended the whole read with "cannot read (CSV conversion error)"
    from layerheat.io.tabular import TabularSource

    monkeypatch.setattr(TabularSource, "_small", lambda self: False)
    rows = 700_000  # ~19 MB: the bad values are in the second block
    data = tmp_path / "big.csv"
    data.write_bytes(not_utf8_rows(rows, bad_text_at=650_000, bad_number_at=690_000))
    result = cli("heatmaps", data, "-o", tmp_path / "out", "-q", "--jobs", "1")
    assert result.code == 0, result.err
    manifest = json.loads((tmp_path / "out" / "layerheat.json").read_text())
    assert manifest["rows"]["read"] == rows and manifest["rows"]["used"] == rows - 1
    assert manifest["rows"]["skipped"] == {"non-numeric": 1}
