"""Per-design layout quality scores and Maximum IoU between two collections.

    >>> from layerheat.metrics import design_metrics
    >>> from layerheat.sample import sample_layers
    >>> scores = design_metrics(sample_layers(designs=20))
    >>> scores.column_names
    ['design_id', 'n_layers', 'alignment', 'overlap', 'validity']

Definitions follow the reference implementation of Kikuchi et al. 2021 (``metric.py`` of
github.com/ktrk115/const_layout) on boxes in canvas fractions (rows partly outside the
canvas clipped to it, rows the checks skip left out). Papers report different variants,
so each score names its own (:data:`VARIANTS`):

* **alignment** (LayoutGAN++ variant): for layer i, d_i is the smallest |a_i - a_j| over
  the other layers j of the design and the six lines a in {left, centre x, right, top,
  centre y, bottom} (each compared with the same line of j); d_i = 0 when the design has
  one layer (and, as in the reference, when d_i = 1); the score is the mean over layers
  of -ln(1 - d_i).
* **overlap** (LayoutGAN++ variant): mean over layers i of the sum over j != i of
  area(i ∩ j) / area(i); an intersection counts only when strictly positive on both
  axes, and a zero-area layer contributes 0.
* **validity** (PosterLayout's "Val"): the share of layers whose box, clipped to the
  canvas, covers at least 0.1 % of the canvas.
* **Max IoU** (:func:`max_iou`, LayoutGAN++'s Maximum IoU): designs grouped by their
  multiset of types; within a group, pairs chosen by
  ``scipy.optimize.linear_sum_assignment`` maximizing the per-pair score (per type, the
  best one-to-one IoU sum, divided by the number of layers); the mean over all matched
  pairs. IoU of two zero-area boxes is 0 (the reference divides 0 by 0).

Designs are grouped with one Arrow dictionary encoding and a stable sort; a Numba
kernel scores them, so millions of layers take seconds.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import permutations

import numpy as np
import pyarrow as pa
from numba import njit, prange

from .errors import LayerheatError
from .table import LayerTable
from .taxonomy import Taxonomy, default_taxonomy

__all__ = [
    "MAX_IOU_DESIGNS",
    "VARIANTS",
    "VALID_AREA",
    "design_boxes",
    "design_metrics",
    "max_iou",
    "write_metrics",
]

#: smallest share of the canvas a valid layer covers (PosterLayout's threshold, 0.1 %)
VALID_AREA = 0.001
#: designs per side above which :func:`max_iou` refuses (its cost grows as N x M)
MAX_IOU_DESIGNS = 20_000
#: the variant of every score, for CSV headers, manifests and docs
VARIANTS = {
    "alignment": "LayoutGAN++ alignment: mean -ln(1 - d_i) over layers, 6 lines",
    "overlap": "LayoutGAN++ overlap: mean over i of sum_j area(i&j)/area(i)",
    "validity": "PosterLayout Val: share of layers covering >= 0.1% of the canvas",
    "max_iou": "LayoutGAN++ Maximum IoU: types-multiset groups, linear_sum_assignment",
}
#: permutations are enumerated (vectorized) up to this many layers of one type
_MAX_PERMUTED = 5


def design_boxes(
    data: LayerTable | pa.Table,
    *,
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    outside: str = "clip",
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """Usable layers grouped by design: (design ids, offsets, types, boxes in fractions).

    Rows of design k are ``offsets[k]:offsets[k + 1]`` of ``types`` and of ``boxes``
    (shape (n, 4): left, top, right, bottom); designs in order of first appearance.
    """
    from .validate import check

    arrow = data.arrow if isinstance(data, LayerTable) else data
    taxonomy = taxonomy or default_taxonomy()
    if "type_id" not in arrow.column_names:  # scores need no type: any known one will do
        first = next(iter(taxonomy)).id
        arrow = arrow.append_column("type_id", pa.array(np.full(len(arrow), first, np.int16)))
    checked = check(arrow, taxonomy=taxonomy, canvas=canvas, outside=outside)
    keep = checked.kept()
    xmin, ymin, xmax, ymax = checked.clipped()
    w, h = checked.width, checked.height
    box = np.column_stack([xmin / w, ymin / h, xmax / w, ymax / h])[keep]
    design = checked.design if checked.design is not None else pa.array([""] * len(keep))
    if isinstance(design, pa.ChunkedArray):
        design = design.combine_chunks()
    design = design.filter(pa.array(keep))
    encoded = design.dictionary_encode()
    codes = np.asarray(encoded.indices, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(encoded.dictionary))
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return encoded.dictionary, offsets, checked.types[keep][order], box[order]


def design_metrics(
    data: LayerTable | pa.Table,
    *,
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    outside: str = "clip",
) -> pa.Table:
    """One row per design: design_id, n_layers, alignment, overlap, validity."""
    ids, offsets, _, box = design_boxes(data, taxonomy=taxonomy, canvas=canvas, outside=outside)
    n = len(offsets) - 1
    out = np.zeros((3, n))
    box = np.ascontiguousarray(box.T)
    _score_designs(offsets, box[0], box[1], box[2], box[3], VALID_AREA, out)
    return pa.table(
        {
            "design_id": ids,
            "n_layers": pa.array(np.diff(offsets)),
            "alignment": pa.array(out[0]),
            "overlap": pa.array(out[1]),
            "validity": pa.array(out[2]),
        }
    )


def write_metrics(table: pa.Table, path) -> object:  # noqa: ANN001
    """Write :func:`design_metrics` as CSV with a ``#`` header line naming the variants."""
    import pyarrow.csv as pacsv

    from .outputs import atomic_path

    header = "# " + "; ".join(VARIANTS[k] for k in ("alignment", "overlap", "validity"))
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write((header + "\n").encode())
        pacsv.write_csv(table, f)
    return path


@njit(cache=True, nogil=True, parallel=True)
def _score_designs(offsets, left, top, right, bottom, valid_area, out):  # noqa: ANN001, ANN202
    """Alignment, overlap and validity of every design (rows sorted by design)."""
    for k in prange(len(offsets) - 1):
        a, b = offsets[k], offsets[k + 1]
        n = b - a
        if n == 0:
            out[0, k] = out[1, k] = out[2, k] = np.nan
            continue
        align = 0.0
        over = 0.0
        valid = 0
        for i in range(a, b):
            li, ti, ri, bi = left[i], top[i], right[i], bottom[i]
            cxi, cyi = (li + ri) / 2, (ti + bi) / 2
            area_i = (ri - li) * (bi - ti)
            cw = min(max(ri, 0.0), 1.0) - min(max(li, 0.0), 1.0)
            ch = min(max(bi, 0.0), 1.0) - min(max(ti, 0.0), 1.0)
            if cw * ch >= valid_area:
                valid += 1
            d = 1.0
            s = 0.0
            for j in range(a, b):
                if j == i:
                    continue
                lj, tj, rj, bj = left[j], top[j], right[j], bottom[j]
                d = min(d, abs(li - lj), abs(cxi - (lj + rj) / 2), abs(ri - rj))
                d = min(d, abs(ti - tj), abs(cyi - (tj + bj) / 2), abs(bi - bj))
                iw = min(ri, rj) - max(li, lj)
                ih = min(bi, bj) - max(ti, tj)
                if iw > 0 and ih > 0 and area_i > 0:
                    s += iw * ih / area_i
            if d < 1.0:  # one layer (d stays 1) or d == 1: 0, as the reference masks it
                align += -np.log(1.0 - d)
            over += s
        out[0, k] = align / n
        out[1, k] = over / n
        out[2, k] = valid / n


# -- Maximum IoU ----------------------------------------------------------------------------
def _grouped(ids: pa.Array, offsets: np.ndarray, types: np.ndarray, box: np.ndarray) -> dict:
    """Designs by multiset of types: key -> (boxes of shape (designs, layers, 4), types)."""
    groups: dict[tuple, list] = defaultdict(list)
    for k in range(len(offsets) - 1):
        t, b = types[offsets[k] : offsets[k + 1]], box[offsets[k] : offsets[k + 1]]
        order = np.argsort(t, kind="stable")
        groups[tuple(t[order].tolist())].append(b[order])
    return {key: np.stack(boxes) for key, boxes in groups.items()}


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes a (N, 4) against b (M, 4): (N, M); 0 where the union is empty."""
    a, b = a[:, None, :], b[None, :, :]
    iw = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    ih = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _pair_scores(key: tuple, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pair scores (N, M) of two groups of designs with the same types ``key``.

    Rows of A go in blocks so that the IoU matrices in flight stay near 16 M numbers.
    """
    keys = np.asarray(key)
    worst = max(int((keys == t).sum()) for t in np.unique(keys)) ** 2 + 2
    block = max(1, (1 << 24) // (len(b) * worst))
    return np.concatenate(
        [_block_scores(keys, a[i : i + block], b) for i in range(0, len(a), block)]
    )


def _block_scores(keys: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`_pair_scores` of one block of A's designs."""
    from scipy.optimize import linear_sum_assignment

    total = np.zeros((len(a), len(b)))
    for t in np.unique(keys):
        cols = np.nonzero(keys == t)[0]
        m = len(cols)
        iou = [[_iou(a[:, i], b[:, j]) for j in cols] for i in cols]  # m x m of (N, M)
        if m <= _MAX_PERMUTED:
            best = np.full_like(total, -1.0)
            for perm in permutations(range(m)):
                best = np.maximum(best, sum(iou[i][perm[i]] for i in range(m)))
        else:  # many layers of one type: one assignment per pair
            cube = np.array(iou).transpose(2, 3, 0, 1)  # (N, M, m, m)
            best = np.empty_like(total)
            for p, q in np.ndindex(best.shape):
                r, c = linear_sum_assignment(cube[p, q], maximize=True)
                best[p, q] = cube[p, q][r, c].sum()
        total += best
    return total / len(keys)


def max_iou(
    a: LayerTable | pa.Table,
    b: LayerTable | pa.Table,
    *,
    taxonomy: Taxonomy | None = None,
    canvas: tuple[float, float] | None = None,
    limit: int = MAX_IOU_DESIGNS,
) -> tuple[float, int]:
    """Maximum IoU between two collections and the number of matched pairs.

    NaN and 0 pairs when no multiset of types occurs on both sides. Raises LayerheatError
    when a side has more than ``limit`` designs.
    """
    from scipy.optimize import linear_sum_assignment

    sides = []
    for label, data in (("A", a), ("B", b)):
        ids, offsets, types, box = design_boxes(data, taxonomy=taxonomy, canvas=canvas)
        if len(ids) > limit:
            raise LayerheatError(
                f"--max-iou compares every pair of designs; side {label} has {len(ids):,} "
                f"designs, more than {limit:,}: sample fewer designs first"
            )
        sides.append(_grouped(ids, offsets, types, box))
    matched = []
    for key in sides[0].keys() & sides[1].keys():
        scores = _pair_scores(key, sides[0][key], sides[1][key])
        rows, cols = linear_sum_assignment(scores, maximize=True)
        matched.append(scores[rows, cols])
    if not matched:
        return float("nan"), 0
    values = np.concatenate(matched)
    return float(values.mean()), len(values)
