"""Progress: a total whenever one can be known (exact or estimated), and progress=True."""

from __future__ import annotations

import gzip

import pyarrow.csv as pacsv
import pytest

import layerheat as lh
from layerheat import pipeline, progress
from layerheat.sources import make_parts, open_sources


def test_a_csv_gets_an_estimated_total_from_its_size_and_first_lines(tmp_path) -> None:  # noqa: ANN001
    table = lh.sample_layers(designs=12_000).arrow
    path = tmp_path / "layers.csv"
    pacsv.write_csv(table, path)
    (part,) = make_parts(open_sources([path]))
    assert part.rows is None  # a CSV's rows are not known without reading it
    guess = part.expected_rows()
    assert abs(guess - table.num_rows) <= 0.02 * table.num_rows, (guess, table.num_rows)
    small = tmp_path / "small.csv"
    pacsv.write_csv(table.slice(0, 40), small)  # read whole: exact
    (part,) = make_parts(open_sources([small]))
    assert part.expected_rows() == 40


def test_no_estimate_where_none_can_be_made(tmp_path) -> None:  # noqa: ANN001
    table = lh.sample_layers(designs=300).arrow
    path = tmp_path / "layers.csv.gz"
    with gzip.open(path, "wb") as fp:
        pacsv.write_csv(table, fp)
    (part,) = make_parts(open_sources([path]))
    assert part.expected_rows() is None


def test_an_estimated_total_is_shown_as_such_and_never_overrun() -> None:
    bar = progress.RowProgress(delay=0, force=True)
    bar.add_total(100, estimate=True)
    bar(60)
    assert str(progress._Field(bar, "count")) == "60 / ~100 layers"
    bar(70)  # more rows than estimated: the total follows
    assert bar.total == 130
    bar.close()


def test_progress_true_draws_a_bar_with_the_expected_total(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    seen = []

    class Recorder(progress.RowProgress):
        def __init__(self, **kwargs) -> None:  # noqa: ANN003
            super().__init__(**kwargs)
            seen.append(self)

        def close(self) -> None:
            self.closed = True
            super().close()

    monkeypatch.setattr(progress, "RowProgress", Recorder)
    table = lh.sample_layers(designs=500).arrow
    path = tmp_path / "layers.csv"
    pacsv.write_csv(table, path)
    hs = lh.heatmaps([str(path)], progress=True)
    assert hs.n_layers == table.num_rows
    (bar,) = seen
    assert bar.force and bar.closed and bar.rows == table.num_rows
    assert bar.estimate and abs(bar.total - table.num_rows) <= 0.05 * table.num_rows
    with pytest.raises(TypeError):
        pipeline.Pipeline(None, progress="yes")  # neither True nor a callable
