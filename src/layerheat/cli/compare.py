"""'layerheat compare': two collections in, where and how much each type differs out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import (
    dpi_option,
    gridsize_option,
    input_options,
    output_option,
    reading_facts,
    scale_option,
    wait_option,
)

if TYPE_CHECKING:
    from ..io.options import ReadOptions

__all__ = ["compare"]

EXAMPLES = """
\b
Examples:
  layerheat sample -o variant.parquet --variant logo-right
  layerheat compare sample variant.parquet -o cmp --label sample --label logo-right
  layerheat compare --a 2023/*.parquet --b 2024/*.parquet -o cmp --fdr 0.01
  layerheat compare real.parquet generated.parquet -o cmp --max-iou
"""


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[A B]")
@click.option("--a", "side_a", multiple=True, help="An input of side A (repeat for several).")
@click.option("--b", "side_b", multiple=True, help="An input of side B (repeat for several).")
@output_option(
    "layerheat-compare",
    "Folder for compare.csv, compare-bins.csv, scores.csv and the figures.",
    folder=True,
)
@click.option("--label", "labels", multiple=True, help="Name of side A, then of side B.")
@click.option(
    "--fdr",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="False discovery rate of the per-hexagon tests (Benjamini-Hochberg).",
)
@gridsize_option
@scale_option(", with the extents of both sides together")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Types shown in compare.png.",
)
@click.option(
    "--max-iou", is_flag=True, help="Also Maximum IoU between the sides (<= 20,000 designs)."
)
@click.option("--no-metrics", is_flag=True, help="Skip the per-design layout scores.")
@input_options
@dpi_option
@wait_option
def compare(
    inputs: tuple[str, ...],
    side_a: tuple[str, ...],
    side_b: tuple[str, ...],
    output: Path,
    labels: tuple[str, ...],
    fdr: float,
    gridsize: int,
    scale: str,
    top: int,
    max_iou: bool,
    no_metrics: bool,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    reading: ReadOptions,
    dpi: int,
    wait: bool,
) -> None:
    """Compare two collections A and B type by type, on one canvas-frame grid.

    Writes compare.csv (types ranked by Jensen-Shannon divergence), compare-bins.csv
    (per hexagon: counts, shares, difference B - A, p- and q-values), scores.csv (layout
    scores per side), compare.png, divergence.png and metrics.png. A and B are anything
    `layerheat heatmaps` reads; `sample` is the built-in sample.
    """
    from ..compare import compare as run
    from ..errors import LayerheatError
    from ..outputs import OwnedFolder, check_output_dir, run_manifest
    from ..taxonomy import load_taxonomy

    a, b = (reading.attach(side) for side in _sides(inputs, side_a, side_b))
    if len(labels) not in (0, 2):
        raise LayerheatError("give --label twice (side A, then side B) or not at all")
    names = labels or (_name(a), _name(b))
    check_output_dir(output)
    started = time.monotonic()
    result = run(
        a,
        b,
        labels=names,
        gridsize=gridsize,
        scale=scale,
        taxonomy=load_taxonomy(taxonomy),
        canvas=canvas,
        type_id=type_id,
        outside=outside,
        fdr=fdr,
        metrics=not no_metrics,
        max_iou=max_iou,
    )
    from ..plot_compare import write_figures

    with OwnedFolder(output, wait=wait) as folder:
        result.write(folder.path)
        write_figures(result, folder.path, top=top, dpi=dpi)
        options = {"gridsize": gridsize, "scale": scale, "fdr": fdr, "labels": list(names)}
        options.update(reading_facts(reading))
        report = result.a.report
        written = folder.commit(run_manifest("compare", [*a, *b], options, report, started))
    for path in written:
        click.echo(str(path))
    first = result.types[0] if result.types else None
    if first is not None:
        click.echo(f"most different: {first.type.label}, JS divergence {first.js:.3f} bits")
    if result.max_iou:
        click.echo(f"Maximum IoU {result.max_iou[0]:.4f} over {result.max_iou[1]:,} pairs")


def _sides(inputs: tuple[str, ...], side_a: tuple[str, ...], side_b: tuple[str, ...]):  # noqa: ANN202
    from ..errors import LayerheatError

    if side_a or side_b:
        if inputs or not (side_a and side_b):
            raise LayerheatError("give both --a and --b (no positional inputs), or exactly A B")
        return list(side_a), list(side_b)
    if len(inputs) != 2:
        raise LayerheatError(
            f"compare takes two inputs A B (got {len(inputs)}); use --a/--b for more"
        )
    return [inputs[0]], [inputs[1]]


def _name(paths: list[str]) -> str:
    first = Path(paths[0]).stem or str(paths[0])
    return first if len(paths) == 1 else f"{first} +{len(paths) - 1}"
