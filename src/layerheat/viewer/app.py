"""The viewer's Qt window: a thin shell that shows a :class:`ViewerModel` and forwards input.

Everything the window decides (which designs are listed, what is drawn where, what a
hover shows, the overlay's hexagons and colours) comes from
:mod:`layerheat.viewer.model` and :mod:`layerheat.render`; this module only paints and
wires widgets. Uses qtpy's choice of binding (:mod:`layerheat.viewer.qt`), so PySide6
(the default) and PyQt5 both work::

    >>> from layerheat.viewer.app import MainWindow, run          # doctest: +SKIP
    >>> from layerheat.viewer.model import ViewerModel            # doctest: +SKIP
    >>> run(ViewerModel.from_inputs([]))                          # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LayerheatError
from ..palette import BACKGROUND, FRAME_COLOR, NOTE_COLOR
from .model import PAGE, DesignList, Overlay, ViewerModel
from .qt import QPointF, QRectF, Qt, QtCore, QtGui, QtWidgets, Signal

if TYPE_CHECKING:
    from ..render import Scene

__all__ = [
    "CanvasView",
    "DEFAULT_SIZE",
    "DesignListModel",
    "DesignListView",
    "LIVE_SEARCH",
    "FONT_FAMILY",
    "MainWindow",
    "OUTLINE_COLOR",
    "OverlayItem",
    "SEARCH_STEP_KEYS",
    "STEP_KEYS",
    "application",
    "paint_scene",
    "qcolor",
    "run",
    "save_window",
]

#: Keys that step through designs, and by how much.
STEP_KEYS = {
    Qt.Key.Key_Left: -1,
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Right: 1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -PAGE,
    Qt.Key.Key_PageDown: PAGE,
}
#: In the search box Left/Right move the text cursor; these keys still step.
SEARCH_STEP_KEYS = {
    k: v for k, v in STEP_KEYS.items() if k not in (Qt.Key.Key_Left, Qt.Key.Key_Right)
}
DEFAULT_SIZE = (1280, 800)
#: up to this many designs the list filters as you type; above it a search runs in a
#: worker thread once typing pauses (:data:`SEARCH_PAUSE_MS`)
LIVE_SEARCH = 200_000
SEARCH_PAUSE_MS = 300
#: edge of the difference map's significant hexagons (plot_compare outlines them in black)
OUTLINE_COLOR = "#202020"
FONT_FAMILY = "DejaVu Sans"
_REFERENCE_PX = 100  # labels are set at this pixel size and scaled to their real size


@contextlib.contextmanager
def _blocked(widget: QtCore.QObject) -> Iterator[None]:
    """Silence ``widget``'s signals for the duration (works with every Qt binding)."""
    old = widget.blockSignals(True)
    try:
        yield
    finally:
        widget.blockSignals(old)


def qcolor(color: str, alpha: float = 1.0) -> QtGui.QColor:
    """A ``#RRGGBB`` colour with opacity ``alpha`` as a QColor."""
    c = QtGui.QColor(color)
    c.setAlphaF(alpha)
    return c


def _font() -> QtGui.QFont:
    font = QtGui.QFont(FONT_FAMILY)
    font.setPixelSize(_REFERENCE_PX)
    return font


def _text_item(text: str, size: float, color: str) -> QtWidgets.QGraphicsSimpleTextItem:
    item = QtWidgets.QGraphicsSimpleTextItem(text)
    item.setFont(_font())
    item.setBrush(qcolor(color))
    item.setScale(size / _REFERENCE_PX)
    return item


def paint_scene(target: QtWidgets.QGraphicsScene, scene: Scene) -> None:
    """Add the items of ``scene`` to ``target``: the canvas, layers, labels, note.

    Same geometry, colours, line widths and label tags as :func:`layerheat.render.figure`.
    """
    sizes = scene.sizes
    cw, ch = scene.canvas
    frame = sizes["frame"]
    canvas = target.addRect(
        QRectF(frame / 2, frame / 2, cw - frame, ch - frame),
        QtGui.QPen(qcolor(FRAME_COLOR), frame),
        QtGui.QBrush(qcolor(BACKGROUND)),
    )
    canvas.setZValue(0)
    alpha = scene.style.fill_alpha
    line = sizes["line"]
    z = 10.0
    for shape in scene.shapes:
        x0, y0, x1, y1 = shape.box
        pen = QtGui.QPen(qcolor(shape.color), line)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        if shape.is_point:
            r = sizes["marker"]
            pen = QtGui.QPen(qcolor(BACKGROUND), line)
            item = target.addEllipse(
                QRectF(x0 - r, y0 - r, 2 * r, 2 * r), pen, QtGui.QBrush(qcolor(shape.color))
            )
        else:
            item = target.addRect(
                QRectF(x0, y0, x1 - x0, y1 - y0), pen, QtGui.QBrush(qcolor(shape.color, alpha))
            )
        item.setZValue(z)
        item.setData(0, shape.row)
        z += 1
    for shape in scene.shapes:
        label = shape.label
        tag = target.addRect(
            QRectF(label.x, label.y, label.width, label.height),
            QtGui.QPen(Qt.PenStyle.NoPen),
            QtGui.QBrush(qcolor(label.background)),
        )
        tag.setZValue(z)
        text = _text_item(label.text, label.font_size, label.text_color)
        height = text.boundingRect().height() * text.scale()
        text.setPos(label.x + label.padding, label.y + (label.height - height) / 2)
        text.setZValue(z)
        target.addItem(text)
    if scene.note:
        note = _text_item(scene.note, 2 * sizes["font"], NOTE_COLOR)
        rect = note.boundingRect()
        note.setPos(
            cw / 2 - rect.width() * note.scale() / 2, ch / 2 - rect.height() * note.scale() / 2
        )
        note.setZValue(z)
        target.addItem(note)


class OverlayItem(QtWidgets.QGraphicsItem):
    """A type's heatmap as filled hexagons, painted in one item under the layers; cells
    the overlay marks (``Overlay.outline``: significant differences) get a dark edge."""

    def __init__(self, overlay: Overlay, canvas: tuple[float, float]) -> None:
        super().__init__()
        self.overlay = overlay
        self._rect = QRectF(0, 0, *canvas)
        self._polygons = [
            QtGui.QPolygonF([QPointF(float(x), float(y)) for x, y in poly])
            for poly in overlay.polygons()
        ]
        self._brushes = [
            QtGui.QBrush(QtGui.QColor.fromRgbF(*map(float, rgba))) for rgba in overlay.colors
        ]
        outline = overlay.outline if overlay.outline is not None else ()
        self._outlined = [p for p, flag in zip(self._polygons, outline) if flag]
        self.setZValue(5)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect

    def paint(self, painter, option, widget=None) -> None:  # noqa: ANN001 - Qt's signature
        painter.save()
        painter.setClipRect(self._rect)
        painter.setPen(Qt.PenStyle.NoPen)
        if self.overlay.measure == "coverage":  # square cells: no seams between them
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        for polygon, brush in zip(self._polygons, self._brushes):
            painter.setBrush(brush)
            painter.drawPolygon(polygon)
        if self._outlined:
            pen = QtGui.QPen(QtGui.QColor(OUTLINE_COLOR), 1.5)
            pen.setCosmetic(True)  # the same width on screen at every zoom
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for polygon in self._outlined:
                painter.drawPolygon(polygon)
        painter.restore()


class CanvasView(QtWidgets.QGraphicsView):
    """The zoomable (wheel, +/-), pannable (drag) canvas; reports hover positions."""

    hovered = Signal(object)  # QPointF in canvas pixels, or None when the mouse leaves

    def __init__(self, scene: QtWidgets.QGraphicsScene, parent=None) -> None:  # noqa: ANN001
        super().__init__(scene, parent)
        self.setRenderHints(
            QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing
        )
        self.setDragMode(QtWidgets.QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QtWidgets.QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QtWidgets.QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QtGui.QBrush(QtGui.QColor("#E6E6E6")))
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.fitted = True

    def fit(self) -> None:
        """Show the whole canvas."""
        self.fitted = True
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self, factor: float) -> None:
        """Zoom by ``factor`` (>1 in) around the mouse, or the centre from the keyboard."""
        self.fitted = False
        self.scale(factor, factor)

    @property
    def zoom_level(self) -> float:
        """Screen pixels per canvas pixel."""
        return self.transform().m11()

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802 - Qt's name
        delta = event.angleDelta().y()
        if delta:
            self.zoom(1.0015**delta)
        event.accept()

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mouseMoveEvent(event)
        pos = event.position().toPoint() if hasattr(event, "position") else event.pos()
        self.hovered.emit(self.mapToScene(pos))

    def leaveEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        super().leaveEvent(event)
        self.hovered.emit(None)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.fitted:
            self.fit()


class DesignListModel(QtCore.QAbstractListModel):
    """The listed designs for Qt's model/view: rows read from a :class:`DesignList`
    (Arrow strings at index positions) only when the view shows them, so millions of
    designs cost no Python strings until scrolled to."""

    def __init__(self, designs: DesignList, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.designs = designs
        self._rows = len(designs)

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else 1

    def data(self, index: QtCore.QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return self.designs[index.row()]
        return None

    def set_designs(self, designs: DesignList) -> None:
        """Show ``designs`` instead (a model reset: the view drops its rows at once)."""
        self.beginResetModel()
        self.designs = designs
        self._rows = len(designs)
        self.endResetModel()


class DesignListView(QtWidgets.QTableView):
    """The design list: one column of a :class:`DesignListModel`, with a few helpers.

    A table view rather than a list view: with fixed row heights its vertical header
    places rows arithmetically, so a reset to 1.7 M rows or a jump to the last one asks
    the model for the visible rows only (QListView lays out every row, calling the model
    twice per row: ~10 s at 1.7 M)."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setModel(DesignListModel(DesignList(None), self))
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)

    def count(self) -> int:
        """Rows listed."""
        return self.model().rowCount()

    def text(self, row: int) -> str:
        """The design id at ``row``."""
        return self.model().data(self.model().index(row, 0))

    def currentRow(self) -> int:  # noqa: N802 - as QListWidget names it
        """The current row, -1 for none."""
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def current_text(self) -> str | None:
        """The design id of the current row, or None."""
        row = self.currentRow()
        return None if row < 0 else self.text(row)

    def row_rect(self, row: int) -> QtCore.QRect:
        """Where ``row`` is drawn, in viewport coordinates."""
        return self.visualRect(self.model().index(row, 0))

    def set_current_row(self, row: int) -> None:
        """Make ``row`` current and selected (-1: none) and scroll to it."""
        if row < 0:
            self.selectionModel().clear()
            return
        index = self.model().index(row, 0)
        flags = QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)


class _Worker(QtCore.QThread):
    """Runs one slow model computation (reading, heatmaps, comparison, a search) off the
    UI thread; ``job`` gets a callback reporting (done, total)."""

    done = Signal(str, object)  # what, the result
    failed = Signal(str, str)  # what, the message
    progress = Signal(int, int)  # done, total

    def __init__(self, what: str, job, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.what = what
        self.job = job

    def run(self) -> None:
        try:
            self.done.emit(self.what, self.job())
        except (LayerheatError, OSError) as exc:
            self.failed.emit(self.what, str(exc))
        except Exception as exc:  # noqa: BLE001 - a window left "reading…" forever is worse
            if self.what != "designs":
                raise
            self.failed.emit(self.what, f"cannot read the designs ({type(exc).__name__}: {exc})")


class MainWindow(QtWidgets.QMainWindow):
    """The viewer: design list with search, canvas, legend with type toggles, overlay."""

    #: emitted after the canvas has been redrawn (design, types or overlay changed)
    redrawn = Signal()
    #: emitted once the dataset's heatmaps are available for the overlay
    overlay_ready = Signal()
    #: emitted once the designs are read and the first one is drawn (or reading failed)
    ready = Signal()

    def __init__(self, model: ViewerModel, settings: QtCore.QSettings | None = None) -> None:
        super().__init__()
        self.model = model
        self.settings = (
            settings if settings is not None else QtCore.QSettings("layerheat", "viewer")
        )
        self._workers: dict[str, _Worker] = {}
        self._search: _Worker | None = None
        self._query = ""
        #: why the designs could not be read (None: fine, or still reading)
        self.error: str | None = None
        self._canvas_size: tuple[float, float] | None = None
        self.overlay_item: OverlayItem | None = None
        if not self.model.loading:  # else once read: finding it imports matplotlib (~0.4 s)
            from ..render import font_file

            QtGui.QFontDatabase.addApplicationFont(font_file())
        self._build()
        self._populate_designs()
        self._populate_legend()
        self.model.subscribe(self._on_model_changed)
        self.redraw()
        #: the designs are read once the window has painted (see :meth:`event`)
        self._load_pending = self.model.loading
        geometry = self.settings.value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)

    # -- construction -----------------------------------------------------------------
    def _build(self) -> None:
        self.setWindowTitle(f"layerheat — {self.model.label}")
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("Search designs and layer names")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.set_query)
        self.design_list = DesignListView()
        self.design_list.selectionModel().currentRowChanged.connect(self._on_row)
        self._search_timer = _single_shot(self, SEARCH_PAUSE_MS, self._run_search)
        self.count_label = QtWidgets.QLabel()
        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.design_list)
        left_layout.addWidget(self.count_label)

        self.graphics = QtWidgets.QGraphicsScene(self)
        self.view = CanvasView(self.graphics)
        self.view.hovered.connect(self._on_hover)

        self.legend = QtWidgets.QListWidget()
        self.legend.itemChanged.connect(self._on_legend_item)
        self.overlay_combo = QtWidgets.QComboBox()
        self.overlay_combo.addItem("No heatmap", None)
        self.overlay_combo.currentIndexChanged.connect(self._on_overlay_combo)
        self.opacity = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(round(self.model.overlay_opacity * 100))
        self.opacity.valueChanged.connect(self.set_overlay_opacity)
        self.measure_combo = QtWidgets.QComboBox()
        self.measure_combo.addItem("Centres (layers per hexagon)", "centre")
        self.measure_combo.addItem("Coverage (per design)", "coverage")
        if self.model.has_comparison:
            a, b = self.model.labels
            self.measure_combo.addItem("Difference B − A", "difference")
            self.measure_combo.setToolTip(f"A: {a}\nB: {b}")
        self.caption = QtWidgets.QLabel()
        self.caption.setWordWrap(True)
        self.measure_combo.currentIndexChanged.connect(self._on_measure_combo)
        overlay_box = QtWidgets.QGroupBox("Heatmap under the design")
        form = QtWidgets.QFormLayout(overlay_box)
        form.addRow("Type", self.overlay_combo)
        form.addRow("Map", self.measure_combo)
        form.addRow("Opacity", self.opacity)
        form.addRow(self.caption)
        right = QtWidgets.QWidget()
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(4, 4, 4, 4)
        right_layout.addWidget(QtWidgets.QLabel("Layer types (tick to show)"))
        right_layout.addWidget(self.legend)
        right_layout.addWidget(overlay_box)

        splitter = QtWidgets.QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([230, 900, 310])
        self.setCentralWidget(splitter)
        self.hover_label = QtWidgets.QLabel()
        self.statusBar().addWidget(self.hover_label, 1)

        menu = self.menuBar().addMenu("&File")
        self.export_view_action = menu.addAction("Export view as PNG…", self._ask_export_view)
        self.export_view_action.setShortcut(QtGui.QKeySequence("Ctrl+E"))
        self.export_design_action = menu.addAction("Export design…", self._ask_export_design)
        menu.addSeparator()
        quit_action = menu.addAction("Quit", self.close)
        quit_action.setShortcut(QtGui.QKeySequence.StandardKey.Quit)
        view_menu = self.menuBar().addMenu("&View")
        fit = view_menu.addAction("Fit canvas", self.view.fit)
        fit.setShortcut(QtGui.QKeySequence("Ctrl+0"))
        zoom_in = view_menu.addAction("Zoom in", lambda: self.view.zoom(1.25))
        zoom_in.setShortcuts([QtGui.QKeySequence("+"), QtGui.QKeySequence("Ctrl++")])
        zoom_out = view_menu.addAction("Zoom out", lambda: self.view.zoom(0.8))
        zoom_out.setShortcuts([QtGui.QKeySequence("-"), QtGui.QKeySequence("Ctrl+-")])

        for widget in (self.view, self.design_list, self.search):
            widget.installEventFilter(self)

    def _populate_designs(self) -> None:
        selection = self.design_list.selectionModel()
        with _blocked(selection):
            self.design_list.model().set_designs(self.model.filtered)
            index = self.model.index
            self.design_list.set_current_row(-1 if index is None else index)
        if self.model.loading:
            self.count_label.setText("reading designs…")
            return
        self.count_label.setText(
            f"{len(self.model.filtered):,} of {len(self.model.designs):,} designs"
        )

    def _populate_legend(self) -> None:
        with _blocked(self.legend), _blocked(self.overlay_combo):
            self.legend.clear()
            while self.overlay_combo.count() > 1:  # keep "No heatmap"
                self.overlay_combo.removeItem(1)
            for tc in self.model.type_counts():
                item = QtWidgets.QListWidgetItem(
                    _swatch(tc.type.color, self.model), f"{tc.type.label} · {tc.layers:,} layers"
                )
                item.setData(Qt.ItemDataRole.UserRole, tc.type.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                visible = self.model.is_visible(tc.type.id)
                item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
                self.legend.addItem(item)
                self.overlay_combo.addItem(tc.type.label, tc.type.id)

    # -- actions (also what the tests drive) ------------------------------------------
    def set_query(self, text: str) -> None:
        """Filter the design list by ``text`` (see :meth:`ViewerModel.set_query`).

        Up to :data:`LIVE_SEARCH` designs at once; above, in a worker thread once typing
        pauses (the first search of layer names reads them: seconds at 20 M layers)."""
        self._query = text
        if len(self.model.designs) <= LIVE_SEARCH:
            self.model.set_query(text)
        else:
            self._search_timer.start()

    def _run_search(self) -> None:
        if self._search is not None:  # one at a time; the newest text runs after it
            return
        text = self._query
        self.hover_label.setText(f"searching {len(self.model.designs):,} designs for {text!r}…")
        worker = self._search = _Worker("search", lambda: (text, self.model.matches(text)), self)
        worker.done.connect(self._on_search_done)
        worker.failed.connect(self._on_worker_failed)
        worker.start()

    def _on_search_done(self, what: str, result: object) -> None:
        self._search = None
        text, found = result  # type: ignore[misc]
        if text != self._query:
            self._run_search()
            return
        self.model.set_query(text, found)
        self.hover_label.setText(self.model.status())

    def select(self, design_id: str) -> None:
        """Show ``design_id``."""
        self.model.select(design_id)

    def step(self, n: int) -> None:
        """Show the design ``n`` places further down (up when negative) the list."""
        self.model.step(n)

    def set_type_visible(self, type_id: int, visible: bool) -> None:
        """Show or hide a layer type (its legend box follows)."""
        self.model.set_type_visible(type_id, visible)

    def set_overlay(self, type_id: int | None) -> None:
        """Lay ``type_id``'s heatmap under the design (None: no overlay).

        The dataset's heatmaps are computed once, in a worker thread; the overlay appears
        and :attr:`overlay_ready` is emitted when they are ready.
        """
        self.model.set_overlay(type_id)
        self._start_workers()

    def set_overlay_measure(self, measure: str) -> None:
        """Show the type's centre heatmap (``"centre"``), coverage map (``"coverage"``) or,
        with a second collection, the difference map (``"difference"``, computed once in
        a worker thread; :attr:`overlay_ready` is emitted when it is ready)."""
        self.model.set_overlay_measure(measure)
        self._start_workers()

    def set_overlay_opacity(self, percent: int) -> None:
        """Opacity of the heatmap overlay, 0..100."""
        self.model.set_overlay_opacity(percent / 100)

    def _on_model_changed(self, what: str) -> None:
        """The one place the window follows the model: update the widget that shows
        ``what``, then the canvas if the picture changed."""
        if what == "loaded":
            self._populate_legend()
            return
        if what == "designs":
            self._populate_designs()
            self.hover_label.setText(self.model.status())
            return
        if what == "design":
            self._sync_list()
        elif what == "types":
            self._sync_legend()
        elif what == "overlay":
            self._sync_overlay_combo()
        elif what == "opacity":
            if self.overlay_item is not None:
                self.overlay_item.setOpacity(self.model.overlay_opacity)
            if self.opacity.value() != round(self.model.overlay_opacity * 100):
                with _blocked(self.opacity):
                    self.opacity.setValue(round(self.model.overlay_opacity * 100))
            return
        self.redraw()

    def export_view(self, path: str | Path) -> Path:
        """Save what the canvas shows now as a PNG, atomically."""
        from ..outputs import atomic_path

        path = Path(path)
        if path.suffix.lower() != ".png":
            raise LayerheatError(f"{path}: the view is exported as PNG; name it *.png")
        pixmap = self.view.viewport().grab()
        with atomic_path(path) as tmp:
            if not pixmap.save(str(tmp), "PNG"):
                raise LayerheatError(f"{path}: could not write the PNG")
        return path

    def export_design(self, path: str | Path, size: int = 1600) -> Path:
        """Save the current design as ``layerheat render`` would (PNG, SVG or PDF)."""
        from ..render import draw

        out = draw(self.model.export_scene(), path, size=size)
        assert out is not None
        return out

    def redraw(self) -> None:
        """Rebuild the canvas from the model: design, shown types, overlay."""
        self.graphics.clear()
        self.overlay_item = None
        if self.model.loading:
            self._placeholder(self.error or self.model.status())
            self.hover_label.setText(self.error or self.model.status())
            return
        scene = self.model.scene()
        if scene is None:
            self.setWindowTitle(f"layerheat — {self.model.label}")
            self.hover_label.setText(self.model.status())
            self.redrawn.emit()
            return
        paint_scene(self.graphics, scene)
        overlay = self.model.overlay()
        self.caption.setText(self.model.overlay_caption())
        if overlay is not None:
            self.overlay_item = OverlayItem(overlay, scene.canvas)
            self.overlay_item.setOpacity(self.model.overlay_opacity)
            self.graphics.addItem(self.overlay_item)
        margin = 0.02 * scene.longest
        self.graphics.setSceneRect(
            QRectF(-margin, -margin, scene.canvas[0] + 2 * margin, scene.canvas[1] + 2 * margin)
        )
        if scene.canvas != self._canvas_size or self.view.fitted:
            self._canvas_size = scene.canvas
            self.view.fit()
        self.setWindowTitle(f"layerheat — {scene.design_id} — {self.model.label}")
        self.hover_label.setText(self.model.status())
        self.redrawn.emit()

    # -- internals ----------------------------------------------------------------------
    def _sync_list(self) -> None:
        index = self.model.index
        if index is not None and self.design_list.currentRow() != index:
            with _blocked(self.design_list.selectionModel()):
                self.design_list.set_current_row(index)
        if index is not None:
            self.design_list.scrollTo(self.design_list.model().index(index, 0))

    def _sync_legend(self) -> None:
        with _blocked(self.legend):
            for i in range(self.legend.count()):
                item = self.legend.item(i)
                shown = self.model.is_visible(item.data(Qt.ItemDataRole.UserRole))
                item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)

    def _sync_overlay_combo(self) -> None:
        for combo, value in (
            (self.overlay_combo, self.model.overlay_type),
            (self.measure_combo, self.model.overlay_measure),
        ):
            index = combo.findData(value)
            if index >= 0 and index != combo.currentIndex():
                with _blocked(combo):
                    combo.setCurrentIndex(index)

    def _on_row(self, current: QtCore.QModelIndex, previous: QtCore.QModelIndex) -> None:
        if current.isValid():
            self.model.select_row(current.row())

    def _on_legend_item(self, item: QtWidgets.QListWidgetItem) -> None:
        type_id = item.data(Qt.ItemDataRole.UserRole)
        self.model.set_type_visible(type_id, item.checkState() == Qt.CheckState.Checked)

    def _on_overlay_combo(self, index: int) -> None:
        self.set_overlay(self.overlay_combo.itemData(index))

    def _on_measure_combo(self, index: int) -> None:
        self.set_overlay_measure(self.measure_combo.itemData(index))

    def _on_hover(self, point: QPointF | None) -> None:
        shape = None if point is None else self.model.shape_at(point.x(), point.y())
        if shape is None:
            self.hover_label.setText(self.model.status())
            self.view.setToolTip("")
            return
        text = self.model.describe(shape)
        self.hover_label.setText(text)
        self.view.setToolTip(text)

    def _start_workers(self) -> None:
        """Compute what the chosen overlay needs and is not there yet, in a worker."""
        if self.model.overlay_type is None:
            return
        if self.model.overlay_measure == "difference":
            if not self.model.comparison_ready:
                self._start("comparison", self.model.compute_comparison)
        elif not self.model.heatmaps_ready:
            self._start("heatmaps", self.model.compute_heatmaps)

    def _start(self, what: str, job) -> None:  # noqa: ANN001
        if what in self._workers:
            return
        self.hover_label.setText(f"computing {what}…")
        worker = self._workers[what] = _Worker(what, job, self)
        worker.done.connect(self._on_worker_done)
        worker.failed.connect(self._on_worker_failed)
        worker.start()

    def _on_worker_done(self, what: str, result: object) -> None:
        if what == "comparison":
            self.model.set_comparison(result)  # type: ignore[arg-type]
        else:
            self.model.set_heatmaps(result)  # type: ignore[arg-type]
        self.overlay_ready.emit()

    def _on_worker_failed(self, what: str, message: str) -> None:
        if what == "designs":
            self.error = message
            self.hover_label.setText(message)
            self.redraw()
            self.ready.emit()
            return
        if what == "search":
            self._search = None
            self.hover_label.setText(f"search failed: {message}")
            return
        del self._workers[what]  # a later choice may try again
        self.model.set_overlay(None)
        self.hover_label.setText(f"no {what}: {message}")

    # -- reading the designs --------------------------------------------------------------
    def _start_loading(self) -> None:
        """Read the designs in a worker; the window shows a placeholder meanwhile.

        Runs once the window has painted (see :meth:`event`). :mod:`layerheat.render`,
        and with it NumPy and PyArrow, is imported here in the UI thread before the
        worker starts (0.3-0.9 s, during which the painted window does not respond);
        the worker then imports the design index, its readers and matplotlib while the
        UI thread imports nothing (two threads importing C extensions at once can
        deadlock on the import locks)."""
        if not self._load_pending:
            return
        self._load_pending = False
        from ..render import font_file  # NumPy, PyArrow: in this thread, not the worker's

        def job() -> object:
            font_file()  # found here, off the UI thread (imports matplotlib); see _on_loaded
            return self.model.load(worker.progress.emit)

        worker = _Worker("designs", job, self)
        self._workers["designs"] = worker
        worker.progress.connect(self._on_progress)
        worker.done.connect(self._on_loaded)
        worker.failed.connect(self._on_worker_failed)
        worker.start()

    def _on_progress(self, done: int, total: int) -> None:
        text = f"reading {self.model.label}: {done} of {total} parts…"
        self.hover_label.setText(text)
        if self.model.loading:
            self._placeholder(text)

    def _on_loaded(self, what: str, index: object) -> None:
        from ..render import font_file

        QtGui.QFontDatabase.addApplicationFont(font_file())
        self.model.set_index(index)  # type: ignore[arg-type]  # redraws via the model
        self.ready.emit()

    def _placeholder(self, text: str) -> None:
        """A line of text where the design will be (while reading, or why it failed)."""
        self.graphics.clear()
        item = self.graphics.addText(text)
        item.setDefaultTextColor(qcolor(NOTE_COLOR))
        self.graphics.setSceneRect(item.boundingRect().adjusted(-40, -40, 40, 40))
        self.view.resetTransform()
        self.view.centerOn(item)
        self.setWindowTitle(f"layerheat — {self.model.label}")

    def _ask_export_view(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export view as PNG", f"{self.model.current or 'view'}.png", "PNG (*.png)"
        )
        if path:
            self._report(lambda: self.export_view(path))

    def _ask_export_design(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self,
            "Export design",
            f"{self.model.current or 'design'}.png",
            "PNG (*.png);;SVG (*.svg);;PDF (*.pdf)",
        )
        if path:
            self._report(lambda: self.export_design(path))

    def _report(self, action) -> None:  # noqa: ANN001
        try:
            out = action()
        except (LayerheatError, OSError) as exc:
            QtWidgets.QMessageBox.warning(self, "layerheat", str(exc))
        else:
            self.statusBar().showMessage(f"saved {out}", 5000)

    # -- Qt events ------------------------------------------------------------------------
    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.KeyPress:
            keys = SEARCH_STEP_KEYS if obj is self.search else STEP_KEYS
            n = keys.get(event.key())
            if n is not None and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            ):
                self.step(n)
                return True
        return super().eventFilter(obj, event)

    def event(self, event: QtCore.QEvent) -> bool:
        """After the window's first paint, start reading the designs: imports and a
        worker started earlier compete for the CPU (and the GIL) with the first paint.

        The window's paint event comes first in a repaint, its children's next, all
        in one pass; the zero timer fires once that pass is done and shown."""
        handled = super().event(event)
        if event.type() == QtCore.QEvent.Type.Paint and getattr(self, "_load_pending", False):
            QtCore.QTimer.singleShot(0, self._start_loading)
        return handled

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._load_pending:  # in case no paint request comes (some platforms)
            QtCore.QTimer.singleShot(250, self._start_loading)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt's name
        n = STEP_KEYS.get(event.key())
        if n is not None:
            self.step(n)
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.sync()
        for worker in [*self._workers.values(), self._search]:
            if worker is not None:
                worker.wait()
        super().closeEvent(event)


def _single_shot(parent: QtCore.QObject, ms: int, slot) -> QtCore.QTimer:  # noqa: ANN001
    """A timer that calls ``slot`` once, ``ms`` after its last (re)start."""
    timer = QtCore.QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer


def _swatch(color: str, model: ViewerModel, size: int = 16) -> QtGui.QIcon:
    from ..render import Style

    pixmap = QtGui.QPixmap(size, size)
    pixmap.fill(qcolor(BACKGROUND))
    painter = QtGui.QPainter(pixmap)
    painter.setPen(QtGui.QPen(qcolor(color), 2))
    painter.setBrush(QtGui.QBrush(qcolor(color, Style().fill_alpha)))
    painter.drawRect(1, 1, size - 2, size - 2)
    painter.end()
    return QtGui.QIcon(pixmap)


def application() -> QtWidgets.QApplication:
    """The running QApplication, created if there is none."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        QtCore.qInstallMessageHandler(_qt_message)
        app = QtWidgets.QApplication(["layerheat"])
        app.setApplicationName("layerheat")
        app.setOrganizationName("layerheat")
    return app  # type: ignore[return-value]


def _qt_message(mode, context, message: str) -> None:  # noqa: ANN001 - Qt's signature
    """Qt's messages to stderr, as Qt prints them, but for the offscreen platform's
    harmless "does not support propagateSizeHints()" (printed on every window there),
    so a refusal after the window opened stays one line."""
    if "propagateSizeHints" not in message:
        sys.stderr.write(f"{message}\n")


def run(
    model: ViewerModel,
    *,
    design: str | None = None,
    screenshot: str | Path | None = None,
) -> int:
    """Open the viewer on ``model`` and run until the window closes; returns the exit code.

    The window shows at once; a model from :meth:`ViewerModel.open` reads its designs in
    a worker meanwhile. ``design`` is shown first once they are read. With
    ``screenshot`` the window is drawn when ready, saved as that PNG, and closed (for
    docs and smoke tests). Unreadable inputs and an unknown ``design`` raise
    LayerheatError (the window closes first).
    """
    app = application()
    if screenshot is None:
        window = MainWindow(model)
    else:  # leave the user's remembered window size alone
        import tempfile

        scratch = tempfile.TemporaryDirectory()
        ini = QtCore.QSettings(f"{scratch.name}/viewer.ini", QtCore.QSettings.Format.IniFormat)
        window = MainWindow(model, settings=ini)
    failure: list[str] = []
    #: whether app.exec() runs: QApplication.exit() outside a running loop makes every
    #: later event loop of the process return at once (a notebook's next viewer, tests)
    looping = False

    def on_ready() -> None:
        try:
            if window.error is not None:
                raise LayerheatError(window.error)
            if design is not None:
                window.select(design)
        except LayerheatError as exc:
            failure.append(str(exc))
            window.close()
            if looping:
                app.exit(1)

    window.show()
    if screenshot is not None:
        try:
            _wait_ready(window)
            on_ready()
            if failure:
                raise LayerheatError(failure[0])
            app.processEvents()
            save_window(window, screenshot)
        finally:
            window.close()
            scratch.cleanup()
        return 0
    if model.loading:
        window.ready.connect(on_ready)
    else:
        on_ready()
    if failure:
        raise LayerheatError(failure[0])
    looping = True
    try:
        code = app.exec()
    finally:
        looping = False
        # closing the last window inside exec() posts a Quit event; handled after exec()
        # returned (by the next processEvents), it would leave the application quitting
        QtCore.QCoreApplication.removePostedEvents(app, QtCore.QEvent.Type.Quit)
    if failure:
        raise LayerheatError(failure[0])
    return code


def _wait_ready(window: MainWindow) -> None:
    """Run Qt's event loop until the window's designs are read (or failed)."""
    if not window.model.loading or window.error is not None:
        return
    loop = QtCore.QEventLoop()
    window.ready.connect(loop.quit)
    loop.exec()


def save_window(window: QtWidgets.QWidget, path: str | Path) -> Path:
    """Save a PNG of the whole window (menus, lists, canvas), atomically."""
    from ..outputs import atomic_path

    path = Path(path)
    pixmap = window.grab()
    with atomic_path(path) as tmp:
        if not pixmap.save(str(tmp), "PNG"):
            raise LayerheatError(f"{path}: could not write the PNG")
    return path
