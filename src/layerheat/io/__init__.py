"""Leaf readers: each turns one kind of source into Arrow batches of the canonical columns.

* :mod:`layerheat.io.tabular`: CSV (plain or compressed; comma, semicolon, tab or pipe),
  Parquet and the source's headerless x,y CSV files;
* :mod:`layerheat.io.psd`: one Photoshop PSD/PSB file (boxes only, no pixel decoding);
* :mod:`layerheat.io.coco`: one COCO JSON file;
* :mod:`layerheat.io.streams`: compression and delimiter detection the tabular
  reader uses.

Readers import nothing above :mod:`layerheat.table` and :mod:`layerheat.taxonomy`;
choosing a reader for an input is :mod:`layerheat.sources`' job, reading many files
safely :mod:`layerheat.ingest`'s.
"""

__all__: list[str] = []
