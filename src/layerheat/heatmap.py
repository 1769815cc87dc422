"""HeatmapSet: per-type hexagon counts plus the grid geometry, computed from layers.

    >>> from layerheat import heatmaps
    >>> hs = heatmaps()                      # the built-in sample, canvas frame
    >>> hs[30].n_layers > 0, hs[30].counts.sum() == hs[30].n_layers
    (True, True)
    >>> frame = hs.to_frame()                # type_id, type_name, x, y, count

Inputs stream batch by batch (Arrow record batches), so memory does not grow with the
number of layers. ``scale="canvas"`` bins every type on one grid over canvas fractions;
``scale="minmax"`` reproduces the source: per type, centres min-max scaled and binned on
the grid matplotlib's ``hexbin(x, y, gridsize)`` would choose for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .binning import HexGrid, count_hex, count_hex_typed
from .errors import LayerheatError
from .io import Source, open_sources
from .normalize import SCALES, MinMax, canvas_fractions, centres_px
from .report import ReadReport
from .table import LayerTable
from .taxonomy import LayerType, Taxonomy, default_taxonomy
from .validate import HAS_AREA, clean

#: columns a heatmap needs from a source (others are never read)
NEEDED_COLUMNS = (
    "type_id",
    "xmin",
    "ymin",
    "xmax",
    "ymax",
    "canvas_width",
    "canvas_height",
    HAS_AREA,
)


@dataclass
class TypeHeatmap:
    """One layer type's hexagon counts on its grid, with layer count and mean size."""

    type: LayerType
    grid: HexGrid
    counts: np.ndarray
    n_layers: int = 0
    mean_width: float = float("nan")
    mean_height: float = float("nan")
    scaler_x: MinMax | None = None
    scaler_y: MinMax | None = None

    @property
    def max_count(self) -> int:
        return int(self.counts.max()) if self.counts.size else 0


@dataclass
class HeatmapSet:
    """Heatmaps of every type of a taxonomy (empty types included), in one frame."""

    scale: str
    gridsize: int
    taxonomy: Taxonomy
    types: dict[int, TypeHeatmap]
    canvas: tuple[float, float] | None = None
    report: ReadReport = field(default_factory=ReadReport)

    def __getitem__(self, type_id: int) -> TypeHeatmap:
        return self.types[type_id]

    def __iter__(self) -> Iterator[TypeHeatmap]:
        return iter(self.types.values())

    def __len__(self) -> int:
        return len(self.types)

    @property
    def n_layers(self) -> int:
        return sum(t.n_layers for t in self)

    @property
    def max_count(self) -> int:
        return max((t.max_count for t in self), default=0)

    def present(self) -> list[TypeHeatmap]:
        """Types with at least one layer."""
        return [t for t in self if t.n_layers]

    def to_arrow(self) -> pa.Table:
        """One row per hexagon of every type: type_id, type_name, x, y, count.

        x, y are the hexagon centre in the frame used (canvas fractions or min-max
        units), y growing downward as in the canvas; zero-count hexagons included.
        """
        parts = []
        for t in self:
            centres = t.grid.centers()
            n = len(centres)
            parts.append(
                pa.table(
                    {
                        "type_id": pa.array(np.full(n, t.type.id, dtype=np.int16)),
                        "type_name": pa.array([t.type.name] * n, type=pa.string()),
                        "x": pa.array(centres[:, 0]),
                        "y": pa.array(centres[:, 1]),
                        "count": pa.array(t.counts.astype(np.int64)),
                    }
                )
            )
        return pa.concat_tables(parts)

    def to_frame(self):  # noqa: ANN201 - returns a pandas DataFrame
        """:meth:`to_arrow` as a pandas DataFrame."""
        return self.to_arrow().to_pandas()

    def write_bins(self, path: str | Path) -> Path:
        """Write :meth:`to_arrow` as CSV, atomically."""
        import pyarrow.csv as pacsv

        from .outputs import atomic_path

        path = Path(path)
        with atomic_path(path) as tmp:
            pacsv.write_csv(self.to_arrow(), tmp)
        return path


# -- the pipeline ------------------------------------------------------------------------
Progress = Callable[[int], None]


def heatmaps(
    data: LayerTable | str | Path | Sequence[str | Path] | None = None,
    *,
    scale: str = "canvas",
    gridsize: int = 35,
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    type_id: int | None = None,
    outside: str = "clip",
    progress: Progress | None = None,
) -> HeatmapSet:
    """Heatmaps of every type from a LayerTable, input path(s), or the sample (None).

    ``scale`` is ``"canvas"`` or ``"minmax"``; ``gridsize`` the number of hexagons
    across, as matplotlib's ``gridsize``; ``canvas`` a (width, height) for data without
    one; ``type_id`` the type of headerless x,y files; ``progress`` is called with the
    number of rows after each batch.
    """
    if scale not in SCALES:
        raise LayerheatError(f"--scale {scale!r} unknown; use canvas or minmax")
    if not isinstance(gridsize, int) or gridsize < 1:
        raise LayerheatError(f"--gridsize {gridsize!r} must be a positive whole number")
    taxonomy = taxonomy or default_taxonomy()
    sources = _as_sources(data, type_id=type_id, taxonomy=taxonomy)
    report = ReadReport()
    batches = _clean_batches(
        sources,
        taxonomy=taxonomy,
        canvas=canvas,
        outside=outside,
        require_canvas=scale == "canvas",
        report=report,
        progress=progress,
    )
    if scale == "canvas":
        result = _canvas_heatmaps(batches, taxonomy, gridsize, canvas)
    else:
        result = _minmax_heatmaps(sources, batches, taxonomy, gridsize, canvas, outside)
    result.report = report
    if result.n_layers == 0:
        raise LayerheatError(f"no usable layer rows in the input ({report.summary()})")
    return result


def _as_sources(data, *, type_id: int | None, taxonomy: Taxonomy) -> list[Source]:  # noqa: ANN001
    if isinstance(data, LayerTable):
        table = data.arrow
        return [
            Source(
                "table",
                "table",
                True,
                lambda columns=None: iter(
                    [table.select([c for c in columns if c in table.column_names])]
                    if columns
                    else [table]
                ),
            )
        ]
    if data is None:
        inputs: list = []
    elif isinstance(data, (str, Path)):
        inputs = [data]
    else:
        inputs = list(data)
    return open_sources(inputs, type_id=type_id, taxonomy=taxonomy)


def _clean_batches(
    sources: Sequence[Source],
    *,
    taxonomy: Taxonomy,
    canvas: tuple[float, float] | None,
    outside: str,
    require_canvas: bool,
    report: ReadReport | None,
    progress: Progress | None = None,
) -> Iterator[pa.Table]:
    """Checked batches of all sources, counting into ``report`` (None: don't count)."""
    for source in sources:
        if report is not None and source.report is not None:
            report.files_skipped.extend(source.report.files_skipped)
            report.notes.extend(source.report.notes)
        for batch in source.batches(NEEDED_COLUMNS):
            table, batch_report = clean(
                batch,
                taxonomy=taxonomy,
                canvas=canvas,
                outside=outside,
                require_canvas=require_canvas,
                default_design=source.default_design,
                source=source.label,
            )
            if report is not None:
                report.merge(batch_report)
            if progress is not None:
                progress(batch_report.rows_read)
            if table.num_rows:
                yield table


def _columns(table: pa.Table, *names: str) -> list[np.ndarray]:
    return [table.column(n).to_numpy() for n in names]


def _type_index(taxonomy: Taxonomy) -> np.ndarray:
    """Lookup array: type id -> position in the taxonomy (ids outside it never arrive)."""
    lookup = np.full(max(taxonomy.ids) + 1, -1, dtype=np.int64)
    for i, type_id in enumerate(taxonomy.ids):
        lookup[type_id] = i
    return lookup


def _reference_canvas(first: pa.Table) -> tuple[float, float]:
    """The most frequent canvas size in a batch: the frame figures are drawn in."""
    w, h = _columns(first, "canvas_width", "canvas_height")
    pairs, counts = np.unique(np.stack([w, h], axis=1), axis=0, return_counts=True)
    best = pairs[np.argmax(counts)]
    return float(best[0]), float(best[1])


def _canvas_heatmaps(
    batches: Iterable[pa.Table],
    taxonomy: Taxonomy,
    gridsize: int,
    canvas: tuple[float, float] | None,
) -> HeatmapSet:
    n_types = len(taxonomy)
    lookup = _type_index(taxonomy)
    counts = None
    n = np.zeros(n_types, dtype=np.int64)
    sum_w = np.zeros(n_types)
    sum_h = np.zeros(n_types)
    grid = HexGrid.for_canvas(gridsize, *canvas) if canvas else None
    for table in batches:
        if grid is None:
            canvas = _reference_canvas(table)
            grid = HexGrid.for_canvas(gridsize, *canvas)
        if counts is None:
            counts = np.zeros((n_types, grid.size), dtype=np.int64)
        xmin, ymin, xmax, ymax, width, height = _columns(
            table, "xmin", "ymin", "xmax", "ymax", "canvas_width", "canvas_height"
        )
        tindex = lookup[table.column("type_id").to_numpy().astype(np.int64)]
        cx, cy, w, h = canvas_fractions(xmin, ymin, xmax, ymax, width, height)
        counts += count_hex_typed(grid, tindex, cx, cy, n_types)
        n += np.bincount(tindex, minlength=n_types)
        sum_w += np.bincount(tindex, weights=w, minlength=n_types)
        sum_h += np.bincount(tindex, weights=h, minlength=n_types)
    if grid is None:
        canvas = canvas or (1.0, 1.0)
        grid = HexGrid.for_canvas(gridsize, *canvas)
        counts = np.zeros((n_types, grid.size), dtype=np.int64)
    types = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, t in enumerate(taxonomy):
            types[t.id] = TypeHeatmap(
                t, grid, counts[i], int(n[i]), sum_w[i] / n[i], sum_h[i] / n[i]
            )
    return HeatmapSet("canvas", gridsize, taxonomy, types, canvas)


def _minmax_heatmaps(
    sources: Sequence[Source],
    first_pass: Iterable[pa.Table],
    taxonomy: Taxonomy,
    gridsize: int,
    canvas: tuple[float, float] | None,
    outside: str,
) -> HeatmapSet:
    # Pass 1: each type's min and max of box centres (the scaler's fit), and sizes.
    user_canvas = canvas
    lookup = _type_index(taxonomy)
    n_types = len(taxonomy)
    lo = np.full((n_types, 2), np.inf)
    hi = np.full((n_types, 2), -np.inf)
    n = np.zeros(n_types, dtype=np.int64)
    sum_w = np.zeros(n_types)
    sum_h = np.zeros(n_types)
    for table in first_pass:
        xmin, ymin, xmax, ymax, width, height = _columns(
            table, "xmin", "ymin", "xmax", "ymax", "canvas_width", "canvas_height"
        )
        tindex = lookup[table.column("type_id").to_numpy().astype(np.int64)]
        cx, cy = centres_px(xmin, ymin, xmax, ymax)
        for i in np.unique(tindex):
            m = tindex == i
            lo[i] = np.minimum(lo[i], [cx[m].min(), cy[m].min()])
            hi[i] = np.maximum(hi[i], [cx[m].max(), cy[m].max()])
        n += np.bincount(tindex, minlength=n_types)
        with np.errstate(invalid="ignore", divide="ignore"):
            sum_w += np.bincount(tindex, weights=(xmax - xmin) / width, minlength=n_types)
            sum_h += np.bincount(tindex, weights=(ymax - ymin) / height, minlength=n_types)
        if canvas is None and np.isfinite(width).any():
            canvas = _reference_canvas(table)

    scalers = []
    grids = []
    for i in range(n_types):
        if n[i]:
            sx, sy = MinMax(lo[i, 0], hi[i, 0]), MinMax(lo[i, 1], hi[i, 1])
            grid = HexGrid.from_extent(
                float(sx.transform(np.array([lo[i, 0]]))[0]),
                float(sx.transform(np.array([hi[i, 0]]))[0]),
                float(sy.transform(np.array([lo[i, 1]]))[0]),
                float(sy.transform(np.array([hi[i, 1]]))[0]),
                gridsize,
            )
        else:
            sx = sy = None
            grid = HexGrid.from_extent(0.0, 1.0, 0.0, 1.0, gridsize)
        scalers.append((sx, sy))
        grids.append(grid)

    # Pass 2: scale and bin each type on its own grid.
    counts = [np.zeros(g.size, dtype=np.int64) for g in grids]
    second_pass = _clean_batches(
        sources,
        taxonomy=taxonomy,
        canvas=user_canvas,
        outside=outside,
        require_canvas=False,
        report=None,
    )
    for table in second_pass:
        xmin, ymin, xmax, ymax = _columns(table, "xmin", "ymin", "xmax", "ymax")
        tindex = lookup[table.column("type_id").to_numpy().astype(np.int64)]
        cx, cy = centres_px(xmin, ymin, xmax, ymax)
        for i in np.unique(tindex):
            m = tindex == i
            sx, sy = scalers[i]
            counts[i] += count_hex(grids[i], sx.transform(cx[m]), sy.transform(cy[m]))

    types = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, t in enumerate(taxonomy):
            sx, sy = scalers[i]
            types[t.id] = TypeHeatmap(
                t, grids[i], counts[i], int(n[i]), sum_w[i] / n[i], sum_h[i] / n[i], sx, sy
            )
    return HeatmapSet("minmax", gridsize, taxonomy, types, canvas)
