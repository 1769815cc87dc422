"""How unusual is each design's placement: per design, the mean surprise of its layers.

Given the centre heatmaps of a collection, a layer whose centre falls in hexagon ``k`` of
its type's map gets the surprise ``-ln(share)``, where ``share`` is the fraction of that
type's layers whose centres fall in ``k`` (never zero: the layer itself is one of them).
A design's score is the mean surprise of its usable layers; per (design, type) the mean
over that type's layers says whether the design places that type typically (low) or
unusually (high). Partials are sums and counts per (design, type), so every engine gives
the same scores (docs/measures.md).

    >>> from layerheat.heatmap import heatmaps
    >>> from layerheat.pipeline import Pipeline
    >>> hs = heatmaps(None, gridsize=20)
    >>> with Pipeline(None) as pipe:
    ...     total = pipe.run([PlacementScores.of(hs)])
    >>> scores = total.partials[0].result()
    >>> scores.designs().num_rows
    3000
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..binning.hexgrid import hex_bin_index
from ..binning.reference import kept_boxes
from ..errors import LayerheatError
from ..taxonomy import Taxonomy

__all__ = ["PlacementScores", "PlacementScoresAccumulator", "Scores"]


@dataclass(frozen=True)
class PlacementScores:
    """The measure: surprise ``-ln(share)`` per layer, summed per (design, type)."""

    taxonomy: Taxonomy
    grid: tuple  # HexGrid.params() of the centre maps (canvas fractions)
    surprise: np.ndarray = field(repr=False)  # (n_types, n_hexagons); inf where share is 0
    columns: tuple[str, ...] = ("design_id",)

    @classmethod
    def of(cls, heatmap_set) -> PlacementScores:  # noqa: ANN001 - a canvas-frame HeatmapSet
        """The measure for the centre heatmaps ``heatmap_set`` (scale canvas)."""
        if heatmap_set.scale != "canvas":
            raise LayerheatError("placement scores need canvas-frame heatmaps (--scale canvas)")
        tax = heatmap_set.taxonomy
        maps = [heatmap_set.types[t.id] for t in tax]
        counts = np.stack([m.counts for m in maps]).astype(np.float64)
        totals = counts.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            surprise = -np.log(counts / np.where(totals > 0, totals, 1.0))
        return cls(tax, maps[0].grid.params(), surprise)

    def accumulator(self) -> PlacementScoresAccumulator:
        return PlacementScoresAccumulator(self)


@dataclass
class Scores:
    """Sums and counts of surprise per (design, type); tables of means."""

    taxonomy: Taxonomy
    design: np.ndarray  # object array of design ids
    slot: np.ndarray  # type position in the taxonomy
    total: np.ndarray  # sum of surprise
    layers: np.ndarray  # number of layers

    def designs(self) -> pa.Table:
        """Per design: ``design_id, layers, score`` (mean surprise), highest score first."""
        frame = self.frame.groupby("design_id", sort=True)[["total", "layers"]].sum()
        frame["score"] = frame["total"] / frame["layers"]
        frame = frame.sort_values(["score", "design_id"], ascending=[False, True], kind="stable")
        frame = frame.reset_index()[["design_id", "layers", "score"]]
        return pa.Table.from_pandas(frame, preserve_index=False)

    def per_type(self, type_id: int) -> pa.Table:
        """Per design having ``type_id``: ``design_id, layers, score``, lowest first."""
        frame = self.frame
        frame = frame[frame["type_id"] == type_id].copy()
        frame["score"] = frame["total"] / frame["layers"]
        frame = frame.sort_values(["score", "design_id"], kind="stable")
        return pa.Table.from_pandas(
            frame[["design_id", "layers", "score"]].reset_index(drop=True), preserve_index=False
        )

    @cached_property
    def frame(self):  # noqa: ANN201 - a pandas DataFrame
        """One row per (design, type): surprise total and layers (built once)."""
        import pandas as pd

        ids = np.array([t.id for t in self.taxonomy], dtype=np.int64)
        return pd.DataFrame(
            {
                "design_id": self.design,
                "type_id": ids[self.slot] if len(self.slot) else np.zeros(0, np.int64),
                "total": self.total,
                "layers": self.layers,
            }
        )


class PlacementScoresAccumulator:
    """Partial sums of :class:`PlacementScores` keyed by (design, type)."""

    def __init__(self, measure: PlacementScores) -> None:
        self.measure = measure
        self.sums: dict[tuple[str, int], list] = {}

    def add(self, batch) -> None:  # noqa: ANN001 - a validate.Checked
        """Score the usable rows of one checked batch and add them per (design, type)."""
        if batch.design is None:
            raise LayerheatError(
                "placement scores need design ids (a design_id column); the input has none"
            )
        keep = batch.slots >= 0
        if not keep.any():
            return
        slots, (x0, y0, x1, y1), w, h = kept_boxes(*batch.kernel_args())
        bins = hex_bin_index((x0 + x1) / 2.0 / w, (y0 + y1) / 2.0 / h, *self.measure.grid)
        surprise = self.measure.surprise[slots, bins]
        design = pc.filter(batch.design, pa.array(keep)).to_numpy(zero_copy_only=False)
        table = pa.table({"d": design, "t": slots, "s": surprise})
        grouped = table.group_by(["d", "t"], use_threads=False).aggregate(
            [("s", "sum"), ("s", "count")]
        )
        for d, t, s, n in zip(*(grouped.column(c).to_pylist() for c in grouped.column_names)):
            entry = self.sums.setdefault((d, t), [0.0, 0])
            entry[0] += s
            entry[1] += n

    def merge(self, other: PlacementScoresAccumulator) -> None:
        for key, (s, n) in other.sums.items():
            entry = self.sums.setdefault(key, [0.0, 0])
            entry[0] += s
            entry[1] += n

    def result(self) -> Scores:
        keys = list(self.sums)
        values = np.array([self.sums[k] for k in keys], dtype=np.float64).reshape(-1, 2)
        design = np.array([k[0] for k in keys], dtype=object)
        slot = np.array([k[1] for k in keys], dtype=np.int64)
        return Scores(
            self.measure.taxonomy, design, slot, values[:, 0], values[:, 1].astype(np.int64)
        )
