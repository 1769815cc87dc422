"""A folder of Parquet part files read as one table (Spark, Dask, pandas output).

The files are found recursively; names starting with ``.`` or ``_`` (``_SUCCESS``,
``_metadata``, ``.crc`` files) are left out, as Spark and Arrow do. Hive-style
``key=value`` folders (``partition_cols=["type_id"]``) give their key back as a column::

    parts/type_id=30/part-0.parquet   ->  rows with type_id 30

The schema is the first file's plus the partition keys (Arrow's own dataset rules);
each file is a unit the engines may read on their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa

__all__ = [
    "dataset_files",
    "file_rows",
    "iter_dataset",
    "open_dataset",
    "partition_keys",
]

_SUFFIXES = (".parquet", ".pq")


def dataset_files(folder: Path) -> list[str]:
    """The Parquet files under ``folder``, sorted, hidden and ``_``-prefixed ones left out."""
    found = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).parts
        if any(part.startswith((".", "_")) for part in rel):
            continue
        if p.suffix.lower() in _SUFFIXES and p.is_file():
            found.append(str(p))
    return sorted(found)


def _partitioning(folder: Path, schema: pa.Schema | None):  # noqa: ANN202 - a ds.Partitioning
    import pyarrow.dataset as ds

    if schema is None:
        return ds.HivePartitioning.discover(infer_dictionary=False)
    return ds.partitioning(schema, flavor="hive")


def open_dataset(folder: Path, files: Sequence[str], keys: pa.Schema | None = None):  # noqa: ANN201
    """A pyarrow dataset of ``files`` under ``folder`` (``keys``: the partition schema
    found on the whole folder, so that any subset reads with the same types)."""
    import pyarrow.dataset as ds

    return ds.dataset(
        list(files),
        format="parquet",
        partitioning=_partitioning(folder, keys),
        partition_base_dir=str(folder),
    )


def partition_keys(dataset, files: Sequence[str], folder: Path) -> pa.Schema:  # noqa: ANN001
    """The fields of ``dataset`` that come from ``key=value`` folder names."""
    names = {
        seg.split("=", 1)[0]
        for f in files
        for seg in Path(f).relative_to(folder).parts[:-1]
        if "=" in seg
    }
    return pa.schema([f for f in dataset.schema if f.name in names])


def file_rows(files: Sequence[str]) -> list[int]:
    """Rows in each file, from its footer."""
    import pyarrow.parquet as pq

    return [pq.ParquetFile(f).metadata.num_rows for f in files]


def iter_dataset(dataset, columns: list[str], batch_rows: int) -> Iterator[pa.Table]:  # noqa: ANN001
    """Tables of ``columns`` (those the dataset has), about ``batch_rows`` rows each."""
    present = [c for c in columns if c in dataset.schema.names]
    for batch in dataset.to_batches(columns=present, batch_size=batch_rows):
        if batch.num_rows:
            yield pa.Table.from_batches([batch])
