"""Fuzzing harness shared by ``benchmarks/fuzz.py`` (the long run) and the smoke test.

:mod:`tests.fuzz.mutators` builds seed inputs (real PSD files, a sample layer CSV and
Parquet, a small COCO JSON) and deterministic mutants of them; :mod:`tests.fuzz.runner`
runs one mutant through the real CLI in a subprocess and classifies what happened.
"""

from __future__ import annotations

__all__ = ["mutators", "runner"]
