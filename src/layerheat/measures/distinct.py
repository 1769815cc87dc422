"""Counting distinct design ids exactly, in Arrow, across batches, parts and workers.

Measures that divide by or report a number of designs keep the ids they saw; a Python
set of millions of strings costs microseconds per layer and gigabytes, so the ids stay
Arrow string arrays, deduplicated by ``pyarrow.compute.unique`` when enough have piled
up (once the new ids outnumber the ones kept, so the work stays linear) and once more
at the end. Partials merge by concatenation, so the count is exact on
every engine.

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

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["COMPACT_IDS", "DistinctIds"]

#: ids kept before they are deduplicated again
COMPACT_IDS = 1 << 20


class DistinctIds:
    """A growing set of string ids, held as Arrow arrays."""

    def __init__(self) -> None:
        self._chunks: list[pa.Array] = []
        self._kept = 0  # distinct ids after the last deduplication
        self._pending = 0  # ids added since

    def add(self, ids: pa.Array | pa.ChunkedArray) -> None:
        """Take ``ids`` (duplicates allowed)."""
        ids = pc.unique(ids)
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        self._chunks.append(ids if ids.type == pa.string() else ids.cast(pa.string()))
        self._pending += len(ids)
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
