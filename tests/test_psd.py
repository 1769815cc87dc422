"""PSD/PSB reading: boxes, kinds, visibility, groups and types, checked against psd-tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from layerheat.ingest import ingest
from layerheat.io.psd import PsdReadError, read_psd_file
from layerheat.taxonomy import FALLBACK_RULE

from .helpers_psd import SHARED_PSD, G, L, layer_section_end, make_psd

needs_real = pytest.mark.skipif(
    not SHARED_PSD.is_dir(), reason=f"real PSD test files not found at {SHARED_PSD}"
)


def _rows(table) -> list[dict]:
    return table.to_pylist()


# -- the real files ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real():
    if not SHARED_PSD.is_dir():
        pytest.skip(f"real PSD test files not found at {SHARED_PSD}")
    return ingest([SHARED_PSD], jobs=1)


@needs_real
def test_every_real_file_gives_rows_or_a_rejects_line(real) -> None:
    files = {str(p.resolve()) for p in SHARED_PSD.rglob("*") if p.suffix in (".psd", ".psb")}
    with_rows = set(real.table.arrow.column("source").to_pylist())
    rejected = {str(Path(p).resolve()) for p, _ in real.rejected}
    assert files == with_rows | rejected
    assert not with_rows & rejected
    assert real.files == len(files) == 51
    assert all(reason for _, reason in real.rejected)


@needs_real
def test_real_layers_match_psd_tools_records(real) -> None:
    from psd_tools import PSDImage

    rows = _rows(real.table.arrow)
    checked_pixel = 0
    by_source: dict[str, list[dict]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    for source, layer_rows in by_source.items():
        layers = list(PSDImage.open(source).descendants())
        for row in layer_rows:
            layer = layers[row["z"]]
            assert row["name"] == layer.name
            assert row["kind"] == layer.kind
            assert row["visible"] == layer.visible
            assert row["effective_visible"] == layer.is_visible()
            assert (row["canvas_width"], row["canvas_height"]) == layer._psd.size
            box = (row["xmin"], row["ymin"], row["xmax"], row["ymax"])
            assert box == tuple(float(v) for v in layer.bbox)
            if layer.kind == "pixel":
                r = layer._record
                assert box == (r.left, r.top, r.right, r.bottom)
                checked_pixel += 1
    assert checked_pixel >= 20


@needs_real
def test_real_special_files(real) -> None:
    rows = _rows(real.table.arrow)
    by_design: dict[str, list[dict]] = {}
    for row in rows:
        by_design.setdefault(row["design_id"], []).append(row)
    hidden = {r["name"]: r for r in by_design["hidden-groups.psd"]}
    assert hidden["Shape 1"]["visible"] and not hidden["Shape 1"]["effective_visible"]
    assert hidden["Shape 1"]["group_path"] == "Group 1"
    assert hidden["Shape 2"]["effective_visible"]
    empty = {r["name"]: r for r in by_design["empty-layer.psd"]}
    assert empty["empty"]["has_area"] is False
    assert empty["normal"]["has_area"] is True
    curves = by_design["layers/curves.psd"][0]
    assert curves["family"] == "adjustment" and curves["has_area"] is False
    fill = by_design["layers/solid-color-fill.psd"][0]
    assert fill["family"] == "fill" and fill["has_area"] is True
    assert by_design["1layer.psb"][0]["xmax"] == 101.0
    assert [r["name"] for r in by_design["layer-name-emoji.psd"]] == ["👽"]
    reasons = {Path(p).name: why for p, why in real.rejected}
    assert "no layers" in reasons["0layers.psd"]
    assert "group" in reasons["group.psd"]
    # leaf layers only by default: no group rows
    assert "group" not in {r["family"] for r in rows}


@needs_real
def test_groups_option_adds_group_and_artboard_rows() -> None:
    doc = read_psd_file(SHARED_PSD / "artboard.psd", include_groups=True)
    rows = {r["name"]: r for r in _rows(doc.table)}
    board = rows["Artboard 1"]
    assert board["family"] == "artboard"
    assert (board["xmin"], board["ymin"], board["xmax"], board["ymax"]) == (238, 77, 1154, 1061)
    clip = {r["name"]: r for r in _rows(read_psd_file(SHARED_PSD / "clipping-mask.psd").table)}
    assert clip["Shape 2"]["clipping"] and not clip["Shape 1"]["clipping"]


# -- synthetic files -----------------------------------------------------------------------------
@pytest.fixture
def ad(tmp_path: Path) -> Path:
    return make_psd(
        tmp_path / "ad.psd",
        (600, 400),
        [
            L("Background", (0, 0, 600, 400)),
            G(
                "Header",
                [
                    L("TITLE", (50, 20, 350, 80)),
                    L("Subtitle copy", (50, 90, 300, 120)),
                    G("Logos", [L("logo_dev", (500, 300, 540, 340))], visible=False),
                ],
            ),
            G("Disclaimer", [L("Layer 7", (10, 380, 590, 395))]),
            L("30 big words", (100, 150, 200, 170), visible=False),
            L("Layer 9", (1, 2, 3, 4)),
        ],
    )


def test_synthetic_layers_come_back_with_types_boxes_and_visibility(ad: Path) -> None:
    doc = read_psd_file(ad, design_id="ad.psd")
    rows = {r["name"]: r for r in _rows(doc.table)}
    assert list(rows) == [
        "Background",
        "TITLE",
        "Subtitle copy",
        "logo_dev",
        "Layer 7",
        "30 big words",
        "Layer 9",
    ]
    assert {n: r["type_id"] for n, r in rows.items()} == {
        "Background": 140,
        "TITLE": 30,
        "Subtitle copy": 40,
        "logo_dev": 70,
        "Layer 7": 100,  # from its group's name
        "30 big words": 30,  # leading number
        "Layer 9": 140,
    }
    assert rows["Layer 9"]["type_rule"] == FALLBACK_RULE
    assert "group 'Disclaimer'" in rows["Layer 7"]["type_rule"]
    title = rows["TITLE"]
    assert (title["xmin"], title["ymin"], title["xmax"], title["ymax"]) == (50, 20, 350, 80)
    assert (title["canvas_width"], title["canvas_height"]) == (600, 400)
    assert rows["logo_dev"]["group_path"] == "Header/Logos"
    assert rows["logo_dev"]["depth"] == 2
    assert rows["logo_dev"]["visible"] and not rows["logo_dev"]["effective_visible"]
    assert not rows["30 big words"]["visible"]
    assert rows["TITLE"]["effective_visible"]
    zs = [r["z"] for r in rows.values()]
    assert zs == sorted(zs) and len(set(zs)) == len(zs)
    assert all(r["design_id"] == "ad.psd" and r["has_area"] for r in rows.values())


def test_visible_only_and_kinds_filter_rows(ad: Path) -> None:
    visible = {r["name"] for r in _rows(read_psd_file(ad, visible_only=True).table)}
    assert visible == {"Background", "TITLE", "Subtitle copy", "Layer 7", "Layer 9"}
    groups = _rows(read_psd_file(ad, kinds=["group"]).table)
    assert [r["name"] for r in groups] == ["Header", "Logos", "Disclaimer"]
    with pytest.raises(PsdReadError, match="filters"):
        read_psd_file(ad, kinds=["type"])


def test_group_rows_have_the_union_box_of_their_layers(ad: Path) -> None:
    rows = {r["name"]: r for r in _rows(read_psd_file(ad, include_groups=True).table)}
    header = rows["Header"]
    # union includes the hidden group's layer: visibility is a column, not a filter
    assert (header["xmin"], header["ymin"], header["xmax"], header["ymax"]) == (50, 20, 540, 340)
    assert header["z"] < rows["TITLE"]["z"] < rows["Logos"]["z"] < rows["logo_dev"]["z"]
    assert header["kind"] == "group" and header["group_path"] == ""


def test_psb_files_are_read(tmp_path: Path) -> None:
    path = make_psd(tmp_path / "big.psb", (300, 200), [L("Headline", (5, 6, 105, 56))], version=2)
    assert path.read_bytes()[4:6] == b"\x00\x02"
    rows = _rows(read_psd_file(path).table)
    assert [(r["type_id"], r["xmin"], r["ymax"]) for r in rows] == [(30, 5.0, 56.0)]


def test_no_pixel_data_is_decoded(ad: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import psd_tools.api.layers as api_layers
    import psd_tools.compression as compression
    from psd_tools.psd.image_data import ImageData
    from psd_tools.psd.layer_and_mask import ChannelData

    def boom(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(compression, "decompress", boom)
    monkeypatch.setattr(ChannelData, "get_data", boom)
    monkeypatch.setattr(ImageData, "get_data", boom)
    monkeypatch.setattr(api_layers.Layer, "topil", boom)
    monkeypatch.setattr(api_layers.Layer, "numpy", boom)
    doc = read_psd_file(ad, include_groups=True)
    assert doc.table.num_rows == 10


# -- broken files ---------------------------------------------------------------------------------
def test_truncated_layer_section_is_rejected_with_a_reason(ad: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.psd"
    cut.write_bytes(ad.read_bytes()[: layer_section_end(ad) - 100])
    with pytest.raises(PsdReadError, match="truncated"):
        read_psd_file(cut)


def test_truncated_composite_keeps_layers_with_a_note(ad: Path, tmp_path: Path) -> None:
    data = ad.read_bytes()
    end = layer_section_end(ad)
    cut = tmp_path / "cut.psd"
    cut.write_bytes(data[: end + (len(data) - end) // 2])
    doc = read_psd_file(cut)
    assert doc.table.num_rows == 7
    assert any("cut short" in n for n in doc.notes)
    assert not any("cut short" in n for n in read_psd_file(ad).notes)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"hello, this is a text file\n" * 20, "not a PSD"),
        (b"8BPS\x00\x01", "truncated"),
        (b"8BPS\x00\x07" + bytes(20) + bytes(12), "unsupported PSD version 7"),
    ],
)
def test_not_a_psd_is_rejected_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.psd"
    path.write_bytes(content)
    with pytest.raises(PsdReadError, match=reason):
        read_psd_file(path)


def test_garbage_inside_the_layer_section_is_rejected(ad: Path, tmp_path: Path) -> None:
    data = bytearray(ad.read_bytes())
    start = layer_section_end(ad) - 2000
    data[start : start + 400] = b"\xff" * 400
    bad = tmp_path / "garbage.psd"
    bad.write_bytes(bytes(data))
    try:
        doc = read_psd_file(bad)
    except PsdReadError as exc:
        assert str(exc)
    else:  # psd-tools may read past damaged pixel bytes: then the boxes are intact
        assert doc.table.num_rows == 7


def test_image_resources_are_not_parsed(tmp_path: Path) -> None:
    """Thumbnails and print settings say nothing about layers: garbage in the image
    resources section changes no row (psd-tools is handed an empty section)."""
    import struct

    source = SHARED_PSD / "clipping-mask.psd"
    data = bytearray(source.read_bytes())
    (colour_mode,) = struct.unpack(">I", data[26:30])
    at = 30 + colour_mode
    (length,) = struct.unpack(">I", data[at : at + 4])
    assert length > 0, "this test needs a file with image resources"
    data[at + 4 : at + 4 + length] = b"\xff" * length
    broken = tmp_path / "resources.psd"
    broken.write_bytes(bytes(data))
    assert read_psd_file(broken, design_id="x").table.equals(
        read_psd_file(source, design_id="x").table
    )


# -- the fast reads (io/psd.py _install_fast_reads) ------------------------------------------
def _psd_tools_own_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put psd-tools' own read_fmt, read_exact and ChannelData.read back (for a test)."""
    import importlib
    import pkgutil

    import psd_tools.psd as psd_package
    from psd_tools.psd.layer_and_mask import ChannelData

    from layerheat.io import psd as reader

    reader.preload()
    originals = reader._ORIGINAL_READS
    assert originals, "the fast reads are not installed"
    for info in pkgutil.iter_modules(psd_package.__path__):
        module = importlib.import_module(f"psd_tools.psd.{info.name}")
        for name in ("read_fmt", "read_exact"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, originals[name])
    monkeypatch.setattr(ChannelData, "read", classmethod(originals["channel_read"]))


def _outcome(path: Path):  # noqa: ANN202 - rows or the reason
    try:
        return read_psd_file(path, design_id="x").table.to_pylist()
    except PsdReadError as exc:
        return str(exc)


def test_fast_reads_give_psd_tools_rows_and_reasons(
    ad: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole, truncated and damaged files: the same rows or the same reject reason as
    with psd-tools' own read functions."""
    data = ad.read_bytes()
    end = layer_section_end(ad)
    paths = [ad]
    for k, cut in enumerate(range(40, end, max(1, end // 23))):
        paths.append(tmp_path / f"cut{k}.psd")
        paths[-1].write_bytes(data[:cut])
    for k, at in enumerate(range(60, end - 8, max(1, end // 17))):
        damaged = bytearray(data)
        damaged[at : at + 4] = b"\xff\xff\x7f\xff"
        paths.append(tmp_path / f"damaged{k}.psd")
        paths[-1].write_bytes(bytes(damaged))
    if SHARED_PSD.is_dir():
        paths += sorted(SHARED_PSD.rglob("*.ps[db]"))
    fast = [_outcome(p) for p in paths]
    _psd_tools_own_reads(monkeypatch)
    assert [_outcome(p) for p in paths] == fast
    assert isinstance(fast[0], list) and any(isinstance(o, str) for o in fast)


def test_fast_reads_leave_other_psd_tools_users_the_pixels(ad: Path) -> None:
    from psd_tools import PSDImage

    from layerheat.io.psd import _install_fast_reads

    read_psd_file(ad)
    assert _install_fast_reads()
    psd = PSDImage.open(ad)
    layer = next(layer for layer in psd.descendants() if layer.name == "TITLE")
    assert layer.has_pixels() and all(len(c.data) > 1 for c in layer._channels)
    assert layer.topil().size == (300, 60)
