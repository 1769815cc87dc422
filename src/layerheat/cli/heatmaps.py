"""'layerheat heatmaps': layer data in, one heatmap per type + summary + bins.csv out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
    reading_facts,
    resolution_option,
    scale_option,
    wait_option,
)

if TYPE_CHECKING:
    from ..io.options import ReadOptions

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
  layerheat heatmaps export.csv --delimiter ';' --encoding cp1252
  layerheat heatmaps layers.parquet --color-scale per-type --log --format svg
  layerheat heatmaps s3://bucket/layers.parquet --dask tcp://scheduler:8786
"""


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@output_option(
    "layerheat-out", "Folder for summary.<fmt>, layer-<id>.<fmt> and bins.csv.", folder=True
)
@scale_option()
@gridsize_option
@click.option(
    "--measure",
    "measures",
    multiple=True,
    type=click.Choice(["centre", "size", "coverage"]),
    default=("centre",),
    show_default=True,
    help="What to map (repeat): centres (heatmaps, bins.csv), sizes (w x h, sizes.csv), "
    "coverage of the canvas (coverage.csv).",
)
@resolution_option(100)
@click.option(
    "--size-formula",
    type=click.Choice(["canvas", "source"]),
    default="canvas",
    show_default=True,
    help="Sizes as width/canvas width (canvas) or the source's swapped ratios.",
)
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
    measures: tuple[str, ...],
    resolution: int,
    size_formula: str,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    reading: ReadOptions,
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

    from ..outputs import OwnedFolder, check_output_dir
    from ..plot import FigureWorkers, Style, write_figures
    from ..taxonomy import load_taxonomy

    started = time.monotonic()
    style = Style(color_scale=color_scale, log=log, all_types=all_types, density=density)
    tax = load_taxonomy(taxonomy)
    check_output_dir(output)  # fail before the (possibly long) computation, creating nothing
    read = {"taxonomy": tax, "canvas": canvas, "type_id": type_id, "outside": outside}
    how = {"scale": scale, "gridsize": gridsize, "dask": dask}
    how.update(resolution=resolution, size_formula=size_formula)
    options = {
        "scale": scale,
        "gridsize": gridsize,
        "outside": outside,
        "canvas": canvas,
        **reading_facts(reading),
        "measures": list(measures),
        "color_scale": color_scale,
        "log": log,
        "density": density,
        "format": fmt,
        "dpi": dpi,
    }
    with FigureWorkers(jobs) as workers:  # they load matplotlib while the input is read
        with _progress(quiet) as tick:
            hs, extra = _compute(reading.attach(inputs), measures, how, read, tick)
        with OwnedFolder(output, wait=wait) as run:
            if hs is not None:
                figure_options = {"fmt": fmt, "dpi": dpi, "style": style, "workers": workers}
                write_figures(hs, run.path, extra=[("bins.csv", hs.write_bins)], **figure_options)
            if extra is not None:
                write_measures(extra, run.path, fmt=fmt, dpi=dpi)
            written = run.commit(heatmaps_manifest(hs or extra, inputs, options, started))
    print_report((hs or extra).report)
    for path in written:
        click.echo(str(path))
    click.echo(summary_line(hs or extra))


def _compute(inputs: list, measures: tuple[str, ...], how: dict, read: dict, tick):  # noqa: ANN001, ANN202
    """The centre heatmaps alone (the classic run), or every measure asked for in one read."""
    from ..errors import LayerheatError
    from ..heatmap import heatmaps, measure

    common = {"gridsize": how["gridsize"], "progress": tick, "dask": how["dask"], **read}
    if how["scale"] == "minmax" and measures != ("centre",):
        raise LayerheatError(
            "--measure size and coverage are in the canvas frame; drop --scale minmax"
        )
    if measures == ("centre",):
        return heatmaps(inputs, scale=how["scale"], **common), None
    extra = measure(
        inputs, measures, resolution=how["resolution"], size_formula=how["size_formula"], **common
    )
    return extra.centres, extra


def write_measures(result, folder: Path, *, fmt: str, dpi: int) -> None:  # noqa: ANN001
    """sizes.csv / coverage.csv and their summary figures, for the measures computed."""
    import pyarrow.csv as pacsv

    from ..plot_measures import plot_coverage_summary, plot_size_summary

    if result.sizes is not None:
        pacsv.write_csv(result.sizes.to_arrow(), folder / "sizes.csv")
        plot_size_summary(result.sizes).savefig(folder / f"sizes-summary.{fmt}", dpi=dpi)
    if result.coverage is not None:
        pacsv.write_csv(result.coverage.to_arrow(), folder / "coverage.csv")
        canvas = next(iter(result.canvas_sizes), None)
        figure = plot_coverage_summary(result.coverage, canvas)
        figure.savefig(folder / f"coverage-summary.{fmt}", dpi=dpi)


def heatmaps_manifest(hs, inputs, options: dict, started: float) -> dict:  # noqa: ANN001
    """layerheat.json of a heatmaps run: the common facts plus canvases and types."""
    from ..outputs import run_manifest

    sizes = [{"width": w, "height": h, "layers": n} for (w, h), n in hs.canvas_sizes.items()]
    centres = getattr(hs, "centres", hs)  # a HeatmapSet, or a Measured without centres
    layers = {str(t.type.id): t.n_layers for t in centres if t.n_layers} if centres else {}
    return run_manifest(
        "heatmaps",
        inputs,
        options,
        hs.report,
        started,
        canvas_sizes=sizes,
        frame=getattr(hs, "canvas", None) or next(iter(hs.canvas_sizes), None),
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
