"""Beyond centres: the cost per layer of size, coverage and type statistics vs centres.

    .venv/bin/python benchmarks/bench_measures.py                 # 2 M and 10 M, then 100 M RSS
    .venv/bin/python benchmarks/bench_measures.py --big 0 --repeat 5

Writes Parquet files of sample layouts with unique design ids (about 11.7 layers per
design) under ``--workdir`` (deleted afterwards unless ``--keep``; with both, files
already there are reused) the way ``layerheat ingest`` writes them (``LayerTable.write``,
with its ``design_number`` column), and plain Parquet files of the same rows, as other
tools write them, for the ``coverage/plain`` set (designs counted by their ids). Then, in one
process, for each measure alone and for centre + size + coverage together, runs
``Pipeline(FILE).run([...])`` ``--repeat`` times at both sizes, alternating the measures
so machine noise hits all alike, and prints medians, the marginal cost per layer
((t[large] - t[small]) / (large - small)) and its ratio to the centre heatmaps, in
wall time and in CPU time of the process (all its threads; steadier on a shared
machine, where other jobs stretch the wall time). Finally
``layerheat heatmaps --measure centre --measure size --measure coverage`` and
``layerheat stats`` run as subprocesses on ``--big`` layers (a plain file, streamed:
``LayerTable.write`` would hold all of it in memory), with their peak RSS.

``--then DIR`` also times the centre heatmaps of an older layerheat (``DIR`` a checkout,
e.g. ``git worktree add /tmp/then 20e96fd``, the commit before issue 11's measures)
on the same files, in a child process with ``DIR/src`` first on its path, once per
round between the other sets: the row ``centre@then``, against which "at least as fast
per layer as the centre binning of the day the measures were asked for" is read.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_heatmaps import LAYERHEAT, measure  # noqa: E402


def write_layers(path: Path, rows: int, *, own: bool = True) -> Path:
    """``rows`` sample layers; every chunk's design ids made unique by a prefix.

    ``own``: written by ``LayerTable.write``, as ``layerheat ingest`` writes its files
    (with the ``design_number`` column); else a plain Parquet file of the same rows, as
    another tool would write it (coverage then counts designs by their ids)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers
    from layerheat.table import LayerTable

    base = sample_layers(designs=80_000, seed=0).arrow

    def chunks():  # noqa: ANN202 - tables of at most base's rows
        done, i = 0, 0
        while done < rows:
            chunk = base.slice(0, min(base.num_rows, rows - done))
            ids = pc.binary_join_element_wise(f"c{i}", chunk.column("design_id"), "-")
            yield chunk.set_column(chunk.schema.get_field_index("design_id"), "design_id", ids)
            done += chunk.num_rows
            i += 1

    if own:  # LayerTable.write numbers the designs of the whole table: built in memory
        LayerTable(pa.concat_tables(chunks())).write(path)
        return path
    with pq.ParquetWriter(path, base.schema) as writer:  # streamed (the 100 M file)
        for chunk in chunks():
            writer.write_table(chunk)
    return path


def measure_sets():  # noqa: ANN201 - name -> factory(pipe) of the measures to run
    from layerheat.measures.centres import CanvasCentres
    from layerheat.measures.coverage import CoverageMaps
    from layerheat.measures.sizes import SizeMaps
    from layerheat.measures.stats import TypeStats

    return {
        "centre": lambda p: [CanvasCentres(p.taxonomy, 35, p.frame)],
        "size": lambda p: [SizeMaps(p.taxonomy, 35)],
        "coverage": lambda p: [CoverageMaps(p.taxonomy, p.frame, 100)],
        # the same measure on plain Parquet files of the same rows (no design_number)
        "coverage/plain": lambda p: [CoverageMaps(p.taxonomy, p.frame, 100)],
        "stats": lambda p: [TypeStats(p.taxonomy)],
        "centre+size+coverage": lambda p: [
            CanvasCentres(p.taxonomy, 35, p.frame),
            SizeMaps(p.taxonomy, 35),
            CoverageMaps(p.taxonomy, p.frame, 100),
        ],
    }


def time_run(path: Path, make) -> tuple[float, float]:  # noqa: ANN001
    """Wall and CPU seconds of one pipeline run of the measures ``make(pipe)`` over ``path``."""
    from layerheat.pipeline import Pipeline

    t0, c0 = time.perf_counter(), time.process_time()
    with Pipeline([str(path)]) as pipe:
        pipe.run(make(pipe))
    return time.perf_counter() - t0, time.process_time() - c0


def then_worker(small: Path, large: Path) -> None:
    """In a child whose ``layerheat`` is an older checkout: time its centre heatmaps on
    ``small`` then ``large`` (after a warm-up run) and print the four times as JSON."""
    import json

    from layerheat.measures.centres import CanvasCentres

    def make(p):  # noqa: ANN001, ANN202 - the centre heatmaps, as measure_sets has them
        return [CanvasCentres(p.taxonomy, 35, p.frame)]

    time_run(small, make)
    print(json.dumps([time_run(small, make), time_run(large, make)]))


def then_times(src: Path, small: Path, large: Path) -> list[tuple[float, float]]:
    """[(wall, cpu) small, (wall, cpu) large] of the centre heatmaps of checkout ``src``."""
    import json
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(src / "src")}
    code = (
        f"import sys; sys.path.insert(1, {str(HERE)!r}); import bench_measures as b; "
        f"b.then_worker(b.Path({str(small)!r}), b.Path({str(large)!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return [tuple(t) for t in json.loads(out.stdout.strip().splitlines()[-1])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=float, default=2e6)
    parser.add_argument("--large", type=float, default=10e6)
    parser.add_argument("--big", type=float, default=100e6, help="RSS run size (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--sets", help="comma-separated measure sets to time (default all; centre first)"
    )
    parser.add_argument("--then", type=Path, help="an older checkout: its centre heatmaps too")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lh-measures-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        files = {}
        for label, rows in (("small", args.small), ("large", args.large)):
            for own in (True, False):
                name = f"{label}.parquet" if own else f"{label}-plain.parquet"
                path = work / name
                if not (args.keep and path.exists()):  # --keep --workdir: reuse them
                    write_layers(path, int(rows), own=own)
                files[label, own] = path
        sets = measure_sets()
        if args.sets:
            sets = {name: sets[name] for name in args.sets.split(",")}
        for name, make in sets.items():  # warm the compiled kernels and the file cache
            time_run(files["small", not name.endswith("/plain")], make)
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            for name, make in sets.items():
                for label in ("small", "large"):
                    path = files[label, not name.endswith("/plain")]
                    times.setdefault((name, label), []).append(time_run(path, make))
            if args.then:  # the older code's centre heatmaps, on the plain files
                small, large = then_times(args.then, files["small", False], files["large", False])
                times.setdefault(("centre@then", "small"), []).append(small)
                times.setdefault(("centre@then", "large"), []).append(large)
        rows = args.large - args.small
        print(f"{'measures':<22} {'small s':>8} {'large s':>8} {'ns/layer':>9} {'x centre':>9}"
              f" {'cpu ns':>8} {'x centre':>9}")  # fmt: skip
        base = None
        for name in [*sets, *(["centre@then"] if args.then else [])]:
            ts, cs = (statistics.median(v) for v in zip(*times[(name, "small")], strict=True))
            tl, cl = (statistics.median(v) for v in zip(*times[(name, "large")], strict=True))
            marginal = (tl - ts) / rows * 1e9, (cl - cs) / rows * 1e9
            base = base or marginal
            print(f"{name:<22} {ts:8.2f} {tl:8.2f} {marginal[0]:9.1f} "
                  f"{marginal[0] / base[0]:9.2f} {marginal[1]:8.1f} "
                  f"{marginal[1] / base[1]:9.2f}")  # fmt: skip
        if args.big:
            big = write_layers(work / "big.parquet", int(args.big), own=False)
            runs = {
                "heatmaps --measure centre,size,coverage": [
                    LAYERHEAT, "heatmaps", str(big), "-o", str(work / "out"), "-q",
                    "--measure", "centre", "--measure", "size", "--measure", "coverage",
                ],
                "stats": [LAYERHEAT, "stats", str(big), "-o", str(work / "stats"), "-q"],
            }  # fmt: skip
            for name, cmd in runs.items():
                r = measure(cmd)
                print(f"{name} on {args.big:,.0f} layers: {r['wall']:.1f} s, "
                      f"peak RSS {r['rss'] / 2**20:,.0f} MiB")  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
