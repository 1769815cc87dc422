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

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["COMPACT_IDS", "DistinctIds", "run_heads"]

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
