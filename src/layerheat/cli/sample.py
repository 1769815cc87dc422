"""'layerheat sample': write the built-in synthetic dataset to Parquet or CSV."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = [
    "sample",
]


@click.command(
    epilog="""
\b
Examples:
  layerheat sample -o sample.parquet
  layerheat sample -o sample.csv --designs 500 --seed 7
  layerheat sample -o variant.parquet --variant logo-right   # to try compare
"""
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .parquet or .csv.",
)
@click.option("--designs", type=click.IntRange(min=1), default=3000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--variant",
    type=click.Choice(["logo-right"]),
    help="A documented change of the sample (logo-right: left logos mirrored to the right).",
)
def sample(output: Path, designs: int, seed: int, variant: str | None) -> None:
    """Write the built-in synthetic sample (advertisement layouts on a 5906x3543 canvas)."""
    from ..errors import LayerheatError
    from ..sample import sample_layers, sample_variant

    if output.suffix.lower() not in (".parquet", ".pq", ".csv"):
        raise LayerheatError(f"{output}: use a .parquet or .csv file name")
    if variant:
        table = sample_variant(variant, designs=designs, seed=seed)
    else:
        table = sample_layers(designs=designs, seed=seed)
    table.write(output)
    click.echo(str(output))
    click.echo(f"wrote {len(table)} layers in {designs} designs")
