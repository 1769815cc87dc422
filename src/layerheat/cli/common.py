"""Pieces every subcommand shares: the error guard, canvas parsing, the progress switch."""

from __future__ import annotations

import re
import sys

import click

from ..errors import LayerheatError

__all__ = [
    "CANVAS",
    "CanvasParam",
    "EXIT_BAD_INPUT",
    "guarded_main",
    "input_options",
    "parse_canvas",
]

EXIT_BAD_INPUT = 1


def guarded_main(command: click.Command) -> None:
    """Run ``command``; a LayerheatError or OS error becomes one line and exit status 1."""
    try:
        command.main(standalone_mode=False, prog_name="layerheat")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("layerheat: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except LayerheatError as exc:
        click.echo(f"layerheat: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        click.echo(f"layerheat: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        click.echo("layerheat: interrupted", err=True)
        sys.exit(130)


_CANVAS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX×,]\s*(\d+(?:\.\d+)?)\s*$")


def parse_canvas(value: str | None) -> tuple[float, float] | None:
    """``"5906x3543"`` -> ``(5906.0, 3543.0)``; None stays None."""
    if value is None:
        return None
    m = _CANVAS.match(value)
    if not m or float(m.group(1)) <= 0 or float(m.group(2)) <= 0:
        raise LayerheatError(
            f"--canvas {value!r} is not WIDTHxHEIGHT with positive numbers; e.g. --canvas 5906x3543"
        )
    return float(m.group(1)), float(m.group(2))


class CanvasParam(click.ParamType):
    """Click parameter type for ``--canvas WxH``."""

    name = "WxH"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click's signature
        if value is None or isinstance(value, tuple):
            return value
        try:
            return parse_canvas(value)
        except LayerheatError as exc:
            self.fail(str(exc), param, ctx)


CANVAS = CanvasParam()


def input_options(command: click.Command) -> click.Command:
    """The options every command that reads layer data shares.

    Adds ``--type``, ``--canvas``, ``--taxonomy`` and ``--outside`` (parameters
    ``type_id``, ``canvas``, ``taxonomy``, ``outside``).
    """
    from pathlib import Path

    options = [
        click.option("--type", "type_id", type=int, help="Type id of headerless x,y files."),
        click.option("--canvas", type=CANVAS, help="Canvas WIDTHxHEIGHT where the data has none."),
        click.option(
            "--taxonomy",
            type=click.Path(dir_okay=False, path_type=Path),
            help="TOML file renaming, recolouring, adding or removing types.",
        ),
        click.option(
            "--outside",
            type=click.Choice(["clip", "skip"]),
            default="clip",
            show_default=True,
            help="Boxes partly outside the canvas: clip them to it, or skip them.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
