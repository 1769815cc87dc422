"""'layerheat view': open the desktop viewer on a dataset (the built-in sample by default)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import input_options

if TYPE_CHECKING:
    from ..io.options import ReadOptions

__all__ = [
    "view",
]

EXAMPLES = """
\b
Examples:
  layerheat view                               # the built-in sample
  layerheat view layers.parquet --design poster-17
  layerheat view examples/source-example.csv
  layerheat view 20test2.csv --canvas 5906x3543
  layerheat view --screenshot viewer.png       # draw the window to a PNG and quit
  layerheat view a.parquet --compare b.parquet # Map: Difference B - A under a design

\b
Keys: Left/Up and Right/Down step through designs, PageUp/PageDown by ten;
wheel zooms, drag pans, Ctrl+0 fits; File > Export view as PNG.
"""


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@click.option("--design", "design", metavar="ID", help="Design to show first.")
@click.option(
    "--compare",
    "compare_with",
    metavar="B",
    help="A second collection (anything 'heatmaps' reads): adds the difference map B - A.",
)
@click.option("--label", "labels", multiple=True, help="Name of INPUT (A), then of B.")
@input_options
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw the window, save it as this PNG and quit (for docs and smoke tests).",
)
def view(
    inputs: tuple[str, ...],
    design: str | None,
    compare_with: str | None,
    labels: tuple[str, ...],
    type_id: int | None,
    canvas: tuple[float, float] | None,
    taxonomy: Path | None,
    outside: str,
    reading: ReadOptions,
    screenshot: Path | None,
) -> None:
    """Browse a collection of designs: search, step, zoom, toggle types, overlay heatmaps.

    INPUT is anything 'layerheat heatmaps' reads (CSV, Parquet, the source's x,y CSVs,
    PSD folders, COCO .json). With no INPUT the built-in synthetic sample opens.
    Needs Qt: pip install 'layerheat[viewer]'.
    """
    from ..errors import LayerheatError
    from ..taxonomy import load_taxonomy
    from ..viewer import INSTALL_HINT, ViewerModel, qt_available, run

    if screenshot is not None and screenshot.suffix.lower() != ".png":
        raise LayerheatError(f"--screenshot {screenshot}: name it *.png")
    if qt_available() is None:  # say so before reading a large dataset
        raise LayerheatError(f"the viewer needs Qt (qtpy with PySide6 or PyQt5); {INSTALL_HINT}")
    if labels and (compare_with is None or len(labels) != 2):
        raise LayerheatError("give --label twice (INPUT, then the --compare side) with --compare")
    _check_display(screenshot is not None)
    names = None
    if compare_with is not None:
        names = tuple(labels) or (_name(inputs), _name((compare_with,)))
    model = ViewerModel.open(  # read in a worker once the window shows
        reading.attach(inputs),
        taxonomy=load_taxonomy(taxonomy),
        canvas=canvas,
        type_id=type_id,
        outside=outside,
        compare_with=None if compare_with is None else reading.attach([compare_with])[0],
        labels=names,
    )
    # unknown --design ids fail once the designs are read, naming a few that exist
    code = run(model, design=design, screenshot=screenshot)
    if screenshot is not None:
        click.echo(str(screenshot))
    if code:
        raise SystemExit(code)


def _check_display(screenshot: bool) -> None:
    """Say why no window can open (one line, exit 1) before Qt aborts on it.

    A screenshot needs no screen: without a display and with no QT_QPA_PLATFORM chosen,
    it is drawn on Qt's offscreen platform instead.
    """
    import os

    from ..errors import LayerheatError
    from ..viewer.display import display_problem

    problem = display_problem()
    if problem is None:
        return
    if screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return
    raise LayerheatError(problem)


def _name(paths: tuple[str, ...]) -> str:
    """A side's short name: its first file's stem (+N more), "sample" for none."""
    if not paths:
        return "sample"
    first = Path(paths[0]).stem or str(paths[0])
    return first if len(paths) == 1 else f"{first} +{len(paths) - 1}"
