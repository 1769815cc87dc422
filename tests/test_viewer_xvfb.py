"""The real window on a real X server (Xvfb), and the one-line refusal without a display.

Needs the Debian/Ubuntu packages ``xvfb`` and the xcb libraries Qt's platform plugin
links against (see :data:`layerheat.viewer.display.XCB_LIBRARIES`); skipped without them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("qtpy")

from layerheat.viewer.display import install_command, missing_libraries  # noqa: E402

WINDOW = (1280, 800)  # the window's size on first start (app.DEFAULT_SIZE)


def _env(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    for key, value in changes.items():
        if value is not None:
            env[key] = value
    return env


def _layerheat(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run(
        [sys.executable, "-m", "layerheat", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def xvfb():
    """A display number served by a fresh Xvfb (it picks a free one), stopped afterwards."""
    missing = missing_libraries()
    if shutil.which("Xvfb") is None or missing:
        what = ["Xvfb (package xvfb)"] if shutil.which("Xvfb") is None else []
        what += [f"{', '.join(missing)} ({install_command(missing)})"] if missing else []
        pytest.skip(
            f"needs {' and '.join(what)}: apt-get install xvfb and the xcb libraries "
            "(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 ... see docs/viewer.md)"
        )
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1200x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        server.wait()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=30)


def test_the_window_opens_on_an_x_server_and_is_drawn(xvfb, tmp_path):
    from PIL import Image

    out = tmp_path / "out.png"
    done = _layerheat(
        "view",
        "--screenshot",
        str(out),
        env=_env(DISPLAY=xvfb, QT_QPA_PLATFORM="xcb"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    image = Image.open(out)
    assert image.format == "PNG" and image.size == WINDOW
    pixels = np.asarray(image.convert("RGB"))
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 100  # widgets, text, a design's coloured layers: not a blank frame
    assert pixels.std() > 20
    # the design's canvas is white in the middle of the window
    h, w = pixels.shape[:2]
    assert (pixels[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] == 255).all(axis=2).mean() > 0.2


def test_without_a_display_the_viewer_says_why_in_one_line(tmp_path):
    done = _layerheat("view", env=_env(), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("layerheat: error: no display")
    assert "QT_QPA_PLATFORM=offscreen" in done.stderr and "Traceback" not in done.stderr
