"""One self-contained HTML page per collection (or comparison of two).

    >>> from layerheat.report import build_report
    >>> report = build_report(None, examples=1, outliers=2)   # doctest: +SKIP
    >>> open("report.html", "w").write(report.html)           # doctest: +SKIP

See :mod:`layerheat.report.build` (what is measured and drawn) and
:mod:`layerheat.report.page` (how the page is made safe: escaped text, inlined images).
"""

from __future__ import annotations

from .build import Report, build_report

__all__ = ["Report", "build_report"]
