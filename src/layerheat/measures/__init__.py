"""Measures: one accumulator per measure, each with add(batch) / merge(other) / result()."""

__all__: list[str] = []
