"""One run over the input: sources opened once, any measures run on one engine.

Every command that measures (heatmaps, stats, compare, report) goes through here, so
they read, check and count rows the same way::

    >>> from layerheat.pipeline import Pipeline
    >>> from layerheat.measures.centres import CanvasCentres
    >>> with Pipeline(None) as pipe:                     # None: the built-in sample
    ...     total = pipe.run([CanvasCentres(pipe.taxonomy, 35, pipe.frame)])
    >>> report = pipe.report(total)
    >>> report.rows_used == int(total.partials[0].n.sum())
    True

``frame`` is the canvas figures are drawn in: the ``canvas`` option, else the most
frequent canvas size among the usable rows of the first batch that has any. A run may
take several passes (min-max scaling takes two); only the first pass counts rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .engines import Engine, PartResult, Progress, make_engine, run_measures
from .engines.base import CHECK_COLUMNS, checked_batches
from .errors import LayerheatError
from .readreport import ReadReport
from .sources import Inputs, Part, make_parts, open_sources, reader_report
from .taxonomy import Taxonomy, default_taxonomy
from .validate import Checked, CheckOptions, unknown_note

__all__ = ["Pipeline", "reference_canvas"]


class Pipeline:
    """Sources, parts, row checks and an engine for one run; a context manager."""

    def __init__(
        self,
        data: Inputs,
        *,
        taxonomy: Taxonomy | None = None,
        canvas: tuple[float, float] | None = None,
        type_id: int | None = None,
        outside: str = "clip",
        require_canvas: bool = True,
        progress: Progress | bool | None = None,
        passes: int = 1,
        dask: str | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        self.checks = CheckOptions(self.taxonomy, canvas, outside, require_canvas)
        self.sources = open_sources(data, type_id=type_id, taxonomy=self.taxonomy, canvas=canvas)
        self.parts: list[Part] = make_parts(self.sources)
        self._own_bar = None
        if progress is True:  # the API's progress=True: a bar of our own, even off a terminal
            from .progress import RowProgress

            progress = self._own_bar = RowProgress(force=True)
        elif progress not in (None, False) and not callable(progress):
            raise TypeError(f"progress= takes True or a callable, not {progress!r}")
        self.progress = progress or None
        self.passes = passes
        self._own_engine = engine is None
        self.engine = engine if engine is not None else make_engine(dask)
        self.frame: tuple[float, float] | None = None

    def __enter__(self) -> Pipeline:
        if self._own_engine:
            self.engine.__enter__()
        self._announce_total()
        self.frame = self.checks.canvas or first_canvas(self.parts, self.checks)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own_bar is not None:
            self._own_bar.close()
        if self._own_engine:
            self.engine.__exit__(*exc)

    def run(self, measures: Sequence, *, require_canvas: bool | None = None) -> PartResult:
        """Every measure over every part (one pass), merged in part order."""
        checks = self.checks
        if require_canvas is not None and require_canvas != checks.require_canvas:
            checks = CheckOptions(checks.taxonomy, checks.canvas, checks.outside, require_canvas)
        return run_measures(self.engine, self.parts, measures, checks, self.progress)

    def report(self, total: PartResult) -> ReadReport:
        """The run's accounting: the readers' own report plus the rows of ``total`` (a
        first pass), with one unknown-type note per input. Raises LayerheatError when
        no row was usable."""
        report = reader_report(self.sources)
        report.merge(total.report)
        labels = {p.source: p.label for p in self.parts}
        for source in sorted(total.unknown):
            report.notes.append(unknown_note(labels[source], total.unknown[source]))
        if report.rows_used == 0:
            files = f" ({report.skipped_files_text()})" if report.files_skipped else ""
            raise LayerheatError(f"no usable layer rows in the input ({report.summary()}){files}")
        return report

    def _announce_total(self) -> None:
        """Tell ``progress`` (if it has ``add_total``) how many rows to expect: exact from
        Parquet metadata, estimated for a CSV from its size and its first lines."""
        add_total = getattr(self.progress, "add_total", None)
        if add_total is None:
            return
        rows = [p.rows for p in self.parts]
        if None not in rows:
            add_total(sum(rows) * self.passes)
            return
        guesses = [p.expected_rows() for p in self.parts]
        if None not in guesses:
            add_total(sum(guesses) * self.passes, estimate=True)


def first_canvas(parts: Sequence[Part], checks: CheckOptions) -> tuple[float, float] | None:
    """Reference canvas of the first batch with usable rows that have a canvas size."""
    for part in parts:
        batches = checked_batches(part, checks, CHECK_COLUMNS)
        for checked in batches:
            found = _batch_canvas(checked)
            if found is not None:
                batches.close()
                return found
    return None


def _batch_canvas(checked: Checked) -> tuple[float, float] | None:
    keep = checked.kept()
    if not keep.any():
        return None
    w, h = checked.width[keep], checked.height[keep]
    has = ~(np.isnan(w) | np.isnan(h))
    if not has.any():
        return None
    return reference_canvas(w[has], h[has])


def reference_canvas(width: np.ndarray, height: np.ndarray) -> tuple[float, float]:
    """The most frequent canvas size among rows: the frame figures are drawn in."""
    if len(width) and (width == width[0]).all() and (height == height[0]).all():
        return float(width[0]), float(height[0])
    pairs, counts = np.unique(np.stack([width, height], axis=1), axis=0, return_counts=True)
    best = pairs[np.argmax(counts)]
    return float(best[0]), float(best[1])
