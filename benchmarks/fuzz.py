"""Fuzz the readers through the real CLI: mutants of PSD, CSV, Parquet and COCO inputs.

Every mutant runs as ``python -m layerheat heatmaps MUTANT -o OUT -q`` (PSD and COCO
also as ``layerheat ingest MUTANT -o t.parquet -q``) in a subprocess with a time limit
and a memory cap, and is classified (see ``tests/fuzz/runner.py``): ok, error (one
clean line), traceback, hang, oom, leftovers, unclear. Counts per kind and class are
printed; every mutant that is not ok or a clean error is kept in ``--keep`` with its
output and a ``repro.sh``::

    .venv/bin/python benchmarks/fuzz.py --cases 3000 --seed 1 --workers 2
    .venv/bin/python benchmarks/fuzz.py --cases 40 --kinds psd,coco --keep /tmp/fuzz-fails
    .venv/bin/python benchmarks/fuzz.py --replay /tmp/fuzz-fails    # after a fix

Mutants are deterministic: the same ``--seed`` and case number give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.forkserver import ForkServer  # noqa: E402
from tests.fuzz.mutators import KINDS, Mutant, load_seeds, make_mutant  # noqa: E402
from tests.fuzz.runner import (  # noqa: E402
    CLASSES,
    DEFAULT_MEMORY,
    DEFAULT_TIMEOUT,
    Outcome,
    child_env,
    run_mutant,
)

__all__ = ["main"]

GOOD = ("ok", "error")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200, help="mutants in all (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="mutation seed (default 0)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="psd,csv,parquet,coco")
    parser.add_argument("--workers", type=int, default=2, help="mutants run at once")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds a run")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY >> 20, help="RLIMIT_AS")
    parser.add_argument("--start", type=int, default=0, help="first case number (resume)")
    parser.add_argument("--minutes", type=float, default=0, help="stop starting cases after this")
    parser.add_argument(
        "--keep", type=Path, default=ROOT / "fuzz-failures", help="folder for failing mutants"
    )
    parser.add_argument(
        "--exec",
        action="store_true",
        help="start a new interpreter per run (default: fork from a server that imported once)",
    )
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="DIR",
        help="run again the mutants kept in DIR (a --keep folder) and print their classes",
    )
    parser.add_argument("--log", type=Path, help="append every outcome as a JSON line here")
    args = parser.parse_args(argv)
    args.kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    unknown = set(args.kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; use {','.join(KINDS)}")
    return args


def keep_failure(mutant: Mutant, outcomes: list[Outcome], folder: Path, keep: Path) -> Path:
    """Copy the mutant and what its runs printed into ``keep``, with a repro script."""
    dest = keep / mutant.name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(folder, dest, symlinks=True)
    bad = [o for o in outcomes if o.klass not in GOOD]
    lines = [
        "#!/bin/sh",
        f"# {mutant.kind} mutant of {mutant.seed_name}: {' + '.join(mutant.steps)}",
    ]
    for o in bad:
        lines.append(f"# {o.command}: {o.klass} ({o.detail})")
        lines.append('cd "$(dirname "$0")" && ' + shlex.join(o.argv).replace(str(folder), "."))
    (dest / "repro.sh").write_text("\n".join(lines) + "\n")
    (dest / "repro.sh").chmod(0o755)
    return dest


def run(args: argparse.Namespace) -> int:
    seeds = load_seeds(args.kinds)
    counts: dict[tuple[str, str], Counter] = {}
    slowest: list[Outcome] = []
    peak: list[Outcome] = []
    kept: list[Path] = []
    started = time.monotonic()
    deadline = started + args.minutes * 60 if args.minutes else None
    log = args.log.open("a") if args.log else None

    local = threading.local()
    servers: list[ForkServer] = []

    def server() -> ForkServer | None:
        if args.exec:
            return None
        if getattr(local, "server", None) is None:
            local.server = ForkServer(child_env())
            servers.append(local.server)
        return local.server

    def one(case: int) -> list[Outcome]:
        if deadline is not None and time.monotonic() > deadline:
            return []
        kind = args.kinds[case % len(args.kinds)]
        mutant = make_mutant(kind, seeds, case // len(args.kinds), args.seed)
        with tempfile.TemporaryDirectory(prefix="lh-fuzz-") as tmp:
            outcomes = run_mutant(
                mutant,
                Path(tmp),
                timeout=args.timeout,
                memory=args.memory_mb << 20,
                server=server(),
            )
            if any(o.klass not in GOOD for o in outcomes):
                kept.append(keep_failure(mutant, outcomes, Path(tmp), args.keep))
        return outcomes

    done = 0
    with ThreadPoolExecutor(args.workers) as pool:
        for outcomes in pool.map(one, range(args.start, args.start + args.cases)):
            if not outcomes:
                continue
            done += 1
            for o in outcomes:
                counts.setdefault((o.kind, o.command), Counter())[o.klass] += 1
                slowest = sorted([*slowest, o], key=lambda x: -x.seconds)[:3]
                peak = sorted([*peak, o], key=lambda x: -x.peak_mb)[:3]
                if log:
                    log.write(json.dumps(o.__dict__) + "\n")
                if o.klass not in GOOD:
                    print(f"{o.mutant} {o.command}: {o.klass}: {o.detail}", flush=True)
            if done % 100 == 0:
                print(f"... {done} mutants, {time.monotonic() - started:.0f} s", flush=True)
    for one_server in servers:
        one_server.close()
    if log:
        log.close()
    report(counts, slowest, peak, done, time.monotonic() - started, args)
    if kept:
        print(f"failing mutants kept in {args.keep} (repro.sh in each)")
    bad = sum(n for c in counts.values() for k, n in c.items() if k not in GOOD)
    return 1 if bad else 0


def report(counts, slowest, peak, done, seconds, args) -> None:  # noqa: ANN001
    """The table of counts per kind and command, then the slowest and largest runs."""
    print(f"\n{done} mutants (seed {args.seed}, cases {args.start}..), {seconds / 60:.1f} min")
    header = f"{'kind':8} {'command':9} {'runs':>5} " + " ".join(f"{c:>9}" for c in CLASSES)
    print(header)
    total: Counter = Counter()
    for (kind, command), c in sorted(counts.items()):
        total.update(c)
        cells = " ".join(f"{c[k]:>9}" for k in CLASSES)
        print(f"{kind:8} {command:9} {sum(c.values()):>5} {cells}")
    print(
        f"{'all':8} {'':9} {sum(total.values()):>5} " + " ".join(f"{total[k]:>9}" for k in CLASSES)
    )
    for o in slowest:
        print(f"slowest: {o.mutant} {o.command} {o.seconds:.1f} s ({o.klass})")
    for o in peak:
        print(f"peak RSS: {o.mutant} {o.command} {o.peak_mb:.0f} MB ({o.klass})")


def replay(folder: Path, args: argparse.Namespace) -> int:
    """Run the kept mutants of ``folder`` again (after a fix): 1 if any still fails."""
    server = None if args.exec else ForkServer(child_env())
    bad = 0
    for case in sorted(p for p in folder.iterdir() if (p / "input").is_dir()):
        (path,) = (case / "input").iterdir()
        kind = case.name.split("-")[0]
        mutant = Mutant(kind, int(case.name.split("-")[1]), "replay", path.read_bytes())
        with tempfile.TemporaryDirectory(prefix="lh-fuzz-") as tmp:
            outcomes = run_mutant(mutant, Path(tmp), timeout=args.timeout, server=server)
        for o in outcomes:
            bad += o.klass not in GOOD
            print(f"{case.name} {o.command}: {o.klass}: {o.detail[:160]}")
    if server is not None:
        server.close()
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.replay:
        return replay(args.replay, args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
