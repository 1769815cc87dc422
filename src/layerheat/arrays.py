"""Arrow columns as NumPy arrays, without going through pyarrow's pandas bridge.

``pyarrow.Array.to_numpy`` converts through pyarrow's pandas layer, which imports pandas
(a quarter of a second) the first time it runs, even for a plain float column. A column
of fixed-width numbers without nulls is a buffer NumPy can view directly; this module
does that, and leaves every other column to ``to_numpy``::

    >>> import pyarrow as pa
    >>> numbers(pa.chunked_array([[1.5, 2.5]])).tolist()
    [1.5, 2.5]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

__all__ = ["arrow", "column", "numbers"]

_DTYPES = {
    pa.float64(): np.dtype(np.float64),
    pa.float32(): np.dtype(np.float32),
    pa.int64(): np.dtype(np.int64),
    pa.int32(): np.dtype(np.int32),
    pa.int16(): np.dtype(np.int16),
    pa.int8(): np.dtype(np.int8),
    pa.uint64(): np.dtype(np.uint64),
    pa.uint32(): np.dtype(np.uint32),
    pa.uint16(): np.dtype(np.uint16),
    pa.uint8(): np.dtype(np.uint8),
}


def numbers(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The column as a NumPy array: a read-only view of Arrow's buffer (no copy) for one
    chunk of fixed-width numbers without nulls; ``to_numpy`` for anything else."""
    dtype = _DTYPES.get(column.type)
    if isinstance(column, pa.ChunkedArray):
        if dtype is not None and column.num_chunks == 0:
            return np.empty(0, dtype=dtype)
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if dtype is None or column.null_count:
        return column.to_numpy(zero_copy_only=False)
    data = column.buffers()[1]
    if data is None:  # pragma: no cover - a length-0 array may have no buffer
        return np.empty(0, dtype=dtype)
    start = column.offset * dtype.itemsize
    view = np.frombuffer(data, dtype=dtype, count=len(column), offset=start)
    view.flags.writeable = False  # Arrow's memory is immutable, as to_numpy's views are
    return view


def arrow(values: np.ndarray | Sequence[str]) -> pa.Array:
    """A 1-D NumPy array of fixed-width numbers, or a sequence of strings, as an Arrow
    array built from buffers (``pa.array`` would import pandas to ask whether the values
    are a pandas Series)."""
    if isinstance(values, np.ndarray):
        data = np.ascontiguousarray(values)
        kind = pa.from_numpy_dtype(data.dtype)
        if kind not in _DTYPES or data.ndim != 1:
            raise TypeError(f"arrow() takes 1-D numbers, not {data.dtype} x {data.ndim}")
        return pa.Array.from_buffers(kind, len(data), [None, pa.py_buffer(data)])
    encoded = [str(v).encode("utf-8") for v in values]
    data = b"".join(encoded)
    wide = len(data) >= 2**31  # 32-bit offsets hold up to 2 GiB of text
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64 if wide else np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    kind = pa.large_string() if wide else pa.string()
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(kind, len(encoded), buffers)


def column(values: object) -> pa.Array | pa.ChunkedArray:
    """Any column value as Arrow: :func:`arrow` where it applies (1-D NumPy numbers, a
    list of strings), Arrow as it is, ``pa.array`` for the rest."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype in _DTYPES.values():
        return arrow(values)
    if isinstance(values, (list, tuple)) and all(type(v) is str for v in values):
        return arrow(values)
    return pa.array(values)
