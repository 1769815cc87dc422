"""A 64-bit hash of every string of an Arrow string array (FNV-1a over its UTF-8 bytes).

Deterministic in every process (no per-run seed), so partials built on different Dask
workers agree. Used to split millions of design ids into buckets that are grouped one
at a time (equal ids share a bucket, so grouping stays exact; only the memory of one
bucket's hash table is needed at once).

    >>> import pyarrow as pa
    >>> h = string_hashes(pa.array(["a", "b", "a"]))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

__all__ = ["string_hashes"]


@njit(cache=True, nogil=True)
def _fnv1a(offsets, data, out):  # noqa: ANN001, ANN202
    for i in range(out.shape[0]):
        h = np.uint64(14695981039346656037)
        for j in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[j])) * np.uint64(1099511628211)
        out[i] = h


def string_hashes(ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """uint64 FNV-1a hash of each string of ``ids`` (type string; nulls hash as '')."""
    chunks = ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]
    out = np.empty(len(ids), dtype=np.uint64)
    start = 0
    for chunk in chunks:
        n = len(chunk)
        if n:
            _, offsets, data = chunk.buffers()
            offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + n + 1]
            data = (
                np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
            )
            _fnv1a(offsets, data, out[start : start + n])
        start += n
    return out
