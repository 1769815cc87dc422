"""Batch ingest: folders, globs and files of PSD/PSB and COCO become one layer table.

Every input file is accounted for: it either gives layer rows or a line in the rejects
file with the reason. Files are read in parallel across processes, a progress bar shows
files per second, outputs are written atomically, and ``update=True`` re-reads only
files whose size or modification time changed::

    >>> from layerheat.ingest import IngestOptions, run_ingest
    >>> result = run_ingest(["designs/"], "layers.parquet")    # doctest: +SKIP
    >>> print(result.summary("layers.parquet.rejects.csv"))    # doctest: +SKIP
    ingested 17 files: 120 layers (5 no area, 30 unmatched -> Other), 3 rejected (...)

The readers themselves are :mod:`layerheat.io.psd` and :mod:`layerheat.io.coco`; this
module finds the files, runs the readers, and keeps the books.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import glob
import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import arrow as _arrow
from .errors import LayerheatError
from .io.psd import PSD_SUFFIXES
from .readreport import ReadReport
from .table import LayerTable
from .taxonomy import FALLBACK_RULE, UNMAPPED_RULE, Taxonomy, default_taxonomy

__all__ = [
    "AUTO_FORK_MIN_BYTES",
    "AUTO_FORK_MIN_FILES",
    "AUTO_POOL_MIN_BYTES",
    "AUTO_POOL_MIN_FILES",
    "COCO_SUFFIXES",
    "ExplainRow",
    "FileResult",
    "IngestOptions",
    "IngestResult",
    "InputFile",
    "OUTPUT_SUFFIXES",
    "REJECTS_HEADER",
    "SOURCE_COLUMNS",
    "check_output",
    "expand_inputs",
    "explain_rows",
    "format_explain",
    "ingest",
    "load_previous",
    "read_coco_layers",
    "read_one",
    "read_psd_layers",
    "read_rejects",
    "rejects_path_for",
    "run_ingest",
    "write_rejects",
]

COCO_SUFFIXES = (".json",)
OUTPUT_SUFFIXES = (".parquet", ".pq", ".csv")
#: Columns ingest adds to every row so that ``update`` can tell what changed.
SOURCE_COLUMNS = ("source", "source_size", "source_mtime_ns")
REJECTS_HEADER = ("path", "reason")
#: Auto mode (``jobs=None``) runs in-process below these sizes: starting worker
#: processes (~0.3 s of CPU) costs more than it saves on a handful of small files; PSDs
#: parse at ~50 MiB of CPU-second, so 32 MiB is about where a second core pays.
AUTO_POOL_MIN_FILES = 200
AUTO_POOL_MIN_BYTES = 32 * 2**20
#: The same where workers are forked: a fork with psd-tools already imported, the
#: options inherited and this process reading too costs ~0.05 s, so a second process
#: pays from ~0.2 s of parsing (a small PSD parses in ~3 ms, a large one at ~30 MiB/s).
AUTO_FORK_MIN_FILES = 64
AUTO_FORK_MIN_BYTES = 8 * 2**20
_MAGIC = set("*?[")


@dataclass(frozen=True)
class InputFile:
    """One file to read: where it is, the design id it gets, and its format."""

    path: str
    design_id: str
    format: str  # "psd", "coco" or "unknown"


@dataclass(frozen=True)
class IngestOptions:
    """What to read and how to type it; picklable, so worker processes get a copy."""

    taxonomy: Taxonomy = field(default_factory=default_taxonomy)
    include_groups: bool = False
    visible_only: bool = False
    kinds: frozenset[str] | None = None
    category_map: dict[str, int] = field(default_factory=dict)
    keep_crowd: bool = False


@dataclass
class FileResult:
    """What reading one file gave: rows or a reason, and remarks."""

    index: int
    path: str
    table: pa.Table | None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    rows: int | None = None  # while the table travels packed with others (_read_chunk)


@dataclass
class IngestResult:
    """The table, the rejected files, and the counts a summary line needs."""

    table: LayerTable
    report: ReadReport
    files: int
    rejected: list[tuple[str, str]]
    read: int = 0
    reused: int = 0
    dropped: int = 0
    elapsed: float = 0.0

    def counts(self) -> Counter:
        """Layers, no-area layers, unmatched (-> fallback) and unmapped COCO categories."""
        table = self.table.arrow
        out: Counter = Counter(layers=table.num_rows)
        # No Python scalars here: pyarrow turns them into Arrow ones through its pandas
        # bridge, and importing pandas was a quarter of a small ingest run.
        if "has_area" in table.column_names:
            # a null has_area counts as having one (the sum skips nulls)
            out["no area"] = int(pc.sum(pc.invert(table.column("has_area"))).as_py() or 0)
        if "type_rule" in table.column_names:
            rules = table.column("type_rule")
            for key, rule in (("unmatched", FALLBACK_RULE), ("unmapped", UNMAPPED_RULE)):
                hits = pc.is_in(rules, value_set=_arrow([rule]))
                out[key] = int(pc.sum(hits).as_py() or 0)
        return out

    def summary(
        self, rejects_path: str | Path | None = None, taxonomy: Taxonomy | None = None
    ) -> str:
        """One line: ``ingested 17 files: 120 layers (5 no area, ...), 3 rejected (see ...)``."""
        c = self.counts()
        fallback = taxonomy or default_taxonomy()
        other = fallback.name_of(fallback.fallback) if fallback.fallback is not None else "?"
        parts = [f"{c['no area']} no area", f"{c['unmatched']} unmatched -> {other}"]
        if c["unmapped"]:
            parts.append(f"{c['unmapped']} in unmapped categories")
        line = f"ingested {self.files} file{'s' if self.files != 1 else ''}"
        if self.reused:
            line += f" ({self.reused} unchanged, rows kept)"
        line += f": {c['layers']} layers ({', '.join(parts)}), {len(self.rejected)} rejected"
        if rejects_path is not None:
            line += f" (see {rejects_path})"
        if self.dropped:
            line += f"; rows of {self.dropped} file(s) no longer on disk dropped"
        return line


# -- finding the files ---------------------------------------------------------------------
def expand_inputs(
    inputs: Sequence[str | os.PathLike], formats: Iterable[str] = ("psd", "coco")
) -> tuple[list[InputFile], list[str]]:
    """Files behind folders (searched recursively for .psd/.psb), globs and plain paths.

    Design ids are paths relative to the folder (or the glob's fixed part) given, with
    ``/`` separators; a plain file's id is its name. Raises LayerheatError for a path
    that does not exist, a glob that matches nothing, or a folder without PSD files.
    """
    formats = tuple(formats)
    found: list[tuple[Path, str, Path]] = []  # (file, design id, root it is relative to)
    notes: list[str] = []
    if not inputs:
        raise LayerheatError("no input given; name PSD folders, .psd/.psb files or COCO .json")
    for item in inputs:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in PSD_SUFFIXES and p.is_file()
            )
            if not files:
                raise LayerheatError(
                    f"{path}: no .psd or .psb files in this folder (searched recursively); "
                    "name the files or another folder"
                )
            found += [(p, p.relative_to(path).as_posix(), path) for p in files]
        elif path.exists():
            found.append((path, path.name, path.parent))
        elif _MAGIC & set(text):
            base = _glob_base(text)
            files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not files:
                raise LayerheatError(f"{text}: the pattern matched no files")
            found += [(p, _relative(p, base), base) for p in files]
        else:
            raise LayerheatError(f"{text}: no such file or folder")
    seen: dict[str, int] = {}
    unique: list[tuple[Path, str, Path]] = []
    for p, design, root in found:
        key = str(p.resolve())
        if key not in seen:
            seen[key] = len(unique)
            unique.append((p, design, root))
    if len(unique) < len(found):
        notes.append(f"{len(found) - len(unique)} file(s) named twice among the inputs, read once")
    ids = Counter(design for _, design, _ in unique)
    clashes = {d for d, n in ids.items() if n > 1}
    out: list[InputFile] = []
    for p, design, root in unique:
        if design in clashes:
            design = f"{root.resolve().name}/{design}" if root.resolve().name else str(p)
        out.append(InputFile(str(p), design, _format_of(p, formats)))
    if clashes:
        notes.append(
            f"{len(clashes)} design id(s) shared by files in different inputs "
            "(e.g. {}); they were prefixed with their folder name".format(sorted(clashes)[0])
        )
    return out, notes


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if _MAGIC & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.name


def _format_of(path: Path, formats: tuple[str, ...]) -> str:
    suffix = path.suffix.lower()
    if suffix in PSD_SUFFIXES and "psd" in formats:
        return "psd"
    if suffix in COCO_SUFFIXES and "coco" in formats:
        return "coco"
    try:
        with open(path, "rb") as fp:
            head = fp.read(64)
    except OSError:
        return "unknown"
    if head.startswith(b"8BPS") and "psd" in formats:
        return "psd"
    if head.lstrip()[:1] in (b"{", b"[") and "coco" in formats:
        return "coco"
    return "unknown"


# -- reading one file (runs in worker processes) ----------------------------------------------
def read_one(index: int, item: InputFile, options: IngestOptions) -> FileResult:
    """Read one input file; never raises for a bad file, it returns the reason instead."""
    from .io.psd import PsdReadError, read_psd_file

    try:
        st = os.stat(item.path)
    except OSError as exc:
        return FileResult(index, item.path, None, f"cannot read file ({exc.strerror or exc})")
    notes: list[str] = []
    try:
        if item.format == "psd":
            doc = read_psd_file(
                item.path,
                design_id=item.design_id,
                taxonomy=options.taxonomy,
                include_groups=options.include_groups,
                visible_only=options.visible_only,
                kinds=options.kinds,
            )
            table, notes = doc.table, doc.notes
        elif item.format == "coco":
            from .io.coco import CocoReadError, read_coco_file  # only when needed: 20 ms

            try:
                doc = read_coco_file(
                    item.path,
                    taxonomy=options.taxonomy,
                    mapping=options.category_map,
                    keep_crowd=options.keep_crowd,
                )
            except CocoReadError as exc:
                return FileResult(index, item.path, None, str(exc) or type(exc).__name__)
            table, notes = doc.table, list(doc.notes)
            if doc.counts:
                left = ", ".join(f"{n} {why}" for why, n in doc.counts.most_common())
                notes.insert(0, f"annotations left out: {left}")
        else:
            suffix = Path(item.path).suffix or "(no suffix)"
            return FileResult(
                index,
                item.path,
                None,
                f"unsupported file type {suffix}: expected .psd, .psb or COCO .json",
            )
    except PsdReadError as exc:
        return FileResult(index, item.path, None, str(exc) or type(exc).__name__)
    except MemoryError:
        size = f"{st.st_size / 1e6:.0f} MB"
        return FileResult(index, item.path, None, f"out of memory reading this file ({size})")
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        return FileResult(index, item.path, None, f"unexpected error ({type(exc).__name__}: {exc})")
    n = table.num_rows
    # Built from buffers: pa.array would import pandas (see layerheat.arrays).
    table = (
        table.append_column("source", _arrow([str(Path(item.path).resolve())] * n))
        .append_column("source_size", _arrow(np.full(n, st.st_size, dtype=np.int64)))
        .append_column("source_mtime_ns", _arrow(np.full(n, st.st_mtime_ns, dtype=np.int64)))
    )
    return FileResult(index, item.path, table, None, [f"{item.path}: {m}" for m in notes])


#: The options of this worker process's batch, set once as the worker starts (see _run).
_WORKER_OPTIONS: IngestOptions | None = None


def _use_options(options: IngestOptions) -> None:
    """Worker initializer: keep the batch's options (a forked worker inherits them; a
    spawned one unpickles them once, not once per task: a taxonomy takes ~10 ms)."""
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options


def _read_chunk(
    chunk: list[tuple[int, InputFile]], options: IngestOptions | None = None
) -> tuple[list[FileResult], pa.Table | None]:
    """Worker entry point: several files per task, so that small files do not pay IPC.

    The tables of the chunk's files go back as one table (the results carry their row
    counts, :func:`_unpack` slices it): one Arrow IPC stream instead of one per file.
    """
    options = options or _WORKER_OPTIONS or IngestOptions()
    results = [read_one(i, item, options) for i, item in chunk]
    tables = [r.table for r in results if r.table is not None]
    if len(tables) < 2 or any(not t.schema.equals(tables[0].schema) for t in tables):
        return results, None
    packed = pa.concat_tables(tables).combine_chunks()
    for r in results:
        if r.table is not None:
            r.rows, r.table = r.table.num_rows, None
    return results, packed


def _unpack(results: list[FileResult], packed: pa.Table | None) -> list[FileResult]:
    """Give each result its rows back from a chunk's packed table (see _read_chunk)."""
    if packed is None:
        return results
    offset = 0
    for r in results:
        if r.rows is not None:
            r.table, r.rows = packed.slice(offset, r.rows), None
            offset += r.table.num_rows
    return results


# -- the batch ---------------------------------------------------------------------------------
def ingest(
    inputs: Sequence[str | os.PathLike],
    *,
    options: IngestOptions | None = None,
    jobs: int | None = None,
    progress: bool = False,
    formats: Iterable[str] = ("psd", "coco"),
    previous: LayerTable | None = None,
) -> IngestResult:
    """Read every input file into one table; rejected files come back with reasons.

    ``jobs``: processes reading, this one included (None: ``os.cpu_count()`` for large
    batches, in-process for small ones; 1: always in-process). ``previous``: a table
    this function wrote before; files whose size and modification time match its
    ``source`` columns are not read again and keep their rows.
    """
    options = options or IngestOptions()
    files, notes = expand_inputs(inputs, formats)
    report = ReadReport()
    report.notes.extend(notes)
    started = time.perf_counter()

    kept = None
    reused = dropped = 0
    todo = list(enumerate(files))
    if previous is not None:
        kept, todo, reused, dropped = _plan_update(previous, files)
        if dropped:
            report.notes.append(f"rows of {dropped} file(s) no longer on disk were dropped")

    results = _run(todo, options, jobs, progress)
    results.sort(key=lambda r: r.index)
    tables = [] if kept is None else [kept]
    rejected: list[tuple[str, str]] = []
    for r in results:
        report.notes.extend(r.notes)
        if r.table is None:
            rejected.append((r.path, r.reason or "unknown reason"))
            report.skip_file(r.path, r.reason or "unknown reason")
        else:
            tables.append(LayerTable(r.table))
    table = LayerTable.concat(tables)
    report.read(len(table))
    return IngestResult(
        table=table,
        report=report,
        files=len(files),
        rejected=rejected,
        read=len(todo),
        reused=reused,
        dropped=dropped,
        elapsed=time.perf_counter() - started,
    )


def _plan_update(
    previous: LayerTable, files: list[InputFile]
) -> tuple[LayerTable, list[tuple[int, InputFile]], int, int]:
    """Rows to keep, files to read, files reused, and vanished sources dropped."""
    missing = [c for c in SOURCE_COLUMNS if c not in previous.column_names]
    if missing:
        raise LayerheatError(
            f"the existing table has no {', '.join(missing)} column(s): it was not written "
            "by layerheat ingest; run without --update to rebuild it"
        )
    arrow = previous.arrow
    sources = arrow.column("source").to_pylist()
    sizes = arrow.column("source_size").to_pylist()
    mtimes = arrow.column("source_mtime_ns").to_pylist()
    stamp: dict[str, tuple] = {}
    for s, size, mtime in zip(sources, sizes, mtimes):
        stamp.setdefault(s, (size, mtime))
    current: dict[str, int] = {}
    todo: list[tuple[int, InputFile]] = []
    keep: set[str] = set()
    for i, item in enumerate(files):
        key = str(Path(item.path).resolve())
        current[key] = i
        try:
            st = os.stat(item.path)
        except OSError:
            todo.append((i, item))
            continue
        if stamp.get(key) == (st.st_size, st.st_mtime_ns):
            keep.add(key)
        else:
            todo.append((i, item))
    reused = len(keep)
    dropped = 0
    for s in stamp:
        if s in current or s is None:
            continue
        if os.path.exists(s):
            keep.add(s)  # outside this run's inputs but still there: keep, lose nothing
        else:
            dropped += 1
    mask = pc.is_in(arrow.column("source"), value_set=_arrow(sorted(keep)))
    return LayerTable(arrow.filter(mask)), todo, reused, dropped


def _worker_count(jobs: int | None, todo: list[tuple[int, InputFile]]) -> int:
    """Processes to read with, this one included (see :func:`_run`)."""
    from .parallel import can_fork

    if len(todo) <= 1:
        return 1
    if jobs is not None:
        if jobs < 1:
            raise LayerheatError(f"--jobs {jobs}: give 1 or more worker processes")
        return min(jobs, len(todo))
    cpus = os.cpu_count() or 1
    size = 0
    for _, item in todo:
        with contextlib.suppress(OSError):
            size += os.path.getsize(item.path)
    if can_fork():
        min_files, min_bytes = AUTO_FORK_MIN_FILES, AUTO_FORK_MIN_BYTES
    else:
        min_files, min_bytes = AUTO_POOL_MIN_FILES, AUTO_POOL_MIN_BYTES
    if len(todo) < min_files and size < min_bytes:
        return 1
    return max(1, min(cpus, len(todo)))


def _run(
    todo: list[tuple[int, InputFile]], options: IngestOptions, jobs: int | None, progress: bool
) -> list[FileResult]:
    """Read the files: here, or with ``workers - 1`` worker processes and this one.

    This process reads too, taking chunks no worker has started yet from the end of the
    queue, so ``--jobs 2`` forks one worker. psd-tools is imported before forking so
    that the worker inherits it; workers get the options once (:func:`_use_options`).
    """
    from .parallel import can_fork, worker_pool
    from .progress import row_progress

    workers = _worker_count(jobs, todo)
    results: list[FileResult] = []
    with row_progress(not progress or not todo, verb="ingest", unit="files") as bar:
        advance = bar or (lambda n=1: None)
        if bar is not None:
            bar.add_total(len(todo))
        if workers == 1:
            for i, item in todo:
                results.append(read_one(i, item, options))
                advance(1)
            return results
        if can_fork() and any(item.format == "psd" for _, item in todo):
            from .io.psd import preload

            preload()
        try:
            with worker_pool(workers - 1, warm=functools.partial(_use_options, options)) as pool:
                size = max(1, min(16, len(todo) // (workers * 8)))
                chunks = [todo[k : k + size] for k in range(0, len(todo), size)]
                futures = [(pool.submit(_read_chunk, chunk), chunk) for chunk in chunks]
                pending: dict[Future, int] = {fut: len(chunk) for fut, chunk in futures}
                for fut, chunk in reversed(futures):
                    if not fut.cancel():
                        break  # a worker has this one, and every chunk before it
                    del pending[fut]
                    results.extend(read_one(i, item, options) for i, item in chunk)
                    advance(len(chunk))
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        count = pending.pop(fut)
                        results.extend(_unpack(*fut.result()))
                        advance(count)
        except BrokenProcessPool:
            # A worker died (out of memory, killed): finish the rest here, one by one.
            finished = {r.index for r in results}
            for i, item in todo:
                if i not in finished:
                    results.append(read_one(i, item, options))
                    advance(1)
    return results


# -- outputs -------------------------------------------------------------------------------------
def rejects_path_for(output: str | Path) -> Path:
    """``layers.parquet`` -> ``layers.parquet.rejects.csv``."""
    output = Path(output)
    return output.with_name(output.name + ".rejects.csv")


def write_rejects(path: str | Path, rejected: Sequence[tuple[str, str]]) -> Path:
    """Write the rejects CSV (``path,reason``) atomically; a header even when empty."""
    from .outputs import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fp:
        writer = csv.writer(fp)
        writer.writerow(REJECTS_HEADER)
        writer.writerows(rejected)
    return path


def read_rejects(path: str | Path) -> list[tuple[str, str]]:
    """The ``(path, reason)`` rows of a rejects file."""
    with open(path, newline="", encoding="utf-8") as fp:
        rows = list(csv.reader(fp))
    return [(r[0], r[1]) for r in rows[1:]]


def load_previous(output: str | Path) -> LayerTable:
    """Read a table ``run_ingest`` wrote (Parquet or CSV) for an update."""
    output = Path(output)
    try:
        if output.suffix.lower() == ".csv":
            import pyarrow.csv as pacsv

            from .table import SCHEMA

            types = {f.name: f.type for f in SCHEMA}
            types.update(
                source=pa.string(),
                source_size=pa.int64(),
                source_mtime_ns=pa.int64(),
                group_path=pa.string(),
                kind=pa.string(),
                category=pa.string(),
                type_rule=pa.string(),
            )
            table = pacsv.read_csv(
                output,
                convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
            )
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(output)
    except (pa.ArrowInvalid, OSError) as exc:
        raise LayerheatError(
            f"{output}: cannot read the existing table for --update ({exc}); "
            "run without --update to rebuild it"
        ) from None
    return LayerTable(table)


def check_output(output: str | Path) -> Path:
    """The output path, or a LayerheatError if its suffix is not .parquet/.pq/.csv."""
    output = Path(output)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise LayerheatError(
            f"{output}: unknown output format {output.suffix or '(no suffix)'!r}; "
            "use a .parquet or .csv name, e.g. -o layers.parquet"
        )
    if output.is_dir():
        raise LayerheatError(f"{output}: is a folder; give a file name, e.g. -o layers.parquet")
    return output


def run_ingest(
    inputs: Sequence[str | os.PathLike],
    output: str | Path,
    *,
    options: IngestOptions | None = None,
    jobs: int | None = None,
    update: bool = False,
    progress: bool = False,
) -> IngestResult:
    """Ingest and write ``output`` plus ``<output>.rejects.csv``, together: both appear
    at once (see :class:`layerheat.outputs.OwnedFiles`), or neither changes.

    With ``update`` and an existing ``output``, unchanged files are not read again.
    Raises LayerheatError, naming the first rejected files and why, when no file gave a
    row; nothing is written then.
    """
    import time

    from .outputs import OwnedFiles, check_output_dir, run_manifest

    started = time.monotonic()
    output = check_output(output)
    check_output_dir(output.parent if str(output.parent) else ".")
    previous = load_previous(output) if update and output.exists() else None
    result = ingest(inputs, options=options, jobs=jobs, progress=progress, previous=previous)
    if update and previous is None:
        result.report.notes.append(f"{output} did not exist yet: every file was read")
    rejects = rejects_path_for(output)
    if len(result.table) == 0:
        raise LayerheatError(
            f"no layer rows from {result.files} input file(s); every one was rejected "
            f"({result.report.skipped_files_text()}); {output} was not written"
        )
    with OwnedFiles(output, [output.name, rejects.name]) as run:
        result.table.write(run.path / output.name)
        write_rejects(run.path / rejects.name, result.rejected)
        options = {"update": update, "jobs": jobs}
        run.commit(run_manifest("ingest", list(map(str, inputs)), options, result.report, started))
    return result


# -- explain --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExplainRow:
    """One distinct layer name with the type and rule it got, and how often."""

    count: int
    name: str
    type_id: int
    rule: str


def explain_rows(table: LayerTable) -> list[ExplainRow]:
    """Distinct (name, type, rule) with counts, most frequent first."""
    arrow = table.arrow
    rules = (
        arrow.column("type_rule").to_pylist()
        if "type_rule" in arrow.column_names
        else [""] * arrow.num_rows
    )
    counts = Counter(
        zip(arrow.column("name").to_pylist(), arrow.column("type_id").to_pylist(), rules)
    )
    rows = [ExplainRow(n, name or "", int(t), rule or "") for (name, t, rule), n in counts.items()]
    rows.sort(key=lambda r: (-r.count, r.name.casefold(), r.type_id))
    return rows


def format_explain(rows: Sequence[ExplainRow], taxonomy: Taxonomy) -> str:
    """The ``--explain`` listing: count, type, rule and layer name, one per line."""
    if not rows:
        return "no layers"
    types = [f"{taxonomy.name_of(r.type_id)} ({r.type_id})" for r in rows]
    w_count = max(len("count"), *(len(str(r.count)) for r in rows))
    w_type = max(len("type"), *(len(t) for t in types))
    w_rule = max(len("rule"), *(len(r.rule) for r in rows))
    lines = [f"{'count':>{w_count}}  {'type':<{w_type}}  {'rule':<{w_rule}}  name"]
    for r, t in zip(rows, types):
        lines.append(f"{r.count:>{w_count}}  {t:<{w_type}}  {r.rule:<{w_rule}}  {r.name!r}")
    return "\n".join(lines)


# -- one format, many files: what `layerheat heatmaps designs/` and `file.json` read ----------
def read_psd_layers(
    paths: Sequence[str | os.PathLike],
    *,
    taxonomy: Taxonomy | None = None,
    include_groups: bool = False,
    visible_only: bool = False,
    kinds: Iterable[str] | None = None,
    jobs: int | None = None,
    progress: bool = False,
) -> tuple[LayerTable, ReadReport]:
    """Layers of PSD/PSB files and folders (searched recursively), and what was rejected.

    Rejected files are in the report's ``files_skipped`` with their reason; remarks
    (psd-tools warnings, truncated composites) are in its ``notes``. Runs across
    processes for large batches; see :func:`ingest`.
    """
    options = IngestOptions(
        taxonomy=taxonomy or default_taxonomy(),
        include_groups=include_groups,
        visible_only=visible_only,
        kinds=frozenset(k.lower() for k in kinds) if kinds is not None else None,
    )
    result = ingest(paths, options=options, jobs=jobs, progress=progress, formats=("psd",))
    return result.table, result.report


def read_coco_layers(
    paths: Sequence[str | os.PathLike],
    *,
    taxonomy: Taxonomy | None = None,
    mapping: Mapping[str, int] | None = None,
    keep_crowd: bool = False,
    jobs: int | None = None,
    progress: bool = False,
) -> tuple[LayerTable, ReadReport]:
    """Layers of COCO JSON files, and what was rejected or left out (in the report).

    A rejected file is in the report's ``files_skipped``; annotations left out are
    one line per file in its ``notes``, since they never become rows.
    """
    options = IngestOptions(
        taxonomy=taxonomy or default_taxonomy(),
        category_map=dict(mapping or {}),
        keep_crowd=keep_crowd,
    )
    result = ingest(paths, options=options, jobs=jobs, progress=progress, formats=("coco",))
    return result.table, result.report
