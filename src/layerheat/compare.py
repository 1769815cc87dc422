"""Compare two collections: where on the canvas each layer type differs, and by how much.

    >>> from layerheat.compare import compare
    >>> from layerheat.sample import sample_layers, sample_variant
    >>> c = compare(sample_layers(), sample_variant("logo-right"))   # doctest: +SKIP
    >>> c.types[0].type.id                                            # doctest: +SKIP
    70

Both sides are binned on the same hexagon grid (canvas frame). Per type:

* shares per hexagon (count / the side's layers of the type) and their difference
  (share B - share A);
* a pooled two-proportion z-test per hexagon (hexagons with layers on either side),
  with Benjamini-Hochberg q-values; hexagons with q <= ``fdr`` are significant;
* the Jensen-Shannon divergence of the two share distributions, log base 2 (0..1;
  equal to ``scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2``); NaN when only
  one side has the type;
* Wasserstein-1 distances of centre x, centre y, width and height (canvas fractions)
  from the fixed-resolution histograms of :mod:`layerheat.measures.marginals`;
* layer and design counts per side.

:func:`compare_sets` does the math on two HeatmapSets and two Marginals and knows no
engine; :func:`compare` is the (provisional) driver from inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .binning import HexGrid
from .engines import Engine
from .errors import LayerheatError
from .measures.centres import HeatmapSet
from .measures.marginals import Marginals
from .sources import Inputs
from .table import LayerTable
from .taxonomy import LayerType, Taxonomy, default_taxonomy

__all__ = [
    "SUMMARY_COLUMNS",
    "Comparison",
    "TypeComparison",
    "bh_qvalues",
    "compare",
    "compare_sets",
    "js_divergence",
    "two_proportion_pvalues",
]

SUMMARY_COLUMNS = [
    "type_id",
    "type_name",
    "n_a",
    "n_b",
    "designs_a",
    "designs_b",
    "js_divergence",
    "w1_cx",
    "w1_cy",
    "w1_w",
    "w1_h",
]
#: rows per batch fed to the marginal histograms by the provisional driver


def js_divergence(counts_a: np.ndarray, counts_b: np.ndarray) -> float:
    """Jensen-Shannon divergence, base 2, of two count vectors' share distributions."""
    na, nb = counts_a.sum(), counts_b.sum()
    if not na and not nb:
        return 0.0
    if not na or not nb:
        return float("nan")
    p, q = counts_a / na, counts_b / nb
    m = (p + q) / 2
    kl_p = np.sum(p[p > 0] * np.log2(p[p > 0] / m[p > 0]))
    kl_q = np.sum(q[q > 0] * np.log2(q[q > 0] / m[q > 0]))
    return float(max(0.0, (kl_p + kl_q) / 2))


def two_proportion_pvalues(ca: np.ndarray, na: int, cb: np.ndarray, nb: int) -> np.ndarray:
    """Two-sided p-values of the pooled two-proportion z-test per hexagon (1 if no data)."""
    from scipy.stats import norm

    ca, cb = np.asarray(ca, float), np.asarray(cb, float)
    if not na or not nb:
        return np.ones_like(ca)
    pooled = (ca + cb) / (na + nb)
    se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    diff = cb / nb - ca / na
    z = np.divide(diff, se, out=np.zeros_like(diff), where=se > 0)
    return np.where(se > 0, 2 * norm.sf(np.abs(z)), 1.0)


def bh_qvalues(p: np.ndarray, tested: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values over the ``tested`` entries; 1 elsewhere."""
    from scipy.stats import false_discovery_control

    q = np.ones_like(p, dtype=float)
    if tested.any():
        q[tested] = false_discovery_control(p[tested], method="bh")
    return q


@dataclass
class TypeComparison:
    """One type on both sides: counts, shares, tests per hexagon and divergences."""

    type: LayerType
    n_a: int
    n_b: int
    designs_a: int
    designs_b: int
    js: float
    w1: tuple[float, float, float, float]
    grid: HexGrid
    count_a: np.ndarray
    count_b: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    fdr: float

    def __repr__(self) -> str:
        return (
            f"TypeComparison({self.type.name} [{self.type.id}], {self.n_a:,} vs {self.n_b:,} "
            f"layers, JS {self.js:.3f} bits, {int(self.significant.sum())} of "
            f"{len(self.count_a)} hexagons differ at FDR {self.fdr:g})"
        )

    @property
    def centres(self) -> np.ndarray:
        """Hexagon centres (canvas fractions), in the grid's order."""
        return self.grid.centers()

    @property
    def share_a(self) -> np.ndarray:
        return self.count_a / self.n_a if self.n_a else np.zeros(len(self.count_a))

    @property
    def share_b(self) -> np.ndarray:
        return self.count_b / self.n_b if self.n_b else np.zeros(len(self.count_b))

    @property
    def diff(self) -> np.ndarray:
        """Share B minus share A per hexagon."""
        return self.share_b - self.share_a

    @property
    def significant(self) -> np.ndarray:
        """Hexagons whose difference is significant at the false discovery rate."""
        return self.q_value <= self.fdr


@dataclass
class Comparison:
    """Two sides compared per type, types ranked by JS divergence (NaN last)."""

    labels: tuple[str, str]
    a: HeatmapSet
    b: HeatmapSet
    types: list[TypeComparison]
    n_designs: tuple[int, int]
    fdr: float
    metrics: tuple[pa.Table, pa.Table] | None = None
    max_iou: tuple[float, int] | None = None
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        a, b = self.labels
        top = self.types[0] if self.types else None
        most = f", most different {top.type.name} (JS {top.js:.3f} bits)" if top else ""
        return (
            f"Comparison({a!r} vs {b!r}, {self.n_designs[0]:,} vs {self.n_designs[1]:,} "
            f"designs, {len(self.types)} types{most})"
        )

    def summary(self) -> pa.Table:
        """compare.csv: one row per type present on either side, ranked."""
        rows = [
            (t.type.id, t.type.name, t.n_a, t.n_b, t.designs_a, t.designs_b, t.js, *t.w1)
            for t in self.types
        ]
        return pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(SUMMARY_COLUMNS)})

    def bins(self) -> pa.Table:
        """compare-bins.csv: one row per hexagon of every compared type."""
        parts = []
        for t in self.types:
            n = len(t.count_a)
            parts.append(
                pa.table(
                    {
                        "type_id": pa.array(np.full(n, t.type.id, np.int16)),
                        "type_name": pa.array([t.type.name] * n, pa.string()),
                        "x": t.centres[:, 0],
                        "y": t.centres[:, 1],
                        "count_a": t.count_a.astype(np.int64),
                        "count_b": t.count_b.astype(np.int64),
                        "share_a": t.share_a,
                        "share_b": t.share_b,
                        "diff": t.diff,
                        "p_value": t.p_value,
                        "q_value": t.q_value,
                    }
                )
            )
        return pa.concat_tables(parts)

    def write(self, outdir: str | Path) -> list[Path]:
        """Write compare.csv, compare-bins.csv and scores.csv atomically; returns the paths."""
        import pyarrow.csv as pacsv

        from .outputs import atomic_path

        tables = {"compare.csv": self.summary(), "compare-bins.csv": self.bins()}
        tables["scores.csv"] = self.scores()
        written = []
        for name, table in tables.items():
            with atomic_path(Path(outdir) / name) as tmp:
                pacsv.write_csv(table, tmp)
            written.append(Path(outdir) / name)
        return written

    def scores(self) -> pa.Table:
        """scores.csv: per side, designs, layers, mean scores; Max IoU when computed."""
        from .metrics import VARIANTS

        rows = {"side": [], "label": [], "designs": [], "layers": []}
        for name in ("alignment", "overlap", "validity", "max_iou"):
            rows[name] = []
        for side, label, hs, n, m in zip(
            "ab", self.labels, (self.a, self.b), self.n_designs, self.metrics or (None, None)
        ):
            rows["side"].append(side)
            rows["label"].append(label)
            rows["designs"].append(n)
            rows["layers"].append(hs.n_layers)
            for name in ("alignment", "overlap", "validity"):
                rows[name].append(_mean(m, name))
            rows["max_iou"].append(self.max_iou[0] if self.max_iou else None)
        meta = {k: v.encode() for k, v in VARIANTS.items()}
        return pa.table(rows).replace_schema_metadata(meta)


def _mean(table: pa.Table | None, name: str) -> float | None:
    if table is None or not len(table):
        return None
    return float(np.nanmean(table.column(name).to_numpy()))


def _check_same_grid(hs_a: HeatmapSet, hs_b: HeatmapSet) -> None:
    if hs_a.scale != hs_b.scale or hs_a.gridsize != hs_b.gridsize:
        raise LayerheatError("the two sides must be binned with the same --scale and --gridsize")
    for ta in hs_a:
        tb = hs_b.types.get(ta.type.id)
        if tb is None or ta.grid.params() != tb.grid.params():
            raise LayerheatError(
                f"the two sides are binned on different hexagon grids (canvas {hs_a.canvas} "
                f"vs {hs_b.canvas}); compare needs one canvas shape on both sides for now"
            )


def compare_sets(
    hs_a: HeatmapSet,
    hs_b: HeatmapSet,
    marg_a: Marginals,
    marg_b: Marginals,
    fdr: float = 0.05,
    labels: Sequence[str] = ("A", "B"),
) -> Comparison:
    """Compare two HeatmapSets on one grid (and their marginal histograms) type by type."""
    if not 0 < fdr < 1:
        raise LayerheatError(f"--fdr {fdr} must be between 0 and 1")
    _check_same_grid(hs_a, hs_b)
    slots = {t.id: i for i, t in enumerate(hs_a.taxonomy)}
    compared = []
    for ta in hs_a:
        tb = hs_b[ta.type.id]
        ca, cb = ta.counts.astype(np.int64), tb.counts.astype(np.int64)
        na, nb = int(ca.sum()), int(cb.sum())
        if not na and not nb:
            continue
        slot = slots[ta.type.id]
        p = two_proportion_pvalues(ca, na, cb, nb)
        q = bh_qvalues(p, (ca + cb) > 0)
        w1 = tuple(marg_a.w1(marg_b, slot, k) for k in range(4))
        designs = marg_a.designs[slot], marg_b.designs[slot]
        compared.append(
            TypeComparison(
                ta.type, na, nb, *designs, js_divergence(ca, cb), w1, ta.grid, ca, cb,
                p, q, fdr,
            )
        )  # fmt: skip
    compared.sort(key=lambda t: (np.isnan(t.js), -np.nan_to_num(t.js), t.type.id))
    return Comparison(
        tuple(labels), hs_a, hs_b, compared, (marg_a.n_designs, marg_b.n_designs), fdr
    )


# -- the driver: both sides through the pipeline, on one grid --------------------------------
def compare(
    a: Inputs,
    b: Inputs,
    *,
    labels: Sequence[str] = ("A", "B"),
    gridsize: int = 35,
    scale: str = "canvas",
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    type_id: int | None = None,
    outside: str = "clip",
    fdr: float = 0.05,
    metrics: bool = True,
    max_iou: bool = False,
    dask: str | None = None,
    engine: Engine | None = None,
) -> Comparison:
    """Read both sides, bin them on one canvas grid, and compare (see :func:`compare_sets`).

    ``scale="canvas"`` bins both sides in canvas fractions on the grid of A's reference
    canvas; ``scale="minmax"`` min-max scales both sides per type with the extents of
    the union of both sides (the source's method, one frame for the two), so their
    hexagons line up too. ``metrics`` adds the
    per-design scores of each side, ``max_iou`` the Maximum IoU between the sides;
    both need each side's layers in memory, so the sides are then read whole once.
    ``dask`` / ``engine`` choose the engine, as for :func:`layerheat.heatmaps`.
    """
    from . import metrics as scores

    if scale not in ("canvas", "minmax"):
        raise LayerheatError(f"--scale {scale!r} unknown; use canvas or minmax")
    taxonomy = taxonomy or default_taxonomy()
    opts = {"taxonomy": taxonomy, "canvas": canvas, "type_id": type_id, "outside": outside}
    sides: list = [a, b]
    if metrics or max_iou:
        sides = [_read_side(side, **opts) for side in sides]
    if scale == "minmax":
        sets, margs = _minmax_sides(sides, gridsize, (dask, engine), **opts)
    else:
        frame = None
        sets, margs = [], []
        for side in sides:
            hs, marg, frame = _measure_side(side, gridsize, frame, (dask, engine), **opts)
            sets.append(hs)
            margs.append(marg)
    result = compare_sets(*sets, *margs, fdr=fdr, labels=labels)
    if metrics:
        result.metrics = tuple(scores.design_metrics(t, taxonomy=taxonomy) for t in sides)
    if max_iou:
        result.max_iou = scores.max_iou(*sides, taxonomy=taxonomy)
    return result


def _measure_side(side, gridsize, frame, engines, *, taxonomy, canvas, type_id, outside):  # noqa: ANN001, ANN202
    """One side's HeatmapSet (on the grid of ``frame``, else its own) and marginals."""
    from .measures.centres import CanvasCentres
    from .measures.marginals import MarginalsMeasure
    from .pipeline import Pipeline

    dask, engine = engines
    pipe = Pipeline(
        side,
        taxonomy=taxonomy,
        canvas=canvas,
        type_id=type_id,
        outside=outside,
        dask=dask,
        engine=engine,
    )
    with pipe:
        frame = frame or pipe.frame
        total = pipe.run([CanvasCentres(taxonomy, gridsize, frame), MarginalsMeasure(taxonomy)])
    centres, marginals = total.partials
    hs = centres.result()
    hs.report = pipe.report(total)
    return hs, marginals.result(), frame


def _minmax_sides(sides, gridsize, engines, *, taxonomy, canvas, type_id, outside):  # noqa: ANN001, ANN202
    """Both sides min-max scaled with the union of their per-type extents (two passes
    each): HeatmapSets on identical grids, and each side's marginals."""
    import contextlib
    import copy

    from .measures.centres import CentreExtents, MinMaxCentres, minmax_set
    from .measures.marginals import MarginalsMeasure
    from .pipeline import Pipeline

    dask, engine = engines
    options = {"taxonomy": taxonomy, "canvas": canvas, "type_id": type_id, "outside": outside}
    pipes = [Pipeline(s, require_canvas=False, dask=dask, engine=engine, **options) for s in sides]
    extents, margs, reports, sets = [], [], [], []
    with contextlib.ExitStack() as stack:
        for pipe in pipes:
            stack.enter_context(pipe)
            measures = [CentreExtents(taxonomy, gridsize, pipe.frame), MarginalsMeasure(taxonomy)]
            total = pipe.run(measures)
            extents.append(total.partials[0])
            margs.append(total.partials[1].result())
            reports.append(pipe.report(total))
        union = copy.deepcopy(extents[0])
        union.merge(extents[1])
        fits = tuple(union.result())
        for pipe, side_extents, report in zip(pipes, extents, reports, strict=True):
            counts = pipe.run([MinMaxCentres(taxonomy, fits)]).partials[0].result()
            side_extents.lo, side_extents.hi = union.lo, union.hi  # the union's frame
            hs = minmax_set(side_extents, counts)
            hs.report = report
            sets.append(hs)
    return sets, margs


def _read_side(data, *, taxonomy, canvas, type_id, outside) -> LayerTable:  # noqa: ANN001
    """One side as a checked LayerTable (a table as it is, paths read and checked)."""
    from .sources import read_layers

    if isinstance(data, LayerTable):
        return data
    if isinstance(data, pa.Table):
        return LayerTable(data)
    table, _ = read_layers(data, type_id=type_id, canvas=canvas, taxonomy=taxonomy, outside=outside)
    return table
