"""End to end: ``layerheat heatmaps`` against the source's pipeline, side by side.

    .venv/bin/python benchmarks/bench_heatmaps.py              # 2 M and 20 M, then 100 M
    .venv/bin/python benchmarks/bench_heatmaps.py --no-100m --repeat 3

Generates (under ``--workdir``, deleted afterwards unless ``--keep``):

* Parquet files of layers over the 14 types (layerheat's sample layouts, all columns a
  layer table has, as ``layerheat sample`` writes them), written in chunks with a
  ParquetWriter so generating 100 M rows needs little memory;
* the source's inputs for the same layers: one headerless ``x,y`` CSV of box centres per
  type (``20test2.csv``, ...).

Then, alternating the two in one session, ``--repeat`` times each:

* layerheat: the real CLI as a subprocess, ``layerheat heatmaps FILE -o DIR -q``;
* the source: one Python process running, per type, ``pandas.read_csv`` +
  scikit-learn's ``MinMaxScaler`` + ``plt.hexbin(gridsize=35)`` + title + colorbar +
  ``savefig``, as in the source document (``plt.show`` replaced by ``savefig``).

Each run's wall time and peak RSS (largest process of the run's process tree, from
``getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process) are recorded; medians are
printed with the marginal cost per layer ((t[20 M] - t[2 M]) / 18 M), the fixed cost
(a small input: 14 x 50 layers) and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
LAYERHEAT = str(Path(sys.executable).parent / "layerheat")

SOURCE_PIPELINE = r"""
import glob, sys
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn import preprocessing

folder, out = sys.argv[1], sys.argv[2]
for data in sorted(glob.glob(folder + "/*test2.csv")):
    type_id = data.rsplit("/", 1)[-1].split("test")[0]
    df = pd.io.parsers.read_csv(data, header=None, usecols=[0, 1])
    df.columns = ["xcenter", "ycenter"]
    minmax_scale = preprocessing.MinMaxScaler().fit(df[["xcenter", "ycenter"]])
    df_minmax = minmax_scale.transform(df[["xcenter", "ycenter"]])
    plt.figure()
    plt.hexbin(df_minmax[:, 0], df_minmax[:, 1], gridsize=35)
    plt.title("Layer " + type_id)
    plt.colorbar()
    plt.savefig(f"{out}/layer-{type_id}.png")
    plt.close()
"""

WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"wall": wall, "rss": rss, "code": done.returncode,
                  "err": done.stderr.decode(errors="replace")[-2000:]}))
"""


def measure(cmd: list[str]) -> dict:
    """Run ``cmd`` in a fresh wrapper process: wall seconds and peak RSS bytes."""
    out = subprocess.run([PYTHON, "-c", WRAPPER, *cmd], capture_output=True, text=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result['err']}")
    return result


# -- inputs ------------------------------------------------------------------------------
def write_inputs(folder: Path, rows: int, with_csv: bool) -> Path:
    """``layers.parquet`` with ``rows`` layers (+ the source's per-type CSVs)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers

    folder.mkdir(parents=True, exist_ok=True)
    chunks = [sample_layers(designs=80_000, seed=seed).arrow for seed in range(3)]
    path = folder / "layers.parquet"
    csv_writers: dict[int, pacsv.CSVWriter] = {}
    options = pacsv.WriteOptions(include_header=False)
    schema = pa.schema([("x", pa.float64()), ("y", pa.float64())])
    done = 0
    with pq.ParquetWriter(path, chunks[0].schema) as writer:
        i = 0
        while done < rows:
            chunk = chunks[i % len(chunks)]
            chunk = chunk.slice(0, min(chunk.num_rows, rows - done))
            writer.write_table(chunk)
            if with_csv:
                t = chunk.column("type_id").to_numpy()
                cx = (chunk.column("xmin").to_numpy() + chunk.column("xmax").to_numpy()) / 2
                cy = (chunk.column("ymin").to_numpy() + chunk.column("ymax").to_numpy()) / 2
                for type_id in np.unique(t):
                    m = t == type_id
                    if type_id not in csv_writers:
                        csv_writers[type_id] = pacsv.CSVWriter(
                            folder / f"{type_id}test2.csv", schema, write_options=options
                        )
                    csv_writers[type_id].write_table(pa.table({"x": cx[m], "y": cy[m]}))
            done += chunk.num_rows
            i += 1
    for w in csv_writers.values():
        w.close()
    return path


def small_inputs(folder: Path) -> Path:
    """14 types x 50 layers: the fixed cost."""
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers

    folder.mkdir(parents=True, exist_ok=True)
    table = sample_layers(designs=60, seed=5).arrow
    path = folder / "layers.parquet"
    pq.write_table(table, path)
    import numpy as np

    t = table.column("type_id").to_numpy()
    cx = (table.column("xmin").to_numpy() + table.column("xmax").to_numpy()) / 2
    cy = (table.column("ymin").to_numpy() + table.column("ymax").to_numpy()) / 2
    for type_id in np.unique(t):
        m = t == type_id
        np.savetxt(folder / f"{type_id}test2.csv", np.c_[cx[m], cy[m]], delimiter=",", fmt="%g")
    return path


# -- runs --------------------------------------------------------------------------------
def run_layerheat(parquet: Path, out: Path, scale: str = "canvas") -> dict:
    shutil.rmtree(out, ignore_errors=True)
    return measure([LAYERHEAT, "heatmaps", str(parquet), "-o", str(out), "-q", "--scale", scale])


def run_source(folder: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return measure([PYTHON, "-c", SOURCE_PIPELINE, str(folder), str(out)])


def med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", type=float, default=2e6, help="rows of the smaller file")
    parser.add_argument("--large", type=float, default=20e6, help="rows of the larger file")
    parser.add_argument("--huge", type=float, default=100e6, help="rows for the memory run")
    parser.add_argument("--no-100m", dest="huge_run", action="store_false")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="layerheat-bench-"))
    n_small, n_large, n_huge = int(args.small), int(args.large), int(args.huge)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; work {work}")
    try:
        t0 = time.perf_counter()
        tiny = small_inputs(work / "tiny")
        small = write_inputs(work / "small", n_small, with_csv=True)
        large = write_inputs(work / "large", n_large, with_csv=True)
        print(
            f"inputs generated in {time.perf_counter() - t0:.0f} s "
            f"({large.stat().st_size / 2**20:.0f} MiB Parquet at {n_large:,} rows)"
        )

        run_layerheat(tiny, work / "warm")  # Numba's disk cache, OS file cache
        runs: dict[str, list[dict]] = {
            k: []
            for k in (
                "lh_tiny",
                "src_tiny",
                "lh_small",
                "src_small",
                "lh_large",
                "src_large",
                "lh_large_minmax",
            )
        }
        for _ in range(args.repeat):  # alternate, so drift on a shared machine hits both
            runs["lh_tiny"].append(run_layerheat(tiny, work / "o1"))
            runs["src_tiny"].append(run_source(tiny.parent, work / "o2"))
            runs["lh_small"].append(run_layerheat(small, work / "o1"))
            runs["src_small"].append(run_source(small.parent, work / "o2"))
            runs["lh_large"].append(run_layerheat(large, work / "o1"))
            runs["src_large"].append(run_source(large.parent, work / "o2"))
            runs["lh_large_minmax"].append(run_layerheat(large, work / "o1", "minmax"))

        span = n_large - n_small
        lh_marg = (med(runs["lh_large"], "wall") - med(runs["lh_small"], "wall")) / span
        src_marg = (med(runs["src_large"], "wall") - med(runs["src_small"], "wall")) / span
        print(f"\nmedians of {args.repeat} runs, wall seconds / peak RSS MiB")
        print(f"{'input':28s} {'layerheat':>18s} {'source':>18s} {'ratio':>7s}")
        for label, a, b in (
            ("fixed: 14 x ~50 layers", "lh_tiny", "src_tiny"),
            (f"{n_small / 1e6:g} M layers", "lh_small", "src_small"),
            (f"{n_large / 1e6:g} M layers", "lh_large", "src_large"),
        ):
            ta, tb = med(runs[a], "wall"), med(runs[b], "wall")
            ra, rb = med(runs[a], "rss") / 2**20, med(runs[b], "rss") / 2**20
            print(
                f"{label:28s} {ta:8.2f} s {ra:6.0f} MiB {tb:8.2f} s {rb:6.0f} MiB {tb / ta:6.1f}x"
            )
        print(
            f"{n_large / 1e6:g} M layers, --scale minmax    "
            f"{med(runs['lh_large_minmax'], 'wall'):8.2f} s "
            f"{med(runs['lh_large_minmax'], 'rss') / 2**20:6.0f} MiB"
        )
        print(
            f"\nmarginal cost per layer: layerheat {lh_marg * 1e9:.1f} ns, "
            f"source {src_marg * 1e9:.1f} ns -> {src_marg / lh_marg:.1f}x lower "
            f"(target >= 10x)"
        )
        rss_ratio = med(runs["src_large"], "rss") / med(runs["lh_large"], "rss")
        growth = med(runs["lh_large"], "rss") / med(runs["lh_small"], "rss") - 1
        print(
            f"peak RSS at {n_large / 1e6:g} M: {rss_ratio:.1f}x lower than the source's; "
            f"{growth:+.0%} over {n_small / 1e6:g} M (target: flat in N, within 10%)"
        )
        fixed_ratio = med(runs["src_tiny"], "wall") / med(runs["lh_tiny"], "wall")
        print(
            f"fixed cost: layerheat {med(runs['lh_tiny'], 'wall'):.2f} s, source "
            f"{med(runs['src_tiny'], 'wall'):.2f} s "
            f"({1 / fixed_ratio:.2f} of the source's; target <= 0.35)"
        )
        shutil.rmtree(work / "small", ignore_errors=True)
        shutil.rmtree(work / "large", ignore_errors=True)

        if args.huge_run:
            t0 = time.perf_counter()
            huge = write_inputs(work / "huge", n_huge, with_csv=False)
            print(
                f"\n{n_huge / 1e6:g} M layers generated in {time.perf_counter() - t0:.0f} s "
                f"({huge.stat().st_size / 2**20:.0f} MiB)"
            )
            for scale in ("canvas", "minmax"):
                r = run_layerheat(huge, work / "o1", scale)
                print(
                    f"{n_huge / 1e6:g} M layers, --scale {scale}: {r['wall']:.1f} s, "
                    f"peak RSS {r['rss'] / 2**20:.0f} MiB (target < 1536 MiB)"
                )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
