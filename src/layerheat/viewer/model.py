"""The viewer's state and logic, without Qt: designs, search, stepping, types, hover, overlay.

The Qt window (:mod:`layerheat.viewer.app`) only shows what this model says and passes
user actions back to it, so everything here is tested without a screen::

    >>> from layerheat.sample import sample_layers
    >>> from layerheat.viewer.model import ViewerModel
    >>> model = ViewerModel(sample_layers(designs=20))
    >>> model.current
    'sample-01'
    >>> model.set_query("sample-1"); model.filtered[:2]
    ['sample-10', 'sample-11']
    >>> model.step(1)
    'sample-11'
    >>> model.set_type_visible(30, False)          # hide every Title
    >>> shape = model.shape_at(3000, 1700)         # the top-most shown layer there, or None

With a second collection (``compare_with``) the overlay can also be the difference map
of :func:`layerheat.compare.compare`: share B - share A per hexagon, on a diverging
colour map centred on 0, significant hexagons outlined.

The scene of the current design comes from :func:`layerheat.render.design_scene`, the
same function ``layerheat render`` draws, so the viewer shows what the renderer exports.

Importing this module imports neither NumPy nor PyArrow nor :mod:`layerheat.render`
(each method imports what it needs): the window is built on a model from :meth:`open`
and paints its "reading …" placeholder before those load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import LayerheatError
from ..taxonomy import LayerType, Taxonomy, default_taxonomy

if TYPE_CHECKING:
    import numpy as np

    from ..compare import Comparison
    from ..measures.centres import HeatmapSet
    from ..render import Scene, Shape
    from ..table import LayerTable
    from .index import DesignIndex

__all__ = [
    "DesignList",
    "FAINT_ALPHA",
    "OVERLAY_MEASURES",
    "Overlay",
    "PAGE",
    "TypeCount",
    "ViewerModel",
]

#: Designs moved by PageUp / PageDown.
PAGE = 10


@dataclass(frozen=True)
class TypeCount:
    """A layer type present in the dataset and how many layers and designs have it."""

    type: LayerType
    layers: int
    designs: int


#: what the overlay can show: centre heatmaps (hexagons), coverage maps (square cells) or,
#: with a second collection, the difference of the two's centre shares (hexagons)
OVERLAY_MEASURES = ("centre", "coverage", "difference")
#: alpha of hexagons whose difference is not significant (significant ones: 1)
FAINT_ALPHA = 0.45
#: coverage cells along the canvas's long side in the viewer
COVERAGE_RESOLUTION = 100


@dataclass(frozen=True)
class Overlay:
    """One type's map in a design's canvas pixels: cell centres, cell shape and colours.

    ``centers`` is (K, 2), ``hexagon`` the vertex offsets shared by all cells ((6, 2) for
    the centre heatmap's hexagons, (4, 2) for the coverage map's squares), ``colors``
    (K, 4) RGBA in 0..1 and ``counts`` the values (layers per hexagon, layers covering
    the cell per design, or share B - share A); only cells with a value other than zero
    are included. ``max_count`` is the top of the colour scale (for the difference: the
    half-range, so colours run from -max_count to +max_count). ``outline`` (K,) marks
    cells drawn with an outline (the difference map's significant hexagons), or is None.
    """

    type: LayerType
    centers: np.ndarray
    hexagon: np.ndarray
    colors: np.ndarray
    counts: np.ndarray
    max_count: float
    measure: str = "centre"
    outline: np.ndarray | None = None

    def polygons(self) -> np.ndarray:
        """The cells' vertices, shape (K, 6, 2) or (K, 4, 2), in canvas pixels."""
        return self.centers[:, None, :] + self.hexagon[None, :, :]


class DesignList(Sequence[str]):
    """Design ids of an index at some positions (all, or a search's matches), in index
    order: a read-only sequence backed by Arrow and NumPy arrays, never a Python list of
    millions of strings. Compares equal to a list of the same ids."""

    def __init__(self, index: DesignIndex | None, positions: np.ndarray | None = None) -> None:
        self.source = index
        #: positions in ``index.designs`` (ascending), or None for all of them
        self.positions = positions

    def __len__(self) -> int:
        if self.source is None:
            return 0
        return len(self.source) if self.positions is None else len(self.positions)

    def position(self, row: int) -> int:
        """The index position of row ``row`` of this list."""
        return row if self.positions is None else int(self.positions[row])

    def __getitem__(self, row):  # noqa: ANN001, ANN204 - int or slice, like a list
        if isinstance(row, slice):
            rows = range(len(self))[row]
            if self.source is None or not rows:
                return []
            import pyarrow as pa

            picked = [self.position(r) for r in rows]
            return self.source.designs.take(pa.array(picked, pa.int64())).to_pylist()
        n = len(self)
        if not -n <= row < n:
            raise IndexError("design list index out of range")
        return self.source.name(self.position(row % n))

    def __iter__(self) -> Iterator[str]:
        step = 1 << 16
        for start in range(0, len(self), step):
            yield from self[start : start + step]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DesignList) and other.source is self.source:
            import numpy as np

            return bool(np.array_equal(self._all(), other._all()))
        if isinstance(other, (list, tuple, DesignList)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    def _all(self) -> np.ndarray:
        import numpy as np

        return np.arange(len(self)) if self.positions is None else self.positions

    __hash__ = None  # mutable-looking sequence: not hashable, like a list

    def row_of(self, position: int | None) -> int | None:
        """The row of index position ``position`` in this list, or None."""
        if position is None or self.source is None:
            return None
        if self.positions is None:
            return position
        import numpy as np

        row = int(np.searchsorted(self.positions, position))
        found = row < len(self.positions) and self.positions[row] == position
        return row if found else None

    def index(self, design_id: str, *args: object) -> int:  # noqa: ARG002 - list's signature
        """The row of ``design_id``; ValueError when it is not listed."""
        row = self.row_of(self.source.position(design_id) if self.source else None)
        if row is None:
            raise ValueError(f"{design_id!r} is not in the list")
        return row

    def __contains__(self, design_id: object) -> bool:
        if not isinstance(design_id, str):
            return False
        return self.row_of(self.source.position(design_id) if self.source else None) is not None

    def __repr__(self) -> str:
        shown = self[:5]
        more = f", … {len(self) - 5:,} more" if len(self) > 5 else ""
        return f"DesignList({shown}{more})"


class ViewerModel:
    """A dataset in the viewer: which designs are listed, which one is shown, and how."""

    def __init__(
        self,
        table: LayerTable | None,
        taxonomy: Taxonomy | None = None,
        *,
        gridsize: int = 35,
        label: str = "sample",
        canvas: tuple[float, float] | None = None,
        compare_with: object = None,
        labels: tuple[str, str] | None = None,
    ) -> None:
        if table is not None and len(table) == 0:
            raise LayerheatError(f"{label}: no layers to show")
        #: the rows when given as a table (None when read from inputs through an index)
        self.table = table
        self.taxonomy = taxonomy or default_taxonomy()
        self.gridsize = gridsize
        self.label = label
        self.canvas = canvas
        #: what the heatmap engines read: the table, or the inputs and how to read them
        self._data: object = table
        self._read: dict = {}
        self.inputs: list[str] = []
        self.design_index: DesignIndex | None = None
        self.designs = DesignList(None)
        self.query = ""
        self.filtered = DesignList(None)
        self.current: str | None = None
        self._position: int | None = None  # of the current design in design_index
        self.hidden: set[int] = set()
        self.overlay_type: int | None = None
        self.overlay_opacity = 0.6
        self.overlay_measure = "centre"
        self._heatmaps: HeatmapSet | None = None
        self._coverage = None  # a CoverageMap, computed with the heatmaps
        self._scene: tuple[tuple, Scene] | None = None
        #: side B of the difference map (anything ``layerheat heatmaps`` reads), or None
        self.compare_with = compare_with
        self.labels = tuple(labels) if labels else ("A", "B")
        self._comparison: Comparison | None = None
        self._listeners: list[Callable[[str], None]] = []
        if table is not None:
            from .index import DesignIndex  # with the readers: not before the window shows

            self.set_index(DesignIndex.from_table(table, self.taxonomy))

    # -- the one "changed" signal -------------------------------------------------------
    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(what)`` after every change: ``"designs"`` (the listed designs),
        ``"design"`` (the one shown), ``"types"`` (shown types), ``"overlay"`` (overlay
        type or heatmaps), ``"opacity"`` or ``"loaded"`` (the design index is in).
        Nothing is sent when nothing changed."""
        self._listeners.append(listener)

    def _changed(self, what: str) -> None:
        for listener in list(self._listeners):
            listener(what)

    @classmethod
    def open(
        cls,
        inputs: list[str] | tuple[str, ...] = (),
        *,
        taxonomy: Taxonomy | None = None,
        canvas: tuple[float, float] | None = None,
        type_id: int | None = None,
        outside: str = "clip",
        compare_with: object = None,
        labels: tuple[str, str] | None = None,
    ) -> ViewerModel:
        """A model of ``inputs`` (none: the built-in sample) whose designs are not read
        yet: call :meth:`load` (slow: off the UI), then :meth:`set_index` with what it
        returns. Until then :attr:`loading` is true and no design is listed."""
        model = cls(
            None,
            taxonomy,
            label=", ".join(map(str, inputs)) if inputs else "built-in sample",
            canvas=canvas,
            compare_with=compare_with,
            labels=labels,
        )
        model.inputs = list(map(str, inputs))
        model._data = model.inputs or None
        model._read = {"type_id": type_id, "outside": outside}
        return model

    @classmethod
    def from_inputs(
        cls,
        inputs: list[str] | tuple[str, ...] = (),
        **options: object,
    ) -> ViewerModel:
        """Read ``inputs`` (none: the built-in sample) as ``layerheat heatmaps`` reads them:
        :meth:`open`, :meth:`load` and :meth:`set_index` in one call (options as for
        :meth:`open`). ``compare_with`` (side B, read when the difference map is first
        asked for) and ``labels`` (names of A and B) enable the difference overlay."""
        model = cls.open(inputs, **options)  # type: ignore[arg-type]
        model.set_index(model.load())
        return model

    @property
    def loading(self) -> bool:
        """Whether the designs are still being read (see :meth:`open`)."""
        return self.design_index is None

    def load(self, progress: Callable[[int, int], None] | None = None) -> DesignIndex:
        """Build the design index of the inputs (slow: call off the UI); raises
        LayerheatError for unusable inputs. ``progress(done, total)`` per row group."""
        from .index import DesignIndex, IndexOptions

        options = IndexOptions(self.taxonomy, self.canvas, **self._read)
        return DesignIndex.build(self.inputs, options, progress=progress, label=self.label)

    def set_index(self, index: DesignIndex) -> None:
        """Show the designs of ``index`` (from :meth:`load`); the first becomes current."""
        self.design_index = index
        self.designs = DesignList(index)
        self.filtered = DesignList(index)
        self.query = ""
        self._set_current(0)
        self._changed("loaded")
        self._changed("designs")
        self._changed("design")

    def _set_current(self, position: int | None) -> None:
        self._position = position
        index = self.design_index
        self.current = None if position is None or index is None else index.name(position)

    # -- designs ----------------------------------------------------------------------
    def layers(self, design_id: str | None = None) -> LayerTable:
        """The rows of one design (default: the current one), in table order."""
        design_id = self.current if design_id is None else design_id
        position = self._locate(design_id)
        if position is None:
            raise LayerheatError(f"design {design_id!r} not found; {self.suggest(design_id)}")
        return self.design_index.layers_of(position)

    def _locate(self, design_id: str | None) -> int | None:
        if self.design_index is None or design_id is None:
            return None
        if design_id == self.current:
            return self._position
        return self.design_index.position(design_id)

    def suggest(self, design_id: str | None, n: int = 3) -> str:
        """A hint naming a few designs that exist, the closest first."""
        import difflib

        if self.design_index is None:
            return "the designs are still being read"
        names = self.design_index.designs
        text = str(design_id)
        if len(names) > 50_000:  # difflib over millions is slow: ids sharing a prefix
            import pyarrow.compute as pc

            near = pc.starts_with(names, text[: max(len(text) - 2, 1)])
            names = names.filter(near).slice(0, 5000)
        close = difflib.get_close_matches(text, names.to_pylist(), n=n - 1, cutoff=0.6)
        shown = list(dict.fromkeys(close + self.designs[:n]))[:n]
        return f"{len(self.designs)} designs, e.g. {', '.join(shown)}"

    def select(self, design_id: str) -> str:
        """Show ``design_id``; raises LayerheatError naming a few that exist if unknown."""
        position = self._locate(design_id)
        if position is None:
            raise LayerheatError(f"design {design_id!r} not found; {self.suggest(design_id)}")
        if design_id != self.current:
            self._set_current(position)
            self._changed("design")
        return design_id

    def select_row(self, row: int) -> None:
        """Show the design at ``row`` of the filtered list."""
        if 0 <= row < len(self.filtered):
            position = self.filtered.position(row)
            if position != self._position:
                self._set_current(position)
                self._changed("design")

    def matches(self, query: str) -> DesignList:
        """The designs matching ``query`` (see :meth:`set_query`), without changing the
        model: slow on millions of designs the first time names are searched, so the
        window may call it off the UI and hand the result to :meth:`set_query`."""
        words = query.casefold().split()
        if not words or self.design_index is None:
            return DesignList(self.design_index)
        return DesignList(self.design_index, self.design_index.search(words))

    def set_query(self, query: str, found: DesignList | None = None) -> None:
        """List only designs matching ``query`` (``found``: :meth:`matches` of it).

        Every whitespace-separated word must occur (case-insensitively) in the design's
        id or in one of its layers' names. The current design stays if it still matches,
        otherwise the first match becomes current (None when nothing matches).
        """
        before = (self.filtered, self.current)
        self.query = query
        self.filtered = self.matches(query) if found is None else found
        if self.filtered.row_of(self._position) is None:
            self._set_current(self.filtered.position(0) if self.filtered else None)
        if self.filtered != before[0]:
            self._changed("designs")
        if self.current != before[1] or self.current is None:
            self._changed("design")

    def step(self, n: int) -> str | None:
        """Move ``n`` designs down (negative: up) the filtered list, stopping at its ends."""
        if not self.filtered:
            return None
        i = self.filtered.row_of(self._position)
        if i is None:
            i = 0 if n > 0 else len(self.filtered) - 1
            n = 0
        before = self.current
        self._set_current(self.filtered.position(min(max(i + n, 0), len(self.filtered) - 1)))
        if self.current != before:
            self._changed("design")
        return self.current

    @property
    def index(self) -> int | None:
        """Position of the current design in the filtered list."""
        return self.filtered.row_of(self._position)

    # -- types ------------------------------------------------------------------------
    def type_counts(self) -> list[TypeCount]:
        """Types with at least one layer in the dataset, in taxonomy order (none while
        loading)."""
        index = self.design_index
        if index is None:
            return []
        return [
            TypeCount(ltype, int(layers), int(designs))
            for ltype, layers, designs in zip(
                self.taxonomy, index.type_layers, index.type_designs, strict=True
            )
            if layers
        ]

    def set_type_visible(self, type_id: int, visible: bool) -> None:
        """Show or hide every layer of one type (in the picture and for hover)."""
        if visible == self.is_visible(type_id):
            return
        if visible:
            self.hidden.discard(type_id)
        else:
            self.hidden.add(type_id)
        self._changed("types")

    def is_visible(self, type_id: int) -> bool:
        """Whether layers of ``type_id`` are shown."""
        return type_id not in self.hidden

    # -- the picture ------------------------------------------------------------------
    def scene(self) -> Scene | None:
        """The current design drawn as ``layerheat render --no-legend`` draws it (cached)."""
        if self.current is None:
            return None
        key = (self.current, frozenset(self.hidden))
        if self._scene is None or self._scene[0] != key:
            from ..render import design_scene

            scene = design_scene(
                self.layers(),
                design_id=self.current,
                canvas=self.canvas,
                taxonomy=self.taxonomy,
                hidden=self.hidden,
                legend=False,
            )
            self._scene = (key, scene)
        return self._scene[1]

    def shape_at(self, x: float, y: float) -> Shape | None:
        """The top-most shown layer under canvas point (x, y) of the current design."""
        scene = self.scene()
        return scene.shape_at(x, y) if scene else None

    def describe(self, shape: Shape) -> str:
        """Hover text: name, type, box in pixels and in fractions of the canvas."""
        scene = self.scene()
        assert scene is not None
        cw, ch = scene.canvas
        x0, y0, x1, y1 = shape.box
        name = shape.name or "(unnamed)"
        if shape.is_point:
            return (
                f"{name} · {shape.type.label} · point ({x0:.0f}, {y0:.0f}) px · "
                f"({x0 / cw:.3f}, {y0 / ch:.3f}) of canvas"
            )
        return (
            f"{name} · {shape.type.label} · box ({x0:.0f}, {y0:.0f})–({x1:.0f}, {y1:.0f}) px, "
            f"{x1 - x0:.0f} × {y1 - y0:.0f} · ({x0 / cw:.3f}, {y0 / ch:.3f})–"
            f"({x1 / cw:.3f}, {y1 / ch:.3f}) of canvas"
        )

    def status(self) -> str:
        """One line about the current design: id, position, layers shown, canvas size."""
        scene = self.scene()
        if self.loading:
            return f"reading {self.label}…"
        if scene is None:
            return f"no design matches {self.query!r}"
        i = self.index
        pos = f"{i + 1:,} of {len(self.filtered):,}" if i is not None else ""
        cw, ch = scene.canvas
        total = int(self.design_index.layers[self._position])
        return (
            f"{self.current} · {pos} · {len(scene.shapes)} of {total} layers shown · "
            f"canvas {cw:.0f} × {ch:.0f} px"
        )

    # -- heatmap overlay --------------------------------------------------------------
    @property
    def heatmaps_ready(self) -> bool:
        """Whether the dataset's heatmaps have been computed."""
        return self._heatmaps is not None

    def compute_heatmaps(self, progress: Callable[[int], None] | None = None) -> HeatmapSet:
        """The dataset's centre heatmaps and coverage maps in the canvas frame, in one
        read, computed once (slow: call off the UI); returns the heatmaps."""
        if self._heatmaps is None:
            from ..heatmap import measure

            result = measure(
                self._data,
                ("centre", "coverage"),
                gridsize=self.gridsize,
                resolution=COVERAGE_RESOLUTION,
                taxonomy=self.taxonomy,
                canvas=self.canvas,
                progress=progress,
                **self._read,
            )
            self._coverage = result.coverage
            self._heatmaps = result.centres
        return self._heatmaps

    def set_heatmaps(self, hs: HeatmapSet) -> None:
        """Store heatmaps computed elsewhere (e.g. in a worker thread)."""
        self._heatmaps = hs
        self._changed("overlay")

    def set_overlay(self, type_id: int | None) -> None:
        """Lay ``type_id``'s heatmap under the design (None: none)."""
        if type_id != self.overlay_type:
            self.overlay_type = type_id
            self._changed("overlay")

    # -- the difference map -------------------------------------------------------------
    @property
    def has_comparison(self) -> bool:
        """Whether a second collection was given, so the difference map can be shown."""
        return self.compare_with is not None

    @property
    def comparison_ready(self) -> bool:
        """Whether the comparison with the second collection has been computed."""
        return self._comparison is not None

    def overlay_measures(self) -> tuple[str, ...]:
        """The maps this model can lay under a design (``difference`` only when comparing)."""
        return OVERLAY_MEASURES if self.has_comparison else OVERLAY_MEASURES[:2]

    def compute_comparison(self) -> Comparison:
        """Compare this collection (A) with ``compare_with`` (B) on the viewer's hexagon
        grid, without per-design scores; computed once (slow: call off the UI)."""
        if self._comparison is None:
            if self.compare_with is None:
                raise LayerheatError("no second collection to compare with; use --compare B")
            from ..compare import compare

            self._comparison = compare(
                self._data,
                self.compare_with,
                labels=self.labels,
                gridsize=self.gridsize,
                taxonomy=self.taxonomy,
                canvas=self.canvas,
                metrics=False,
                **self._read,
            )
        return self._comparison

    def set_comparison(self, comparison: Comparison) -> None:
        """Store a comparison computed elsewhere (e.g. in a worker thread)."""
        self._comparison = comparison
        self._changed("overlay")

    def set_overlay_measure(self, measure: str) -> None:
        """Show the centre heatmap (``"centre"``), the coverage map (``"coverage"``) or,
        with a second collection, the difference map (``"difference"``)."""
        if measure not in self.overlay_measures():
            raise LayerheatError(
                f"overlay {measure!r} unknown; use {' or '.join(self.overlay_measures())}"
                + ("" if self.has_comparison else " (difference needs --compare B)")
            )
        if measure != self.overlay_measure:
            self.overlay_measure = measure
            self._changed("overlay")

    def set_overlay_opacity(self, opacity: float) -> None:
        """Opacity of the overlay, 0..1."""
        if opacity != self.overlay_opacity:
            self.overlay_opacity = opacity
            self._changed("opacity")

    def export_scene(self) -> Scene:
        """The current design as ``layerheat render`` draws it (legend included), for
        "Export design"; raises LayerheatError when no design is shown."""
        if self.current is None:
            raise LayerheatError("no design is shown; clear the search first")
        from ..render import design_scene

        return design_scene(
            self.layers(),
            design_id=self.current,
            canvas=self.canvas,
            taxonomy=self.taxonomy,
            hidden=self.hidden,
        )

    def overlay(self, type_id: int | None = None) -> Overlay | None:
        """The overlay type's heatmap laid on the current design's canvas, or None.

        Needs :meth:`compute_heatmaps` first. Centre heatmaps are coloured with viridis,
        scaled to that type's largest count, as ``layerheat heatmaps --color-scale
        per-type`` shows them; coverage maps (``overlay_measure == "coverage"``) with
        magma, scaled to the type's peak, as ``heatmaps --measure coverage`` does, and
        more transparent where the cover is rare (alpha 0.2 at zero to 1 at the peak).
        The difference map (``"difference"``, needs :meth:`compute_comparison`) as
        :func:`layerheat.plot_compare.plot_differences` draws it: see
        :meth:`_difference_overlay`.
        """
        type_id = self.overlay_type if type_id is None else type_id
        scene = self.scene()
        if type_id is None or scene is None:
            return None
        if self.overlay_measure == "difference":
            return self._difference_overlay(type_id, scene.canvas)
        if self._heatmaps is None:
            return None
        if type_id not in self._heatmaps.types:
            raise LayerheatError(f"type {type_id} has no heatmap; pick one of the legend's types")
        if self.overlay_measure == "coverage" and self._coverage is not None:
            return self._coverage_overlay(type_id, scene.canvas)
        th = self._heatmaps[type_id]
        cw, ch = scene.canvas
        keep = th.counts > 0
        centers = th.grid.centers()[keep] * [cw, ch]
        hexagon = th.grid.hexagon() * [cw, ch]
        counts = th.counts[keep]
        vmax = max(int(th.max_count), 1)
        from matplotlib import colormaps

        colors = colormaps["viridis"](counts / vmax)
        return Overlay(th.type, centers, hexagon, colors, counts, int(th.max_count))

    def _coverage_overlay(self, type_id: int, canvas: tuple[float, float]) -> Overlay:
        """The coverage map of ``type_id`` as square cells on a canvas of size ``canvas``."""
        import numpy as np
        from matplotlib import colormaps

        cov = self._coverage
        slot = [t.id for t in cov.taxonomy].index(type_id)
        values = cov.coverage[slot]  # (ny, nx), y down
        ny, nx = values.shape
        cw, ch = canvas
        iy, ix = np.nonzero(values > 0)
        centers = np.column_stack(((ix + 0.5) / nx * cw, (iy + 0.5) / ny * ch))
        half = np.array([cw / nx / 2, ch / ny / 2])
        square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half
        shown = values[iy, ix]
        peak = float(values.max()) if values.size else 0.0
        colors = colormaps["magma"](shown / (peak or 1.0))
        colors[:, 3] = 0.2 + 0.8 * shown / (peak or 1.0)  # rare cover stays faint on the design
        return Overlay(cov.taxonomy[type_id], centers, square, colors, shown, peak, "coverage")

    def _difference_overlay(self, type_id: int, canvas: tuple[float, float]) -> Overlay | None:
        """Share B - share A of ``type_id`` per hexagon (hexagons where it is not 0).

        Coloured with ``plot_compare``'s diverging map (RdBu_r: blue where A has more,
        red where B has more) centred on 0 and scaled to the type's largest difference
        (at least 0.5 points); significant hexagons are opaque and outlined, the others
        faint (alpha :data:`FAINT_ALPHA`). None until the comparison is computed.
        """
        if self._comparison is None:
            return None
        t = next((t for t in self._comparison.types if t.type.id == type_id), None)
        if t is None:
            raise LayerheatError(f"type {type_id} is on neither side; pick one of the legend's")
        import numpy as np
        from matplotlib import colormaps, colors

        from ..plot_compare import DIFF_CMAP

        diff = t.diff
        keep = diff != 0
        cw, ch = canvas
        half = max(float(np.abs(diff).max()), 0.005)
        shown = diff[keep]
        rgba = colormaps[DIFF_CMAP](colors.CenteredNorm(0.0, half)(shown))
        significant = t.significant[keep]
        rgba[:, 3] = np.where(significant, 1.0, FAINT_ALPHA)
        return Overlay(
            t.type,
            t.grid.centers()[keep] * [cw, ch],
            t.grid.hexagon() * [cw, ch],
            rgba,
            shown,
            half,
            "difference",
            significant,
        )

    def overlay_caption(self) -> str:
        """What the overlay's colours mean, one line ("" without an overlay)."""
        overlay = self.overlay()
        if overlay is None:
            return ""
        if overlay.measure == "difference":
            a, b = self.labels
            n = int(overlay.outline.sum())
            return (
                f"share {b} − share {a}: red more in {b}, blue more in {a} "
                f"(±{overlay.max_count:.1%}); {n} significant hexagon(s) outlined"
            )
        if overlay.measure == "coverage":
            return f"magma: share of designs covering, 0 to {overlay.max_count:.0%}"
        return f"viridis: layers per hexagon, 1 to {overlay.max_count:,}"
