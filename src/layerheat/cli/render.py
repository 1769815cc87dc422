"""'layerheat render': draw designs from their layer data as PNG, SVG or PDF."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..progress import row_progress
from .common import format_option, input_options, jobs_option, quiet_option, wait_option

if TYPE_CHECKING:
    from ..io.options import ReadOptions

__all__ = ["render"]

EXAMPLES = """
\b
Examples:
  layerheat render examples/source-example.csv -o example.png
  layerheat render --design sample-0001 -o sample.svg          # the built-in sample
  layerheat render layers.parquet --design a --design b -o out/
  layerheat render layers.parquet --all -o out/ --format pdf --no-legend
  layerheat render points.csv --type 30 --canvas 5906x3543 -o points.png
  layerheat render layers.parquet --design a --hide "Sales Info" --hide 140 -o a.png

\b
OUT ending in .png, .svg or .pdf is one file; anything else is a folder that gets
one <design>.<format> per design.
"""

#: list the files written up to this many; beyond, say how many
SHOW_FILES = 5
#: notes about designs drawn empty, at most (then how many more)
SHOW_NOTES = 5


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@click.option(
    "-o",
    "--output",
    "output",
    default="layerheat-render",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Image file (.png/.svg/.pdf) for one design, or a folder.",
)
@click.option("--design", "designs", multiple=True, metavar="ID", help="Design to draw (repeat).")
@click.option("--all", "all_designs", is_flag=True, help="Draw every design, one file each.")
@click.option(
    "--size",
    type=click.IntRange(min=16, max=20000),
    default=1600,
    show_default=True,
    help="Pixels along the canvas's longest side.",
)
@click.option("--no-legend", is_flag=True, help="Leave the legend out: the image is the canvas.")
@click.option(
    "--hide",
    "hide",
    multiple=True,
    metavar="TYPE",
    help="Type id or name to leave out (repeat).",
)
@format_option(None, "Image format (default: from OUT's suffix, else png).")
@input_options
@jobs_option("drawing in parallel (default: all cores for 20 designs or more)")
@click.option(
    "--invisible",
    is_flag=True,
    help="Also draw layers the source file hides (PSD visibility), which are left out.",
)
@quiet_option
@wait_option
def render(
    inputs: tuple[str, ...],
    output: Path,
    designs: tuple[str, ...],
    all_designs: bool,
    size: int,
    no_legend: bool,
    hide: tuple[str, ...],
    fmt: str | None,
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    reading: ReadOptions,
    jobs: int | None,
    invisible: bool,
    quiet: bool,
    wait: bool,
) -> None:
    """Draw designs from their layer data: each layer a box in its type's colour.

    INPUT is anything 'layerheat heatmaps' reads (CSV, Parquet, the source's x,y
    CSVs, PSD folders, COCO .json); with no INPUT, the built-in sample. Each layer is a
    translucent fill of its type's colour with a solid outline, labelled with the type
    name; point-only layers are labelled markers; a legend lists the types present.
    """
    from ..render import RenderRequest, check_canvas, render_designs
    from ..sources import read_layers
    from ..taxonomy import load_taxonomy

    tax = load_taxonomy(taxonomy)
    request = RenderRequest(
        out=output,
        designs=designs,
        all_designs=all_designs,
        size=size,
        fmt=fmt,
        legend=not no_legend,
        hidden=frozenset(parse_types(hide, tax)),
        invisible=invisible,
        canvas=canvas,
        jobs=jobs,
    )
    read = {"type_id": type_id, "canvas": canvas, "taxonomy": tax, "outside": outside}
    table, report = read_layers(reading.attach(inputs), require_canvas=False, **read)
    check_canvas(table, ", ".join(inputs) or "input")
    with row_progress(quiet, verb="drawing", unit="designs", delay=0) as bar:
        if request.to_file():
            result = render_designs(table, report, request, tax, progress=bar)
        else:  # a folder: the run owns it (see layerheat.outputs.OwnedFolder)
            result = _render_into_folder(table, report, request, tax, bar, wait)
    _print_result(result, output)


def _render_into_folder(table, report, request, tax, bar, wait: bool):  # noqa: ANN001, ANN202
    """Draw into a new version of the output folder and swap it in at once."""
    import dataclasses
    import time

    from ..outputs import OwnedFolder, check_output_dir, run_manifest
    from ..render import check_folder_name, render_designs

    started = time.monotonic()
    check_folder_name(request.out)
    check_output_dir(request.out)
    with OwnedFolder(request.out, wait=wait) as run:
        result = render_designs(
            table, report, dataclasses.replace(request, out=run.path), tax, progress=bar
        )
        options = {"size": request.size, "legend": request.legend, "hidden": sorted(request.hidden)}
        manifest = run_manifest(
            "render",
            None,
            options,
            report,
            started,
            designs=len(result.written),
            empty=sorted(result.empty),
        )
        run.commit(manifest)
    result.written = [request.out / p.name for p in result.written]
    return result


def _print_result(result, out: Path) -> None:  # noqa: ANN001 - a RenderResult
    """The files written (or their number), designs drawn empty and why, skipped rows."""
    written = result.written
    if len(written) > SHOW_FILES:
        click.echo(f"{out}: {len(written):,} designs drawn as {written[0].suffix.lstrip('.')}")
    else:
        for path in written:
            click.echo(str(path))
    empty = list(result.empty.items())
    for design, why in empty[:SHOW_NOTES]:
        click.echo(
            f"layerheat: note: design {design!r} has no usable layers ({why}); "
            "drawn as an empty canvas",
            err=True,
        )
    if len(empty) > SHOW_NOTES:
        click.echo(
            f"layerheat: note: {len(empty) - SHOW_NOTES:,} more designs have no usable "
            "layers, drawn as empty canvases",
            err=True,
        )
    if result.report.rows_skipped:
        click.echo(result.report.summary(), err=True)


def parse_types(values: Iterable[str], taxonomy) -> set[int]:  # noqa: ANN001 - a Taxonomy
    """'--hide' values (ids or names of 'taxonomy') as type ids; unknown ones fail."""
    from ..errors import LayerheatError

    out = set()
    for value in values:
        text = value.strip()
        type_id = int(text) if re.fullmatch(r"-?\d+", text) else taxonomy.id_for_name(text)
        if type_id is None or type_id not in taxonomy:
            names = ", ".join(f"{t.id} {t.name}" for t in taxonomy)
            raise LayerheatError(f"--hide {value!r} is not a type; use an id or name ({names})")
        out.add(type_id)
    return out
