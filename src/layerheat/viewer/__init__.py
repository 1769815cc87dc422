"""The desktop viewer: browse a collection of designs, one drawn at a time.

:mod:`layerheat.viewer.model` holds all the logic and needs no Qt;
:mod:`layerheat.viewer.app` is the Qt window (qtpy: PySide6 or PyQt5). Importing this
package does not import Qt::

    >>> from layerheat.viewer import ViewerModel, run
    >>> model = ViewerModel.from_inputs([])        # the built-in sample   # doctest: +SKIP
    >>> run(model)                                 # opens the window      # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from ..errors import LayerheatError
from .model import ViewerModel

INSTALL_HINT = "install it with: pip install 'layerheat[viewer]' (PySide6; PyQt5 works too)"


def qt_available() -> str | None:
    """The Qt binding qtpy would use ('PySide6', 'PyQt5', ...), or None if there is none."""
    try:
        import qtpy
    except ImportError:
        return None
    except Exception:  # qtpy raises its own error when it finds no binding  # noqa: BLE001
        return None
    return qtpy.API_NAME


def run(
    model: ViewerModel, *, design: str | None = None, screenshot: str | Path | None = None
) -> int:
    """Open the viewer on ``model``; raises LayerheatError when no Qt binding is installed."""
    if qt_available() is None:
        raise LayerheatError(f"the viewer needs Qt (qtpy with PySide6 or PyQt5); {INSTALL_HINT}")
    from .app import run as run_app

    return run_app(model, design=design, screenshot=screenshot)


__all__ = ["INSTALL_HINT", "ViewerModel", "qt_available", "run"]
