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
