"""Layers per canvas size equal a plain count over the usable rows, in every case the
one-size shortcut has to tell apart (dropped rows of other sizes, a first row dropped)."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from layerheat import reasons
from layerheat.measures.canvases import CanvasSizes

SIZES = [(5906.0, 3543.0), (1080.0, 1080.0), (5906.0, 1080.0), (1080.0, 3543.0)]


def batch(size_index: np.ndarray, codes: np.ndarray, dtype: type = np.float64) -> SimpleNamespace:
    """The parts of a checked batch the measure reads (canvas columns as read: float64,
    or float32 from a float32 file)."""
    w = np.array([SIZES[i][0] for i in size_index], dtype=dtype)
    h = np.array([SIZES[i][1] for i in size_index], dtype=dtype)
    return SimpleNamespace(native_canvas=(w, h), codes=codes, kept=lambda: codes <= reasons.CLIP)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SIZES) - 1),
            st.sampled_from([reasons.KEEP, reasons.CLIP, reasons.OUTSIDE, reasons.NON_FINITE]),
        ),
        max_size=40,
    ),
    st.integers(0, 3),
    st.sampled_from([np.float64, np.float32]),
)
def test_layers_per_canvas_size_equal_a_plain_count(rows, batches: int, dtype: type) -> None:
    acc = CanvasSizes().accumulator()
    expected: Counter = Counter()
    chunks = np.array_split(np.arange(len(rows)), batches + 1)
    for chunk in chunks:
        size_index = np.array([rows[i][0] for i in chunk], dtype=int)
        codes = np.array([rows[i][1] for i in chunk], dtype=np.uint8)
        acc.add(batch(size_index, codes, dtype))
        for i, code in zip(size_index, codes, strict=True):
            if code <= reasons.CLIP:
                expected[SIZES[i]] += 1
    result = acc.result()
    assert result == dict(expected.most_common())
    assert all(type(v) is float for size in result for v in size)


def test_rows_dropped_with_another_size_do_not_count_or_split_the_batch() -> None:
    codes = np.array([reasons.OUTSIDE, reasons.KEEP, reasons.KEEP, reasons.NON_FINITE], np.uint8)
    acc = CanvasSizes().accumulator()
    acc.add(batch(np.array([1, 0, 0, 2]), codes))
    assert acc.result() == {SIZES[0]: 2}
