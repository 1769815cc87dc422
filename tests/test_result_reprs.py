"""Every public result prints as one short line with its key facts, like HeatmapSet.

A dataclass's own repr prints every array in full: thousands of lines in a notebook.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import layerheat as lh

LIMIT = 160


def one_line(value: object, name: str) -> str:
    text = repr(value)
    assert text.startswith(f"{name}("), text
    assert "\n" not in text and len(text) <= LIMIT, text
    assert "array(" not in text and "Taxonomy(" not in text, text
    return text


@pytest.fixture(scope="module")
def table() -> lh.LayerTable:
    return lh.sample_layers(designs=200, seed=3)


@pytest.fixture(scope="module")
def measured(table):  # noqa: ANN001, ANN201 - a Measured
    return lh.measure(table, ("centre", "size", "coverage"), gridsize=15, resolution=20)


def test_size_map(measured) -> None:  # noqa: ANN001
    sizes = measured.sizes
    text = one_line(sizes, "SizeMap")
    assert f"{int(sizes.counts.sum()):,} layers binned" in text
    assert f"{sizes.grid.nx}x{sizes.grid.ny} hexagons" in text and "canvas sizes" in text
    assert "14 types (14 present)" in text


def test_coverage_map(measured, table) -> None:  # noqa: ANN001
    coverage = measured.coverage
    text = one_line(coverage, "CoverageMap")
    n_types, ny, nx = coverage.counts.shape
    assert f"{nx}x{ny} cells" in text and f"{len(table.designs()):,} designs" in text
    assert f"max coverage {coverage.coverage.max():.2f}" in text
    assert 0 < coverage.coverage.max() < 10


def test_measured_names_what_it_holds(measured, table) -> None:  # noqa: ANN001
    text = one_line(measured, "Measured")
    assert "centres, sizes, coverage" in text and f"{len(table):,} rows used" in text


def test_stats_types_and_relative_maps(table) -> None:  # noqa: ANN001
    from layerheat.stats import type_stats

    result = type_stats(table, pairs=[(30, 40), (70, 70)], gridsize=10)
    text = one_line(result, "Stats")
    assert "2 relative placement(s) 30:40, 70:70" in text
    types = one_line(result.types, "TypeStatsResult")
    assert f"{len(table):,} layers" in types and "200 designs" in types
    rel = one_line(result.relative[0], "RelativeMap")
    assert "Subtitle [40] relative to Title [30]" in rel
    assert f"{result.relative[0].n_pairs:,} pairs in {result.relative[0].n_designs:,}" in rel


def test_comparison_and_its_types(table) -> None:  # noqa: ANN001
    from layerheat.compare import compare

    ids = pa.array(table.designs()[:100])
    first = table.filter(pc.is_in(table.arrow["design_id"], ids))
    second = table.filter(pc.invert(pc.is_in(table.arrow["design_id"], ids)))
    c = compare(first, second, labels=("early", "late"), gridsize=10, metrics=False)
    text = one_line(c, "Comparison")
    assert "'early' vs 'late', 100 vs 100 designs" in text
    assert f"most different {c.types[0].type.name}" in text
    top = one_line(c.types[0], "TypeComparison")
    assert f"JS {c.types[0].js:.3f} bits" in top
    assert f"{int(c.types[0].significant.sum())} of {len(c.types[0].count_a)} hexagons" in top


def test_read_report(table) -> None:  # noqa: ANN001
    _, report = lh.read_layers(table)
    text = one_line(report, "ReadReport")
    assert report.summary() in text
