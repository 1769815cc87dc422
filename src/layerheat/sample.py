"""The built-in sample: deterministic, synthetic real-estate advertisement layouts.

The source's designs are not public, so layerheat ships a generator of plausible ones on
the source's canvas (5906 x 3543 px) with the habits designers have: a developer logo in
a top corner (mostly top-left), the title high up, the subtitle under it, a sales-info
panel at one side, graphics in a few habitual slots, the address low on the left, the
disclaimer a thin full-width strip at the very bottom, and so on. Every design varies
(alignment, which side the panel and hero image take, sizes, jitter). The data is
synthetic: use it to try the tool.

    >>> from layerheat.sample import sample_layers
    >>> t = sample_layers(designs=10, seed=1)
    >>> sorted(set(t.numpy("type_id").tolist()))[:3]
    [10, 20, 30]
"""

from __future__ import annotations

import numpy as np

from .table import LayerTable

__all__ = [
    "CANVAS",
    "DEFAULT_DESIGNS",
    "sample_layers",
]

CANVAS = (5906.0, 3543.0)
DEFAULT_DESIGNS = 3000

# Drawing order inside a design (bottom first): backgrounds and pictures under text.
_STACKING = (10, 20, 120, 130, 90, 50, 30, 40, 70, 80, 60, 110, 100, 140)
_NAMES = {
    10: "Background",
    20: "Hero image",
    30: "Title",
    40: "Subtitle",
    50: "Features copy",
    60: "Contact strip",
    70: "Developer logo",
    80: "Address",
    90: "Sales info panel",
    100: "Disclaimer",
    110: "QR badge",
    120: "Graphics",
    130: "Graphics 2",
    140: "Other",
}


def _boxes(rng: np.random.Generator, n: int, cx, cy, w, h):  # noqa: ANN001
    """Boxes (fractions) from centre and size arrays, each jittered a little."""
    cx = np.asarray(cx, float) + rng.normal(0, 0.03, n)
    cy = np.asarray(cy, float) + rng.normal(0, 0.025, n)
    w = np.clip(np.asarray(w, float), 0.01, 1.0)
    h = np.clip(np.asarray(h, float), 0.005, 1.0)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def sample_layers(designs: int = DEFAULT_DESIGNS, seed: int = 0) -> LayerTable:
    """``designs`` synthetic advertisement layouts; the same seed gives the same table."""
    if designs < 1:
        from .errors import LayerheatError

        raise LayerheatError(f"--designs {designs} must be at least 1")
    rng = np.random.default_rng(seed)
    n = designs
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    centred = rng.random(n) < 0.45  # title block centred, else left-aligned
    panel_right = rng.random(n) < 0.75  # sales panel right, hero image left
    logo_corner = rng.choice(3, n, p=[0.72, 0.2, 0.08])  # top-left, top-right, bottom-left
    title_cx = np.where(centred, 0.5, u(0.25, 0.36))
    title_cy = rng.normal(0.15, 0.03, n)
    side = np.where(panel_right, 1.0, -1.0)

    parts: list[tuple[int, np.ndarray, tuple]] = []  # (type, present, box)

    def add(type_id: int, p: float, box: tuple) -> None:
        parts.append((type_id, rng.random(n) < p, box))

    add(10, 0.4, _boxes(rng, n, u(0.45, 0.55), u(0.42, 0.58), u(0.9, 1.0), u(0.85, 1.0)))
    add(20, 0.8, _boxes(rng, n, 0.5 - side * 0.22, u(0.45, 0.55), u(0.35, 0.5), u(0.45, 0.65)))
    add(30, 0.98, _boxes(rng, n, title_cx, title_cy, u(0.35, 0.6), u(0.07, 0.12)))
    add(40, 0.85, _boxes(rng, n, title_cx, title_cy + u(0.1, 0.14), u(0.3, 0.5), u(0.04, 0.07)))
    add(50, 0.6, _boxes(rng, n, 0.5 - side * 0.2, u(0.5, 0.62), u(0.22, 0.32), u(0.12, 0.22)))
    add(60, 0.7, _boxes(rng, n, u(0.72, 0.86), u(0.78, 0.85), u(0.18, 0.28), u(0.05, 0.08)))
    logo_cx = np.select([logo_corner == 0, logo_corner == 1], [0.08, 0.92], 0.08)
    logo_cy = np.where(logo_corner == 2, 0.86, 0.09)
    add(70, 0.95, _boxes(rng, n, logo_cx, logo_cy, u(0.07, 0.12), u(0.08, 0.13)))
    add(80, 0.9, _boxes(rng, n, u(0.18, 0.3), u(0.86, 0.9), u(0.22, 0.36), u(0.04, 0.06)))
    add(90, 0.9, _boxes(rng, n, 0.5 + side * 0.3, u(0.45, 0.58), u(0.24, 0.32), u(0.28, 0.4)))
    add(100, 0.95, _boxes(rng, n, u(0.49, 0.51), u(0.962, 0.97), u(0.85, 0.95), u(0.018, 0.03)))
    add(110, 0.5, _boxes(rng, n, u(0.92, 0.95), u(0.8, 0.86), u(0.05, 0.07), u(0.08, 0.11)))
    for _ in range(3):
        add(
            120,
            0.6,
            _boxes(rng, n, u(0.12, 0.88), rng.normal(0.5, 0.14, n), u(0.08, 0.22), u(0.1, 0.25)),
        )
    add(
        130,
        0.6,
        _boxes(
            rng, n, rng.normal(0.5, 0.18, n), rng.normal(0.7, 0.05, n), u(0.1, 0.3), u(0.04, 0.1)
        ),
    )
    for _ in range(2):
        add(140, 0.35, _boxes(rng, n, u(0.05, 0.95), u(0.05, 0.95), u(0.03, 0.15), u(0.03, 0.1)))

    design = np.concatenate([np.nonzero(present)[0] for _, present, _ in parts])
    type_id = np.concatenate([np.full(present.sum(), t) for t, present, _ in parts])
    box = [np.concatenate([b[k][present] for _, present, b in parts]) for k in range(4)]
    rank = np.zeros(max(_STACKING) + 1, dtype=np.int64)
    rank[np.array(_STACKING)] = np.arange(len(_STACKING))
    order = np.lexsort((rank[type_id], design))
    design, type_id = design[order], type_id[order]
    w, h = CANVAS
    xmin, ymin, xmax, ymax = (np.clip(b[order], 0.0, 1.0) for b in box)
    xmin, xmax = np.round(xmin * w), np.round(xmax * w)
    ymin, ymax = np.round(ymin * h), np.round(ymax * h)
    width = len(str(n))
    return LayerTable.from_columns(
        design_id=[f"sample-{d + 1:0{width}d}" for d in design],
        type_id=type_id.astype(np.int16),
        name=[_NAMES[t] for t in type_id.tolist()],
        xmin=xmin,
        ymin=ymin,
        xmax=xmax,
        ymax=ymax,
        canvas_width=np.full(len(design), w),
        canvas_height=np.full(len(design), h),
    )


#: documented transformations of the sample, for trying ``layerheat compare``
VARIANTS = {
    "logo-right": "developer logos in the left half of the canvas mirrored to the right half",
}


def sample_variant(
    variant: str = "logo-right", designs: int = DEFAULT_DESIGNS, seed: int = 0
) -> LayerTable:
    """The sample with one documented change (:data:`VARIANTS`), e.g. to try ``compare``.

    ``logo-right``: every developer logo (type 70) whose centre lies in the left half is
    mirrored about the canvas's vertical centre line (top-left -> top-right, bottom-left
    -> bottom-right); everything else is the sample of the same ``designs`` and ``seed``.
    """
    if variant not in VARIANTS:
        from .errors import LayerheatError

        raise LayerheatError(f"--variant {variant!r} unknown; use one of {', '.join(VARIANTS)}")
    table = sample_layers(designs=designs, seed=seed)
    xmin, xmax = table.numpy("xmin"), table.numpy("xmax")
    width = table.numpy("canvas_width")
    move = (table.numpy("type_id") == 70) & (xmin + xmax < width)
    arrow = table.arrow
    arrow = arrow.set_column(
        arrow.schema.get_field_index("xmin"), "xmin", [np.where(move, width - xmax, xmin)]
    )
    arrow = arrow.set_column(
        arrow.schema.get_field_index("xmax"), "xmax", [np.where(move, width - xmin, xmax)]
    )
    return LayerTable(arrow)
