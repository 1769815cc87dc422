"""'layerheat stats': per-type statistics, co-occurrence and relative placement."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import (
    dpi_option,
    format_option,
    gridsize_option,
    input_options,
    output_option,
    print_report,
    quiet_option,
    reading_facts,
    wait_option,
)

if TYPE_CHECKING:
    from ..io.options import ReadOptions

__all__ = ["parse_pair", "stats"]

EXAMPLES = """
\b
Examples:
  layerheat stats                                  # built-in sample -> ./layerheat-stats
  layerheat stats layers.parquet -o stats
  layerheat stats layers.parquet --pair 30:40 --pair 70:30
  layerheat stats 20test2.csv 30test2.csv --canvas 5906x3543   # no design ids: types.csv only
"""

_PAIR = re.compile(r"^\s*(-?\d+)\s*:\s*(-?\d+)\s*$")


def parse_pair(value: str) -> tuple[int, int]:
    """'30:40' -> (30, 40)."""
    from ..errors import LayerheatError

    m = _PAIR.match(value)
    if not m:
        raise LayerheatError(f"--pair {value!r} is not A:B with two type ids; e.g. --pair 30:40")
    return int(m.group(1)), int(m.group(2))


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@output_option(
    "layerheat-stats",
    "Folder for types.csv, cooccurrence.csv and relative-A-B.csv/.<fmt> per pair.",
    folder=True,
)
@click.option(
    "--pair",
    "pairs",
    multiple=True,
    metavar="A:B",
    help="Relative placement of type B to type A (type ids; repeat). "
    "Default: the 3 pairs found together in the most designs.",
)
@gridsize_option
@input_options
@format_option("png", "Figure file format.")
@dpi_option
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Run on a Dask cluster: a scheduler address (tcp://host:8786) or local[:N].",
)
@quiet_option
@wait_option
def stats(
    inputs: tuple[str, ...],
    output: Path,
    pairs: tuple[str, ...],
    gridsize: int,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    reading: ReadOptions,
    fmt: str,
    dpi: int,
    dask: str | None,
    quiet: bool,
    wait: bool,
) -> None:
    """Per-type statistics and relations: how many layers and designs, where and how big
    (mean, sd, percentiles), which types appear together, and where one type sits
    relative to another.

    Writes types.csv, cooccurrence.csv, and per pair relative-A-B.csv and a figure
    (docs/measures.md). Co-occurrence and relative placement need a design_id column;
    without one only types.csv is written, with its design columns empty. INPUT is
    anything `layerheat heatmaps` reads; with no INPUT the built-in sample is used.
    """
    import time

    from ..outputs import OwnedFolder, check_output_dir, run_manifest
    from ..plot_measures import plot_relative
    from ..progress import row_progress
    from ..stats import type_stats, write_tables
    from ..taxonomy import load_taxonomy

    started = time.monotonic()
    chosen = [parse_pair(p) for p in pairs] or None
    tax = load_taxonomy(taxonomy)
    check_output_dir(output)  # fail before the computation, creating nothing
    read = {"taxonomy": tax, "canvas": canvas, "type_id": type_id, "outside": outside}
    with row_progress(quiet=quiet) as tick:
        result = type_stats(
            reading.attach(inputs),
            pairs=chosen,
            gridsize=gridsize,
            progress=tick,
            dask=dask,
            **read,
        )
    pair_ids = [[r.type_a.id, r.type_b.id] for r in result.relative]
    options = {"pairs": pair_ids, "gridsize": gridsize, "outside": outside, "canvas": canvas}
    options.update(format=fmt, dpi=dpi, **reading_facts(reading))
    with OwnedFolder(output, wait=wait) as run:
        write_tables(result, run.path)
        for rel in result.relative:
            plot_relative(rel).savefig(run.path / f"{rel.name}.{fmt}", dpi=dpi)
        manifest = run_manifest(
            "stats", inputs, options, result.report, started, designs=result.types.n_designs
        )
        written = run.commit(manifest)
    print_report(result.report)
    for path in written:
        click.echo(str(path))
    designs = result.types.n_designs
    n_types = len(result.types.present())
    found = f"{n_types} type{'s' if n_types != 1 else ''}"
    found += f" in {designs:,} designs" if designs else ""
    click.echo(f"{found}; {result.report.summary()}")
