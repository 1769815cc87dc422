"""Counting distinct design ids exactly, in Arrow, across batches, parts and workers.

Measures that divide by or report a number of designs keep the ids they saw; a Python
set of millions of strings costs microseconds per layer and gigabytes, so the ids stay
Arrow string arrays, deduplicated by ``pyarrow.compute.unique`` when enough have piled
up (once the new ids outnumber the ones kept, so the work stays linear) and once more
at the end. Partials merge by concatenation, so the count is exact on
every engine.

A batch's ids are not hashed as they come: a design's layers are usually neighbours,
so only the first id of each run of equal neighbours is kept (one vectorised
comparison of every id with the one before it, about a third of the cost of hashing
them all); duplicates between runs, batches and parts are removed by the later
deduplications, so the count stays exact whatever the order of the rows. Where the
runs are short (ids not grouped by design), a batch's ids are deduplicated at once,
as before.

    >>> import pyarrow as pa
    >>> ids = DistinctIds()
    >>> ids.add(pa.array(["a", "b", "a"]))
    >>> other = DistinctIds()
    >>> other.add(pa.array(["b", "c"]))
    >>> ids.merge(other)
    >>> len(ids)
    3
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import LayerheatError

__all__ = ["COMPACT_IDS", "DistinctIds", "DistinctNumbers", "run_heads"]

#: ids kept before they are deduplicated again
COMPACT_IDS = 1 << 20


def run_heads(ids: pa.Array) -> pa.Array:
    """The ids (strings, no nulls) that differ from the id before them, and the first.

    >>> run_heads(pa.array(["a", "a", "b", "b", "a"])).to_pylist()
    ['a', 'b', 'a']
    """
    if len(ids) < 2:
        return ids
    rest = ids.slice(1)
    changed = pc.not_equal(rest, ids.slice(0, len(ids) - 1))
    return pa.concat_arrays([ids.slice(0, 1), rest.filter(changed)])


class DistinctIds:
    """A growing set of string ids, held as Arrow arrays."""

    def __init__(self) -> None:
        self._chunks: list[pa.Array] = []
        self._kept = 0  # distinct ids after the last deduplication
        self._pending = 0  # ids added since

    def add(self, ids: pa.Array | pa.ChunkedArray) -> None:
        """Take ``ids`` (duplicates allowed)."""
        for chunk in ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]:
            if chunk.type != pa.string():
                chunk = chunk.cast(pa.string())
            heads = chunk if chunk.null_count else run_heads(chunk)
            if len(heads) > len(chunk) // 2:  # ids not grouped: hashing them all is cheaper
                heads = pc.unique(heads)
            self._chunks.append(heads)
            self._pending += len(heads)
        self._maybe_compact()

    def merge(self, other: DistinctIds) -> None:
        """Take every id of ``other``."""
        self._chunks.extend(other._chunks)
        self._pending += other._kept + other._pending
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        if self._pending > max(COMPACT_IDS, self._kept):
            self._compact()

    def _compact(self) -> None:
        merged = pc.unique(pa.chunked_array(self._chunks, pa.string()))
        self._chunks = [merged]
        self._kept, self._pending = len(merged), 0

    def values(self) -> pa.Array:
        """The distinct ids, in order of first appearance."""
        self._compact()
        return self._chunks[0]

    def __len__(self) -> int:
        return len(self.values())


class DistinctNumbers:
    """A growing set of design numbers (integers in 0..``limit``-1), held as ranges.

    What :class:`DistinctIds` does for ids, for the ``design_number`` column of
    layerheat's own Parquet files: a compiled pass turns a batch's numbers into ranges
    of consecutive numbers (one per batch when the rows are grouped by design, as
    layerheat writes them), and the ranges are merged into disjoint ones when enough
    have piled up and at the end. Exact in any row order; a number outside
    0..``limit``-1, a null or a column that is not int32 is an error, never a count.

        >>> import pyarrow as pa
        >>> nums = DistinctNumbers(10, "f.parquet")
        >>> nums.add(pa.array([0, 0, 1, 1, 2, 5, 5], pa.int32()))
        >>> other = DistinctNumbers(10, "f.parquet")
        >>> other.add(pa.array([2, 3, 9], pa.int32()))
        >>> nums.merge(other)
        >>> len(nums)
        6
    """

    def __init__(self, limit: int, label: str) -> None:
        self.limit, self.label = limit, label
        self._starts: list[np.ndarray] = []
        self._stops: list[np.ndarray] = []
        self._kept = 0  # ranges after the last merge
        self._pending = 0  # ranges added since
        self._buffer = np.empty(0, np.int64), np.empty(0, np.int64)

    def add(self, numbers: pa.Array | pa.ChunkedArray) -> None:
        """Take a batch's ``design_number`` column (duplicates allowed)."""
        from ..binning.coverage_kernel import number_runs

        for chunk in numbers.chunks if isinstance(numbers, pa.ChunkedArray) else [numbers]:
            if chunk.type != pa.int32() or chunk.null_count:
                what = "missing numbers" if chunk.type == pa.int32() else f"type {chunk.type}"
                raise LayerheatError(f"{self.label}: column design_number has {what}; {_FIX}")
            values = chunk.to_numpy(zero_copy_only=True)
            if len(self._buffer[0]) < len(values):  # reused: most batches give one range
                self._buffer = np.empty(len(values), np.int64), np.empty(len(values), np.int64)
            starts, stops = self._buffer
            m = number_runs(values, self.limit, starts, stops)
            if m < 0:
                raise LayerheatError(
                    f"{self.label}: column design_number holds {values[-1 - m]}, outside "
                    f"0..{self.limit - 1} (the file says it has {self.limit:,} designs); "
                    f"{_FIX}"
                )
            self._starts.append(starts[:m].copy())
            self._stops.append(stops[:m].copy())
            self._pending += m
        self._maybe_compact()

    def __getstate__(self) -> dict:
        """Pickled (Dask sends partials) without the reusable buffer."""
        return {**self.__dict__, "_buffer": (np.empty(0, np.int64), np.empty(0, np.int64))}

    def merge(self, other: DistinctNumbers) -> None:
        """Take every number of ``other`` (the same file's numbering)."""
        self._starts.extend(other._starts)
        self._stops.extend(other._stops)
        self._pending += other._kept + other._pending
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        if self._pending > max(COMPACT_IDS // 16, self._kept):
            self._compact()

    def _compact(self) -> None:
        starts = np.concatenate(self._starts) if self._starts else np.empty(0, np.int64)
        stops = np.concatenate(self._stops) if self._stops else np.empty(0, np.int64)
        if len(starts) > 1:
            order = np.argsort(starts, kind="stable")
            starts, stops = starts[order], np.maximum.accumulate(stops[order])
            first = np.ones(len(starts), dtype=bool)
            first[1:] = starts[1:] > stops[:-1]  # a gap before it: a new range
            last = np.append(np.flatnonzero(first)[1:] - 1, len(starts) - 1)
            starts, stops = starts[first], stops[last]
        self._starts, self._stops = [starts], [stops]
        self._kept, self._pending = len(starts), 0

    def __len__(self) -> int:
        self._compact()
        return int((self._stops[0] - self._starts[0]).sum())


_FIX = (
    "the file is damaged or was edited after layerheat wrote it; drop its design_number "
    "column (designs are then counted by design_id) or write it again with layerheat"
)
