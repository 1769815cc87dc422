"""Counting what a run read, used and skipped, so no row is ever dropped silently.

>>> r = ReadReport()
>>> r.read(53); r.skip("non-finite", 2); r.skip("inverted box", 1)
>>> r.summary()
'read 53 layers, used 50, skipped 3 (2 non-finite, 1 inverted box)'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .reasons import ORDER

__all__ = ["DesignCounts", "ReadReport"]


@dataclass
class DesignCounts:
    """Rows read and skipped per design, in order of first appearance, and each
    design's canvas (the first valid size seen), so that commands drawing designs one
    by one can say why a design has nothing to draw."""

    read: Counter = field(default_factory=Counter)
    skipped: dict[str, Counter] = field(default_factory=dict)
    canvas: dict[str, tuple[float, float]] = field(default_factory=dict)

    def designs(self) -> list[str]:
        """Every design seen, used or not."""
        return list(self.read)

    def merge(self, other: DesignCounts) -> None:
        """Add another batch's counts."""
        self.read.update(other.read)
        for design, reasons in other.skipped.items():
            self.skipped.setdefault(design, Counter()).update(reasons)
        for design, size in other.canvas.items():
            self.canvas.setdefault(design, size)

    def why_empty(self, design: str) -> str:
        """``read 3 layers: 2 non-finite, 1 outside canvas`` for a design with no usable row."""
        rank = {text: i for i, text in enumerate(ORDER)}
        reasons = sorted(
            self.skipped.get(design, Counter()).items(), key=lambda r: (-r[1], rank.get(r[0], 99))
        )
        shown = ", ".join(f"{n} {why}" for why, n in reasons)
        return f"read {self.read[design]} layer(s): {shown or 'none usable'}"


@dataclass
class ReadReport:
    """Rows read, rows skipped by reason, rows changed (clipped) by reason, files skipped."""

    rows_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    files_skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: per-design counts, kept by :func:`layerheat.sources.read_layers` (None elsewhere)
    designs: DesignCounts | None = None

    def __repr__(self) -> str:
        extra = f"; {len(self.notes)} note(s)" if self.notes else ""
        return f"ReadReport({self.summary()}{extra})"

    def read(self, n: int) -> None:
        """Count ``n`` more rows read from the sources."""
        self.rows_read += int(n)

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` rows left out for ``reason``."""
        if n:
            self.skipped[reason] += int(n)

    def change(self, reason: str, n: int = 1) -> None:
        """Count ``n`` rows kept but altered (e.g. clipped to the canvas)."""
        if n:
            self.changed[reason] += int(n)

    def skip_file(self, path: str, reason: str) -> None:
        """Record an input file that contributed no rows."""
        self.files_skipped.append((str(path), reason))

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.rows_skipped

    def merge(self, other: ReadReport) -> None:
        """Add another report's counts to this one (e.g. from another batch or worker)."""
        self.rows_read += other.rows_read
        self.skipped.update(other.skipped)
        self.changed.update(other.changed)
        self.files_skipped.extend(other.files_skipped)
        self.notes.extend(n for n in other.notes if n not in self.notes)
        if other.designs is not None:
            if self.designs is None:
                self.designs = DesignCounts()
            self.designs.merge(other.designs)

    def skipped_in_order(self) -> list[tuple[str, int]]:
        """Skip reasons with their counts, most frequent first, ties in check order."""
        rank = {text: i for i, text in enumerate(ORDER)}
        rows = [(why, n) for why, n in self.skipped.items() if n]
        return sorted(rows, key=lambda row: (-row[1], rank.get(row[0], len(rank))))

    def skipped_files_text(self, most: int = 3) -> str:
        """``a.json: invalid JSON (...); b.psd: empty file`` for the first files skipped."""
        shown = "; ".join(f"{path}: {why}" for path, why in self.files_skipped[:most])
        more = len(self.files_skipped) - most
        return shown + (f"; and {more} more" if more > 0 else "")

    def summary(self) -> str:
        """One line: ``read N layers, used U, skipped S (a reason, b reason)``."""
        line = f"read {self.rows_read} layers, used {self.rows_used}"
        if self.skipped:
            parts = ", ".join(f"{n} {why}" for why, n in self.skipped_in_order())
            line += f", skipped {self.rows_skipped} ({parts})"
        else:
            line += ", skipped 0"
        if self.changed:
            line += "; " + ", ".join(f"{n} {why}" for why, n in self.changed.most_common())
        if self.files_skipped:
            line += f"; {len(self.files_skipped)} file(s) skipped"
        return line
