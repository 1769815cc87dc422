"""Fuzz smoke test: fixed-seed mutants of every input kind through the real CLI.

A few dozen of the mutants ``benchmarks/fuzz.py`` runs by the thousand: each must end
as a success whose summary accounts for every row, or as one clean error line; never a
traceback, a hang or a file left behind (see ``tests/fuzz/runner.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .fuzz.forkserver import ForkServer
from .fuzz.mutators import KINDS, load_seeds, make_mutant, psd_seed_paths
from .fuzz.runner import child_env, run_mutant

pytestmark = pytest.mark.slow

SEED = 20240611
PER_KIND = 8


@pytest.fixture(scope="module")
def seeds() -> dict:
    kinds = KINDS if psd_seed_paths() else tuple(k for k in KINDS if k != "psd")
    return load_seeds(kinds)


@pytest.fixture(scope="module")
def server():  # noqa: ANN201 - a ForkServer
    one = ForkServer(child_env())
    yield one
    one.close()


@pytest.mark.parametrize("kind", KINDS)
def test_mutants_end_in_success_or_one_clean_error(kind, seeds, server, tmp_path) -> None:  # noqa: ANN001
    if kind not in seeds:
        pytest.skip("no PSD files in ../shared/data/psd")
    bad = []
    for index in range(PER_KIND):
        mutant = make_mutant(kind, seeds, index, SEED)
        for outcome in run_mutant(mutant, tmp_path / mutant.name, server=server):
            if outcome.klass not in ("ok", "error"):
                bad.append(f"{mutant.name} {mutant.steps} {outcome.command}: {outcome.klass}: "
                           f"{outcome.detail}")  # fmt: skip
    assert not bad, "\n".join(bad)


def test_a_run_in_a_new_interpreter_is_classified_the_same(seeds, tmp_path) -> None:  # noqa: ANN001
    mutant = make_mutant("coco", seeds, 0, SEED)
    mutant.data = b'{"images": ['
    (outcome,) = [o for o in run_mutant(mutant, tmp_path / "m") if o.command == "heatmaps"]
    assert outcome.klass == "error", outcome
    assert "invalid JSON" in outcome.detail
    assert outcome.peak_mb > 10
    assert not list((tmp_path / "m" / "heatmaps").iterdir())
    assert os.path.basename(outcome.argv[0]).startswith("python")
    assert Path(tmp_path / "m" / "heatmaps.stderr").read_text().count("\n") == 1


def test_a_parquet_mutant_that_empties_the_table_first_is_made(seeds) -> None:  # noqa: ANN001
    """Case 1374 of the long run (seed 7): an edit emptied the table, then the one-row
    edit drew a row from none and stopped the whole run with a ValueError."""
    mutant = make_mutant("parquet", seeds, 343, 7)
    assert mutant.kind == "parquet" and mutant.data is not None
