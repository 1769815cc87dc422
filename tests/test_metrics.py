"""Layout scores equal a straightforward NumPy port of their definitions (the oracle)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from layerheat.errors import LayerheatError
from layerheat.metrics import design_metrics, max_iou
from layerheat.table import LayerTable

W, H = 200.0, 100.0
TYPES = (10, 30, 70)


# -- the oracle: loops over the definitions, one design at a time --------------------------
def ref_alignment(b: np.ndarray) -> float:
    lines = [b[:, 0], (b[:, 0] + b[:, 2]) / 2, b[:, 2], b[:, 1], (b[:, 1] + b[:, 3]) / 2, b[:, 3]]
    n = len(b)
    total = 0.0
    for i in range(n):
        d = min((abs(a[i] - a[j]) for a in lines for j in range(n) if j != i), default=0.0)
        d = 0.0 if d >= 1.0 else d  # one layer, or d == 1 (masked as the reference does)
        total += -np.log(1 - d)
    return total / n


def ref_overlap(b: np.ndarray) -> float:
    total = 0.0
    for i in range(len(b)):
        area = (b[i, 2] - b[i, 0]) * (b[i, 3] - b[i, 1])
        for j in range(len(b)):
            iw = min(b[i, 2], b[j, 2]) - max(b[i, 0], b[j, 0])
            ih = min(b[i, 3], b[j, 3]) - max(b[i, 1], b[j, 1])
            if j != i and iw > 0 and ih > 0 and area > 0:
                total += iw * ih / area
    return total / len(b)


def ref_validity(b: np.ndarray) -> float:
    c = np.clip(b, 0, 1)
    return float(np.mean((c[:, 2] - c[:, 0]) * (c[:, 3] - c[:, 1]) >= 0.001))


def ref_iou(p: np.ndarray, q: np.ndarray) -> float:
    iw = min(p[2], q[2]) - max(p[0], q[0])
    ih = min(p[3], q[3]) - max(p[1], q[1])
    inter = iw * ih if iw > 0 and ih > 0 else 0.0
    union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
    return inter / union if union > 0 else 0.0


def ref_pair(la, ba, lb, bb) -> float:  # noqa: ANN001
    score = 0.0
    for t in set(la):
        pa_, pb = ba[np.array(la) == t], bb[np.array(lb) == t]
        m = np.array([[ref_iou(p, q) for q in pb] for p in pa_])
        r, c = linear_sum_assignment(m, maximize=True)
        score += m[r, c].sum()
    return score / len(la)


def ref_max_iou(designs_a: list, designs_b: list) -> float:
    def groups(designs):  # noqa: ANN001, ANN202
        out = defaultdict(list)
        for labels, boxes in designs:
            out[tuple(sorted(labels))].append((labels, boxes))
        return out

    ga, gb = groups(designs_a), groups(designs_b)
    scores = []
    for key in ga.keys() & gb.keys():
        m = np.array([[ref_pair(*x, *y) for y in gb[key]] for x in ga[key]])
        r, c = linear_sum_assignment(m, maximize=True)
        scores.extend(m[r, c])
    return float(np.mean(scores)) if scores else float("nan")


# -- layouts -------------------------------------------------------------------------------
# Coordinates on a coarse lattice, so identical boxes, shared edges and zero-area boxes occur.
coord = st.integers(0, 10).map(lambda k: k / 10)
box = st.tuples(coord, coord, coord, coord).map(
    lambda v: (min(v[0], v[1]) * W, min(v[2], v[3]) * H, max(v[0], v[1]) * W, max(v[2], v[3]) * H)
)
design = st.lists(st.tuples(st.sampled_from(TYPES), box), min_size=1, max_size=6)
layouts = st.lists(design, min_size=1, max_size=6)


def as_table(designs: list, prefix: str = "d") -> LayerTable:
    rows = [(f"{prefix}{k}", t, *b) for k, d in enumerate(designs) for t, b in d]
    cols = list(zip(*rows, strict=True))
    return LayerTable.from_columns(
        design_id=list(cols[0]), type_id=np.array(cols[1], np.int16),
        xmin=np.array(cols[2]), ymin=np.array(cols[3]), xmax=np.array(cols[4]),
        ymax=np.array(cols[5]), canvas_width=np.full(len(rows), W),
        canvas_height=np.full(len(rows), H),
    )  # fmt: skip


def fractions(d: list) -> np.ndarray:
    return np.array([b for _, b in d]) / [W, H, W, H]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts)
def test_scores_equal_the_definitions(designs: list) -> None:
    got = design_metrics(as_table(designs)).to_pydict()
    assert got["design_id"] == [f"d{k}" for k in range(len(designs))]
    assert got["n_layers"] == [len(d) for d in designs]
    for k, d in enumerate(designs):
        b = fractions(d)
        assert got["alignment"][k] == pytest.approx(ref_alignment(b), rel=1e-9, abs=1e-12)
        assert got["overlap"][k] == pytest.approx(ref_overlap(b), rel=1e-9, abs=1e-12)
        assert got["validity"][k] == pytest.approx(ref_validity(b))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts, layouts)
def test_max_iou_equals_the_reference_port(a: list, b: list) -> None:
    ref = ref_max_iou(
        [([t for t, _ in d], fractions(d)) for d in a],
        [([t for t, _ in d], fractions(d)) for d in b],
    )
    got, pairs = max_iou(as_table(a, "a"), as_table(b, "b"))
    if np.isnan(ref):
        assert np.isnan(got) and pairs == 0
    else:
        assert got == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_one_layer_design_scores_zero_alignment_and_overlap() -> None:
    got = design_metrics(as_table([[(30, (10.0, 10.0, 50.0, 30.0))]])).to_pydict()
    assert got["alignment"] == [0.0] and got["overlap"] == [0.0] and got["validity"] == [1.0]


def test_identical_boxes_overlap_one_each_and_align_perfectly() -> None:
    same = [(30, (10.0, 10.0, 50.0, 30.0))] * 3
    got = design_metrics(as_table([same])).to_pydict()
    assert got["overlap"] == [pytest.approx(2.0)] and got["alignment"] == [0.0]


def test_max_iou_of_a_collection_with_itself_is_one() -> None:
    from layerheat.sample import sample_layers

    t = sample_layers(designs=40, seed=3)
    assert max_iou(t, t)[0] == pytest.approx(1.0)


def test_max_iou_refuses_too_many_designs() -> None:
    t = as_table([[(30, (0.0, 0.0, 10.0, 10.0))]] * 3)
    with pytest.raises(LayerheatError, match="more than 2"):
        max_iou(t, t, limit=2)


def test_metrics_cli_writes_the_variants_and_one_row_per_design(cli, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "m.csv"
    data = tmp_path / "s.parquet"
    from layerheat.sample import sample_layers

    sample_layers(designs=30).write(data)
    result = cli("metrics", data, "-o", out)
    assert result.code == 0, result.err
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# LayoutGAN++ alignment")
    assert lines[1] == '"design_id","n_layers","alignment","overlap","validity"'
    assert len(lines) == 32


def test_a_plain_arrow_table_without_types_is_scored() -> None:
    import pyarrow as pa

    t = pa.table(
        {
            "design_id": ["a", "a", "b"],
            "xmin": [0.0, 10.0, 0.0],
            "ymin": [0.0, 0.0, 0.0],
            "xmax": [10.0, 20.0, 5.0],
            "ymax": [10.0, 10.0, 5.0],
            "canvas_width": [100.0] * 3,
            "canvas_height": [50.0] * 3,
        }
    )
    got = design_metrics(t).to_pydict()
    assert got["design_id"] == ["a", "b"] and got["n_layers"] == [2, 1]
    assert got["overlap"] == [0.0, 0.0] and got["validity"] == [1.0, 1.0]
