"""Tall and wide canvases: time, peak memory and summary size of ``layerheat heatmaps``.

One-row CSVs whose canvas is very tall (the cases of issue 15: 100x300000 once ran out
of memory after 2.6 GB, 2000x300000 took 62 s and 4.6 GB). Each case runs the real CLI
under ``/usr/bin/time -v`` ``--repeat`` times; prints the median wall time, the median
peak RSS and the pixel size of ``summary.png``::

    .venv/bin/python benchmarks/tall_canvas.py
    .venv/bin/python benchmarks/tall_canvas.py --cases 2000x300000 --repeat 1 --keep /tmp/tall
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coco_memory import LAYERHEAT, measure  # noqa: E402

CASES = ["100x300000", "1000x20000", "2000x300000"]


def write_case(path: Path, width: int, height: int) -> Path:
    """One layer in the middle of a ``width`` x ``height`` canvas."""
    x0, y0 = width * 0.25, height * 0.4
    path.write_text(
        "design_id,type_id,xmin,ymin,xmax,ymax,canvas_width,canvas_height\n"
        f"tall,10,{x0:g},{y0:g},{x0 + width / 2:g},{y0 + height / 10:g},{width},{height}\n"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="WxH,WxH,...")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep outputs in")
    opts = parser.parse_args()
    from PIL import Image

    work = opts.keep or Path(tempfile.mkdtemp(prefix="lh-tall-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'canvas':>12} {'wall s':>7} {'peak MiB':>9} {'exit':>5}  summary.png")
    for case in opts.cases.split(","):
        w, h = (int(v) for v in case.lower().split("x"))
        data = write_case(work / f"tall-{case}.csv", w, h)
        out = work / f"out-{case}"
        runs = [measure([LAYERHEAT, "heatmaps", str(data), "-o", str(out), "-q"])
                for _ in range(opts.repeat)]  # fmt: skip
        wall = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        codes = ",".join(sorted({str(r[2]) for r in runs}))
        summary = out / "summary.png"
        size = "x".join(map(str, Image.open(summary).size)) if summary.exists() else "-"
        print(f"{case:>12} {wall:7.1f} {rss:9.0f} {codes:>5}  {size}", flush=True)


if __name__ == "__main__":
    main()
