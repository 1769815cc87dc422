"""Can a viewer window open here? Checked before Qt loads its platform plugin.

Qt aborts the whole process (``qt.qpa.plugin: Could not load the Qt platform plugin
"xcb"``, then SIGABRT) when there is no display or when a shared library its xcb
plugin links against is missing. :func:`display_problem` finds both cases first, without
importing Qt, and says in one line what is missing and how to get it::

    >>> from layerheat.viewer.display import display_problem
    >>> display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None   # no window: fine
    True
    >>> display_problem({}, platform="linux")                      # doctest: +ELLIPSIS
    'no display to open a window on: neither DISPLAY nor WAYLAND_DISPLAY is set; ...'

The library list is what PySide6's ``plugins/platforms/libqxcb.so`` and
``lib/libQt6XcbQpa.so.6`` link against outside the wheel (``readelf -d``), with the
Debian/Ubuntu package that ships each one.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

__all__ = [
    "NO_WINDOW_HINT",
    "XCB_LIBRARIES",
    "display_problem",
    "install_command",
    "missing_libraries",
]

#: shared libraries Qt's xcb platform plugin loads -> the Debian/Ubuntu package with it
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

#: how to use the viewer without a window
NO_WINDOW_HINT = (
    "or draw the window without a display: "
    "QT_QPA_PLATFORM=offscreen layerheat view --screenshot FILE.png"
)

#: platforms that need no display and no X libraries
_HEADLESS = ("offscreen", "minimal")


def _loadable(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` (and everything it links against)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def _x_reachable(display: str) -> bool:
    """Whether an X server answers on ``display`` (libxcb's xcb_connect, as Qt does)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # reported as a missing library instead
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)  # also safe on a failed connection


def missing_libraries(loadable: Callable[[str], bool] = _loadable) -> list[str]:
    """The xcb plugin's libraries that cannot be loaded here, in :data:`XCB_LIBRARIES` order."""
    return [name for name in XCB_LIBRARIES if not loadable(name)]


def install_command(libraries: list[str]) -> str:
    """The ``apt-get install`` line that brings ``libraries`` (Debian/Ubuntu)."""
    packages = dict.fromkeys(XCB_LIBRARIES[name] for name in libraries)
    return "sudo apt-get install " + " ".join(packages)


def display_problem(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
    loadable: Callable[[str], bool] = _loadable,
    reachable: Callable[[str], bool] = _x_reachable,
) -> str | None:
    """Why a Qt window cannot open here (one line), or None when it should.

    ``environ`` defaults to ``os.environ``, ``platform`` to ``sys.platform``; ``loadable``
    tells whether a shared library loads and ``reachable`` whether an X server answers on
    a display (tests pass fakes). Only Linux/BSD with the
    xcb platform (the default) or Wayland is checked; an explicit ``QT_QPA_PLATFORM``
    other than xcb/wayland (offscreen, minimal, vnc, eglfs...) is left to Qt.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    asked = env.get("QT_QPA_PLATFORM", "").strip()
    first = asked.split(";")[0].split(":")[0].strip().lower()
    if first and first not in ("xcb", "wayland"):
        return None  # offscreen, minimal, vnc, eglfs, ...: no X display involved
    has_x, has_wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if first == "wayland" and has_wayland:
        return None
    if not has_x and not has_wayland:
        return (
            "no display to open a window on: neither DISPLAY nor WAYLAND_DISPLAY is set; "
            "run it in a desktop session (or ssh -X), " + NO_WINDOW_HINT
        )
    if not has_x and first != "xcb":
        return None  # Wayland only: Qt picks its wayland plugin
    if not has_x:
        return (
            f"QT_QPA_PLATFORM={asked} needs an X display but DISPLAY is not set; {NO_WINDOW_HINT}"
        )
    missing = missing_libraries(loadable)
    if missing:
        return (
            f"the Qt xcb platform plugin cannot load {', '.join(missing)}; install "
            f"{'it' if len(missing) == 1 else 'them'} with: {install_command(missing)} "
            f"(Debian/Ubuntu), {NO_WINDOW_HINT}"
        )
    if not reachable(env["DISPLAY"]):
        return (
            f"cannot connect to the X display DISPLAY={env['DISPLAY']} (no X server there, "
            f"or not allowed to use it); start one or point DISPLAY at one, "
            f"{NO_WINDOW_HINT}"
        )
    return None
