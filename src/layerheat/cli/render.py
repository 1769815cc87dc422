"""``layerheat render``: draw designs from their layer data as PNG, SVG or PDF."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

import click

from .common import input_options

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

#: show the progress bar from this many designs on
PROGRESS_FROM = 5
#: draw in parallel processes from this many designs on (unless --jobs says otherwise)
PARALLEL_FROM = 20


@click.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1, metavar="[INPUT ...]")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg", "pdf"]),
    help="Image format (default: from OUT's suffix, else png).",
)
@input_options
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes drawing in parallel (default: all cores for 20 designs or more).",
)
@click.option(
    "--invisible",
    is_flag=True,
    help="Also draw layers the source file hides (PSD visibility), which are left out.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def render(
    inputs: tuple[str, ...],
    out: Path,
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
    jobs: int | None,
    invisible: bool,
    quiet: bool,
) -> None:
    """Draw designs from their layer data: each layer a box in its type's colour.

    INPUT is anything ``layerheat heatmaps`` reads (CSV, Parquet, the source's x,y
    CSVs, PSD folders, COCO .json); with no INPUT, the built-in sample. Each layer is a
    translucent fill of its type's colour with a solid outline, labelled with the type
    name; point-only layers are labelled markers; a legend lists the types present.
    """
    from ..errors import LayerheatError
    from ..render import FORMATS, check_canvas, design_scene
    from ..sources import read_layers
    from ..taxonomy import load_taxonomy

    if all_designs and designs:
        raise LayerheatError("give --design ID or --all, not both")
    tax = load_taxonomy(taxonomy)
    hidden = parse_types(hide, tax)
    suffix = out.suffix.lower().lstrip(".")
    to_file = suffix in FORMATS and not out.is_dir()
    if suffix and not to_file and not out.is_dir():
        raise LayerheatError(
            f"-o {out}: unknown image format {suffix!r}; end it in .png, .svg or .pdf, "
            "or give a folder name without a suffix"
        )
    if to_file and fmt is not None and fmt != suffix:
        raise LayerheatError(f"-o {out} says {suffix} but --format says {fmt}; make them agree")
    fmt = suffix if to_file else (fmt or "png")
    if to_file and (all_designs or len(designs) > 1):
        raise LayerheatError(
            f"-o {out} is one {suffix} file but several designs are drawn; give a folder"
        )

    table, report = read_layers(
        list(inputs),
        type_id=type_id,
        canvas=canvas,
        taxonomy=tax,
        outside=outside,
        require_canvas=False,
    )
    check_canvas(table, ", ".join(inputs) or "input")
    present = table.designs()
    empty: dict[str, tuple[float, float] | None] = {}
    if report.rows_skipped and (all_designs or any(d not in present for d in designs)):
        empty = _designs_without_layers(inputs, present, type_id, tax, canvas)
    known = present + [d for d in empty if d not in present]
    if all_designs:
        chosen = known
    elif designs:
        missing = [d for d in designs if d not in known]
        if missing:
            raise LayerheatError(f"design {missing[0]!r} not found; {_suggest(missing[0], known)}")
        chosen = list(dict.fromkeys(designs))
    elif len(known) == 1:
        chosen = known
    else:
        raise LayerheatError(
            f"the input has {len(known):,} designs; pick one with --design ID "
            f"(e.g. {', '.join(known[:3])}) or draw them all with --all"
        )

    if to_file:
        targets = {chosen[0]: out}
    else:
        from ..outputs import ensure_dir

        ensure_dir(out)
        targets = dict(zip(chosen, file_names(chosen, fmt, out)))

    for design in chosen:
        if design in empty:
            click.echo(
                f"layerheat: note: design {design!r} has no usable layers "
                f"({report.summary()}); drawn as an empty canvas",
                err=True,
            )

    def scene_of(design: str):  # noqa: ANN202 - a Scene
        return design_scene(
            table.design(design),
            design_id=design,
            canvas=empty.get(design) or canvas,
            taxonomy=tax,
            hidden=hidden,
            legend=not no_legend,
            invisible=invisible,
        )

    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(chosen) >= PARALLEL_FROM else 1
    written = _run(
        chosen,
        scene_of,
        targets,
        size=size,
        fmt=fmt,
        jobs=min(jobs, len(chosen)),
        quiet=quiet or len(chosen) < PROGRESS_FROM,
    )
    if all_designs or len(written) > PROGRESS_FROM:
        click.echo(f"{out}: {len(written):,} designs drawn as {fmt}")
    else:
        for path in written:
            click.echo(str(path))
    if report.rows_skipped:
        click.echo(report.summary(), err=True)


def parse_types(values: Iterable[str], taxonomy) -> set[int]:  # noqa: ANN001 - a Taxonomy
    """``--hide`` values (ids or names of ``taxonomy``) as type ids; unknown ones fail."""
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


def file_names(designs: list[str], fmt: str, folder: Path) -> list[Path]:
    """One file per design in ``folder``: the id made safe for file names, unique."""
    seen: set[str] = set()
    paths = []
    for design in designs:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", design).strip("._") or "design"
        name, n = stem, 1
        while name.casefold() in seen:
            n += 1
            name = f"{stem}-{n}"
        seen.add(name.casefold())
        paths.append(folder / f"{name}.{fmt}")
    return paths


def _suggest(design: str, known: list[str], n: int = 3) -> str:
    import difflib

    close = difflib.get_close_matches(design, known, n=n - 1, cutoff=0.6)
    shown = list(dict.fromkeys(close + known[:n]))[:n]
    return f"the input has {len(known):,} designs, e.g. {', '.join(shown)}"


def _designs_without_layers(
    inputs: tuple[str, ...],
    present: list[str],
    type_id: int | None,
    taxonomy,  # noqa: ANN001 - a Taxonomy
    canvas: tuple[float, float] | None,
) -> dict[str, tuple[float, float] | None]:
    """Designs named in the input whose every row was skipped, with their canvas if known."""
    import numpy as np
    import pyarrow as pa

    from ..sources import open_sources

    have = set(present)
    found: dict[str, tuple[float, float] | None] = {}
    for source in open_sources(list(inputs), type_id=type_id, taxonomy=taxonomy):
        for batch in source.batches(["design_id", "canvas_width", "canvas_height"]):
            n = batch.num_rows
            if "design_id" in batch.column_names:
                ids = batch.column("design_id").cast(pa.string()).to_pylist()
            else:
                ids = [source.default_design] * n
            sizes = [_floats(batch, c, n) for c in ("canvas_width", "canvas_height")]
            for i, design in enumerate(ids):
                design = design if design is not None else source.default_design
                if design in have:
                    continue
                w, h = sizes[0][i], sizes[1][i]
                size = (
                    (float(w), float(h)) if np.isfinite([w, h]).all() and w > 0 and h > 0 else None
                )
                if found.get(design) is None:
                    found[design] = size or canvas
    return found


def _floats(batch, name: str, n: int):  # noqa: ANN001, ANN202
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if name not in batch.column_names:
        return np.full(n, np.nan)
    try:
        col = batch.column(name).cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return np.full(n, np.nan)
    return pc.fill_null(col, np.nan).to_numpy()


def _draw(job: tuple) -> Path:
    """Draw one scene to its file (run in a worker process for parallel drawing)."""
    from ..render import draw

    scene, path, size, fmt = job
    out = draw(scene, path, size=size, fmt=fmt)
    assert out is not None
    return out


def _run(
    designs: list[str],
    scene_of,  # noqa: ANN001 - design id -> Scene
    targets: dict[str, Path],
    *,
    size: int,
    fmt: str,
    jobs: int,
    quiet: bool,
) -> list[Path]:
    """Draw every design into its target, ``jobs`` at a time, with a progress bar unless quiet."""
    jobs_iter = ((scene_of(d), targets[d], size, fmt) for d in designs)
    with contextlib.ExitStack() as stack:
        advance = _progress(stack, len(designs), quiet)
        if jobs <= 1:
            written = []
            for job in jobs_iter:
                written.append(_draw(job))
                advance()
            return written
        from concurrent.futures import ProcessPoolExecutor

        from ..parallel import process_context

        pool = stack.enter_context(
            ProcessPoolExecutor(max_workers=jobs, mp_context=process_context())
        )
        written = []
        try:
            for path in pool.map(_draw, jobs_iter, chunksize=4):
                written.append(path)
                advance()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        return written


def _progress(stack: contextlib.ExitStack, total: int, quiet: bool):  # noqa: ANN202
    """A rich progress bar on stderr (shown on a terminal only); returns its advance()."""
    if quiet:
        return lambda: None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    bar = stack.enter_context(
        Progress(
            TextColumn("drawing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
    )
    task = bar.add_task("drawing", total=total)
    return lambda: bar.advance(task)
