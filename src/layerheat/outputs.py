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

__all__ = [
    "MANIFEST",
    "OwnedFiles",
    "OwnedFolder",
    "run_manifest",
    "IMAGE_FORMATS",
    "atomic_path",
    "check_output_dir",
    "ensure_dir",
    "remove_stale_temporaries",
    "temporary_prefix",
]

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


# -- temporaries beside a final name ---------------------------------------------------------
# A single file is written under a hidden temporary name beside its final name and renamed
# into place. The temporary's name says who wrote it: ``.NAME.PID-HOST.XXXXXXXX.tmp`` (and
# ``.NAME.PID-HOST.link`` for the links OwnedFiles swaps in), HOST a short tag of this
# machine's name. A kill -9 leaves such a file behind; the next write of NAME in the same
# folder removes the ones whose writer, on this machine, is gone. A live writer's file
# (its pid alive) and files from other machines (a shared folder) are never touched.


def _host_tag() -> str:
    import hashlib
    import socket

    return hashlib.blake2s(socket.gethostname().encode(), digest_size=3).hexdigest()


def temporary_prefix(name: str) -> str:
    """The start of this process's temporary names for a final file called ``name``.

    >>> temporary_prefix("summary.png").startswith(f".summary.png.{os.getpid()}-")
    True
    """
    return f".{name}.{os.getpid()}-{_host_tag()}."


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a pid we wrote: leave it alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # alive under another user (or absurd): keep
    return True


def remove_stale_temporaries(folder: str | Path, name: str) -> list[Path]:
    """Remove the temporaries of ``name`` in ``folder`` left by writers that are gone.

    Only names of layerheat's own pattern for ``name`` written on this machine count, and
    only when the pid in the name is no longer running. Returns what was removed.
    """
    import re

    folder = Path(folder)
    pattern = re.compile(
        rf"\.{re.escape(name)}\.(\d{{1,10}})-{_host_tag()}\.(?:\w+\.tmp|link)", re.ASCII
    )
    start = f".{name}."
    removed: list[Path] = []
    try:
        entries = [e.name for e in os.scandir(folder) if e.name.startswith(start)]
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry)
        if match is None or _pid_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            (folder / entry).unlink()
            removed.append(folder / entry)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success only.

    Temporaries of ``path`` left by earlier writers that were killed are removed first.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    ensure_dir(parent)
    remove_stale_temporaries(parent, path.name)
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(path.name), suffix=".tmp", dir=parent)
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


# -- a run owns its output folder ------------------------------------------------------------
#: the manifest every run writes into its folder
MANIFEST = "layerheat.json"
#: the lock file in a folder's store
LOCK = "lock"


class OwnedFolder:
    """The output folder of one run, built beside the final name and swapped in at once.

    The final name ``out`` is a symbolic link to a complete version folder kept in the
    sibling ``.out.layerheat/``; a run builds a new version there, writes its manifest,
    and replaces the link with one rename, so whatever moment a run is killed at, ``out``
    shows either the previous complete set or the new one. Files in the old version that
    the old manifest does not list (the user's own) are carried over; layerheat's own
    files from earlier runs are gone. A lock on ``.out.layerheat/`` makes a second run on
    the same folder fail at once with one line (or wait, with ``wait=True``); versions
    left by killed runs are removed by the next run. A failed run changes nothing and
    leaves nothing behind.

        with OwnedFolder("out") as run:
            fig.savefig(run.path / "summary.png")
            run.commit({"command": "heatmaps"})
    """

    def __init__(self, out: str | Path, *, wait: bool = False) -> None:
        self.out = Path(out)
        self.store = self.out.parent / f".{self.out.name}.layerheat"
        self.wait = wait
        self.path: Path = self.store / "building"
        self._lock_fd: int | None = None
        self._made_store = False
        self._committed = False

    def __enter__(self) -> OwnedFolder:
        self._check_final_name()
        ensure_dir(self.out.parent if str(self.out.parent) else ".")
        self._made_store = not self.store.exists()
        ensure_dir(self.store)
        self._lock()
        self._remove_stale()
        self.path = Path(tempfile.mkdtemp(prefix="run-", dir=self.store))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.path, 0o777 & ~umask)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        import shutil

        try:
            if not self._committed:
                shutil.rmtree(self.path, ignore_errors=True)
                if self._made_store:
                    shutil.rmtree(self.store, ignore_errors=True)
        finally:
            self._unlock()

    def commit(self, manifest: dict) -> list[Path]:
        """Write the manifest, carry the user's files over, and swap the new set in.

        Returns the final paths of the files this run wrote (the manifest last).
        """
        import json
        import shutil

        ours = sorted(p.name for p in self.path.iterdir())
        manifest = {**manifest, "files": ours + [MANIFEST]}
        previous = self._current()
        if previous is not None:
            self._carry_foreign_files(previous)
        with atomic_path(self.path / MANIFEST) as tmp:
            tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        link = self.store / f"link-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(self.store.name) / self.path.name)
        if self.out.is_dir() and not self.out.is_symlink():
            self._retire_real_folder()
        os.replace(link, self.out)
        self._committed = True
        if previous is not None and previous != self.path:
            shutil.rmtree(previous, ignore_errors=True)
        return [self.out / name for name in manifest["files"]]

    # -- internals ------------------------------------------------------------------------
    def _check_final_name(self) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise LayerheatError(f"{out}: a file of that name exists; pick another -o")
        if out.is_dir() and not out.is_symlink():
            foreign = [p for p in out.iterdir() if not p.name.startswith(".")]
            if foreign and not (out / MANIFEST).exists() and not _looks_like_ours(out):
                raise LayerheatError(
                    f"{out}: the folder exists and was not made by layerheat; "
                    "pick another -o or empty it"
                )

    def _lock(self) -> None:
        """A POSIX record lock on ``.out.layerheat/lock``: held by this process only (a
        forked worker does not inherit it) and released when the process dies."""
        import fcntl

        fd = os.open(self.store / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except OSError:
            os.close(fd)
            raise LayerheatError(
                f"{self.out}: another layerheat run is writing this folder; wait for it "
                "to finish, pick another -o, or add --wait"
            ) from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the lock
            self._lock_fd = None

    def _current(self) -> Path | None:
        """The version folder ``out`` shows now (None if none, or a real folder)."""
        if not self.out.is_symlink():
            return None
        target = self.out.parent / os.readlink(self.out)
        return target if target.is_dir() else None

    def _remove_stale(self) -> None:
        """Versions and links of killed runs (everything but what ``out`` shows)."""
        import shutil

        keep = self._current()
        for entry in self.store.iterdir():
            if entry.name == LOCK or (keep is not None and entry.resolve() == keep.resolve()):
                continue
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)

    def _carry_foreign_files(self, previous: Path) -> None:
        import json
        import shutil

        try:
            listed = set(json.loads((previous / MANIFEST).read_text()).get("files", []))
        except (OSError, ValueError):
            listed = set()
        for entry in previous.iterdir():
            if entry.name in listed or (self.path / entry.name).exists():
                continue
            if entry.is_dir():
                shutil.copytree(entry, self.path / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, self.path / entry.name)

    def _retire_real_folder(self) -> None:
        """A plain folder at ``out`` (an older layerheat's output) moves into the store;
        the user's files in it are carried over first."""
        legacy = self.store / f"legacy-{os.getpid()}"
        self._carry_real_folder_files()
        os.replace(self.out, legacy)

    def _carry_real_folder_files(self) -> None:
        import shutil

        for entry in self.out.iterdir():
            if _is_ours(entry.name) or (self.path / entry.name).exists():
                continue
            if entry.is_dir():
                shutil.copytree(entry, self.path / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, self.path / entry.name)


def _is_ours(name: str) -> bool:
    """File names layerheat writes into an output folder (before manifests existed)."""
    import re

    return bool(
        re.fullmatch(r"(summary|layer-\d+|bins|compare.*|divergence|metrics|scores)\.\w+", name)
        or name.startswith(".layerheat-")
        or name == MANIFEST
    )


def _looks_like_ours(folder: Path) -> bool:
    return any(_is_ours(p.name) for p in folder.iterdir())


def run_manifest(command: str, inputs, options: dict, report, started: float, **extra) -> dict:  # noqa: ANN001, ANN003
    """What ``layerheat.json`` records about a run: version, command line, each input
    (path, size, modification time), options, row counts by reason, the wall time, and
    whatever the command adds (``extra``)."""
    import sys
    import time
    from importlib.metadata import PackageNotFoundError, version

    try:
        own = version("layerheat")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        own = "unknown"
    return {
        "layerheat": own,
        "command": command,
        "argv": sys.argv[1:],
        "inputs": [_input_facts(i) for i in (inputs or ["sample"])],
        "options": options,
        "rows": {
            "read": report.rows_read,
            "used": report.rows_used,
            "skipped": dict(report.skipped_in_order()),
            "changed": dict(report.changed),
            "files_skipped": [{"path": p, "reason": r} for p, r in report.files_skipped],
        },
        **extra,
        "wall_seconds": round(time.monotonic() - started, 3),
    }


def _input_facts(item) -> dict:  # noqa: ANN001
    path = Path(str(item))
    try:
        st = path.stat()
    except OSError:
        return {"path": str(item)}
    return {"path": str(item), "size": st.st_size, "mtime": st.st_mtime}


class OwnedFiles:
    """Several files that must appear together (``ingest``'s table and rejects file).

    The files live in a hidden folder owned like :class:`OwnedFolder`
    (``.NAME.files`` beside them); each final name is a fixed link into it, so swapping
    the folder with one rename switches every file at once, and a kill at any moment
    leaves the previous pair or the new one::

        with OwnedFiles("layers.parquet", ["layers.parquet", "layers.parquet.rejects.csv"]) as run:
            table.write(run.path / "layers.parquet")
            ...
            run.commit({"command": "ingest"})
    """

    def __init__(self, main: str | Path, names: list[str], *, wait: bool = False) -> None:
        main = Path(main)
        self.parent = main.parent
        self.names = names
        self.folder = OwnedFolder(self.parent / f".{main.name}.files", wait=wait)

    @property
    def path(self) -> Path:
        """Where to write the files of this run."""
        return self.folder.path

    def __enter__(self) -> OwnedFiles:
        for name in self.names:
            final = self.parent / name
            if final.is_dir():
                raise LayerheatError(f"{final}: is a folder; give a file name")
        self.folder.__enter__()
        for name in self.names:
            remove_stale_temporaries(self.parent, name)
        return self

    def __exit__(self, *exc: object) -> None:
        self.folder.__exit__(*exc)

    def commit(self, manifest: dict) -> list[Path]:
        """Swap the new files in together; make each final name a link into them."""
        self.folder.commit(manifest)
        for name in self.names:
            final = self.parent / name
            target = Path(self.folder.out.name) / name
            if final.is_symlink() and Path(os.readlink(final)) == target:
                continue
            link = self.parent / f"{temporary_prefix(name)}link"
            link.unlink(missing_ok=True)
            link.symlink_to(target)
            os.replace(link, final)
        return [self.parent / name for name in self.names]
