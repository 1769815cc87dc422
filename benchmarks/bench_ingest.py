"""Benchmark: ``layerheat ingest`` of a folder of PSDs against a plain psd-tools loop.

The baseline opens each file with ``PSDImage.open`` and reads every layer's ``bbox``
(what anyone would write first). In-process (the default), with imports already done:
the loop, ingest ``jobs=1`` (same work, plus the table and type matching) and ingest
with a process pool (``jobs=N``). ``--cli``: whole commands instead, interpreter start
and imports included: the loop as a ``python`` script against ``layerheat ingest -o``
(auto and ``--jobs N``). Runs alternate; prints medians of wall and CPU time (this
process's and its children's) and the ratios (files/s of ingest over the loop's)::

    .venv/bin/python benchmarks/bench_ingest.py                 # synthetic ad folder
    .venv/bin/python benchmarks/bench_ingest.py --folder ../shared/data/psd --repeat 5
    .venv/bin/python benchmarks/bench_ingest.py --folder ../shared/data/psd --cli
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAMES = ["TITLE", "Subtitle", "logo_dev", "Address", "Sales info", "Disclaimer copy",
         "Graphics", "Graphics 2", "Layer 1", "photo"]  # fmt: skip


def make_folder(folder: Path, files: int, layers: int, size: tuple[int, int]) -> None:
    """Write ``files`` synthetic ads of ``layers`` pixel layers (in nested groups)."""
    from tests.helpers_psd import G, L, make_psd

    rng = random.Random(7)
    w, h = size
    for i in range(files):
        items: list = [L("Background", (0, 0, w, h))]
        group = G(f"Group {i}", [])
        for j in range(layers - 1):
            x0, y0 = rng.randrange(0, w - 200), rng.randrange(0, h - 120)
            box = (x0, y0, x0 + rng.randrange(20, 200), y0 + rng.randrange(10, 120))
            (group.children if j % 2 else items).append(L(rng.choice(NAMES), box))
        items.append(group)
        make_psd(folder / f"ad{i:04d}.psd", size, items, composite=False)


def plain_loop(files: list[Path]) -> int:
    """The baseline: open each file, read every layer's bbox."""
    from psd_tools import PSDImage

    n = 0
    for path in files:
        try:
            psd = PSDImage.open(path)
        except Exception:  # noqa: BLE001 - the baseline skips broken files too
            continue
        for layer in psd.descendants():
            _ = layer.bbox
            n += 1
    return n


def _cpu() -> float:
    self, kids = os.times(), os.times()
    return self.user + self.system + kids.children_user + kids.children_system


def timed(fns: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each function, the functions run in turn."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t, c = time.perf_counter(), _cpu()
            fn()
            runs[name].append((time.perf_counter() - t, _cpu() - c))
    return {
        name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
        for name, r in runs.items()
    }


LOOP_SCRIPT = """
import sys
from pathlib import Path
from psd_tools import PSDImage
for path in sorted(p for p in Path(sys.argv[1]).rglob("*") if p.suffix.lower() in (".psd", ".psb")):
    try:
        psd = PSDImage.open(path)
    except Exception:
        continue
    for layer in psd.descendants():
        _ = layer.bbox
"""


def commands(folder: Path, out: Path, jobs: int) -> dict:
    """The loop and ``layerheat ingest`` as whole commands (interpreter start included)."""

    def run(*argv: str):  # noqa: ANN202
        return lambda: subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    py = sys.executable
    target = str(out / "layers.parquet")
    return {
        "plain psd-tools loop": run(py, "-c", LOOP_SCRIPT, str(folder)),
        "layerheat ingest": run(py, "-m", "layerheat", "ingest", str(folder), "-o", target),
        f"layerheat ingest --jobs {jobs}": run(
            py, "-m", "layerheat", "ingest", str(folder), "-o", target, "--jobs", str(jobs)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="existing folder of PSDs to time")
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--layers", type=int, default=40)
    parser.add_argument("--size", default="2953x1772", help="canvas WxH of synthetic files")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cli", action="store_true", help="time whole commands")
    args = parser.parse_args()

    from layerheat.ingest import ingest

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder
        if folder is None:
            folder = Path(tmp) / "ads"
            folder.mkdir()
            w, h = (int(v) for v in args.size.lower().split("x"))
            t = time.perf_counter()
            make_folder(folder, args.files, args.layers, (w, h))
            print(f"wrote {args.files} synthetic PSDs ({args.layers} layers, {w}x{h}) "
                  f"in {time.perf_counter() - t:.1f}s")  # fmt: skip
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".psd", ".psb"))
        total = sum(p.stat().st_size for p in files)
        print(f"folder: {folder} ({len(files)} files, {total / 2**20:.1f} MiB)")
        mode = "whole commands" if args.cli else "in-process"
        print(f"median of {args.repeat} runs each, alternating, {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.1f}, {mode}")  # fmt: skip
        if args.cli:
            fns = commands(folder, Path(tmp), args.jobs)
        else:
            plain_loop(files)  # imports, as a whole command would have done them
            fns = {
                "plain psd-tools loop": lambda: plain_loop(files),
                "ingest --jobs 1": lambda: ingest([folder], jobs=1),
                f"ingest --jobs {args.jobs}": lambda: ingest([folder], jobs=args.jobs),
            }
        result = timed(fns, args.repeat)
        base_wall, base_cpu = result["plain psd-tools loop"]
        print(
            f"{'':<28}  {'wall s':>8}  {'files/s':>8}  {'x loop':>6}  {'CPU s':>7}  {'x loop':>6}"
        )
        for label, (wall, cpu) in result.items():
            print(f"{label:<28}  {wall:8.3f}  {len(files) / wall:8.1f}  {base_wall / wall:6.2f}"
                  f"  {cpu:7.3f}  {base_cpu / cpu:6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
