"""The Qt modules the viewer's window uses, from the binding qtpy picks.

With PySide6 (the default) these are PySide6's own ``QtCore``, ``QtGui`` and
``QtWidgets``. qtpy's modules of the same names star-import every name of the Qt
module (and patch a few methods the window does not use), which makes PySide6 create
all of its classes up front: 0.2-0.5 s of start-up on this project's machine, before
the window can paint; PySide6's own modules cost a few hundredths of a second and
create a class when it is first used. qtpy follows PySide6's API, so the window's code
is the same either way. Any other binding (PyQt5, ...) is used through qtpy.
"""

from __future__ import annotations

import qtpy

if qtpy.API_NAME == "PySide6":
    from PySide6 import QtCore, QtGui, QtWidgets
    from PySide6.QtCore import QPointF, QRectF, Qt, Signal
else:  # pragma: no cover - PyQt5 and the rest: qtpy's shims
    from qtpy import QtCore, QtGui, QtWidgets
    from qtpy.QtCore import QPointF, QRectF, Qt, Signal

__all__ = [
    "QPointF",
    "QRectF",
    "QtCore",
    "QtGui",
    "QtWidgets",
    "Qt",
    "Signal",
]
