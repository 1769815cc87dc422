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


def batch(size_index: np.ndarray, codes: np.ndarray) -> SimpleNamespace:
    """The parts of a checked batch the measure reads."""
    w = np.array([SIZES[i][0] for i in size_index])
    h = np.array([SIZES[i][1] for i in size_index])
    return SimpleNamespace(width=w, height=h, codes=codes, kept=lambda: codes <= reasons.CLIP)


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
)
def test_layers_per_canvas_size_equal_a_plain_count(rows, batches: int) -> None:
    acc = CanvasSizes().accumulator()
    expected: Counter = Counter()
    chunks = np.array_split(np.arange(len(rows)), batches + 1)
    for chunk in chunks:
        size_index = np.array([rows[i][0] for i in chunk], dtype=int)
        codes = np.array([rows[i][1] for i in chunk], dtype=np.uint8)
        acc.add(batch(size_index, codes))
        for i, code in zip(size_index, codes, strict=True):
            if code <= reasons.CLIP:
                expected[SIZES[i]] += 1
    assert acc.result() == dict(expected.most_common())


def test_rows_dropped_with_another_size_do_not_count_or_split_the_batch() -> None:
    codes = np.array([reasons.OUTSIDE, reasons.KEEP, reasons.KEEP, reasons.NON_FINITE], np.uint8)
    acc = CanvasSizes().accumulator()
    acc.add(batch(np.array([1, 0, 0, 2]), codes))
    assert acc.result() == {SIZES[0]: 2}
