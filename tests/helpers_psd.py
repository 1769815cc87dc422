"""Writing small synthetic PSD files with psd-tools, for the ingest tests.

make_psd(tmp_path / "a.psd", (600, 400), [
    L("TITLE", (50, 20, 350, 80)),
    G("Logos", [L("logo_dev", (500, 300, 540, 340))], visible=False),
])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SHARED_PSD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "psd"


@dataclass
class L:
    """A pixel layer named ``name`` covering ``box`` = (left, top, right, bottom)."""

    name: str
    box: tuple[int, int, int, int]
    visible: bool = True


@dataclass
class G:
    """A group of layers and groups, bottom first."""

    name: str
    children: list = field(default_factory=list)
    visible: bool = True


def make_psd(
    path: Path, size: tuple[int, int], items: list, version: int = 1, composite: bool = True
) -> Path:
    """Write a PSD (``version=2``: PSB) with ``items`` (bottom first) to ``path``.

    ``composite=False`` skips rendering the merged preview (much faster for big
    canvases; the file's composite image is then plain black, RLE-compressed).
    """
    from PIL import Image
    from psd_tools import PSDImage
    from psd_tools.api.layers import Group, PixelLayer
    from psd_tools.constants import Compression

    psd = PSDImage.new("RGB", size, compression=Compression.RLE)
    if version == 2:
        psd._record.header.version = 2

    def add(parent, entries) -> None:  # noqa: ANN001
        for item in entries:
            if isinstance(item, G):
                group = Group.new(parent, item.name)
                add(group, item.children)
                group.visible = item.visible
            else:
                x0, y0, x1, y1 = item.box
                image = Image.new("RGB", (x1 - x0, y1 - y0), (200, 30, 30))
                layer = PixelLayer.frompil(image, parent, item.name, top=y0, left=x0)
                layer.visible = item.visible

    add(psd, items)
    if not composite:
        psd._updated = False
    psd.save(path)
    return path


def layer_section_end(path: Path) -> int:
    """Byte offset where a PSD's layer section ends (to truncate a file inside it)."""
    import struct

    data = path.read_bytes()
    pos = 26
    for _ in range(2):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 4 + n
    (n,) = struct.unpack(">I", data[pos : pos + 4])
    return pos + 4 + n
