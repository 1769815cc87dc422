"""Make the README's pictures of a design and of the viewer from the real code.

    .venv/bin/python scripts/screenshot_viewer.py            # writes docs/images/...

Writes ``docs/images/source-example.png`` (``layerheat render`` of the source's example),
``docs/images/sample-design.png`` (a design of the built-in sample) and
``docs/images/viewer.png``: the real viewer window on the built-in sample, drawn
offscreen (no display needed) on a virtual 1920x1200 screen, with a design selected, the
Developer Logo heatmap laid under it and the mouse over a layer;
``docs/images/viewer-coverage.png`` the same with the coverage map, and
``docs/images/viewer-compare.png`` the viewer comparing the sample with its
``logo-right`` variant (``layerheat view --compare``): the Developer Logo's difference map.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
DESIGN = "sample-0007"
OVERLAY_TYPE = 70  # Developer Logo
HOVER_TYPE = 30  # Title
WINDOW = (1440, 860)


def layerheat(*args: str) -> None:
    """Run the installed ``layerheat`` command (the same code users run)."""
    subprocess.run([sys.executable, "-m", "layerheat", *args], check=True, cwd=ROOT)


def offscreen_screen() -> None:
    """Use Qt's offscreen platform with a screen large enough for the window."""
    if "QT_QPA_PLATFORM" in os.environ and not os.environ["QT_QPA_PLATFORM"].startswith(
        "offscreen"
    ):
        return  # a real display was asked for
    config = Path(tempfile.mkdtemp()) / "screen.json"
    screen = {"name": "docs", "x": 0, "y": 0, "width": 1920, "height": 1200}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def viewer_screenshot(
    path: Path, measure: str = "centre", compare_with: object = None, opacity: int = 55
) -> None:
    """Open the viewer on the built-in sample, set it up as a user would, save the window
    (``measure``: the centre heatmap, the coverage map or, with ``compare_with``, the
    difference map under the design)."""
    offscreen_screen()
    from qtpy import QtCore, QtTest
    from qtpy.QtCore import QPointF

    from layerheat.viewer.app import MainWindow, application, save_window
    from layerheat.viewer.model import ViewerModel

    app = application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QtCore.QSettings(f"{scratch}/viewer.ini", QtCore.QSettings.Format.IniFormat)
        labels = ("sample", "logo-right") if compare_with is not None else None
        model = ViewerModel.from_inputs([], compare_with=compare_with, labels=labels)
        window = MainWindow(model, settings=settings)
        window.resize(*WINDOW)
        window.show()
        window.select(DESIGN)
        window.set_overlay_opacity(opacity)
        loop = QtCore.QEventLoop()
        window.overlay_ready.connect(loop.quit)
        window.set_overlay(OVERLAY_TYPE)
        if window.overlay_item is None:
            QtCore.QTimer.singleShot(60_000, loop.quit)
            loop.exec()
        window.set_overlay_measure(measure)
        if measure == "difference" and not model.comparison_ready:
            loop = QtCore.QEventLoop()
            window.overlay_ready.connect(loop.quit)
            QtCore.QTimer.singleShot(120_000, loop.quit)
            loop.exec()
        app.processEvents()
        scene = window.model.scene()
        shape = next(s for s in scene.shapes if s.type.id == HOVER_TYPE)
        x0, y0, x1, y1 = shape.box
        target = window.view.mapFromScene(QPointF(x0 + 0.6 * (x1 - x0), (y0 + y1) / 2))
        QtTest.QTest.mouseMove(window.view.viewport(), target)
        app.processEvents()
        save_window(window, path)
        window.close()
    print(path)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    example = ROOT / "examples" / "source-example.csv"
    layerheat("render", str(example), "-o", str(IMAGES / "source-example.png"))
    layerheat("render", "--design", DESIGN, "-o", str(IMAGES / "sample-design.png"))
    viewer_screenshot(IMAGES / "viewer.png")
    viewer_screenshot(IMAGES / "viewer-coverage.png", "coverage")
    compare_screenshot(IMAGES / "viewer-compare.png")


def compare_screenshot(path: Path) -> None:
    """The viewer comparing the sample (A) with its ``logo-right`` variant (B): the
    Developer Logo's difference map under a design, as ``layerheat view --compare``."""
    from layerheat.sample import sample_variant

    viewer_screenshot(path, "difference", sample_variant("logo-right"), opacity=85)


if __name__ == "__main__":
    main()
