"""Peak memory of reading a large COCO JSON: ``layerheat ingest`` and ``heatmaps``.

Writes a COCO file like PubLayNet's (``--annotations`` boxes over ``--images`` pages,
5 categories, ~110 bytes per annotation; 2 M annotations are ~220 MB), then runs the
real CLI on it under ``/usr/bin/time -v`` and prints wall time and peak RSS, the median
of ``--repeat`` runs::

    .venv/bin/python benchmarks/coco_memory.py                       # 2 M annotations
    .venv/bin/python benchmarks/coco_memory.py --annotations 2e5 --repeat 1
    .venv/bin/python benchmarks/coco_memory.py --write-only big.json  # just the file
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERHEAT = str(Path(sys.executable).with_name("layerheat"))
CATEGORIES = ["text", "title", "list", "table", "figure"]


def write_coco(path: Path, annotations: int, images: int, seed: int = 0) -> Path:
    """A PubLayNet-like COCO file: images first, then annotations, then categories."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fp:
        fp.write('{"images": [')
        for i in range(images):
            sep = "," if i else ""
            fp.write(f'{sep}{{"file_name": "PMC{4000000 + i}_00.jpg", "height": 792, '
                     f'"width": 612, "id": {i + 1}}}')  # fmt: skip
        fp.write('], "annotations": [')
        for a in range(annotations):
            x, y = rng.uniform(30, 500), rng.uniform(30, 700)
            w, h = rng.uniform(10, 110), rng.uniform(8, 90)
            sep = "," if a else ""
            fp.write(f'{sep}{{"area": {w * h:.2f}, "iscrowd": 0, "image_id": {a % images + 1}, '
                     f'"bbox": [{x:.2f}, {y:.2f}, {w:.2f}, {h:.2f}], '
                     f'"category_id": {a % 5 + 1}, "id": {a + 1}}}')  # fmt: skip
        fp.write('], "categories": [')
        fp.write(", ".join(f'{{"id": {i + 1}, "name": "{n}", "supercategory": ""}}'
                           for i, n in enumerate(CATEGORIES)))  # fmt: skip
        fp.write("]}\n")
    return path


def measure(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one run under /usr/bin/time -v."""
    done = subprocess.run(["/usr/bin/time", "-v", *args], capture_output=True, text=True)
    err = done.stderr
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", err)
    h, m, s = (float(g or 0) for g in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    code = int(re.search(r"Exit status: (\d+)", err).group(1))
    return h * 3600 + m * 60 + s, rss / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=float, default=2e6)
    parser.add_argument("--images", type=float, default=None, help="default: annotations / 10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--write-only", type=Path, default=None, metavar="FILE")
    opts = parser.parse_args()
    n = int(opts.annotations)
    images = int(opts.images or max(1, n // 10))
    if opts.write_only:
        write_coco(opts.write_only, n, images)
        return
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="lh-coco-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"coco-{n}.json"
    if not data.exists():
        write_coco(data, n, images)
    print(f"{data}: {data.stat().st_size / 1e6:.0f} MB, {n:,} annotations, {images:,} images")
    runs = {
        "ingest": [LAYERHEAT, "ingest", str(data), "-o", str(work / "layers.parquet"), "-j", "1"],
        "heatmaps": [LAYERHEAT, "heatmaps", str(data), "-o", str(work / "maps"), "-q"],
    }
    for name, args in runs.items():
        results = [measure(args) for _ in range(opts.repeat)]
        codes = {c for _, _, c in results}
        wall = statistics.median(r[0] for r in results)
        rss = statistics.median(r[1] for r in results)
        print(f"{name:9s} wall {wall:6.1f} s  peak RSS {rss:7.0f} MiB  exit {sorted(codes)}")


if __name__ == "__main__":
    main()
