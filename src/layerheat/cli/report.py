"""'layerheat report': one self-contained HTML page about a collection (or two)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import (
    gridsize_option,
    input_options,
    print_report,
    quiet_option,
    resolution_option,
)

if TYPE_CHECKING:
    from ..io.options import ReadOptions

__all__ = ["report"]

EXAMPLES = """
\b
Examples:
  layerheat report                                    # the built-in sample -> report.html
  layerheat report layers.parquet -o layers.html
  layerheat report designs/ -o psd.html               # a PSD folder
  layerheat report sample --compare variant.parquet -o compare.html
"""


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@click.option(
    "-o",
    "--output",
    "output",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (replaced whole; nothing is written if the run fails).",
)
@click.option(
    "--compare",
    "compare_with",
    multiple=True,
    metavar="INPUT",
    help="A second collection to compare with (repeat for several inputs).",
)
@click.option("--label", "labels", multiple=True, help="Name of the collection, then of --compare.")
@gridsize_option
@resolution_option(60)
@click.option(
    "--examples",
    type=click.IntRange(0, 10),
    default=2,
    show_default=True,
    help="Example designs per type, typical and unusual each.",
)
@click.option(
    "--outliers",
    type=click.IntRange(0, 100),
    default=8,
    show_default=True,
    help="Designs listed (and drawn) as outliers.",
)
@input_options
@quiet_option
def report(
    inputs: tuple[str, ...],
    output: Path,
    compare_with: tuple[str, ...],
    labels: tuple[str, ...],
    gridsize: int,
    resolution: int,
    examples: int,
    outliers: int,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    reading: ReadOptions,
    quiet: bool,
) -> None:
    """A report to share: one HTML file with every figure inlined, readable offline.

    It holds the run's facts, the summary heatmap, a table of types, size and coverage
    maps, a section per type with example designs (typical and unusual placements), the
    outlier designs and, with --compare, where the two collections differ. INPUT is
    anything `layerheat heatmaps` reads; none means the built-in sample.
    """
    import sys

    from ..errors import LayerheatError
    from ..outputs import atomic_path, check_output_dir
    from ..progress import row_progress
    from ..report import build_report
    from ..taxonomy import load_taxonomy

    if output.suffix.lower() not in (".html", ".htm"):
        raise LayerheatError(f"{output}: a report is an .html file; give -o NAME.html")
    if len(labels) > (2 if compare_with else 1):
        raise LayerheatError("give --label once (twice with --compare)")
    check_output_dir(output.parent if str(output.parent) else ".")
    started = time.monotonic()
    data = reading.attach(inputs) or None
    read = {"taxonomy": load_taxonomy(taxonomy), "canvas": canvas, "type_id": type_id}
    with row_progress(quiet=quiet) as tick:
        result = build_report(
            data,
            compare_with=reading.attach(compare_with) or None,
            labels=labels,
            gridsize=gridsize,
            resolution=resolution,
            examples=examples,
            outliers=outliers,
            progress=tick,
            argv=sys.argv[1:],
            outside=outside,
            **read,
        )
    with atomic_path(output) as tmp:
        tmp.write_text(result.html, encoding="utf-8")
    print_report(result.collection.report)
    size = output.stat().st_size
    seconds = time.monotonic() - started
    click.echo(str(output))
    click.echo(f"report of {result.collection.label}: {size / 1e6:.1f} MB in {seconds:.1f} s")
