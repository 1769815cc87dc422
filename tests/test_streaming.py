"""Streaming heatmaps equal a plain in-memory computation, however the input is cut up."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import layerheat.sources as sources
from layerheat.binning import HexGrid
from layerheat.heatmap import heatmaps
from layerheat.normalize import MinMax
from layerheat.progress import RowProgress, row_progress
from layerheat.sources import read_layers
from layerheat.taxonomy import default_taxonomy

CANVAS = (1000.0, 600.0)


def messy_layers(n: int = 20_000, seed: int = 0) -> pa.Table:
    """Layers with every kind of problem sprinkled in."""
    rng = np.random.default_rng(seed)
    types = rng.choice(np.r_[np.arange(10, 150, 10), [7, 999]], n).astype(np.int64)
    x0 = rng.uniform(-50, 1000, n).round()
    y0 = rng.uniform(-50, 600, n).round()
    x1 = x0 + rng.uniform(0, 300, n).round()
    y1 = y0 + rng.uniform(0, 200, n).round()
    width = np.full(n, CANVAS[0])
    height = np.full(n, CANVAS[1])
    pick = rng.random(n)
    x0[pick < 0.01] = np.nan  # non-finite
    x1[(pick >= 0.01) & (pick < 0.02)] = x0[(pick >= 0.01) & (pick < 0.02)] - 5  # inverted
    width[(pick >= 0.02) & (pick < 0.03)] = 0  # bad canvas size
    x0[(pick >= 0.03) & (pick < 0.04)] = 2000  # wholly outside
    x1[(pick >= 0.03) & (pick < 0.04)] = 2100
    x0[(pick >= 0.04) & (pick < 0.045)] = 100.0  # exactly on a shared value (ties)
    x1[(pick >= 0.04) & (pick < 0.045)] = 100.0
    return pa.table(
        {
            "design_id": [f"d{i // 12}" for i in range(n)],
            "type_id": pa.array(types, pa.int16()),
            "xmin": x0,
            "ymin": y0,
            "xmax": x1,
            "ymax": y1,
            "canvas_width": pa.array(width).cast(pa.float64()),
            "canvas_height": height,
        }
    )


@pytest.fixture(scope="module")
def parquet_file(tmp_path_factory) -> str:  # noqa: ANN001
    path = tmp_path_factory.mktemp("stream") / "layers.parquet"
    pq.write_table(messy_layers(), path, row_group_size=1500)  # many row groups
    return str(path)


def reference(path: str, scale: str, outside: str, gridsize: int = 35):  # noqa: ANN201
    """All rows in memory through the row checks, then the NumPy reference per type."""
    table, report = read_layers([path], outside=outside, require_canvas=scale == "canvas")
    tax = default_taxonomy()
    t = table.numpy("type_id")
    x0, y0, x1, y1 = (table.numpy(c) for c in ("xmin", "ymin", "xmax", "ymax"))
    w, h = table.numpy("canvas_width"), table.numpy("canvas_height")
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    out = {}
    for layer_type in tax:
        m = t == layer_type.id
        if scale == "canvas":
            grid = HexGrid.for_canvas(gridsize, *CANVAS)
            out[layer_type.id] = grid.count(cx[m] / w[m], cy[m] / h[m])
        elif m.any():
            sx, sy = MinMax(cx[m].min(), cx[m].max()), MinMax(cy[m].min(), cy[m].max())
            x, y = sx.transform(cx[m]), sy.transform(cy[m])
            out[layer_type.id] = HexGrid.from_data(x, y, gridsize).count(x, y)
        else:
            out[layer_type.id] = HexGrid.from_extent(0, 1, 0, 1, gridsize).count([], [])
    return out, report


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
@pytest.mark.parametrize("outside", ["clip", "skip"])
def test_streamed_counts_equal_the_in_memory_reference(
    parquet_file, scale, outside, engine
) -> None:  # noqa: ANN001
    hs = heatmaps(parquet_file, scale=scale, outside=outside, engine=engine)
    expected, report = reference(parquet_file, scale, outside)
    for type_id, counts in expected.items():
        np.testing.assert_array_equal(hs[type_id].counts, counts, err_msg=f"type {type_id}")
        assert hs[type_id].n_layers == counts.sum() or scale == "canvas"
    assert hs.report.rows_read == report.rows_read
    assert hs.report.skipped == report.skipped
    assert hs.report.changed == report.changed
    assert hs.n_layers == report.rows_used


@pytest.mark.parametrize("scale", ["canvas", "minmax"])
def test_result_does_not_depend_on_batch_or_part_size(
    parquet_file, scale, monkeypatch, engine
) -> None:  # noqa: ANN001
    whole = heatmaps(parquet_file, scale=scale)
    monkeypatch.setattr(sources, "BATCH_ROWS", 700)
    monkeypatch.setattr(sources, "PART_ROWS", 4000)
    pieces = heatmaps(parquet_file, scale=scale, engine=engine)
    for t in whole:
        np.testing.assert_array_equal(t.counts, pieces[t.type.id].counts)
        assert t.n_layers == pieces[t.type.id].n_layers
        assert t.mean_width == pytest.approx(pieces[t.type.id].mean_width, nan_ok=True)
    assert whole.report.summary() == pieces.report.summary()


def test_csv_streams_to_the_same_result_as_parquet(parquet_file, tmp_path) -> None:  # noqa: ANN001
    csv = tmp_path / "layers.csv"
    pacsv.write_csv(pq.read_table(parquet_file), csv)
    a, b = heatmaps(parquet_file), heatmaps(str(csv))
    for t in a:
        np.testing.assert_array_equal(t.counts, b[t.type.id].counts)
    assert a.report.summary() == b.report.summary()


def test_fsspec_url_reads_like_a_path(parquet_file) -> None:  # noqa: ANN001
    a, b = heatmaps(parquet_file), heatmaps("file://" + parquet_file)
    for t in a:
        np.testing.assert_array_equal(t.counts, b[t.type.id].counts)


def test_unknown_types_become_one_note_per_input(parquet_file) -> None:  # noqa: ANN001
    hs = heatmaps(parquet_file)
    notes = [n for n in hs.report.notes if "unknown type" in n]
    assert len(notes) == 1 and "999" in notes[0] and " 7 " in notes[0]


def test_only_the_needed_columns_are_read(parquet_file, monkeypatch) -> None:  # noqa: ANN001
    seen = []
    original = pq.ParquetFile.iter_batches

    def spy(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(kwargs.get("columns"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    heatmaps(parquet_file)
    assert seen and all("design_id" not in cols for cols in seen)


@pytest.mark.parametrize("batch_rows", [700, 4000])
def test_a_reader_reads_about_one_batch_of_row_groups(
    parquet_file, monkeypatch, batch_rows
) -> None:  # noqa: ANN001
    # Arrow's reader keeps every row group it has read until it is exhausted: one reader
    # over a part's row groups held them all (memory growing with the part's size)
    seen = []
    original = pq.ParquetFile.iter_batches

    def spy(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(kwargs.get("row_groups"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    monkeypatch.setattr(sources, "BATCH_ROWS", batch_rows)
    monkeypatch.setattr(sources, "PART_ROWS", 9000)  # parts of several row groups
    hs = heatmaps(parquet_file)
    meta = pq.ParquetFile(parquet_file).metadata
    group_rows = meta.row_group(0).num_rows  # 1500
    assert len(sources.make_parts(sources.open_sources([parquet_file]))) < meta.num_row_groups
    assert {g for rgs in seen for g in rgs} == set(range(meta.num_row_groups))  # (+ a look)
    # each reader: runs of consecutive row groups of at least a batch, not a whole part
    assert all(rgs == list(range(rgs[0], rgs[0] + len(rgs))) for rgs in seen)
    assert max(len(rgs) for rgs in seen) == max(1, -(-batch_rows // group_rows))
    assert hs.report.rows_read == meta.num_rows


@pytest.mark.parametrize("scale, passes", [("canvas", 1), ("minmax", 2)])
def test_progress_hears_every_row_and_the_total(parquet_file, scale, passes) -> None:  # noqa: ANN001
    bar = RowProgress(delay=3600)  # never drawn
    hs = heatmaps(parquet_file, scale=scale, progress=bar)
    assert bar.total == hs.report.rows_read * passes
    assert bar.rows == hs.report.rows_read * passes


def test_progress_is_silent_when_quiet_and_draws_on_stderr_when_slow(capsys) -> None:  # noqa: ANN001
    with row_progress(quiet=True) as tick:
        assert tick is None
    with row_progress(delay=0.0, force=True) as tick:
        tick.add_total(10)
        tick(4)
        assert tick._bar is not None and tick._bar.live.console.stderr
        tick(6)
    assert tick._bar is None  # closed
    assert capsys.readouterr().out == ""
    with row_progress(delay=3600, force=True) as tick:
        tick(5)
        assert tick._bar is None  # a quick run shows nothing


def test_gridsize_one_is_refused_in_minmax_mode(parquet_file) -> None:  # noqa: ANN001
    from layerheat.errors import LayerheatError

    with pytest.raises(LayerheatError, match="gridsize"):
        heatmaps(parquet_file, scale="minmax", gridsize=1)


@pytest.mark.parametrize("workers", [1, 2])
def test_part_results_are_merged_as_they_come_not_kept_per_part(
    parquet_file, monkeypatch, workers
) -> None:  # noqa: ANN001
    # one result per part held until the end grew memory with the input (~110 kB a part)
    import gc
    import weakref

    from layerheat.engines import LocalEngine
    from layerheat.engines.base import PartTask, merge_in_order
    from layerheat.measures.centres import CanvasCentres
    from layerheat.validate import CheckOptions

    monkeypatch.setattr(sources, "PART_ROWS", 3000)
    tax = default_taxonomy()
    parts = sources.make_parts(sources.open_sources([parquet_file], taxonomy=tax))
    assert len(parts) >= 4
    task = PartTask((CanvasCentres(tax, 35, CANVAS),), CheckOptions(tax))
    seen: list[weakref.ref] = []
    alive_when_next_came: list[int] = []

    def watched(results):  # noqa: ANN001, ANN202
        for result in results:
            gc.collect()
            alive_when_next_came.append(sum(r() is not None for r in seen[1:]))
            seen.append(weakref.ref(result))
            yield result

    with LocalEngine(workers) as engine:
        total = merge_in_order(watched(engine.map(task, parts)))
    assert len(seen) == len(parts)
    # merged results were let go (the last merged one is still merge_in_order's loop variable)
    assert max(alive_when_next_came) <= 1
    assert total.report.rows_read == sum(p.rows for p in parts)
    expected = heatmaps(parquet_file)
    counts = total.partials[0].counts
    for i, layer_type in enumerate(tax):
        np.testing.assert_array_equal(counts[i], expected[layer_type.id].counts)
