"""The 'layerheat' command: a click group whose subcommands load on first use.

Each subcommand lives in its own module ('cli/heatmaps.py', 'cli/render.py', ...),
so 'layerheat sample' never pays for importing Qt or Dask.
"""

from __future__ import annotations

import importlib

import click

from .common import guarded_main

__all__ = [
    "COMMANDS",
    "LazyGroup",
    "cli",
    "main",
]

#: subcommand -> "module:function" (relative to this package)
COMMANDS = {
    "heatmaps": ".heatmaps:heatmaps",
    "render": ".render:render",
    "view": ".view:view",
    "ingest": ".ingest:ingest",
    "sample": ".sample:sample",
    "compare": ".compare:compare",
    "metrics": ".metrics:metrics",
    "stats": ".stats:stats",
    "report": ".report:report",
}

_HELP = {
    "heatmaps": "Heatmaps of where each layer type goes (one per type + a summary).",
    "render": "Draw designs from their layer data as PNG, SVG or PDF.",
    "view": "Browse a collection of designs in a desktop viewer.",
    "ingest": "Turn PSD/PSB folders and COCO files into a layer table.",
    "sample": "Write the built-in synthetic sample dataset.",
    "compare": "Compare two collections: where each type differs, by how much.",
    "metrics": "Layout scores per design (alignment, overlap, validity).",
    "stats": "Per-type statistics, co-occurrence and relative placement.",
    "report": "One self-contained HTML report of a collection (or a comparison).",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(module_name, __name__)
        return getattr(module, attr)

    def resolve_command(self, ctx: click.Context, args: list[str]):  # noqa: ANN201
        """As click's, but an unknown command gets a "did you mean" like options do."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=2, cutoff=0.5)
            ratio = {c: difflib.SequenceMatcher(None, name, c).ratio() for c in close}
            close = [c for c in close if ratio[c] > max(ratio.values()) - 0.1]
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _HELP[name]) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="layerheat")
def cli() -> None:
    """layerheat: where does each kind of layer go, and how big is it?

    \b
    Examples:
      layerheat heatmaps                      # the built-in sample -> ./layerheat-out
      layerheat heatmaps layers.parquet -o out --scale minmax
      layerheat render examples/source-example.csv -o example.png
      layerheat ingest designs/ -o layers.parquet
      layerheat view layers.parquet
    """


def main() -> None:
    """Console entry point: run the CLI with bad input turned into one stderr line."""
    guarded_main(cli)
