"""A small CLI run, first after install: nothing compiled, in any of its processes."""

from __future__ import annotations

import os
import subprocess
import sys

from layerheat import sample_layers


def test_a_first_small_run_imports_no_numba_in_any_process(tmp_path):
    """A fresh bytecode cache and an empty Numba cache, as after install: a small input
    is binned by the NumPy twins and drawn without Numba, so nothing is compiled.
    ``-X importtime`` logs the imports of the drawing processes too (same stderr)."""
    import pyarrow.parquet as pq

    data = tmp_path / "layers.parquet"
    pq.write_table(sample_layers(designs=60, seed=5).arrow, data)  # the fixed-cost input
    numba_cache = tmp_path / "numba-cache"
    env = {
        **os.environ,
        "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
        "NUMBA_CACHE_DIR": str(numba_cache),
    }
    out = tmp_path / "out"
    command = [sys.executable, "-X", "importtime", "-m", "layerheat", "heatmaps", str(data)]
    run = subprocess.run([*command, "-o", str(out), "-q"], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "matplotlib.figure" in imported  # a drawing process's imports are logged too
    assert not {name for name in imported if name.split(".")[0] in ("numba", "llvmlite")}
    assert not numba_cache.exists() or not any(numba_cache.rglob("*"))
    assert len(list(out.glob("*.png"))) == 15
