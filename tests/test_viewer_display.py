"""The check before Qt loads its platform plugin: a display, and the xcb plugin's libraries."""

from __future__ import annotations

import pytest

from layerheat.viewer.display import (
    XCB_LIBRARIES,
    display_problem,
    install_command,
    missing_libraries,
)

ALL = set(XCB_LIBRARIES)


def loads(*missing: str):  # noqa: ANN201
    """A fake library lookup: everything loads except ``missing``."""
    return lambda name: name not in missing


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "offscreen:configfile=s.json"])
def test_headless_platforms_need_no_display(platform):
    assert display_problem({"QT_QPA_PLATFORM": platform}, platform="linux") is None


def test_no_display_says_so_and_how_to_do_without():
    problem = display_problem({}, platform="linux", loadable=loads())
    assert "neither DISPLAY nor WAYLAND_DISPLAY is set" in problem
    assert "QT_QPA_PLATFORM=offscreen" in problem and "--screenshot FILE.png" in problem
    assert "\n" not in problem


def up(display: str) -> bool:
    return True


def test_a_display_with_every_library_is_fine():
    assert (
        display_problem({"DISPLAY": ":0"}, platform="linux", loadable=loads(), reachable=up) is None
    )
    env = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}
    assert display_problem(env, platform="linux", loadable=loads(), reachable=up) is None


def test_a_display_nobody_answers_on_is_named():
    problem = display_problem(
        {"DISPLAY": ":7"}, platform="linux", loadable=loads(), reachable=lambda d: d != ":7"
    )
    assert "cannot connect to the X display DISPLAY=:7" in problem
    assert "QT_QPA_PLATFORM=offscreen" in problem


def test_the_real_connection_check_fails_on_a_display_with_no_server():
    from layerheat.viewer.display import _loadable, _x_reachable

    if not _loadable("libxcb.so.1"):
        pytest.skip("libxcb1 is not installed")
    assert not _x_reachable(":9731")  # nothing listens there


def test_missing_libraries_are_named_with_their_packages():
    fake = loads("libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    problem = display_problem({"DISPLAY": ":0"}, platform="linux", loadable=fake)
    assert "cannot load libxcb-icccm.so.4, libxcb-keysyms.so.1" in problem
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 (Debian/Ubuntu)" in problem
    assert "QT_QPA_PLATFORM=offscreen" in problem and "\n" not in problem


def test_one_package_is_named_once_for_two_of_its_libraries():
    line = install_command(["libglib-2.0.so.0", "libgthread-2.0.so.0", "libxcb-cursor.so.0"])
    assert line == "sudo apt-get install libglib2.0-0 libxcb-cursor0"


def test_missing_libraries_keeps_the_table_order():
    assert missing_libraries(loads("libGL.so.1", "libxcb.so.1")) == ["libxcb.so.1", "libGL.so.1"]
    assert missing_libraries(loads()) == []
    assert set(missing_libraries(lambda name: False)) == ALL


def test_wayland_alone_is_left_to_qt_but_xcb_without_x_is_not():
    env = {"WAYLAND_DISPLAY": "wayland-0"}
    assert display_problem(env, platform="linux", loadable=loads(*ALL)) is None
    env["QT_QPA_PLATFORM"] = "wayland"
    assert display_problem(env, platform="linux", loadable=loads(*ALL)) is None
    env["QT_QPA_PLATFORM"] = "xcb"
    assert "DISPLAY is not set" in display_problem(env, platform="linux")


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_other_systems_are_not_checked(platform):
    assert display_problem({}, platform=platform) is None


def test_the_real_lookup_finds_the_c_library():
    from layerheat.viewer.display import _loadable

    assert _loadable("libc.so.6")
    assert not _loadable("libno-such-library-here.so.42")


def test_view_command_says_it_in_one_line_and_exits_1(monkeypatch, capsys):
    from layerheat.cli import cli
    from layerheat.cli.common import guarded_main

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr("sys.argv", ["layerheat", "view"])
    with pytest.raises(SystemExit) as exit_:
        guarded_main(cli)
    text = capsys.readouterr().err
    assert exit_.value.code == 1
    assert text.count("\n") == 1 and "layerheat: error: no display" in text


def test_a_screenshot_without_a_display_falls_back_to_offscreen(monkeypatch):
    import os

    from layerheat.cli.view import _check_display

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    _check_display(screenshot=True)
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
