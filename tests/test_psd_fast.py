"""The fast PSD parse (text engine data left as bytes) gives exactly the full parse's rows.

:func:`layerheat.io.psd.read_psd_file` hands psd-tools the layer section only and has
it leave the text engine data undecoded; these tests hold it to the rows of a plain
``PSDImage.open`` of the whole file, and check that nobody else's parse changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from layerheat.io import psd as psd_module
from layerheat.io.psd import PsdReadError, read_psd_file

from .helpers_psd import SHARED_PSD

needs_real = pytest.mark.skipif(
    not SHARED_PSD.is_dir(), reason=f"real PSD test files not found at {SHARED_PSD}"
)
REAL = sorted(p for p in SHARED_PSD.rglob("*") if p.suffix.lower() in (".psd", ".psb"))
TEXT = SHARED_PSD / "text.psd"


def _full_open(path: Path):  # noqa: ANN202 - (PSDImage, notes) like psd._open
    """psd-tools' own full parse of the whole file: the reference."""
    from psd_tools import PSDImage

    return PSDImage.open(path), []


def _outcome(path: Path, **options) -> tuple:  # noqa: ANN003
    try:
        doc = read_psd_file(path, design_id="x", **options)
    except PsdReadError as exc:
        return ("rejected", str(exc))
    return ("rows", doc.table.to_pylist(), doc.width, doc.height, doc.layers_total)


@needs_real
@pytest.mark.parametrize("groups", [False, True])
def test_fast_rows_equal_the_full_psd_tools_parse_on_every_real_file(
    groups: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(REAL) == 51
    fast = {p: _outcome(p, include_groups=groups) for p in REAL}
    monkeypatch.setattr(psd_module, "_open", _full_open)
    full = {p: _outcome(p, include_groups=groups) for p in REAL}
    for path in REAL:
        assert fast[path] == full[path], path
    kinds = {row["kind"] for out in fast.values() if out[0] == "rows" for row in out[1]}
    assert {"type", "pixel", "shape", "smartobject"} <= kinds
    assert sum(out[0] == "rows" for out in fast.values()) >= 45


@needs_real
def test_text_engine_data_is_not_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    from psd_tools.psd import engine_data

    calls: list[str] = []
    for cls in (engine_data.EngineData, engine_data.EngineData2):
        original = cls.frombytes.__func__

        def counted(klass, data, *args, _original=original, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            calls.append(klass.__name__)
            return _original(klass, data, *args, **kwargs)

        monkeypatch.setattr(cls, "frombytes", classmethod(counted))
    doc = read_psd_file(TEXT)
    assert "type" in doc.table.column("kind").to_pylist()
    assert not doc.notes
    assert calls == []
    # the same counter sees psd-tools' own parse decode them
    from psd_tools import PSDImage

    PSDImage.open(TEXT)
    assert "EngineData" in calls and "EngineData2" in calls


@needs_real
def test_every_other_parse_still_decodes_the_text_engine_data() -> None:
    """The switch is per thread and task: psd-tools users outside read_psd_file, even
    in another thread while a read is under way, get the full parse."""
    from psd_tools import PSDImage
    from psd_tools.constants import Tag
    from psd_tools.psd import engine_data

    read_psd_file(TEXT)

    def decoded() -> bool:
        image = PSDImage.open(TEXT)
        layer = next(la for la in image.descendants() if la.kind == "type")
        engine = image.tagged_blocks.get_data(Tag.TEXT_ENGINE_DATA)
        return isinstance(layer.engine_dict, engine_data.Dict) and isinstance(
            engine, engine_data.EngineData2
        )

    assert decoded()
    token = psd_module._SKIP_TEXT_ENGINE.set(True)  # as inside read_psd_file
    try:
        seen: list[bool] = []
        thread = threading.Thread(target=lambda: seen.append(decoded()))
        thread.start()
        thread.join()
    finally:
        psd_module._SKIP_TEXT_ENGINE.reset(token)
    assert seen == [True]
    assert decoded()
