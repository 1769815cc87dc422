"""'layerheat metrics': per-design layout scores (alignment, overlap, validity) to CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import input_options, output_option

if TYPE_CHECKING:
    from ..io.options import ReadOptions

__all__ = ["metrics"]


@click.command(
    epilog="""
\b
Examples:
  layerheat metrics layers.parquet -o metrics.csv
  layerheat metrics sample -o metrics.csv
"""
)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@output_option(
    "metrics.csv",
    "CSV file: design_id,n_layers,alignment,overlap,validity (variants in a # line).",
    folder=False,
)
@input_options
def metrics(
    inputs: tuple[str, ...],
    output: Path,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    reading: ReadOptions,
) -> None:
    """Layout scores per design: LayoutGAN++ alignment and overlap, PosterLayout validity.

    Boxes in canvas fractions; rows partly outside the canvas are clipped (or skipped
    with --outside skip). With no INPUT the built-in sample is scored.
    """
    import numpy as np

    from ..metrics import design_metrics, write_metrics
    from ..sources import read_layers
    from ..taxonomy import load_taxonomy

    tax = load_taxonomy(taxonomy)
    table, report = read_layers(
        reading.attach(inputs), type_id=type_id, canvas=canvas, taxonomy=tax, outside=outside
    )
    scores = design_metrics(table, taxonomy=tax)
    write_metrics(scores, output)
    click.echo(str(output))
    means = ", ".join(
        f"{k} {np.nanmean(scores.column(k).to_numpy()):.4g}"
        for k in ("alignment", "overlap", "validity")
    )
    click.echo(f"{scores.num_rows:,} designs; means: {means}")
    click.echo(report.summary())
