"""The colours of a drawn canvas that are not a layer type's: background, frame, notes.

A leaf module with no imports, so the viewer's window can paint its "reading …"
placeholder before NumPy, PyArrow or :mod:`layerheat.render` are imported.
:mod:`layerheat.render` re-exports these names.
"""

from __future__ import annotations

__all__ = [
    "BACKGROUND",
    "FRAME_COLOR",
    "NOTE_COLOR",
]

BACKGROUND = "#FFFFFF"
FRAME_COLOR = "#B4B4B4"
NOTE_COLOR = "#808080"
