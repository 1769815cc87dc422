"""The viewer window driven like a user would, offscreen: select, search, toggle, step,
overlay, hover, export, and the remembered window size."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

pytest.importorskip("qtpy")
pytest.importorskip("pytestqt")

from PIL import Image  # noqa: E402
from qtpy import QtCore, QtWidgets  # noqa: E402
from qtpy.QtCore import QPointF, Qt  # noqa: E402

from layerheat.render import blend  # noqa: E402
from layerheat.sample import sample_layers  # noqa: E402
from layerheat.viewer.app import MainWindow  # noqa: E402
from layerheat.viewer.model import PAGE, ViewerModel  # noqa: E402


@pytest.fixture(scope="module")
def table():
    return sample_layers(designs=30, seed=2)


@pytest.fixture
def settings(tmp_path):
    return QtCore.QSettings(str(tmp_path / "viewer.ini"), QtCore.QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, table, settings):
    win = MainWindow(ViewerModel(table), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def view_pixels(window, tmp_path, name="view.png") -> np.ndarray:
    path = window.export_view(tmp_path / name)
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def screen_point(window, x: float, y: float) -> tuple[int, int]:
    p = window.view.mapFromScene(QPointF(x, y))
    return p.x(), p.y()


def clear_spot(scene, shape):
    """A canvas point inside ``shape``'s box where nothing else is drawn."""
    x0, y0, x1, y1 = shape.box
    others = [s for s in scene.shapes if s is not shape]
    for fy in np.linspace(0.15, 0.85, 8):
        for fx in np.linspace(0.15, 0.85, 8):
            x, y = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
            labels = [s.label.box for s in scene.shapes]
            if any(s.contains(x, y, scene.sizes["marker"] * 3) for s in others):
                continue
            if any(b[0] - 30 <= x <= b[2] + 30 and b[1] - 30 <= y <= b[3] + 30 for b in labels):
                continue
            return x, y
    pytest.skip("no clear spot in this design")


def test_opens_on_the_built_in_sample(qtbot, settings):
    win = MainWindow(ViewerModel.from_inputs([]), settings=settings)
    qtbot.addWidget(win)
    win.show()
    assert win.design_list.count() == 3000
    assert win.design_list.current_text() == "sample-0001"
    assert "sample-0001" in win.windowTitle()
    assert len(win.graphics.items()) > 10  # canvas, layers, labels drawn


def test_clicking_a_design_in_the_list_shows_it(qtbot, window):
    rect = window.design_list.row_rect(4)
    with qtbot.waitSignal(window.redrawn):
        qtbot.mouseClick(
            window.design_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert window.model.current == "sample-05"
    assert "sample-05" in window.windowTitle()


def test_search_filters_the_list_and_shows_the_first_match(qtbot, window):
    qtbot.keyClicks(window.search, "sample-2")
    names = [window.design_list.text(i) for i in range(window.design_list.count())]
    assert names == [f"sample-{i}" for i in range(20, 30)]
    assert window.model.current == "sample-20"
    assert window.count_label.text() == "10 of 30 designs"
    # Down in the search box steps through the matches
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.model.current == "sample-21"
    assert window.design_list.current_text() == "sample-21"


def test_arrow_and_page_keys_step_through_designs(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.model.current == "sample-02"
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    assert window.model.current == f"sample-{2 + PAGE:02d}"
    qtbot.keyClick(window.view, Qt.Key.Key_Left)
    qtbot.keyClick(window.view, Qt.Key.Key_Up)
    assert window.model.current == f"sample-{PAGE:02d}"
    qtbot.keyClick(window.design_list, Qt.Key.Key_PageUp)
    assert window.model.current == "sample-01"
    qtbot.keyClick(window.design_list, Qt.Key.Key_Down)
    assert window.model.current == "sample-02"
    assert window.design_list.current_text() == "sample-02"


def test_unticking_a_type_in_the_legend_removes_its_layers(qtbot, window, tmp_path):
    scene = window.model.scene()
    title = next(s for s in scene.shapes if s.type.id == 30)
    x, y = clear_spot(scene, title)
    col, row = screen_point(window, x, y)
    before = view_pixels(window, tmp_path, "before.png")
    assert np.abs(before[row, col] - blend("#00FFFF", 0.3)).max() <= 4

    item = next(
        window.legend.item(i)
        for i in range(window.legend.count())
        if window.legend.item(i).data(Qt.ItemDataRole.UserRole) == 30
    )
    with qtbot.waitSignal(window.redrawn):
        item.setCheckState(Qt.CheckState.Unchecked)  # what a click on the tick box does
    assert not window.model.is_visible(30)
    after = view_pixels(window, tmp_path, "after.png")
    assert np.abs(after[row, col] - 255).max() <= 4  # white canvas where the Title was
    # the choice holds while stepping to the next design
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert all(s.type.id != 30 for s in window.model.scene().shapes)


def test_hover_shows_name_type_and_box(qtbot, window):
    scene = window.model.scene()
    title = next(s for s in scene.shapes if s.type.id == 30)
    x, y = clear_spot(scene, title)
    qtbot.mouseMove(window.view.viewport(), QtCore.QPoint(*screen_point(window, x, y)))
    qtbot.waitUntil(lambda: "Title (30)" in window.hover_label.text())
    text = window.hover_label.text()
    assert f"({title.box[0]:.0f}, {title.box[1]:.0f})" in text and "of canvas" in text
    assert window.view.toolTip() == text


def test_heatmap_overlay_appears_under_the_design_with_opacity(qtbot, window, tmp_path):
    combo = window.overlay_combo
    with qtbot.waitSignal(window.overlay_ready, timeout=30000):
        combo.setCurrentIndex(combo.findData(100))  # Disclaimer: a strip along the bottom
    item = window.overlay_item
    assert item is not None and item.overlay.type.id == 100
    assert item.zValue() < min(
        i.zValue() for i in window.graphics.items() if i.data(0) is not None
    )  # under every layer
    # the fullest Disclaimer hexagon, where this design draws nothing, is tinted
    scene = window.model.scene()
    centres = item.overlay.centers[np.argsort(item.overlay.counts)[::-1]]
    spot = next(
        (cx, cy)
        for cx, cy in centres
        if scene.shape_at(cx, cy) is None
        and not any(
            b[0] - 80 <= cx <= b[2] + 80 and b[1] - 80 <= cy <= b[3] + 80
            for b in [s.label.box for s in scene.shapes] + [s.box for s in scene.shapes]
        )
    )
    col, row = screen_point(window, *spot)
    tinted = view_pixels(window, tmp_path, "tinted.png")[row, col]
    assert np.abs(tinted - 255).max() > 40
    window.opacity.setValue(0)
    assert item.opacity() == 0
    clear = view_pixels(window, tmp_path, "clear.png")[row, col]
    assert np.abs(clear - 255).max() <= 4
    # switching it off removes it
    combo.setCurrentIndex(0)
    assert window.overlay_item is None


def test_coverage_map_can_be_laid_under_the_design(qtbot, window, tmp_path):
    with qtbot.waitSignal(window.overlay_ready, timeout=30000):
        window.overlay_combo.setCurrentIndex(window.overlay_combo.findData(70))
    hexagons = window.overlay_item.overlay
    window.measure_combo.setCurrentIndex(window.measure_combo.findData("coverage"))
    cover = window.overlay_item.overlay
    assert hexagons.measure == "centre" and cover.measure == "coverage"
    assert cover.type.id == 70 and len(cover.polygons()[0]) == 4
    # the model drives the combo back: one source of truth
    window.model.set_overlay_measure("centre")
    assert window.measure_combo.currentData() == "centre"
    assert window.overlay_item.overlay.measure == "centre"


def test_file_menu_exports_the_view_as_png(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "export.png"
    monkeypatch.setattr(
        QtWidgets.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    file_menu = window.menuBar().actions()[0].menu()
    action = next(a for a in file_menu.actions() if a.text() == "Export view as PNG…")
    action.trigger()
    img = Image.open(target)
    size = window.view.viewport().size()
    assert img.format == "PNG" and img.size == (size.width(), size.height())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_design_writes_what_render_draws(window, tmp_path):
    from layerheat.render import design_scene, draw

    window.set_type_visible(90, False)
    ours = window.export_design(tmp_path / "d.png", size=400)
    scene = design_scene(window.model.layers(), hidden={90})
    draw(scene, tmp_path / "r.png", size=400)
    a = np.asarray(Image.open(ours))
    b = np.asarray(Image.open(tmp_path / "r.png"))
    assert a.shape == b.shape and np.array_equal(a, b)


def test_wheel_zooms_and_fit_restores(qtbot, window):
    from qtpy import QtGui

    fitted = window.view.zoom_level
    wheel = QtGui.QWheelEvent(
        QPointF(200, 150),
        QPointF(200, 150),
        QtCore.QPoint(0, 0),
        QtCore.QPoint(0, 120),  # one notch away from the user: zoom in
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QtWidgets.QApplication.sendEvent(window.view.viewport(), wheel)
    assert window.view.zoom_level > 1.1 * fitted
    window.view.zoom(2.0 * fitted / window.view.zoom_level)
    assert window.view.zoom_level == pytest.approx(2 * fitted)
    assert not window.view.fitted
    window.view.fit()
    assert window.view.zoom_level == pytest.approx(fitted)


def test_window_remembers_its_size(qtbot, table, settings):
    first = MainWindow(ViewerModel(table), settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(640, 480)
    first.close()
    second = MainWindow(ViewerModel(table), settings=settings)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (640, 480)


# -- the difference map (--compare) -------------------------------------------------------------
def test_the_map_combo_lists_the_difference_only_with_a_comparison(qtbot, table, settings):
    from layerheat.sample import sample_variant

    plain = MainWindow(ViewerModel(table), settings=settings)
    qtbot.addWidget(plain)
    maps = [plain.measure_combo.itemData(i) for i in range(plain.measure_combo.count())]
    assert maps == ["centre", "coverage"]
    model = ViewerModel(table, compare_with=sample_variant(designs=30, seed=2))
    both = MainWindow(model, settings=settings)
    qtbot.addWidget(both)
    maps = [both.measure_combo.itemData(i) for i in range(both.measure_combo.count())]
    assert maps == ["centre", "coverage", "difference"]
    assert both.measure_combo.itemText(2) == "Difference B − A"


def test_the_difference_map_is_drawn_under_the_design(qtbot, table, settings, tmp_path):
    from layerheat.sample import sample_variant

    model = ViewerModel(table, compare_with=sample_variant(designs=30, seed=2))
    win = MainWindow(model, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.overlay_combo.setCurrentIndex(win.overlay_combo.findData(70))
    win.measure_combo.setCurrentIndex(win.measure_combo.findData("difference"))
    qtbot.waitUntil(  # the comparison is computed in a worker thread
        lambda: win.overlay_item is not None and win.overlay_item.overlay.measure == "difference",
        timeout=60000,
    )
    overlay = win.overlay_item.overlay
    assert overlay.measure == "difference" and overlay.outline is not None
    assert "share B − share A" in win.caption.text()
    win.opacity.setValue(100)
    # where B has the most more logos and this design draws nothing: red shows through
    scene = model.scene()
    boxes = [s.label.box for s in scene.shapes] + [s.box for s in scene.shapes]
    order = np.argsort(overlay.counts)
    checked = 0
    for index, colour in ((order[-1], 0), (order[0], 2)):  # red channel up, blue up
        cx, cy = overlay.centers[index]
        if scene.shape_at(cx, cy) is not None or any(
            b[0] - 80 <= cx <= b[2] + 80 and b[1] - 80 <= cy <= b[3] + 80 for b in boxes
        ):
            continue
        col, row = screen_point(win, cx, cy)
        pixel = view_pixels(win, tmp_path, f"diff{colour}.png")[row, col]
        assert pixel[colour] - pixel[2 - colour] > 20, pixel
        checked += 1
    assert checked, "both extreme hexagons are under this design's layers"


# -- large inputs: the design index behind a virtual list ------------------------------------
@pytest.fixture(scope="module")
def grouped_parquet(tmp_path_factory):
    """The sample's layers in a Parquet file of many small row groups (rows shuffled in
    blocks, so designs span row groups)."""
    import pyarrow.parquet as pq

    arrow = sample_layers(designs=400, seed=7).arrow
    blocks = np.random.default_rng(1).permutation(arrow.num_rows // 50 + 1)
    order = np.concatenate([np.arange(b * 50, min(b * 50 + 50, arrow.num_rows)) for b in blocks])
    path = tmp_path_factory.mktemp("grouped") / "grouped.parquet"
    pq.write_table(arrow.take(order), path, row_group_size=97)
    return path


def test_the_design_list_model_reads_rows_from_the_list(qtbot, window):
    model = window.design_list.model()
    designs = window.model.filtered
    assert model.rowCount() == len(designs) == 30
    assert [model.data(model.index(i, 0)) for i in range(model.rowCount())] == list(designs)
    assert model.data(model.index(3, 0), Qt.ItemDataRole.DecorationRole) is None
    window.set_query("sample-1")
    assert model.rowCount() == 10
    assert [window.design_list.text(i) for i in range(10)] == window.model.filtered


def test_the_window_shows_at_once_and_reads_in_a_worker(qtbot, settings, grouped_parquet):
    model = ViewerModel.open([str(grouped_parquet)])
    win = MainWindow(model, settings=settings)
    qtbot.addWidget(win)
    assert model.loading and win.count_label.text() == "reading designs…"
    texts = [i.toPlainText() for i in win.graphics.items() if hasattr(i, "toPlainText")]
    assert texts and texts[0].startswith("reading ")  # the placeholder on the canvas
    win.show()
    with qtbot.waitSignal(win.ready, timeout=60000):
        pass
    assert not model.loading and win.error is None
    want = ViewerModel.from_inputs([str(grouped_parquet)])
    assert win.design_list.count() == len(want.designs) == 400
    assert win.design_list.current_text() == want.current
    assert win.legend.count() == len(want.type_counts())
    assert len(win.graphics.items()) > 10  # the first design is drawn


#: what ``layerheat view FILE`` must not import before its window's first paint
HEAVY = ("numpy", "pyarrow", "matplotlib", "layerheat.render", "layerheat.viewer.index")
FIRST_PAINT = r"""
import json, sys
HEAVY = HEAVY_NAMES
from layerheat.cli import main
from layerheat.viewer import app
QtCore = app.QtCore
seen = {"imported": [m for m in HEAVY if m in sys.modules]}


class Spy(QtCore.QObject):
    def eventFilter(self, obj, event):
        if event.type() == QtCore.QEvent.Type.Paint and "paint" not in seen:
            seen["paint"] = [m for m in HEAVY if m in sys.modules]
            seen["qtpy"] = [m for m in ("qtpy.QtGui", "qtpy.QtWidgets") if m in sys.modules]
        return False


init = app.MainWindow.__init__


def spied(self, *args, **kwargs):
    init(self, *args, **kwargs)
    self._spy = Spy(self)
    self.installEventFilter(self._spy)
    self.ready.connect(lambda: seen.setdefault("ready", [m for m in HEAVY if m in sys.modules]))


app.MainWindow.__init__ = spied
sys.argv = ["layerheat", "view", *sys.argv[1:]]
try:
    main()
finally:
    print(json.dumps(seen))
""".replace("HEAVY_NAMES", repr(HEAVY))


def test_the_first_paint_comes_before_numpy_pyarrow_and_matplotlib(grouped_parquet, tmp_path):
    """``layerheat view FILE`` (a fresh process, through its real entry point) paints
    its "reading …" window with Qt and the CLI alone; the rest loads after the paint."""
    import json
    import subprocess
    import sys

    import qtpy

    out = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT, str(grouped_parquet), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["imported"] == []  # the CLI and the window's module are light
    assert seen["paint"] == []  # painted before any of them loaded
    if qtpy.API_NAME == "PySide6":  # PySide6's modules, not qtpy's star-imports (0.2-0.5 s)
        assert seen["qtpy"] == []
    assert set(HEAVY) - {"matplotlib"} <= set(seen["ready"])  # then read and drawn
    assert out.stat().st_size > 10_000


def test_a_large_list_searches_in_a_worker_after_typing_pauses(
    qtbot, settings, grouped_parquet, monkeypatch
):
    from layerheat.viewer import app

    monkeypatch.setattr(app, "LIVE_SEARCH", 10)  # treat 400 designs as "large"
    win = MainWindow(ViewerModel.from_inputs([str(grouped_parquet)]), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.keyClicks(win.search, "sample-01")
    assert win.design_list.count() == 400  # not yet: the search waits for a pause
    qtbot.waitUntil(lambda: win.design_list.count() == 10, timeout=30000)
    want = [d for d in win.model.designs if "sample-01" in d]  # in the list's order
    assert [win.design_list.text(i) for i in range(10)] == want
    assert sorted(want) == [f"sample-01{i}" for i in range(10)]
    assert win.model.current == want[0] == win.design_list.current_text()


def test_view_screenshot_of_a_multi_row_group_parquet(cli, grouped_parquet, tmp_path):
    from layerheat.viewer.model import ViewerModel as Model

    out = tmp_path / "grouped.png"
    result = cli("view", grouped_parquet, "--design", "sample-123", "--screenshot", out)
    assert result.code == 0, result.err
    pixels = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert pixels.shape[:2] == (800, 1280)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 100  # widgets and a design
    # the layers drawn are the design's: its Title's colour shows in the window
    layers = Model.from_inputs([str(grouped_parquet)]).layers("sample-123")
    assert len(layers) > 3
    cyan = (np.abs(pixels - blend("#00FFFF", 0.3)).max(axis=2) <= 4).sum()
    assert cyan > 200 or 30 not in set(layers.numpy("type_id").tolist())
    bad = cli("view", grouped_parquet, "--design", "nope", "--screenshot", out)
    assert bad.code == 1 and "'nope' not found" in bad.err and "Traceback" not in bad.err
    assert len(bad.err_lines) == 1, bad.err  # the window had opened: still one line
