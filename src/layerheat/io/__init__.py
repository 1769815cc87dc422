"""Leaf readers: each turns one kind of source into Arrow batches of the canonical columns.

* :mod:`layerheat.io.tabular`: CSV (plain or compressed; comma, semicolon, tab or pipe),
  Parquet (a file or a folder of parts), JSON records, Feather/Arrow IPC and the
  source's headerless x,y CSV files;
* :mod:`layerheat.io.psd`: one Photoshop PSD/PSB file (boxes only, no pixel decoding);
* :mod:`layerheat.io.coco`: one COCO JSON file;
* helpers of the tabular reader: :mod:`layerheat.io.streams` (compression, delimiter),
  :mod:`layerheat.io.datasets` (folders of Parquet part files),
  :mod:`layerheat.io.jsonrecords` (JSON records, JSON Lines), :mod:`layerheat.io.ipc`
  (Feather, Arrow IPC) and :mod:`layerheat.io.boxes` (left/top/width/height boxes,
  fractions of the canvas);
* :mod:`layerheat.io.options`: how to read where detection is not enough (the
  ``--delimiter``, ``--encoding`` and ``--units`` options), carried by each input.

Readers import nothing above :mod:`layerheat.table` and :mod:`layerheat.taxonomy`;
choosing a reader for an input is :mod:`layerheat.sources`' job, reading many files
safely :mod:`layerheat.ingest`'s.
"""

__all__: list[str] = []
