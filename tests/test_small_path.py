"""The NumPy twins of the pipeline kernels (small batches) equal the compiled kernels."""

from __future__ import annotations

import numpy as np
import pytest

import layerheat.binning.reference as reference
from layerheat.heatmap import heatmaps

from .test_streaming import messy_layers


def run_both(monkeypatch: pytest.MonkeyPatch, **options):  # noqa: ANN003, ANN201
    table = messy_layers(n=30_000, seed=3)
    monkeypatch.setattr(reference, "SMALL_BATCH", 1 << 62)  # every batch on the twins
    monkeypatch.setattr(reference, "LOADED_BATCH", 1 << 62)
    twins = heatmaps(table, **options)
    monkeypatch.setattr(reference, "SMALL_BATCH", 0)  # every batch compiled
    compiled = heatmaps(table, **options)
    return twins, compiled


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
@pytest.mark.parametrize("outside", ["clip", "skip"])
def test_numpy_twins_give_the_kernels_results_bit_for_bit(monkeypatch, scale, outside) -> None:  # noqa: ANN001
    twins, compiled = run_both(monkeypatch, scale=scale, outside=outside)
    assert twins.report.summary() == compiled.report.summary()
    assert twins.report.notes == compiled.report.notes
    for t in compiled:
        u = twins[t.type.id]
        np.testing.assert_array_equal(u.counts, t.counts, err_msg=t.type.label)
        assert u.grid == t.grid and u.n_layers == t.n_layers
        np.testing.assert_array_equal([u.mean_width, u.mean_height], [t.mean_width, t.mean_height])


def test_a_small_run_does_not_import_numba() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from layerheat import heatmaps; heatmaps(gridsize=10); "
        "print('numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_tail_batches_of_a_large_input_take_the_loaded_kernels() -> None:
    """A large file's row groups each end in a short batch; once the compiled kernels are
    loaded those batches use them too, while a small run never loads them."""
    import subprocess
    import sys

    import layerheat.binning.kernels as kernels

    assert reference.pick("canvas_accumulate", 5000) is kernels.canvas_accumulate
    assert reference.pick("canvas_accumulate", 100) is reference.canvas_accumulate
    code = (
        "import sys; from layerheat.binning.reference import pick; "
        "print(pick('row_codes', 5000).__module__, 'numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["layerheat.binning.reference", "False"]
