"""Benchmark: ``layerheat ingest`` of a folder of PSDs against a plain psd-tools loop.

The baseline opens each file with ``PSDImage.open`` and reads every layer's ``bbox``
(what anyone would write first). ingest is timed in-process (``jobs=1``: same work,
plus the table and type matching) and with a process pool (``jobs=N``). Prints the
median of several runs and the ratios (files/s of ingest over files/s of the loop)::

    .venv/bin/python benchmarks/bench_ingest.py                 # synthetic ad folder
    .venv/bin/python benchmarks/bench_ingest.py --folder ../shared/data/psd --repeat 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
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


def timed(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="existing folder of PSDs to time")
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--layers", type=int, default=40)
    parser.add_argument("--size", default="2953x1772", help="canvas WxH of synthetic files")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
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
        print(f"median of {args.repeat} runs each, {os.cpu_count()} CPUs")

        base = timed(lambda: plain_loop(files), args.repeat)
        serial = timed(lambda: ingest([folder], jobs=1), args.repeat)
        pooled = timed(lambda: ingest([folder], jobs=args.jobs), args.repeat)
        rate = len(files) / base
        print(f"plain psd-tools loop    {base:8.3f} s  {rate:8.1f} files/s  1.00x")
        for label, sec in (("ingest --jobs 1", serial), (f"ingest --jobs {args.jobs}", pooled)):
            print(f"{label:<22}  {sec:8.3f} s  {len(files) / sec:8.1f} files/s  {base / sec:.2f}x")


if __name__ == "__main__":
    main()
