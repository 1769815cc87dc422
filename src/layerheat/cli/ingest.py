"""'layerheat ingest': PSD/PSB folders and COCO files -> one layer table.

layerheat ingest designs/ -o layers.parquet
layerheat ingest 'designs/**/*.psd' publaynet.json --map "title=30,figure=120" -o t.parquet
layerheat ingest designs/ --explain            # which name got which type, and why
"""

from __future__ import annotations

import click

from ..errors import LayerheatError
from .common import jobs_option, quiet_option

__all__ = [
    "ingest",
]

_NOTES_SHOWN = 12


@click.command(
    "ingest",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=(
        "\b\nExamples:\n"
        "  layerheat ingest designs/ -o layers.parquet\n"
        "  layerheat ingest designs/ -o layers.parquet --update   # only changed files\n"
        "  layerheat ingest 'ads/**/*.psb' --kinds type,pixel -o text.parquet\n"
        '  layerheat ingest val.json --map "title=30,figure=120" -o layout.parquet\n'
        "  layerheat ingest designs/ --explain                    # tune --taxonomy rules"
    ),
)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Layer table to write (.parquet or .csv); rejects go to OUTPUT.rejects.csv.",
)
@click.option(
    "--taxonomy",
    type=click.Path(dir_okay=False),
    help="TOML file renaming, recolouring, adding or removing types.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="CAT=TYPE,...",
    help='COCO categories to types, e.g. --map "title=30,figure=Graphics". Repeatable.',
)
@click.option("--visible-only", is_flag=True, help="Only layers visible in the document.")
@click.option(
    "--kinds",
    metavar="K,K,...",
    help="Only these kinds or families: pixel, type, shape, smartobject, group, artboard, "
    "adjustment, fill, or psd-tools' names such as curves.",
)
@click.option(
    "--groups/--no-groups",
    default=False,
    show_default=True,
    help="Also a row per group (box: union of its layers) and per artboard.",
)
@click.option("--keep-crowd", is_flag=True, help="Keep COCO annotations with iscrowd set.")
@jobs_option("reading files (default: all cores for large batches, 1 for small ones)")
@click.option(
    "--update",
    is_flag=True,
    help="Re-read only files whose size or modification time changed since OUTPUT "
    "was written; keep the rows of the others.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Print each layer name with the type and rule it got, most frequent first.",
)
@quiet_option
def ingest(
    sources: tuple[str, ...],
    output: str | None,
    taxonomy: str | None,
    maps: tuple[str, ...],
    visible_only: bool,
    kinds: str | None,
    groups: bool,
    keep_crowd: bool,
    jobs: int | None,
    update: bool,
    explain: bool,
    quiet: bool,
) -> None:
    """Turn PSD/PSB files and folders, globs and COCO .json files into a layer table.

    Every input file either gives layer rows or a line (path,reason) in the rejects
    file beside OUTPUT. Folders are searched recursively for .psd and .psb files.
    """
    from ..ingest import check_output, explain_rows, format_explain, rejects_path_for, run_ingest
    from ..ingest import ingest as ingest_files
    from ..taxonomy import load_taxonomy

    if output is None and not explain:
        raise LayerheatError(
            "ingest needs -o OUTPUT (.parquet or .csv), or --explain to only list names"
        )
    if update and output is None:
        raise LayerheatError("--update needs -o OUTPUT: the table to bring up to date")
    if output is not None:
        check_output(output)
    tax = load_taxonomy(taxonomy)
    options = _options(
        tax, maps, kinds, groups=groups, visible_only=visible_only, keep_crowd=keep_crowd
    )
    show_progress = not quiet

    if output is not None:
        result = run_ingest(
            sources,
            output,
            options=options,
            jobs=jobs,
            update=update,
            progress=show_progress,
        )
        rejects = rejects_path_for(output)
        click.echo(f"wrote {output}")
        click.echo(f"wrote {rejects}")
    else:
        result = ingest_files(sources, options=options, jobs=jobs, progress=show_progress)
        rejects = None
    if explain:
        click.echo(format_explain(explain_rows(result.table), tax))
    notes = result.report.notes
    for note in notes[:_NOTES_SHOWN]:
        click.echo(f"layerheat: note: {note}", err=True)
    if len(notes) > _NOTES_SHOWN:
        click.echo(f"layerheat: note: ... and {len(notes) - _NOTES_SHOWN} more notes", err=True)
    if rejects is None:
        for path, reason in result.rejected:
            click.echo(f"layerheat: rejected: {path}: {reason}", err=True)
    click.echo(result.summary(rejects, tax))


def _options(tax, maps: tuple[str, ...], kinds: str | None, **flags: bool):  # noqa: ANN001, ANN202
    """The IngestOptions of the command line (category maps and kinds parsed)."""
    from ..ingest import IngestOptions
    from ..taxonomy import parse_category_map

    mapping: dict[str, int] = {}
    for text in maps:
        mapping.update(parse_category_map(text, tax))
    kind_set = None
    if kinds is not None:
        kind_set = frozenset(k.strip().lower() for k in kinds.split(",") if k.strip())
        if not kind_set:
            raise LayerheatError("--kinds is empty; e.g. --kinds pixel,type,shape")
    return IngestOptions(
        taxonomy=tax,
        include_groups=flags["groups"],
        visible_only=flags["visible_only"],
        kinds=kind_set,
        category_map=mapping,
        keep_crowd=flags["keep_crowd"],
    )
