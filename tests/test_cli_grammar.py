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


def test_shared_options_have_one_name_and_one_help_everywhere() -> None:
    seen: dict[str, tuple] = {}
    for name, command in _commands().items():
        for param in command.params:
            if param.name not in SHARED:
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
