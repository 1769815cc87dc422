"""What a measure is: a small picklable description that starts partial accumulators.

Every measure (centre counts, sizes, coverage, statistics, ...) follows datashader's
reductions: an engine asks the :class:`Measure` for an empty :class:`Accumulator` per
part, ``add``s the part's checked batches to it, and ``merge``s the partials in part
order; ``result()`` turns the total into the measure's result object. Partials are
exact (integer counts, sums added in a fixed order), so every engine gives the same
answer and no measure contains engine code.

    >>> from layerheat.measures.base import Measure
    >>> from layerheat.measures.centres import CanvasCentres
    >>> from layerheat.taxonomy import default_taxonomy
    >>> isinstance(CanvasCentres(default_taxonomy(), 35, (100.0, 50.0)), Measure)
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..validate import Checked

__all__ = ["Accumulator", "Measure"]


@runtime_checkable
class Accumulator(Protocol):
    """A measure's partial result over some rows; partials add up exactly."""

    def add(self, batch: Checked) -> None:
        """Take one checked batch (usable rows have ``slots >= 0``)."""

    def merge(self, other: Accumulator) -> None:
        """Add another partial of the same measure (a later part) to this one."""

    def result(self) -> object:
        """The measure's result from everything added and merged."""


@runtime_checkable
class Measure(Protocol):
    """Describes a measure; picklable, so engines can send it to workers."""

    #: input columns the measure reads besides the checked ones (e.g. ``design_id``)
    columns: tuple[str, ...]

    def accumulator(self) -> Accumulator:
        """An empty partial."""
