"""'layerheat heatmaps': layer data in, one heatmap per type + summary + bins.csv out."""

from __future__ import annotations

from pathlib import Path

import click

from .common import (
    dpi_option,
    format_option,
    gridsize_option,
    input_options,
    jobs_option,
    output_option,
    print_report,
    quiet_option,
    wait_option,
)

__all__ = [
    "heatmaps",
]

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
@output_option(
    "layerheat-out", "Folder for summary.<fmt>, layer-<id>.<fmt> and bins.csv.", folder=True
)
@click.option(
    "--scale",
    type=click.Choice(["canvas", "minmax"]),
    default="canvas",
    show_default=True,
    help="canvas: fractions of each design's canvas; minmax: the source's per-type scaling.",
)
@gridsize_option
@input_options
@click.option(
    "--color-scale",
    type=click.Choice(["shared", "per-type"]),
    default="per-type",
    show_default=True,
    help="One colour scale per type (every pattern visible), or one shared by all panels.",
)
@click.option("--log", is_flag=True, help="Logarithmic colour scale.")
@click.option("--density", is_flag=True, help="Colour by share of the type's layers, not by count.")
@click.option(
    "--all-types", is_flag=True, help="Summary: a panel for every type, also those without layers."
)
@format_option("png", "Figure file format.")
@dpi_option
@jobs_option("drawing figures")
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Bin on a Dask cluster: a scheduler address (tcp://host:8786) or local[:N].",
)
@quiet_option
@wait_option
def heatmaps(
    inputs: tuple[str, ...],
    output: Path,
    scale: str,
    gridsize: int,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    color_scale: str,
    log: bool,
    density: bool,
    all_types: bool,
    fmt: str,
    dpi: int,
    jobs: int | None,
    dask: str | None,
    quiet: bool,
    wait: bool,
) -> None:
    """Heatmaps of where each layer type goes, one per type plus a summary of all.

    INPUT is CSV or Parquet layer data (design_id, type_id, xmin, ymin, xmax, ymax,
    canvas_width, canvas_height; aliases accepted), the source's headerless x,y CSVs
    (type from the file name, e.g. 20test2.csv), a PSD folder or a COCO .json. With no
    INPUT the built-in synthetic sample is used.
    """
    import time

    from ..heatmap import heatmaps as compute
    from ..outputs import OwnedFolder, check_output_dir
    from ..plot import Style, write_figures
    from ..taxonomy import load_taxonomy

    started = time.monotonic()
    style = Style(color_scale=color_scale, log=log, all_types=all_types, density=density)
    tax = load_taxonomy(taxonomy)
    check_output_dir(output)  # fail before the (possibly long) computation, creating nothing
    with _progress(quiet) as tick:
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
    with OwnedFolder(output, wait=wait) as run:
        figure_options = {"fmt": fmt, "dpi": dpi, "style": style, "jobs": jobs}
        write_figures(hs, run.path, extra=[("bins.csv", hs.write_bins)], **figure_options)
        options = {
            "scale": scale,
            "gridsize": gridsize,
            "outside": outside,
            "canvas": canvas,
            "color_scale": color_scale,
            "log": log,
            "format": fmt,
            "dpi": dpi,
        }
        written = run.commit(heatmaps_manifest(hs, inputs, options, started))
    print_report(hs.report)
    for path in written:
        click.echo(str(path))
    click.echo(summary_line(hs))


def heatmaps_manifest(hs, inputs, options: dict, started: float) -> dict:  # noqa: ANN001
    """layerheat.json of a heatmaps run: the common facts plus canvases and types."""
    from ..outputs import run_manifest

    sizes = [{"width": w, "height": h, "layers": n} for (w, h), n in hs.canvas_sizes.items()]
    layers = {str(t.type.id): t.n_layers for t in hs if t.n_layers}
    return run_manifest(
        "heatmaps",
        inputs,
        options,
        hs.report,
        started,
        canvas_sizes=sizes,
        frame=hs.canvas,
        layers_per_type=layers,
    )


def summary_line(hs) -> str:  # noqa: ANN001 - a HeatmapSet
    """The run's one-line summary, naming mixed canvas sizes."""
    line = hs.report.summary()
    if len(hs.canvas_sizes) > 1:
        line += f"; {len(hs.canvas_sizes)} canvas sizes (drawn in canvas fractions)"
    return line


def _progress(quiet: bool):  # noqa: ANN202 - a context manager yielding a callable
    """A rich progress bar on stderr (rows per second) for runs longer than a second."""
    from ..progress import row_progress

    return row_progress(quiet=quiet)
