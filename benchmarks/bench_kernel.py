"""Binning kernels: millions of points per second, median of several runs, one core.

    .venv/bin/python benchmarks/bench_kernel.py            # 20 M points
    .venv/bin/python benchmarks/bench_kernel.py --points 5e6 --repeat 7

Compares, on the same float64 centres and in the same process: the compiled hexagonal
kernel (``layerheat.binning.count_hex``), its NumPy reference (``HexGrid.count``),
and matplotlib's ``hexbin`` (counts only, no drawing). The first call (load from Numba's
disk cache, or compile) is timed separately. Results are checked equal before timing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_seconds  # noqa: E402

best_of = median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=float, default=20e6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--gridsize", type=int, default=35)
    args = parser.parse_args()
    n = int(args.points)

    t0 = time.perf_counter()
    from layerheat.binning import HexGrid, count_hex

    rng = np.random.default_rng(0)
    x, y = rng.random(n), rng.random(n)
    grid = HexGrid.from_data(x, y, args.gridsize)
    t0 = time.perf_counter()
    count_hex(grid, x[:10], y[:10])
    first = time.perf_counter() - t0

    small = min(n, 2_000_000)  # the slow references run on fewer points
    xs, ys = x[:small], y[:small]
    assert np.array_equal(count_hex(grid, xs, ys), grid.count(xs, ys))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()

    def mpl() -> None:
        poly = ax.hexbin(xs, ys, gridsize=args.gridsize)
        poly.get_array()
        poly.remove()

    rows = [
        ("hex kernel (Numba)", n, best_of(lambda: count_hex(grid, x, y), args.repeat)),
        ("hex NumPy reference", small, best_of(lambda: grid.count(xs, ys), args.repeat)),
        ("matplotlib hexbin", small, best_of(mpl, args.repeat)),
    ]
    plt.close(fig)
    rates = {name: pts / sec / 1e6 for name, pts, sec in rows}
    print(f"points: {n:,} float64 pairs, gridsize {args.gridsize}, median of {args.repeat}")
    print(f"first call (cache load or compile): {first * 1000:.0f} ms")
    for name, pts, sec in rows:
        print(f"  {name:22s} {rates[name]:8.1f} M points/s   ({pts:,} points in {sec:.3f} s)")
    hexr = rates["hex kernel (Numba)"]
    print(f"hex kernel vs NumPy reference: {hexr / rates['hex NumPy reference']:.0f}x")
    print(f"hex kernel vs matplotlib hexbin: {hexr / rates['matplotlib hexbin']:.0f}x")
    verdict = "met" if hexr >= 600 else "NOT met"
    print(f"target 600 M points/s for the hex kernel (issue 14): {verdict}")


if __name__ == "__main__":
    main()
