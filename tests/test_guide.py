"""docs/guide.md runs: every ```python block, in order, in one namespace, in a tmp dir."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

GUIDE = Path(__file__).parents[1] / "docs" / "guide.md"


def blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", GUIDE.read_text(), flags=re.S | re.M)


def test_the_guide_has_its_examples() -> None:
    assert len(blocks()) >= 8


@pytest.mark.slow
def test_every_block_of_the_guide_runs_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "guide"}
    try:
        for i, code in enumerate(blocks(), 1):
            try:
                exec(compile(code, f"{GUIDE.name} block {i}", "exec"), namespace)
            except Exception as exc:  # name the block that broke
                raise AssertionError(f"guide block {i} failed: {exc!r}\n{code}") from exc
    finally:
        plt.close("all")
    written = {p.name for p in tmp_path.iterdir()}
    assert {"layers.parquet", "four-types.png", "title-subtitle-logo.png"} <= written
    assert {"coverage.png", "differences.png"} <= written
    assert plt.get_fignums() == []
