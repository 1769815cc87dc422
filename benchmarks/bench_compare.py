"""``compare`` and ``metrics`` on a few million layers (20 M with ``--layers 20e6``).

    .venv/bin/python benchmarks/bench_compare.py                 # 2 M layers a side
    .venv/bin/python benchmarks/bench_compare.py --layers 20e6   # the issue's 20 M

Side A is the built-in sample, side B its ``logo-right`` variant (another seed), each
with about ``--layers`` layers (the sample has ~11.6 layers a design). In one process,
after a warm-up on a small input (Numba caches load), it times, median of ``--repeat``:

* ``design_metrics`` (alignment, overlap, validity per design) on side A;
* ``MarginalHistograms`` over side A in 131,072-row batches (W1's histograms);
* ``compare(A, B, metrics=False)`` and ``compare(A, B)`` (with both sides' metrics),
  i.e. the provisional driver: heatmaps + histograms + math on both sides.

Generating the inputs is not timed. Prints ns per layer as well.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_seconds  # noqa: E402

timed = median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=float, default=2e6, help="layers per side")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    from layerheat.compare import compare
    from layerheat.measures.marginals import MarginalHistograms
    from layerheat.metrics import design_metrics
    from layerheat.sample import sample_layers, sample_variant
    from layerheat.taxonomy import default_taxonomy
    from layerheat.validate import check

    designs = max(1, round(args.layers / 11.64))
    t0 = time.perf_counter()
    a, b = sample_layers(designs, seed=0), sample_variant("logo-right", designs, seed=1)
    print(f"generated {len(a):,} + {len(b):,} layers in {time.perf_counter() - t0:.1f} s")
    compare(sample_layers(50), sample_variant("logo-right", 50))  # warm-up: Numba caches
    tax = default_taxonomy()

    def marginals() -> None:
        acc = MarginalHistograms(tax)
        for batch in a.arrow.to_batches(1 << 17):
            acc.add(check(pa.Table.from_batches([batch]), taxonomy=tax))
        acc.result()

    runs = {
        "design_metrics (side A)": (lambda: design_metrics(a), len(a)),
        "marginal histograms (side A)": (marginals, len(a)),
        "compare, no metrics (A+B)": (lambda: compare(a, b, metrics=False), len(a) + len(b)),
        "compare with metrics (A+B)": (lambda: compare(a, b), len(a) + len(b)),
    }
    for name, (fn, n) in runs.items():
        t = timed(fn, args.repeat)
        print(f"{name:32s} {t:7.2f} s  {t / n * 1e9:6.0f} ns/layer  ({n:,} layers)")


if __name__ == "__main__":
    main()
