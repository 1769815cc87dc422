"""One grammar for every command: suggestions for typos, shared options named alike."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("typo", "meant"), [("heatmap", "heatmaps"), ("rendr", "render")])
def test_a_mistyped_command_gets_a_suggestion(cli, typo: str, meant: str) -> None:  # noqa: ANN001
    result = cli(typo)
    assert result.code == 2
    assert f"Did you mean '{meant}'?" in result.err
    assert "Traceback" not in result.err


def test_an_unknown_command_without_a_near_name_says_so(cli) -> None:  # noqa: ANN001
    result = cli("xyzzy")
    assert result.code == 2 and "No such command 'xyzzy'." in result.err
    assert "Did you mean" not in result.err


def _commands():  # noqa: ANN202
    import click

    from layerheat.cli import COMMANDS, cli

    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in COMMANDS}


#: options shared by several commands: the same flags and the same help wherever they are
SHARED = ("quiet", "jobs", "gridsize", "dpi", "type_id", "canvas", "taxonomy", "outside")
#: the options of every command that reads layer data (cli.common.input_options)
INPUT = ("type_id", "canvas", "taxonomy", "outside", "delimiter", "encoding", "units")
#: commands that read layer data: every input option on each
READERS = ("heatmaps", "render", "view", "compare", "metrics", "stats", "report")


def test_shared_options_have_one_name_and_one_help_everywhere() -> None:
    seen: dict[str, tuple] = {}
    for name, command in _commands().items():
        for param in command.params:
            if param.name not in SHARED + INPUT:
                continue
            flags = tuple(sorted(param.opts + param.secondary_opts))
            help_text = param.help if param.name != "jobs" else "Processes"
            first = seen.setdefault(param.name, (name, flags, help_text))
            assert flags == first[1], f"{name} spells {param.name} {flags}, {first[0]} {first[1]}"
            if param.name != "jobs":
                assert help_text == first[2], f"{name} explains {param.name} differently"
            else:
                assert param.help.startswith("Processes"), name
    assert {"quiet", "jobs", "gridsize", "canvas"} <= set(seen)


def test_every_writing_command_has_o_with_a_default_and_help_has_examples() -> None:
    for name, command in _commands().items():
        assert "Examples" in (command.epilog or "") or name in ("sample",), name
        assert "``" not in (command.help or ""), f"{name}'s help shows reStructuredText"
        out = [p for p in command.params if "-o" in p.opts]
        if name in ("heatmaps", "render", "compare", "metrics", "sample"):
            assert out and out[0].default is not None, f"{name} has no default output"


def test_a_folder_command_refuses_a_file_name_with_a_hint(cli, tmp_path) -> None:  # noqa: ANN001
    result = cli("heatmaps", "-o", tmp_path / "out.png")
    assert result.code == 2 and "looks like a file name" in result.err
    assert "-o out" in result.err and not (tmp_path / "out.png").exists()


def test_every_command_that_reads_layers_has_every_input_option() -> None:
    commands = _commands()
    expected = {
        "delimiter": (("--delimiter",), ("tab", "comma", "semicolon", "pipe", "header line")),
        "encoding": (("--encoding",), ("latin-1", "cp1252", "utf-16", "UTF-8")),
        "units": (("--units",), ("pixels", "fractions of the canvas", "auto")),
    }
    for name in READERS:
        params = {p.name: p for p in commands[name].params}
        assert set(INPUT) <= set(params), f"{name} lacks {set(INPUT) - set(params)}"
        for key, (flags, words) in expected.items():
            assert tuple(params[key].opts) == flags, name
            assert all(w in params[key].help for w in words), (name, key, params[key].help)
        assert params["units"].default == "auto"
        assert not params["delimiter"].required and not params["encoding"].required
    # ingest reads PSD/PSB and COCO, never CSV or JSON layer tables: nothing to force
    assert not {"delimiter", "encoding", "units"} & {p.name for p in commands["ingest"].params}
    assert set(READERS) | {"ingest", "sample"} == set(commands)


@pytest.mark.parametrize("command", READERS)
def test_input_options_show_in_every_readers_help(cli, command: str) -> None:  # noqa: ANN001
    result = cli(command, "--help")
    assert result.code == 0, result.err
    for flag in ("--delimiter CHAR", "--encoding CODEC", "--units [auto|px|fraction]"):
        assert flag in result.out, f"{command} --help lacks {flag}"


@pytest.mark.parametrize("command", READERS)
def test_a_bad_delimiter_is_one_line_on_every_reader(cli, command: str, tmp_path) -> None:  # noqa: ANN001
    args = ["sample", "sample"] if command == "compare" else ["sample"]
    out = tmp_path / ("out.html" if command == "report" else "out")
    output = [] if command == "view" else ["-o", out]
    result = cli(command, *args, "--delimiter", "#", *output)
    assert result.code == 1, result
    assert result.err_lines == [
        "layerheat: error: --delimiter '#' is not one of , ; | tab (or the words comma, "
        "semicolon, pipe, tab); e.g. --delimiter ';'"
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "says", "hint"),
    [
        (("heatmaps", "--bogus"), "No such option '--bogus'", "layerheat heatmaps --help"),
        (("heatmaps", "--gridsize"), "requires an argument", "layerheat heatmaps --help"),
        (("render", "--size", "big"), "Invalid value for '--size'", "layerheat render --help"),
        (("xyzzy",), "No such command 'xyzzy'", "layerheat --help"),
    ],
)
def test_a_usage_error_is_one_line_with_where_to_look(cli, args, says, hint) -> None:  # noqa: ANN001
    """Like every other refusal: one line on stderr, then exit 2 (click's usage code)."""
    result = cli(*args)
    assert result.code == 2
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("layerheat: error: ") and says in line and f"(see '{hint}')" in line
