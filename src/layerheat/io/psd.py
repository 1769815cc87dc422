"""Photoshop PSD/PSB reader: every layer's box, kind, visibility and groups, no pixels.

One row per layer of every document, groups walked recursively. Boxes come from the
layer records (and, for shape, fill and artboard layers, from psd-tools' vector and
artboard data); no pixel data is ever decoded and the document's composite image is
not even read::

    >>> from layerheat.io.psd import read_psd_file
    >>> doc = read_psd_file("ads/hoarding.psd", design_id="hoarding.psd")  # doctest: +SKIP
    >>> doc.table.column("kind").to_pylist()                               # doctest: +SKIP
    ['pixel', 'type', 'shape']

:func:`layerheat.ingest.read_psd_layers` reads many files or folders in parallel and is
what ``layerheat heatmaps designs/`` calls.

Columns besides the canonical ones: ``kind`` (psd-tools' kind: pixel, type, shape,
smartobject, group, artboard, or the adjustment or fill name such as ``curves`` or
``solidcolorfill``), ``family`` (pixel, type, shape, smartobject, group, artboard,
adjustment, fill), ``visible`` (the layer's own eye), ``effective_visible`` (false
also when an enclosing group is hidden), ``clipping``, ``z`` (stacking order: 0 is the
bottom layer, a group comes just before its contents), ``group_path`` (enclosing group
names, outer first, joined by ``/``), ``depth`` (number of enclosing groups),
``layer_id`` (Photoshop's id, -1 if none), ``has_area`` (false for adjustment layers
and layers with an empty box; they never reach a heatmap) and ``type_rule`` (the
taxonomy rule that chose ``type_id``).
"""

from __future__ import annotations

import io
import logging
import os
import struct
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..arrays import arrow
from ..table import SCHEMA
from ..taxonomy import Taxonomy, default_taxonomy

__all__ = [
    "FAMILIES",
    "PSD_SCHEMA",
    "PSD_SUFFIXES",
    "PsdDocument",
    "PsdReadError",
    "SIGNATURE",
    "read_psd_file",
]

PSD_SUFFIXES = (".psd", ".psb")
SIGNATURE = b"8BPS"

#: Arrow schema of the rows :func:`read_psd_file` returns, in column order.
PSD_SCHEMA = pa.schema(
    [
        *SCHEMA,
        ("kind", pa.string()),
        ("family", pa.string()),
        ("visible", pa.bool_()),
        ("effective_visible", pa.bool_()),
        ("clipping", pa.bool_()),
        ("z", pa.int32()),
        ("group_path", pa.string()),
        ("depth", pa.int16()),
        ("layer_id", pa.int64()),
        ("has_area", pa.bool_()),
        ("type_rule", pa.string()),
    ]
)

_NUMPY = {
    pa.float64(): np.float64,
    pa.int64(): np.int64,
    pa.int32(): np.int32,
    pa.int16(): np.int16,
}

#: Families a ``--kinds`` filter may name besides psd-tools' own kinds.
FAMILIES = ("pixel", "type", "shape", "smartobject", "group", "artboard", "adjustment", "fill")

_HEADER = struct.Struct(">4sH6sHIIHH")


class PsdReadError(Exception):
    """A PSD/PSB file that yields no layer rows; the message is the reason (for rejects)."""


@dataclass
class PsdDocument:
    """What one file gave: its rows, canvas size, and remarks worth a note."""

    table: pa.Table
    width: int
    height: int
    layers_total: int
    notes: list[str] = field(default_factory=list)


def read_psd_file(
    path: str | os.PathLike,
    *,
    design_id: str | None = None,
    taxonomy: Taxonomy | None = None,
    include_groups: bool = False,
    visible_only: bool = False,
    kinds: Iterable[str] | None = None,
) -> PsdDocument:
    """Rows of one PSD/PSB file; raises :class:`PsdReadError` with a reason if none.

    ``include_groups`` adds a row per group (box: union of the boxes with area inside
    it) and per artboard (its artboard rectangle); by default only leaf layers are
    rows. ``visible_only`` keeps layers that are effectively visible. ``kinds`` keeps
    layers whose kind or family is listed (``{"type", "pixel", "adjustment"}``).
    """
    path = Path(path)
    taxonomy = taxonomy or default_taxonomy()
    wanted = {k.strip().lower() for k in kinds} if kinds is not None else None
    psd, notes = _open(path)
    design = design_id if design_id is not None else path.name
    width, height = int(psd.width), int(psd.height)
    if width <= 0 or height <= 0:
        raise PsdReadError(f"bad canvas size {width}x{height}")

    records: list[tuple] = []
    _walk(psd, (), True, records)
    if not records:
        raise PsdReadError("no layers (the file holds only a flattened image)")

    cols: dict[str, list] = {name: [] for name in PSD_SCHEMA.names}
    cache: dict[tuple, object] = {}
    for rec in records:
        (z, layer_name, kind, family, visible, effective, clip, groups, box, lid, ok) = rec
        named = wanted is not None and (kind in wanted or family in wanted)
        if family in ("group", "artboard") and not (include_groups or named):
            continue
        if visible_only and not effective:
            continue
        if wanted is not None and kind not in wanted and family not in wanted:
            continue
        key = (layer_name, groups)
        match = cache.get(key)
        if match is None:
            match = cache[key] = taxonomy.match(layer_name, groups)
        x0, y0, x1, y1 = box
        cols["design_id"].append(design)
        cols["type_id"].append(match.type_id)
        cols["name"].append(layer_name)
        cols["xmin"].append(float(x0))
        cols["ymin"].append(float(y0))
        cols["xmax"].append(float(x1))
        cols["ymax"].append(float(y1))
        cols["canvas_width"].append(float(width))
        cols["canvas_height"].append(float(height))
        cols["kind"].append(kind)
        cols["family"].append(family)
        cols["visible"].append(visible)
        cols["effective_visible"].append(effective)
        cols["clipping"].append(clip)
        cols["z"].append(z)
        cols["group_path"].append("/".join(groups))
        cols["depth"].append(len(groups))
        cols["layer_id"].append(lid)
        cols["has_area"].append(ok and family != "adjustment" and x1 > x0 and y1 > y0)
        cols["type_rule"].append(match.rule)
    if not cols["design_id"]:
        if all(rec[3] in ("group", "artboard") for rec in records):
            raise PsdReadError(
                f"no layers: only {len(records)} empty group(s) (--groups makes groups rows)"
            )
        raise PsdReadError(
            f"no layers left after the filters: none of {len(records)} layers is selected "
            "by --visible-only/--kinds"
        )
    return PsdDocument(_table(cols), width, height, len(records), notes)


def _table(cols: dict[str, list]) -> pa.Table:
    """The :data:`PSD_SCHEMA` table of these columns, built from buffers: ``pa.table``
    and ``pa.array`` on Python lists import pandas (a quarter of a second, most of a
    small ingest run's fixed cost) to ask whether the values are a pandas Series."""
    arrays = []
    for f in PSD_SCHEMA:
        values = cols[f.name]
        if f.type == pa.string():
            arrays.append(arrow(values))
        elif f.type == pa.bool_():
            bits = np.packbits(np.array(values, dtype=bool), bitorder="little")
            arrays.append(pa.Array.from_buffers(f.type, len(values), [None, pa.py_buffer(bits)]))
        else:
            arrays.append(arrow(np.array(values, dtype=_NUMPY[f.type])))
    return pa.Table.from_arrays(arrays, schema=PSD_SCHEMA)


def _walk(container, groups: tuple[str, ...], shown: bool, out: list[tuple]) -> list[tuple]:
    """Append one record per layer below ``container`` (pre-order, bottom to top).

    Returns the boxes with area found inside, for the enclosing group's union.
    """
    from psd_tools.api.layers import AdjustmentLayer, Artboard, FillLayer

    inside: list[tuple] = []
    for layer in container:
        z = len(out)
        name = layer.name or ""
        visible = bool(layer.visible)
        effective = shown and visible
        clip = bool(getattr(layer, "clipping", False))
        lid = _layer_id(layer)
        if layer.is_group():
            family = "artboard" if isinstance(layer, Artboard) else "group"
            out.append(None)  # keep z for the group before its contents
            children = _walk(layer, (*groups, name), effective, out)
            if family == "artboard":
                box, ok = _box(layer)
            elif children:
                box = (
                    min(b[0] for b in children),
                    min(b[1] for b in children),
                    max(b[2] for b in children),
                    max(b[3] for b in children),
                )
                ok = True
            else:
                box, ok = (0, 0, 0, 0), True
            out[z] = (z, name, layer.kind, family, visible, effective, clip, groups, box, lid, ok)
            inside.extend(children)
            continue
        if isinstance(layer, AdjustmentLayer):
            family = "adjustment"
        elif isinstance(layer, FillLayer):
            family = "fill"
        else:
            family = layer.kind
        box, ok = _box(layer)
        out.append((z, name, layer.kind, family, visible, effective, clip, groups, box, lid, ok))
        if ok and family != "adjustment" and box[2] > box[0] and box[3] > box[1]:
            inside.append(box)
    return inside


def _box(layer) -> tuple[tuple[int, int, int, int], bool]:
    """psd-tools' box of a layer; a box it cannot work out becomes empty (not a crash)."""
    try:
        x0, y0, x1, y1 = (int(v) for v in layer.bbox)
    except Exception:  # noqa: BLE001 - odd vector data must not sink the file
        return (0, 0, 0, 0), False
    return (x0, y0, x1, y1), True


def _layer_id(layer) -> int:
    try:
        return int(layer.layer_id)
    except Exception:  # noqa: BLE001 - the id is informative only
        return -1


class _WarningCollector(logging.Handler):
    """Collects psd-tools' warnings while one file is read, instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _open(path: Path):  # noqa: ANN202 - returns (PSDImage, notes)
    """Parse a document's header and layer section; skip the composite image.

    Raises PsdReadError with a short reason for anything that is not a readable PSD.
    """
    from psd_tools import PSDImage
    from psd_tools.psd import PSD

    try:
        with open(path, "rb") as fp:
            head = fp.read(_HEADER.size)
            if len(head) < 4 or head[:4] != SIGNATURE:
                shown = head[:4]
                raise PsdReadError(
                    "empty file" if not head else f"not a PSD/PSB file (starts with {shown!r})"
                )
            if len(head) < _HEADER.size:
                raise PsdReadError(f"truncated: {len(head)} bytes, not even a PSD header")
            _, version, _, channels, height, width, depth, _ = _HEADER.unpack(head)
            if version not in (1, 2):
                raise PsdReadError(f"unsupported PSD version {version} (1 is PSD, 2 is PSB)")
            size = os.fstat(fp.fileno()).st_size
            resources, layers, end = _sections(fp, version, size)
            # The image resources (thumbnails, print settings, slices ...) say nothing about
            # layers and cost a fifth of the parse: psd-tools gets an empty section instead.
            fp.seek(0)
            data = fp.read(resources) + b"\x00\x00\x00\x00"
            fp.seek(layers)
            data += fp.read(end - layers)
            tail = _composite_shortfall(fp, version, channels, height, width, depth, size - end)
    except PsdReadError:
        raise
    except OSError as exc:
        raise PsdReadError(f"cannot read file ({exc.strerror or exc})") from None

    logger = logging.getLogger("psd_tools")
    collector = _WarningCollector()
    logger.addHandler(collector)
    propagate, logger.propagate = logger.propagate, False
    _install_text_engine_skip()
    _install_fast_reads()
    skipping = _SKIP_TEXT_ENGINE.set(True)
    try:
        # An empty RAW composite stands in for the one we did not read.
        psd = PSDImage(PSD.read(io.BytesIO(data + b"\x00\x00")))
    except RecursionError:
        raise PsdReadError("corrupt: layer groups nested too deeply") from None
    except MemoryError:
        raise PsdReadError("corrupt: a record claims more memory than exists") from None
    except Exception as exc:  # noqa: BLE001 - psd-tools raises many kinds
        reason = " ".join(str(exc).split())  # one line, whatever psd-tools wrote
        raise PsdReadError(f"corrupt or unsupported ({type(exc).__name__}: {reason})") from None
    finally:
        _SKIP_TEXT_ENGINE.reset(skipping)
        logger.removeHandler(collector)
        logger.propagate = propagate
    notes = [f"psd-tools: {m}" for m in dict.fromkeys(collector.messages)]
    if tail:
        notes.append(tail)
    return psd, notes


#: True while :func:`_open` parses: text engine data is then left as raw bytes, and
#: psd-tools' binary reads take the fast paths of :func:`_install_fast_reads`.
_SKIP_TEXT_ENGINE: ContextVar[bool] = ContextVar("layerheat_skip_text_engine", default=False)
_skip_installed: bool | None = None


def _install_text_engine_skip() -> bool:
    """Let :func:`_open` leave text engine data unparsed; everyone else is unaffected.

    Decoding the text engine data (the fonts and style runs of type layers, ``TySh``'s
    ``EngineData`` and the document's ``Txt2``) was over half of psd-tools' parse of
    real files, and no row needs it: a type layer is recognised by its ``TySh`` block
    being there, and its box is the layer record's. psd-tools looks both decoders up
    at parse time (``tagged_blocks.EngineData`` and the ``TYPES`` registry), so they
    are swapped, once, for subclasses that hand back the raw bytes only while
    :data:`_SKIP_TEXT_ENGINE` is set (a ContextVar: per thread and task) and otherwise
    call the original. Any other psd-tools user in the process, in any thread, gets
    the full parse as before. If psd-tools' internals are not as expected nothing is
    swapped and the text engine data is parsed as before (same rows, slower).
    """
    global _skip_installed
    if _skip_installed is not None:
        return _skip_installed
    try:
        from psd_tools.constants import Tag
        from psd_tools.psd import engine_data, tagged_blocks

        ok = (
            getattr(tagged_blocks, "EngineData", None) is engine_data.EngineData
            and tagged_blocks.TYPES.get(Tag.TEXT_ENGINE_DATA) is engine_data.EngineData2
        )
    except (ImportError, AttributeError):  # pragma: no cover - another psd-tools layout
        ok = False
    if ok:
        tagged_blocks.EngineData = _raw_while_skipping(engine_data.EngineData)
        tagged_blocks.TYPES[Tag.TEXT_ENGINE_DATA] = _raw_while_skipping(engine_data.EngineData2)
    _skip_installed = ok
    return ok


def preload() -> None:
    """Import psd-tools and set up the fast parse now, e.g. before forking workers (who
    then inherit both instead of importing psd-tools each: ~0.3 s of CPU apiece)."""
    import psd_tools  # noqa: F401

    _install_text_engine_skip()
    _install_fast_reads()


_fast_installed: bool | None = None
#: psd-tools' own functions the fast reads stand in for (name -> function; for tests).
_ORIGINAL_READS: dict[str, object] = {}


def _install_fast_reads() -> bool:
    """Faster psd-tools reads while :func:`_open` parses; same results, same errors.

    psd-tools' ``read_fmt`` (every fixed-size field of every record) parses its format
    with a regular expression and measures the stream by seeking twice on each call;
    with ``read_exact`` it was over half of the parse of pixel-layer files. While
    :data:`_SKIP_TEXT_ENGINE` is set, the versions swapped in here read first and check
    after: a short read goes back and calls psd-tools' own function (which raises its
    own error), and the parse budget (``parse_limits``) is charged exactly as before,
    the stream put back where it was if it refuses. Layers' channel image data (their
    compressed pixels: most of the bytes) is skipped instead of copied: a
    ``ChannelData`` keeps its compression and a one-byte stand-in for non-empty data,
    so ``has_pixels`` (which shape layers' ``bbox`` asks) answers as before; pixels are
    never decoded here. Outside :func:`_open` every call goes to psd-tools' original,
    and if psd-tools' internals are not as expected nothing is swapped.
    """
    global _fast_installed
    if _fast_installed is not None:
        return _fast_installed
    try:
        import importlib
        import pkgutil

        import psd_tools.psd as psd_package
        from psd_tools.constants import Compression
        from psd_tools.psd import bin_utils, parse_limits
        from psd_tools.psd.layer_and_mask import ChannelData

        original_fmt, original_exact = bin_utils.read_fmt, bin_utils.read_exact
        original_channel = ChannelData.__dict__["read"].__func__
        modules = [
            importlib.import_module(f"psd_tools.psd.{m.name}")
            for m in pkgutil.iter_modules(psd_package.__path__)
        ]
        ok = all(
            callable(getattr(module, name, None))
            for module, name in [
                (parse_limits, "consume_bytes"),
                (parse_limits, "consume_objects"),
                (bin_utils, "_format_objects"),
                (bin_utils, "_remaining_bytes"),
            ]
        )
    except (ImportError, AttributeError, KeyError):  # pragma: no cover - another layout
        ok = False
    if not ok:  # pragma: no cover
        _fast_installed = False
        return False
    read_fmt, read_exact, channel_read = _fast_readers(
        original_fmt, original_exact, original_channel, Compression
    )
    for module in modules:
        if getattr(module, "read_fmt", None) is original_fmt:
            module.read_fmt = read_fmt
        if getattr(module, "read_exact", None) is original_exact:
            module.read_exact = read_exact
    ChannelData.read = classmethod(channel_read)
    _ORIGINAL_READS.update(
        read_fmt=original_fmt, read_exact=original_exact, channel_read=original_channel
    )
    _fast_installed = True
    return True


def _fast_readers(original_fmt, original_exact, original_channel, compression):  # noqa: ANN001, ANN202
    """The ``read_fmt``, ``read_exact`` and ``ChannelData.read`` of :func:`_install_fast_reads`."""
    from psd_tools.psd import bin_utils, parse_limits

    consume_bytes, consume_objects = parse_limits.consume_bytes, parse_limits.consume_objects
    format_objects, remaining_bytes = bin_utils._format_objects, bin_utils._remaining_bytes
    formats: dict[str, tuple[struct.Struct, int]] = {}
    skipping = _SKIP_TEXT_ENGINE.get

    def read_fmt(fmt, fp):  # noqa: ANN001, ANN202
        if not skipping():
            return original_fmt(fmt, fp)
        try:
            packer, objects = formats[fmt]
        except KeyError:
            packer = struct.Struct(">" + fmt)
            objects = format_objects(">" + fmt)
            if len(formats) < 512:  # a few dynamic formats ("%dH" % n) aside, a dozen
                formats[fmt] = packer, objects
        size = packer.size
        data = fp.read(size)
        if len(data) != size:
            fp.seek(-len(data), os.SEEK_CUR)
            return original_fmt(fmt, fp)  # raises psd-tools' own error
        try:
            consume_objects(objects)
            consume_bytes(size)
        except BaseException:
            fp.seek(-size, os.SEEK_CUR)
            raise
        return packer.unpack(data)

    def read_exact(fp, size):  # noqa: ANN001, ANN202
        if not skipping() or size < 0:
            return original_exact(fp, size)
        data = fp.read(size)
        if len(data) != size:
            fp.seek(-len(data), os.SEEK_CUR)
            return original_exact(fp, size)  # raises psd-tools' own error
        try:
            consume_bytes(size)
        except BaseException:
            fp.seek(-size, os.SEEK_CUR)
            raise
        return data

    def channel_read(cls, fp, length=0, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if not skipping() or length <= 0 or length > remaining_bytes(fp) - 2:
            return original_channel(cls, fp, length, **kwargs)
        kind = compression(read_fmt("H", fp)[0])
        consume_bytes(length)
        fp.seek(length, os.SEEK_CUR)
        return cls(compression=kind, data=b"\x00")

    return read_fmt, read_exact, channel_read


def _raw_while_skipping(original: type) -> type:
    """A subclass of ``original`` whose ``frombytes`` returns the bytes unparsed while
    :data:`_SKIP_TEXT_ENGINE` is set, and is ``original.frombytes`` otherwise."""

    def frombytes(cls, data, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if _SKIP_TEXT_ENGINE.get():
            return bytes(data)
        return original.frombytes(data, *args, **kwargs)

    return type(
        original.__name__,
        (original,),
        {"frombytes": classmethod(frombytes), "__module__": original.__module__},
    )


def _sections(fp, version: int, size: int) -> tuple[int, int, int]:  # noqa: ANN001
    """Offsets of the image resources section, of the layer-and-mask section and just past
    it, checked against the file size."""
    fp.seek(_HEADER.size)
    starts = []
    for section in ("colour mode data", "image resources"):
        starts.append(fp.tell())
        raw = fp.read(4)
        if len(raw) < 4:
            raise PsdReadError(f"truncated in the {section} section")
        (length,) = struct.unpack(">I", raw)
        fp.seek(length, os.SEEK_CUR)
    layers = fp.tell()
    wide = version == 2
    raw = fp.read(8 if wide else 4)
    if len(raw) < (8 if wide else 4):
        raise PsdReadError("truncated before the layer section")
    (length,) = struct.unpack(">Q" if wide else ">I", raw)
    end = fp.tell() + length
    if end > size:
        raise PsdReadError(f"truncated: the layer section needs {end} bytes, the file has {size}")
    return starts[1], layers, end


def _composite_shortfall(
    fp, version: int, channels: int, height: int, width: int, depth: int, remaining: int
) -> str | None:  # noqa: ANN001
    """A note if the composite image after the layers is cut short (file truncated)."""
    try:
        raw = fp.read(2)
        if len(raw) < 2:
            return "file ends right after the layer section (composite image missing)"
        (compression,) = struct.unpack(">H", raw)
        if compression == 0:
            row = (width * depth + 7) // 8
            expected = 2 + row * height * channels
        elif compression == 1:
            count = height * channels
            item = 4 if version == 2 else 2
            table = fp.read(count * item)
            if len(table) < count * item:
                return "composite image cut short (file truncated?); layer boxes read"
            sizes = struct.unpack(f">{count}{'I' if item == 4 else 'H'}", table)
            expected = 2 + count * item + sum(sizes)
        else:
            return None
    except (OSError, struct.error, OverflowError, MemoryError):
        return None
    if remaining < expected:
        return "composite image cut short (file truncated?); layer boxes read"
    return None
