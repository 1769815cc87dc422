"""Ingest's fixed costs: no pandas import, options once per worker, tables packed per task."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from layerheat import ingest as ingest_module
from layerheat.ingest import IngestOptions, expand_inputs, ingest, read_one
from layerheat.taxonomy import Taxonomy

from .helpers_psd import SHARED_PSD, G, L, layer_section_end, make_psd


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five good PSDs (one with a group) and a truncated one."""
    root = tmp_path_factory.mktemp("ads")
    for i in range(5):
        items = [L("Background", (0, 0, 300, 200)), L("TITLE", (10 + i, 10, 120, 40))]
        if i % 2:
            items.append(G("Logos", [L("logo_dev", (200, 150, 240, 190))]))
        make_psd(root / f"ad{i}.psd", (300, 200), items)
    good = (root / "ad0.psd").read_bytes()
    (root / "ad9-cut.psd").write_bytes(good[: layer_section_end(root / "ad0.psd") - 50])
    return root


def test_an_ingest_run_does_not_import_pandas(folder: Path, tmp_path: Path) -> None:
    """pyarrow imports pandas for pa.array/pa.table/pa.scalar on Python values; that
    was a quarter of a second of every small ingest run."""
    out = tmp_path / "layers.parquet"
    code = (
        "import sys\n"
        "from layerheat.cli import main\n"
        f"sys.argv = ['layerheat', 'ingest', {str(folder)!r}, '-o', {str(out)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('pandas' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "ingested 6 files: 12 layers" in run.stdout
    assert run.stdout.splitlines()[-1] == "False"


def test_a_chunk_sends_its_tables_packed_and_they_unpack_to_the_same_rows(folder: Path) -> None:
    files, _ = expand_inputs([folder])
    chunk = list(enumerate(files))
    options = IngestOptions()
    alone = [read_one(i, item, options) for i, item in chunk]
    results, packed = ingest_module._read_chunk(chunk, options)
    assert packed is not None and packed.num_rows == 12
    assert all(r.table is None for r in results)  # only the packed table travels
    results = ingest_module._unpack(*pickle.loads(pickle.dumps((results, packed))))
    assert [(r.index, r.path, r.reason, r.notes, r.rows) for r in results] == [
        (r.index, r.path, r.reason, r.notes, None) for r in alone
    ]
    for got, want in zip(results, alone):
        assert (got.table is None) == (want.table is None)
        if want.table is not None:
            assert got.table.equals(want.table)
    assert sum(r.table is None for r in results) == 1


def test_workers_get_the_options_once_not_with_every_task(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = Taxonomy.__reduce_ex__ if "__reduce_ex__" in vars(Taxonomy) else None

    def counted(self, protocol):  # noqa: ANN001, ANN202
        calls.append(protocol)
        if original is not None:
            return original(self, protocol)
        return object.__reduce_ex__(self, protocol)

    monkeypatch.setattr(Taxonomy, "__reduce_ex__", counted)
    files, _ = expand_inputs([folder])
    todo = list(enumerate(files))
    pooled = ingest_module._run(todo, IngestOptions(), 2, False)
    # forked workers inherit the options; spawned ones unpickle them once each
    assert len(calls) <= 2
    pooled.sort(key=lambda r: r.index)
    alone = ingest([folder], jobs=1)
    assert [r.reason for r in pooled] == [None] * 5 + [pooled[-1].reason]
    assert sum(r.table.num_rows for r in pooled if r.table is not None) == len(alone.table)


@pytest.mark.skipif(not SHARED_PSD.is_dir(), reason="real PSD test files not found")
def test_the_pool_gives_the_in_process_table_on_the_real_files() -> None:
    alone = ingest([SHARED_PSD], jobs=1)
    pooled = ingest([SHARED_PSD], jobs=2)
    assert pooled.table.arrow.equals(alone.table.arrow)
    assert pooled.rejected == alone.rejected
    assert pooled.report.notes == alone.report.notes


def test_this_process_reads_too_and_jobs_2_forks_one_worker(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    here: list[int] = []
    original = ingest_module.read_one

    def counted(index, item, options):  # noqa: ANN001, ANN202
        if multiprocessing.parent_process() is None:
            here.append(index)
        return original(index, item, options)

    monkeypatch.setattr(ingest_module, "read_one", counted)
    started: list[int] = []
    pool = ingest_module.__dict__.get("worker_pool")
    assert pool is None  # imported inside _run, from layerheat.parallel
    import layerheat.parallel as parallel

    real_pool = parallel.worker_pool
    monkeypatch.setattr(
        parallel, "worker_pool", lambda n, **kw: started.append(n) or real_pool(n, **kw)
    )
    files, _ = expand_inputs([folder])
    results = ingest_module._run(list(enumerate(files)), IngestOptions(), 2, False)
    assert started == [1]
    assert here, "the parent read no file"
    assert sorted(r.index for r in results) == list(range(len(files)))
    alone = {r.index: r for r in (original(i, f, IngestOptions()) for i, f in enumerate(files))}
    for r in results:
        assert (r.table is None) == (alone[r.index].table is None)
        if r.table is not None:
            assert r.table.equals(alone[r.index].table)
