"""End to end: ``layerheat heatmaps`` against the source's pipeline, side by side.

    .venv/bin/python benchmarks/bench_heatmaps.py              # 2 M and 20 M, then 100 M
    .venv/bin/python benchmarks/bench_heatmaps.py --no-100m --repeat 3
    .venv/bin/python benchmarks/bench_heatmaps.py --generators float32 --small 2e5 --large 2e6

Two generators of inputs (``--generators``, default both), each written under
``--workdir`` (deleted afterwards unless ``--keep``):

* ``sample``: Parquet files of layers over the 14 types (layerheat's sample layouts, all
  columns a layer table has, float64, as ``layerheat sample`` writes them);
* ``float32``: an independent generator (plain NumPy, nothing of ``layerheat``): per
  type a placement distribution (a clipped normal of box centres, log-normal box sizes)
  on a 5906 x 3543 canvas, written as float32 Parquet columns ``design_id`` (string),
  ``type_id`` (int64), ``xmin, ymin, xmax, ymax, canvas_width, canvas_height`` (float32)
  with pyarrow's default writer settings;

both written in chunks with a ParquetWriter (so generating 100 M rows needs little
memory), each with the source's inputs for the same layers: one headerless ``x,y`` CSV
of box centres per type (``20test2.csv``, ...).

Then, per generator, alternating the two in one session, ``--repeat`` times each:

* layerheat: the real CLI as a subprocess, ``layerheat heatmaps FILE -o DIR -q``;
* the source: one Python process running, per type, ``pandas.read_csv`` +
  scikit-learn's ``MinMaxScaler`` + ``plt.hexbin(gridsize=35)`` + title + colorbar +
  ``savefig``, as in the source document (``plt.show`` replaced by ``savefig``).

Each run's wall time, CPU time (user + system of the whole process tree) and peak RSS
(largest process of the run's process tree, from ``getrusage(RUSAGE_CHILDREN)`` in a
fresh wrapper process) are recorded; medians are printed with the marginal cost per
layer ((t[20 M] - t[2 M]) / 18 M), the fixed cost (a small input: 14 x ~50 layers) and
the ratios. Then the hex kernel on one core (this process, ``count_hex`` on 20 M float64
points, checked equal to matplotlib's ``hexbin`` counts), and a summary of issue 14's
targets, met or not.
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
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
LAYERHEAT = str(Path(sys.executable).parent / "layerheat")
GENERATORS = ("sample", "float32")

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
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss": usage.ru_maxrss * 1024, "code": done.returncode,
                  "err": done.stderr.decode(errors="replace")[-2000:]}))
"""


def measure(cmd: list[str]) -> dict:
    """Run ``cmd`` in a fresh wrapper process: wall and CPU seconds, peak RSS bytes."""
    out = subprocess.run([PYTHON, "-c", WRAPPER, *cmd], capture_output=True, text=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result['err']}")
    return result


# -- inputs: the source's per-type CSVs ---------------------------------------------------
class CentreCSVs:
    """The source's inputs: one headerless ``x,y`` CSV of box centres per type."""

    def __init__(self, folder: Path, dtype: str) -> None:
        import pyarrow as pa

        self.folder = folder
        self.schema = pa.schema([("x", dtype), ("y", dtype)])
        self.writers: dict = {}

    def write(self, type_id, xmin, ymin, xmax, ymax) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.csv as pacsv

        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        for t in np.unique(type_id):
            m = type_id == t
            if t not in self.writers:
                self.writers[t] = pacsv.CSVWriter(
                    self.folder / f"{t}test2.csv",
                    self.schema,
                    write_options=pacsv.WriteOptions(include_header=False),
                )
            self.writers[t].write_table(pa.table({"x": cx[m], "y": cy[m]}, schema=self.schema))

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


# -- generator 1: layerheat's sample layouts, float64 -------------------------------------
def write_inputs(folder: Path, rows: int, with_csv: bool) -> Path:
    """``layers.parquet`` with ``rows`` layers (+ the source's per-type CSVs)."""
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers

    folder.mkdir(parents=True, exist_ok=True)
    chunks = [sample_layers(designs=80_000, seed=seed).arrow for seed in range(3)]
    path = folder / "layers.parquet"
    csvs = CentreCSVs(folder, "float64") if with_csv else None
    done = 0
    with pq.ParquetWriter(path, chunks[0].schema) as writer:
        i = 0
        while done < rows:
            chunk = chunks[i % len(chunks)]
            chunk = chunk.slice(0, min(chunk.num_rows, rows - done))
            writer.write_table(chunk)
            if csvs is not None:
                csvs.write(
                    chunk.column("type_id").to_numpy(),
                    *(chunk.column(c).to_numpy() for c in ("xmin", "ymin", "xmax", "ymax")),
                )
            done += chunk.num_rows
            i += 1
    if csvs is not None:
        csvs.close()
    return path


def small_inputs(folder: Path) -> Path:
    """14 types x ~50 layers of the sample layouts: the fixed cost."""
    import numpy as np
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers

    folder.mkdir(parents=True, exist_ok=True)
    table = sample_layers(designs=60, seed=5).arrow
    path = folder / "layers.parquet"
    pq.write_table(table, path)
    t = table.column("type_id").to_numpy()
    cx = (table.column("xmin").to_numpy() + table.column("xmax").to_numpy()) / 2
    cy = (table.column("ymin").to_numpy() + table.column("ymax").to_numpy()) / 2
    for type_id in np.unique(t):
        m = t == type_id
        np.savetxt(folder / f"{type_id}test2.csv", np.c_[cx[m], cy[m]], delimiter=",", fmt="%g")
    return path


# -- generator 2: independent, plain NumPy, float32 ----------------------------------------
F32_WIDTH, F32_HEIGHT = 5906.0, 3543.0
F32_TYPES = tuple(range(10, 150, 10))
F32_CHUNK = 1_000_000  # rows per write_table call (pyarrow's default row groups: <= 1 Mi)


def float32_types(seed: int = 14) -> dict[str, object]:
    """Per type: its share of the layers, where its box centres fall (a normal around a
    mean, as a fraction of the canvas) and how large its boxes are (log-normal, px)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = len(F32_TYPES)
    return {
        "share": rng.dirichlet(np.full(n, 6.0)),
        "mean": rng.uniform(0.15, 0.85, (n, 2)),
        "sigma": rng.uniform(0.05, 0.35, (n, 2)),
        "logsize": np.log(rng.uniform(40, 2000, (n, 2))),
    }


def float32_chunk(rng, rows: int, first_design: int, params: dict) -> tuple:
    """``rows`` layers: (designs used, design_id array, type_id, xmin, ymin, xmax, ymax);
    designs of 1 + Poisson(11) layers each, numbered from ``first_design``."""
    import numpy as np
    import pyarrow as pa

    sizes = 1 + rng.poisson(11, rows // 6 + 2)
    ends = np.cumsum(sizes)
    n_designs = int(np.searchsorted(ends, rows)) + 1
    design = np.repeat(np.arange(n_designs), sizes[:n_designs])[:rows]
    names = pa.array([f"f32-{first_design + i:09d}" for i in range(n_designs)], pa.string())
    design_id = names.take(pa.array(design))
    k = rng.choice(len(F32_TYPES), rows, p=params["share"])
    canvas = np.array([F32_WIDTH, F32_HEIGHT])
    centre = rng.normal(params["mean"][k], params["sigma"][k]).clip(0, 1) * canvas
    size = np.exp(rng.normal(params["logsize"][k], 0.5)).clip(1, canvas)
    lo = (centre - size / 2).clip(0, canvas)
    hi = (centre + size / 2).clip(0, canvas)
    f32 = np.float32
    type_id = np.asarray(F32_TYPES, dtype=np.int64)[k]
    boxes = (a.astype(f32) for a in (lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
    return n_designs, design_id, type_id, *boxes


def float32_schema():
    import pyarrow as pa

    f32 = pa.float32()
    return pa.schema(
        [
            ("design_id", pa.string()),
            ("type_id", pa.int64()),
            *((c, f32) for c in ("xmin", "ymin", "xmax", "ymax", "canvas_width", "canvas_height")),
        ]
    )


def write_float32_inputs(folder: Path, rows: int, with_csv: bool, seed: int = 1) -> Path:
    """``layers.parquet``: ``rows`` layers of the independent float32 generator, written
    1 M rows at a time (+ the source's per-type CSVs of the same boxes' centres)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    params = float32_types()
    schema = float32_schema()
    path = folder / "layers.parquet"
    csvs = CentreCSVs(folder, "float32") if with_csv else None
    done = designs = 0
    with pq.ParquetWriter(path, schema) as writer:
        while done < rows:
            n = min(F32_CHUNK, rows - done)
            used, design_id, type_id, xmin, ymin, xmax, ymax = float32_chunk(
                rng, n, designs, params
            )
            designs += used
            cols = [xmin, ymin, xmax, ymax]
            cols += [np.full(n, F32_WIDTH, np.float32), np.full(n, F32_HEIGHT, np.float32)]
            writer.write_table(pa.Table.from_arrays([design_id, type_id, *cols], schema=schema))
            if csvs is not None:
                csvs.write(type_id, xmin, ymin, xmax, ymax)
            done += n
    if csvs is not None:
        csvs.close()
    return path


def float32_small_inputs(folder: Path) -> Path:
    """14 types x ~50 layers of the float32 generator: the fixed cost."""
    return write_float32_inputs(folder, 700, with_csv=True, seed=5)


WRITERS: dict[str, tuple[Callable, Callable]] = {
    "sample": (small_inputs, write_inputs),
    "float32": (float32_small_inputs, write_float32_inputs),
}


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


def bench_generator(name: str, work: Path, args: argparse.Namespace) -> dict:
    """Every table row for one generator's inputs; returns the figures for the summary."""
    write_small, write_big = WRITERS[name]
    n_small, n_large, n_huge = int(args.small), int(args.large), int(args.huge)
    base = work / name
    print(f"\n== generator {name} ==")
    t0 = time.perf_counter()
    tiny = write_small(base / "tiny")
    small = write_big(base / "small", n_small, with_csv=True)
    large = write_big(base / "large", n_large, with_csv=True)
    print(
        f"inputs generated in {time.perf_counter() - t0:.0f} s "
        f"({large.stat().st_size / 2**20:.0f} MiB Parquet at {n_large:,} rows)"
    )

    run_layerheat(tiny, work / "warm")  # Numba's disk cache, OS file cache
    keys = ("lh_tiny", "src_tiny", "lh_small", "src_small", "lh_large", "src_large")
    runs: dict[str, list[dict]] = {k: [] for k in (*keys, "lh_large_minmax")}
    for _ in range(args.repeat):  # alternate, so drift on a shared machine hits both
        runs["lh_tiny"].append(run_layerheat(tiny, work / "o1"))
        runs["src_tiny"].append(run_source(tiny.parent, work / "o2"))
        runs["lh_small"].append(run_layerheat(small, work / "o1"))
        runs["src_small"].append(run_source(small.parent, work / "o2"))
        runs["lh_large"].append(run_layerheat(large, work / "o1"))
        runs["src_large"].append(run_source(large.parent, work / "o2"))
        runs["lh_large_minmax"].append(run_layerheat(large, work / "o1", "minmax"))

    span = n_large - n_small

    def marginal(a: str, b: str, key: str) -> float:
        return (med(runs[b], key) - med(runs[a], key)) / span

    print(f"\n[{name}] medians of {args.repeat} runs: wall s (CPU s) / peak RSS MiB")
    print(f"{'input':28s} {'layerheat':>26s} {'source':>26s} {'wall ratio':>10s}")
    for label, a, b in (
        ("fixed: 14 x ~50 layers", "lh_tiny", "src_tiny"),
        (f"{n_small / 1e6:g} M layers", "lh_small", "src_small"),
        (f"{n_large / 1e6:g} M layers", "lh_large", "src_large"),
    ):
        cells = []
        for k in (a, b):
            cells.append(
                f"{med(runs[k], 'wall'):7.2f} s ({med(runs[k], 'cpu'):6.2f}) "
                f"{med(runs[k], 'rss') / 2**20:5.0f} MiB"
            )
        ratio = med(runs[b], "wall") / med(runs[a], "wall")
        print(f"{label:28s} {cells[0]:>26s} {cells[1]:>26s} {ratio:9.1f}x")
    mm = runs["lh_large_minmax"]
    print(
        f"{f'{n_large / 1e6:g} M layers, --scale minmax':28s} "
        f"{med(mm, 'wall'):7.2f} s ({med(mm, 'cpu'):6.2f}) {med(mm, 'rss') / 2**20:5.0f} MiB"
    )
    lh_marg = marginal("lh_small", "lh_large", "wall")
    src_marg = marginal("src_small", "src_large", "wall")
    lh_marg_cpu = marginal("lh_small", "lh_large", "cpu")
    src_marg_cpu = marginal("src_small", "src_large", "cpu")
    print(
        f"\n[{name}] marginal cost per layer ({n_small / 1e6:g} M -> {n_large / 1e6:g} M): "
        f"layerheat {lh_marg * 1e9:.1f} ns, source {src_marg * 1e9:.1f} ns -> "
        f"{src_marg / lh_marg:.1f}x lower (target >= 10x); CPU time: "
        f"{lh_marg_cpu * 1e9:.1f} ns vs {src_marg_cpu * 1e9:.1f} ns -> "
        f"{src_marg_cpu / lh_marg_cpu:.1f}x"
    )
    rss_ratio = med(runs["src_large"], "rss") / med(runs["lh_large"], "rss")
    rss_small = med(runs["lh_small"], "rss")
    growth = med(runs["lh_large"], "rss") / rss_small - 1
    print(
        f"[{name}] peak RSS at {n_large / 1e6:g} M: {rss_ratio:.1f}x lower than the "
        f"source's; {growth:+.0%} over {n_small / 1e6:g} M (target: flat in N, within 10%)"
    )
    fixed = med(runs["lh_tiny"], "wall") / med(runs["src_tiny"], "wall")
    fixed_cpu = med(runs["lh_tiny"], "cpu") / med(runs["src_tiny"], "cpu")
    print(
        f"[{name}] fixed cost: layerheat {med(runs['lh_tiny'], 'wall'):.2f} s, source "
        f"{med(runs['src_tiny'], 'wall'):.2f} s ({fixed:.2f} of the source's; target "
        f"<= 0.35); CPU {med(runs['lh_tiny'], 'cpu'):.2f} s vs "
        f"{med(runs['src_tiny'], 'cpu'):.2f} s ({fixed_cpu:.2f})"
    )
    figures = {
        "fixed": fixed,
        "marginal": src_marg / lh_marg,
        "growth": growth,
        "huge_growth": None,
    }
    shutil.rmtree(base / "small", ignore_errors=True)
    shutil.rmtree(base / "large", ignore_errors=True)

    if args.huge_run:
        t0 = time.perf_counter()
        huge = write_big(base / "huge", n_huge, with_csv=False)
        print(
            f"\n[{name}] {n_huge / 1e6:g} M layers generated in "
            f"{time.perf_counter() - t0:.0f} s ({huge.stat().st_size / 2**20:.0f} MiB)"
        )
        for scale in ("canvas", "minmax"):
            r = run_layerheat(huge, work / "o1", scale)
            g = r["rss"] / rss_small - 1
            if scale == "canvas":
                figures["huge_growth"] = g
            print(
                f"[{name}] {n_huge / 1e6:g} M layers, --scale {scale}: {r['wall']:.1f} s "
                f"({r['cpu']:.1f} s CPU), peak RSS {r['rss'] / 2**20:.0f} MiB, {g:+.0%} over "
                f"{n_small / 1e6:g} M (target within 10%)"
            )
        shutil.rmtree(base / "huge", ignore_errors=True)
    return figures


def bench_kernel(points: int, repeat: int, gridsize: int = 35) -> dict:
    """``count_hex`` on one core (this process, one thread): M points/s, wall and CPU, and
    whether its counts equal matplotlib's ``hexbin``'s on the same points."""
    import numpy as np

    from layerheat.binning import HexGrid, count_hex

    rng = np.random.default_rng(0)
    x, y = rng.random(points), rng.random(points)
    grid = HexGrid.from_data(x, y, gridsize)
    count_hex(grid, x[:10], y[:10])  # load or compile

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    exact = bool(
        np.array_equal(count_hex(grid, x, y), ax.hexbin(x, y, gridsize=gridsize).get_array())
    )
    plt.close(fig)
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        count_hex(grid, x, y)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"\nhex kernel, one core: {points / wall / 1e6:.0f} M points/s wall, "
        f"{points / cpu / 1e6:.0f} M points/s CPU ({points:,} float64 points, gridsize "
        f"{gridsize}, median of {repeat}); counts equal matplotlib hexbin: {exact}"
    )
    return {"rate": points / wall / 1e6, "exact": exact}


def summary(results: dict[str, dict], kernel: dict | None, args: argparse.Namespace) -> None:
    """Every issue-14 target, met or NOT met."""
    lines = []

    def row(ok: bool, text: str) -> None:
        lines.append(f"  {'met    ' if ok else 'NOT met'}  {text}")

    for name, f in results.items():
        row(f["fixed"] <= 0.35, f"[{name}] fixed cost {f['fixed']:.2f} of the source's (<= 0.35)")
    for name, f in results.items():
        row(f["marginal"] >= 10, f"[{name}] marginal cost {f['marginal']:.1f}x lower (>= 10x)")
    for name, f in results.items():
        row(
            abs(f["growth"]) <= 0.10,
            f"[{name}] peak RSS {args.large / 1e6:g} M vs {args.small / 1e6:g} M: "
            f"{f['growth']:+.0%} (flat, within 10%)",
        )
        if f["huge_growth"] is not None:
            row(
                abs(f["huge_growth"]) <= 0.10,
                f"[{name}] peak RSS {args.huge / 1e6:g} M vs {args.small / 1e6:g} M: "
                f"{f['huge_growth']:+.0%} (within 10%)",
            )
        else:
            lines.append(f"  skipped  [{name}] peak RSS {args.huge / 1e6:g} M (--no-100m)")
    if kernel is not None:
        row(
            kernel["rate"] >= 600 and kernel["exact"],
            f"hex kernel {kernel['rate']:.0f} M points/s on one core, "
            f"{'exact' if kernel['exact'] else 'NOT exact'} (>= 600, exact)",
        )
    print("\nissue 14 targets (this session):")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", type=float, default=2e6, help="rows of the smaller file")
    parser.add_argument("--large", type=float, default=20e6, help="rows of the larger file")
    parser.add_argument("--huge", type=float, default=100e6, help="rows for the memory run")
    parser.add_argument("--no-100m", dest="huge_run", action="store_false")
    parser.add_argument(
        "--generators",
        default=",".join(GENERATORS),
        help=f"comma-separated, of {', '.join(GENERATORS)} (default: both)",
    )
    parser.add_argument("--kernel-points", type=float, default=20e6, help="0: no kernel row")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    generators = [g.strip() for g in args.generators.split(",") if g.strip()]
    unknown = sorted(set(generators) - set(GENERATORS))
    if unknown or not generators:
        parser.error(f"--generators: unknown {', '.join(unknown) or '(none given)'}")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="layerheat-bench-"))
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
        f"python {sys.version.split()[0]}; work {work}"
    )
    try:
        results = {name: bench_generator(name, work, args) for name in generators}
        kernel = None
        if args.kernel_points > 0:
            kernel = bench_kernel(int(args.kernel_points), max(args.repeat, 3))
        summary(results, kernel, args)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
