"""Pieces every subcommand shares: the error guard, canvas parsing, the progress switch."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import click

from ..errors import LayerheatError

if TYPE_CHECKING:
    from ..io.options import ReadOptions

__all__ = [
    "CANVAS",
    "CanvasParam",
    "EXIT_BAD_INPUT",
    "guarded_main",
    "input_options",
    "parse_canvas",
    "reading_facts",
]

EXIT_BAD_INPUT = 1


def guarded_main(command: click.Command) -> None:
    """Run 'command'; a LayerheatError or OS error becomes one line and exit status 1."""
    try:
        command.main(standalone_mode=False, prog_name="layerheat")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("layerheat: aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:  # one line, like every other refusal
        where = exc.ctx.command_path if exc.ctx is not None else _command_path(command)
        message = " ".join(exc.format_message().split())
        click.echo(f"layerheat: error: {message} (see '{where} --help')", err=True)
        sys.exit(exc.exit_code)
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


def _command_path(command: click.Command) -> str:
    """'layerheat SUB' for the subcommand named on the command line (click leaves some
    parse errors without a context), else 'layerheat'."""
    if not isinstance(command, click.Group):
        return "layerheat"
    names = command.list_commands(click.Context(command))
    named = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    return f"layerheat {named}" if named in names else "layerheat"


_CANVAS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX×,]\s*(\d+(?:\.\d+)?)\s*$")


def parse_canvas(value: str | None) -> tuple[float, float] | None:
    """'"5906x3543"' -> '(5906.0, 3543.0)'; None stays None."""
    if value is None:
        return None
    m = _CANVAS.match(value)
    if not m or float(m.group(1)) <= 0 or float(m.group(2)) <= 0:
        raise LayerheatError(
            f"--canvas {value!r} is not WIDTHxHEIGHT with positive numbers; e.g. --canvas 5906x3543"
        )
    return float(m.group(1)), float(m.group(2))


class CanvasParam(click.ParamType):
    """Click parameter type for '--canvas WxH'."""

    name = "WxH"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click's signature
        if value is None or isinstance(value, tuple):
            return value
        try:
            return parse_canvas(value)
        except LayerheatError as exc:
            self.fail(str(exc), param, ctx)


CANVAS = CanvasParam()


def input_options(command):  # noqa: ANN001, ANN201 - a command callback, wrapped
    """The options every command that reads layer data shares.

    Adds '--type', '--canvas', '--taxonomy', '--outside' (parameters 'type_id',
    'canvas', 'taxonomy', 'outside') and '--delimiter', '--encoding', '--units', which
    the command receives together, checked, as 'reading' (a ReadOptions that also holds
    the canvas): 'reading.attach(inputs)' gives inputs that carry them to the readers.
    """
    import functools
    from pathlib import Path

    @functools.wraps(command)
    def with_reading(*args, delimiter=None, encoding=None, units="auto", **kwargs):  # noqa: ANN002, ANN003, ANN202
        from ..io.options import ReadOptions

        kwargs["reading"] = ReadOptions(delimiter, encoding, units, kwargs.get("canvas"))
        return command(*args, **kwargs)

    options = [
        click.option("--type", "type_id", type=int, help="Type id of headerless x,y files."),
        click.option(
            "--canvas",
            type=CANVAS,
            help="Canvas WIDTHxHEIGHT where the data has none (boxes given as "
            "fractions are multiplied by it).",
        ),
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
        click.option(
            "--delimiter",
            metavar="CHAR",
            help="CSV delimiter: , ; | or tab (also the words comma, semicolon, pipe). "
            "Default: found from the header line.",
        ),
        click.option(
            "--encoding",
            metavar="CODEC",
            help="Text encoding of CSV and JSON files, e.g. latin-1, cp1252, utf-16. "
            "Default: UTF-8.",
        ),
        click.option(
            "--units",
            type=click.Choice(["auto", "px", "fraction"]),
            default="auto",
            show_default=True,
            help="Box values are pixels (px) or fractions of the canvas (fraction); auto: "
            "fractions only for left/top/width/height tables with all values in -1..2.",
        ),
    ]
    for option in reversed(options):
        with_reading = option(with_reading)
    return with_reading


def reading_facts(reading: ReadOptions) -> dict:
    """``--delimiter``, ``--encoding`` and ``--units`` for a run's layerheat.json."""
    return {"delimiter": reading.delimiter, "encoding": reading.encoding, "units": reading.units}


# -- options every command that has them names and explains the same way -----------------
#: file suffixes that name a file, refused where a command writes a folder
FILE_SUFFIXES = (".png", ".svg", ".pdf", ".csv", ".parquet", ".html", ".json", ".txt")


def _folder_only(ctx: click.Context, param: click.Parameter, value):  # noqa: ANN001, ANN202
    from pathlib import Path

    if value is not None and Path(value).suffix.lower() in FILE_SUFFIXES:
        raise click.BadParameter(
            f"{value} looks like a file name, but this command writes a folder of files; "
            f"give a folder name, e.g. -o {Path(value).stem or 'out'}",
            ctx=ctx,
            param=param,
        )
    return value


def output_option(default: str | None, what: str, *, folder: bool):
    """'-o/--output': where the command writes 'what'; a folder command refuses a
    file name such as 'out.png' with a hint."""
    from pathlib import Path

    kind = click.Path(file_okay=not folder, dir_okay=folder, path_type=Path)
    return click.option(
        "-o",
        "--output",
        "output",
        default=default,
        show_default=default is not None,
        type=kind,
        callback=_folder_only if folder else None,
        help=what,
    )


def gridsize_option(command: click.Command) -> click.Command:
    """'--gridsize N': hexagons across."""
    return click.option(
        "--gridsize",
        type=click.IntRange(min=1, max=2000),
        default=35,
        show_default=True,
        help="Hexagons across, as matplotlib's hexbin gridsize.",
    )(command)


def scale_option(extra: str = ""):
    """'--scale canvas|minmax': the frame heatmaps are binned in (``extra`` adds a note)."""
    return click.option(
        "--scale",
        type=click.Choice(["canvas", "minmax"]),
        default="canvas",
        show_default=True,
        help="canvas: fractions of each design's canvas; minmax: the source's per-type "
        f"scaling{extra}.",
    )


def resolution_option(default: int):
    """'--resolution N': coverage cells along the canvas's long side."""
    return click.option(
        "--resolution",
        type=click.IntRange(2, 2000),
        default=default,
        show_default=True,
        help="Coverage cells along the canvas's long side.",
    )


def dpi_option(command: click.Command) -> click.Command:
    """'--dpi N': resolution of PNG figures."""
    return click.option(
        "--dpi",
        type=click.IntRange(10, 2400),
        default=150,
        show_default=True,
        help="Resolution of PNG figures.",
    )(command)


def jobs_option(what: str):
    """'-j/--jobs N': worker processes for 'what'."""
    return click.option("-j", "--jobs", type=click.IntRange(min=1), help=f"Processes {what}.")


def quiet_option(command: click.Command) -> click.Command:
    """'-q/--quiet': no progress bar."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(command)


def format_option(default: str | None, what: str):
    """'--format png|svg|pdf'."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["png", "svg", "pdf"]),
        default=default,
        show_default=default is not None,
        help=what,
    )


def wait_option(command: click.Command) -> click.Command:
    """``--wait``: wait for another run writing the same output instead of failing."""
    return click.option(
        "--wait",
        is_flag=True,
        help="If another layerheat run is writing the same output, wait for it.",
    )(command)


def print_report(report) -> None:  # noqa: ANN001 - a ReadReport
    """Notes and skipped files on stderr, one line each, names escaped for the terminal."""
    for note in report.notes:
        click.echo(f"layerheat: note: {terminal_text(note)}", err=True)
    for path, reason in report.files_skipped:
        click.echo(
            f"layerheat: skipped file {terminal_text(path)}: {terminal_text(reason)}", err=True
        )


def terminal_text(text: object, limit: int = 500) -> str:
    """``text`` safe to print: control characters escaped (``\\x1b``, ``\\n``), bidi
    overrides shown as ``\\u202e``, cut at ``limit`` characters."""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    shown = "".join(out)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
