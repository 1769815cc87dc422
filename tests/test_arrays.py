"""Arrow <-> NumPy without pyarrow's pandas bridge: same values as pyarrow's own."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from layerheat.arrays import arrow, column, numbers


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "int16", "uint8"])
def test_numbers_equal_to_numpy_for_slices_and_chunks(dtype: str) -> None:
    values = (np.arange(50) * 3 - 20).astype(dtype)
    array = pa.array(values)
    for got, want in [
        (numbers(array), values),
        (numbers(array.slice(7, 20)), values[7:27]),  # an offset into the buffer
        (numbers(pa.chunked_array([array.slice(0, 10), array.slice(10)])), values),
        (numbers(pa.chunked_array([], type=array.type)), values[:0]),
    ]:
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert not numbers(array).flags.writeable  # a view of Arrow's immutable buffer


def test_numbers_with_nulls_or_other_types_go_through_to_numpy() -> None:
    with_null = pa.array([1.0, None, 3.0])
    assert np.array_equal(numbers(with_null), with_null.to_numpy(zero_copy_only=False), True)
    assert numbers(pa.array(["a", "b"])).tolist() == ["a", "b"]


def test_arrow_builds_what_pa_array_builds() -> None:
    for values in (np.linspace(0, 1, 7), np.arange(5, dtype=np.int16), np.arange(9)[::2]):
        assert arrow(values).equals(pa.array(values))
    texts = ["a", "", "éé", "x" * 300, "\x00nul"]
    assert arrow(texts).equals(pa.array(texts, pa.string()))
    assert arrow([]).equals(pa.array([], pa.string()))
    with pytest.raises(TypeError):
        arrow(np.zeros((2, 2)))
    assert column([1, 2]).equals(pa.array([1, 2]))  # anything else: pa.array


def test_a_small_run_never_imports_pandas(tmp_path) -> None:  # noqa: ANN001
    """pandas costs a quarter of a second to import: the CLI's small path leaves it out."""
    code = (
        "import sys\n"
        "from layerheat.cli import main\n"
        f"sys.argv = ['layerheat', 'heatmaps', '-o', {str(tmp_path / 'out')!r}, '-q']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "bins.csv").exists()
