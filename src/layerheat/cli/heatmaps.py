"""``layerheat heatmaps``: layer data in, one heatmap per type + summary + bins.csv out."""

from __future__ import annotations

from pathlib import Path

import click

from .common import input_options

EXAMPLES = """
\b
Examples:
  layerheat heatmaps                                  # built-in sample -> ./layerheat-out
  layerheat heatmaps layers.parquet -o out
  layerheat heatmaps 20test2.csv 30test2.csv --scale minmax   # the source's files
  layerheat heatmaps points.csv --type 30 --canvas 5906x3543
  layerheat heatmaps layers.parquet --color-scale per-type --log --format svg
  layerheat heatmaps s3://bucket/layers.parquet --dask tcp://scheduler:8786
"""


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@click.option(
    "-o",
    "--output",
    "outdir",
    default="layerheat-out",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for summary.<fmt>, layer-<id>.<fmt> and bins.csv.",
)
@click.option(
    "--scale",
    type=click.Choice(["canvas", "minmax"]),
    default="canvas",
    show_default=True,
    help="canvas: fractions of each design's canvas; minmax: the source's per-type scaling.",
)
@click.option(
    "--gridsize",
    type=click.IntRange(min=1, max=2000),
    default=35,
    show_default=True,
    help="Hexagons across, as matplotlib's hexbin gridsize.",
)
@input_options
@click.option(
    "--color-scale",
    type=click.Choice(["shared", "per-type"]),
    default="shared",
    show_default=True,
    help="One colour scale for all panels, or one per type.",
)
@click.option("--log", is_flag=True, help="Logarithmic colour scale.")
@click.option(
    "--all-types", is_flag=True, help="Summary: a panel for every type, also those without layers."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg", "pdf"]),
    default="png",
    show_default=True,
    help="Figure file format.",
)
@click.option(
    "--dpi",
    type=click.IntRange(10, 2400),
    default=150,
    show_default=True,
    help="Resolution of PNG figures.",
)
@click.option("--jobs", type=click.IntRange(min=1), help="Processes drawing figures.")
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Bin on a Dask cluster: a scheduler address (tcp://host:8786) or local[:N].",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def heatmaps(
    inputs: tuple[str, ...],
    outdir: Path,
    scale: str,
    gridsize: int,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    color_scale: str,
    log: bool,
    all_types: bool,
    fmt: str,
    dpi: int,
    jobs: int | None,
    dask: str | None,
    quiet: bool,
) -> None:
    """Heatmaps of where each layer type goes, one per type plus a summary of all.

    INPUT is CSV or Parquet layer data (design_id, type_id, xmin, ymin, xmax, ymax,
    canvas_width, canvas_height; aliases accepted), the source's headerless x,y CSVs
    (type from the file name, e.g. 20test2.csv), a PSD folder or a COCO .json. With no
    INPUT the built-in synthetic sample is used.
    """
    from ..heatmap import heatmaps as compute
    from ..outputs import check_output_dir
    from ..plot import Style, write_figures
    from ..taxonomy import load_taxonomy

    style = Style(color_scale=color_scale, log=log, all_types=all_types)
    tax = load_taxonomy(taxonomy)
    check_output_dir(outdir)  # fail early, but create nothing before success
    progress = _progress(quiet)
    with progress as tick:
        hs = compute(
            list(inputs),
            scale=scale,
            gridsize=gridsize,
            taxonomy=tax,
            canvas=canvas,
            type_id=type_id,
            outside=outside,
            progress=tick,
            dask=dask,
        )
    written = write_figures(
        hs,
        outdir,
        fmt=fmt,
        dpi=dpi,
        style=style,
        jobs=jobs,
        extra=[("bins.csv", hs.write_bins)],
    )
    for note in hs.report.notes:
        click.echo(f"layerheat: note: {note}", err=True)
    for path, reason in hs.report.files_skipped:
        click.echo(f"layerheat: skipped file {path}: {reason}", err=True)
    for path in written:
        click.echo(str(path))
    click.echo(hs.report.summary())


def _progress(quiet: bool):  # noqa: ANN202 - a context manager yielding a callable
    """A rich progress bar on stderr (rows per second) for runs longer than a second."""
    from ..progress import row_progress

    return row_progress(quiet=quiet)
