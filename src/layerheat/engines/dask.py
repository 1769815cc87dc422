"""The Dask engine: the same parts and kernels as the local engine, run on a cluster.

    >>> parse_address("local:3")
    ('local', 3)
    >>> from layerheat import heatmaps
    >>> hs = heatmaps("layers.parquet", dask="local:2")              # doctest: +SKIP
    >>> hs = heatmaps("s3://bucket/layers.parquet", dask="tcp://scheduler:8786")  # doctest: +SKIP

An input splits into parts (Parquet row groups, or a whole CSV file); each part is one
task that reads, checks and bins its rows on a worker with the compiled kernels and
returns partial counts; the client adds the partials up in part order. So the result
equals the local engine's exactly: counts, layer numbers, the read report, even the
mean sizes (the same partial sums added in the same order). Min-max scaling takes two
rounds of tasks: extents first, then the counts on each type's grid.

Workers read the files themselves: a path must mean the same file on every worker
(a shared disk, or a URL such as ``s3://...`` with the file system's fsspec package
installed on client and workers). ``address`` is a scheduler address
(``tcp://host:8786``) or ``local[:N]``, which starts a LocalCluster of N worker
processes (default: one per core) for this run only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import LayerheatError
from ..sources import Part
from .base import PartResult, PartTask, Progress

__all__ = ["DaskEngine", "dask_engine", "parse_address"]

_LOCAL = re.compile(r"^local(?::(\d+))?$")
#: seconds to wait for a scheduler to answer
CONNECT_TIMEOUT = 30


def parse_address(address: str) -> tuple[str, int | None]:
    """``"local:3"`` -> ``("local", 3)``; ``"local"`` -> ``("local", None)``;
    a scheduler address -> ``(address, None)``."""
    address = address.strip()
    m = _LOCAL.match(address)
    if m:
        n = int(m.group(1)) if m.group(1) else None
        if n is not None and n < 1:
            raise LayerheatError(f"--dask {address!r}: need at least one worker, e.g. local:2")
        return "local", n
    if not address:
        raise LayerheatError("--dask needs a scheduler address (tcp://host:8786) or local[:N]")
    return address, None


def dask_engine(address: str) -> DaskEngine:
    """An engine running parts as tasks on the cluster at ``address`` (see module doc)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise LayerheatError(
            "--dask needs dask.distributed; install it with: pip install 'layerheat[dask]'"
        ) from None
    return DaskEngine(address)


class DaskEngine:
    """Connects (or starts a LocalCluster) on enter, closes what it opened on exit."""

    def __init__(self, address: str) -> None:
        self.address, self.n_workers = parse_address(address)
        self.client = None
        self.cluster = None

    def __enter__(self) -> DaskEngine:
        from distributed import Client, LocalCluster

        try:
            if self.address == "local":
                import os

                self.cluster = LocalCluster(
                    n_workers=self.n_workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(self.address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            self.__exit__(None, None, None)
            raise LayerheatError(
                f"--dask {self.address}: cannot reach the scheduler ({exc}); check the "
                "address, e.g. tcp://host:8786, or use --dask local:2"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def map(
        self, work: PartTask, parts: Sequence[Part], *, progress: Progress | None = None
    ) -> list[PartResult]:
        """``work(part)`` as one task per part; results in part order.

        ``work`` is sent to every worker once; ``progress`` stays on the client and is
        told each part's rows as its task finishes.
        """
        import uuid

        from distributed import as_completed

        token = uuid.uuid4().hex[:12]
        [shared] = self.client.scatter([work], broadcast=True, hash=False)  # a fresh key per run
        futures = [
            self.client.submit(_run_part, shared, part, pure=False, key=f"layerheat-{token}-{i}")
            for i, part in enumerate(parts)
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list = [None] * len(futures)
        for future in as_completed(futures):
            result = future.result()  # re-raises a worker's error (e.g. LayerheatError)
            results[index[future.key]] = result
            if progress is not None:
                progress(result.rows_read)
        return results


def _run_part(work: PartTask, part: Part) -> PartResult:
    """A task: one part on a worker (no progress there)."""
    return work(part)
