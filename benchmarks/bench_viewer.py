"""The viewer at scale: how soon ``layerheat view BIG.parquet`` shows and becomes usable.

    .venv/bin/python benchmarks/bench_viewer.py                 # 20 M layers, 3 runs each
    .venv/bin/python benchmarks/bench_viewer.py --rows 2e6      # while developing
    .venv/bin/python benchmarks/bench_viewer.py --paint-only --repeat 7   # first paint only

Generates once (cached under ``--workdir``, default /tmp/layerheat-bench-viewer) a
Parquet file of ``--rows`` layers in ~11.6-layer designs (about 1.7 M designs at 20 M):
the sample layouts ``bench_heatmaps.py`` writes, but each 930 k-row chunk with its own
design ids (``d007-sample-00042``), one row group per chunk, as ``ParquetWriter`` writes.

Then, alternating in one session, ``--repeat`` times each, every run a fresh process:

* the command: ``layerheat view FILE`` through its real entry point (``layerheat.cli``),
  in a process stopped at the window's first paint: **first paint from the command's
  start** (the parent's clock when it spawns the process, so interpreter start-up, the
  CLI and every import count), and which of NumPy, PyArrow, matplotlib,
  :mod:`layerheat.render` and the design index were imported by then;
* the window: a probe process does what ``layerheat view FILE`` does (the model opened
  with :meth:`ViewerModel.open`, the window built and shown, offscreen Qt) and records,
  from its own start (before imports): **first paint** (the window's first paint event:
  the "reading…" placeholder) and **usable** (the design index built, list filled, the
  first design drawn: the window's ``ready`` signal); its peak RSS;
* ``layerheat view FILE --screenshot x.png``: the real CLI end to end (wall, peak RSS);
* ``layerheat heatmaps FILE``: the same file's heatmaps (wall, peak RSS), for the ratio.

``--paint-only`` runs the command's first paint alone (no file reading, no heatmaps).
Medians are printed. On a shared machine the figures are noisy; compare ratios from one
session rather than absolute seconds across sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_heatmaps import LAYERHEAT, PYTHON, measure, run_layerheat  # noqa: E402

PROBE = r"""
import time
T0 = time.perf_counter()
import json, os, resource, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from layerheat.viewer.app import MainWindow, QtCore, application
from layerheat.viewer.model import ViewerModel

IMPORTED = time.perf_counter() - T0
app = application()
ini = QtCore.QSettings(sys.argv[2], QtCore.QSettings.Format.IniFormat)
window = MainWindow(ViewerModel.open([sys.argv[1]]), settings=ini)
seen = {}

class FirstPaint(QtCore.QObject):
    def eventFilter(self, obj, event):
        if event.type() == QtCore.QEvent.Type.Paint and "paint" not in seen:
            seen["paint"] = time.perf_counter() - T0
        return False

spy = FirstPaint()
window.installEventFilter(spy)
window.view.viewport().installEventFilter(spy)

def ready():
    seen["usable"] = time.perf_counter() - T0
    seen["drawn"] = len(window.graphics.items())
    seen["designs"] = len(window.model.designs)
    seen["error"] = window.error
    app.quit()

window.ready.connect(ready)
window.show()
app.exec()
window.close()
seen["imports"] = IMPORTED
seen["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(seen))
"""


CLI_PROBE = r"""
import json, os, sys, time
import importlib.util

HEAVY = ("numpy", "pyarrow", "matplotlib", "layerheat.render", "layerheat.viewer.index")


def spy_on(module):
    QtCore = module.QtCore  # the viewer's own: importing qtpy's here would cost time

    class FirstPaint(QtCore.QObject):
        def eventFilter(self, obj, event):
            if event.type() == QtCore.QEvent.Type.Paint:
                seen = {"paint": time.time(), "heavy": [m for m in HEAVY if m in sys.modules]}
                print(json.dumps(seen), flush=True)
                os._exit(0)
            return False

    init = module.MainWindow.__init__

    def spied(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._first_paint = FirstPaint()
        self.installEventFilter(self._first_paint)

    module.MainWindow.__init__ = spied


class Hook:  # patches the window class as its module is imported, wherever that happens
    def find_spec(self, name, path, target=None):
        if name != "layerheat.viewer.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            spy_on(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, Hook())
sys.argv = ["layerheat", "view", *sys.argv[1:]]
from layerheat.cli import main

main()
"""


def write_designs(path: Path, rows: int) -> Path:
    """``rows`` layers in designs of their own per chunk (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from layerheat.sample import sample_layers

    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = [sample_layers(designs=80_000, seed=seed).arrow for seed in range(3)]
    tmp = path.with_suffix(".partial")
    done = i = 0
    with pq.ParquetWriter(tmp, chunks[0].schema) as writer:
        while done < rows:
            chunk = chunks[i % len(chunks)]
            chunk = chunk.slice(0, min(chunk.num_rows, rows - done))
            ids = pc.binary_join_element_wise(pa.scalar(f"d{i:03d}"), chunk["design_id"], "-")
            writer.write_table(chunk.set_column(0, "design_id", ids))
            done += chunk.num_rows
            i += 1
    tmp.rename(path)
    return path


def probe(parquet: Path, work: Path) -> dict:
    """One fresh process opening the window on ``parquet`` (see the module docstring)."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [PYTHON, "-c", PROBE, str(parquet), str(work / "viewer.ini")],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if out.returncode != 0:
        raise SystemExit(f"probe failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result.get("error") or result["drawn"] < 5:
        raise SystemExit(f"the window did not draw a design: {result}")
    result["wall"] = time.perf_counter() - t0
    return result


def cli_paint(parquet: Path) -> dict:
    """``layerheat view FILE`` in a fresh process, stopped at its window's first paint."""
    t0 = time.time()
    out = subprocess.run(
        [PYTHON, "-c", CLI_PROBE, str(parquet)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"the command did not paint:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["paint"] -= t0
    return result


def screenshot(parquet: Path, work: Path) -> dict:
    return measure([LAYERHEAT, "view", str(parquet), "--screenshot", str(work / "view.png")])


def paint_only(parquet: Path, repeat: int) -> None:
    """The command's first paint, ``repeat`` times (nothing is read: the file may be big)."""
    paints = []
    for i in range(repeat):
        run = cli_paint(parquet)
        paints.append(run["paint"])
        print(f"run {i + 1}: first paint {run['paint']:.3f} s; imported by then: {run['heavy']}")
    print(
        f"layerheat view: first paint, median of {repeat}  {statistics.median(paints):.3f} s "
        f"({min(paints):.3f}-{max(paints):.3f}; target < 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=20e6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/layerheat-bench-viewer"))
    parser.add_argument("--paint-only", action="store_true", help="only the command's first paint")
    args = parser.parse_args()
    rows, work = int(args.rows), args.workdir
    parquet = work / f"designs-{rows}.parquet"
    if not parquet.exists():
        t0 = time.perf_counter()
        write_designs(parquet, rows)
        print(f"generated {parquet} in {time.perf_counter() - t0:.0f} s")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if args.paint_only:
        paint_only(parquet, args.repeat)
        return
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(parquet).metadata
    print(
        f"machine: {os.cpu_count()} cores; {meta.num_rows:,} layers in "
        f"{meta.num_row_groups} row groups, {parquet.stat().st_size / 2**20:.0f} MiB"
    )
    run_layerheat(parquet, work / "warm")  # Numba's disk cache, the OS file cache
    runs: dict[str, list[dict]] = {"cli": [], "window": [], "shot": [], "heatmaps": []}
    for i in range(args.repeat):  # alternate, so drift on a shared machine hits all
        runs["cli"].append(cli_paint(parquet))
        runs["window"].append(probe(parquet, work))
        runs["shot"].append(screenshot(parquet, work))
        runs["heatmaps"].append(run_layerheat(parquet, work / "heatmaps"))
        w = runs["window"][-1]
        print(
            f"run {i + 1}: view paints at {runs['cli'][-1]['paint']:.2f} s; window: paint "
            f"{w['paint']:.2f} s, usable {w['usable']:.2f} s, {w['rss'] / 2**20:.0f} MiB; "
            f"screenshot {runs['shot'][-1]['wall']:.2f} s; "
            f"heatmaps {runs['heatmaps'][-1]['wall']:.2f} s"
        )
    report(runs, meta.num_rows, args.repeat)


def report(runs: dict[str, list[dict]], layers: int, repeat: int) -> None:
    """The medians, against the targets."""

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    designs = runs["window"][0]["designs"]
    hm = med("heatmaps", "wall")
    print(f"\n{layers:,} layers, {designs:,} designs; medians of {repeat} runs")
    print(
        f"layerheat view: first paint (from its start) {med('cli', 'paint'):7.2f} s  (target < 1 s)"
    )
    print(f"window first paint (reading… shown)  {med('window', 'paint'):7.2f} s  (probe's start)")
    print(
        f"window usable (list + first design)  {med('window', 'usable'):7.2f} s  "
        f"= {med('window', 'usable') / hm:.2f}x heatmaps (target <= 2x)"
    )
    print(
        f"window peak RSS                      {med('window', 'rss') / 2**20:7.0f} MiB "
        "(target < 1536)"
    )
    print(
        f"view --screenshot (CLI, end to end)  {med('shot', 'wall'):7.2f} s  "
        f"{med('shot', 'rss') / 2**20:5.0f} MiB = {med('shot', 'wall') / hm:.2f}x heatmaps"
    )
    print(
        f"heatmaps (CLI)                       {hm:7.2f} s  "
        f"{med('heatmaps', 'rss') / 2**20:5.0f} MiB"
    )


if __name__ == "__main__":
    main()
