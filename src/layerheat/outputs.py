"""Atomic file output: every file appears whole under its final name, or not at all.

>>> from layerheat.outputs import atomic_path
>>> with atomic_path("out/summary.png") as tmp:   # doctest: +SKIP
...     fig.savefig(tmp)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import LayerheatError

#: image formats figures and renderings are written in
IMAGE_FORMATS = ("png", "svg", "pdf")


def ensure_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) or raise a one-line error saying why not."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LayerheatError(
            f"{path}: cannot create output directory, a file of that name exists; pick another -o"
        ) from None
    except OSError as exc:
        raise LayerheatError(
            f"{path}: cannot create output directory ({exc.strerror}); pick another -o"
        ) from None
    if not os.access(path, os.W_OK):
        raise LayerheatError(f"{path}: output directory is not writable; pick another -o")
    return path


def check_output_dir(path: str | Path) -> Path:
    """Fail early, creating nothing, if ``path`` could not be made a writable folder."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise LayerheatError(
            f"{path}: cannot create output directory, a file of that name exists; pick another -o"
        )
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise LayerheatError(f"{path}: cannot create output directory ({existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise LayerheatError(f"{path}: output directory is not writable; pick another -o")
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success only."""
    path = Path(path)
    ensure_dir(path.parent if str(path.parent) else ".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
