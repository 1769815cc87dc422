"""Regenerate the README's heatmap figures from the built-in sample.

python scripts/make_readme_images.py        # writes docs/images/summary*.png, layer-70.png
"""

from __future__ import annotations

from pathlib import Path

import layerheat as lh
from layerheat.plot import Style, plot_summary, plot_type

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> None:
    """Draw the canvas-frame and min-max summaries and one per-type figure."""
    OUT.mkdir(parents=True, exist_ok=True)
    canvas = lh.heatmaps()
    plot_summary(canvas).savefig(OUT / "summary.png", dpi=70)
    plot_type(canvas, 70).savefig(OUT / "layer-70.png", dpi=70)
    minmax = lh.heatmaps(scale="minmax")
    plot_summary(minmax, Style(color_scale="per-type")).savefig(OUT / "summary-minmax.png", dpi=60)
    for name in ("summary.png", "layer-70.png", "summary-minmax.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
