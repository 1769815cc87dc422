"""Why a row is kept, clipped or skipped: one code per outcome, defined once.

Every row check writes one of these codes per row; the compiled kernels receive the skip
codes as arguments (so a change here never meets a stale compiled cache), the reports
name them by :data:`TEXT`, and summaries list them in :data:`ORDER`.

    >>> TEXT[INVERTED_BOX]
    'inverted box'
    >>> KEEP, CLIP
    (0, 1)

To add a reason: add its code and text here, then the check that produces it.
``KEEP`` and ``CLIP`` are fixed at 0 and 1 (the accumulating kernels rely on it).
"""

from __future__ import annotations

__all__ = [
    "BAD_CANVAS",
    "CLIP",
    "CLIPPED",
    "INVERTED_BOX",
    "KEEP",
    "MALFORMED",
    "NON_FINITE",
    "NON_NUMERIC",
    "NO_AREA",
    "NO_CANVAS",
    "N_CODES",
    "ORDER",
    "OUTSIDE",
    "PARTLY_OUTSIDE",
    "TEXT",
    "UNKNOWN_TYPE",
    "code_of",
]

KEEP = 0  # usable as it is
CLIP = 1  # usable once clipped to its canvas
MALFORMED = 2  # wrong number of fields in a CSV row (counted by the reader)
NON_NUMERIC = 3
NO_AREA = 4
UNKNOWN_TYPE = 5
NON_FINITE = 6
INVERTED_BOX = 7
NO_CANVAS = 8
BAD_CANVAS = 9
OUTSIDE = 10
PARTLY_OUTSIDE = 11
N_CODES = 12

#: what each skip code is called in reports; a row counts under the first that hits it,
#: in this order
TEXT = {
    MALFORMED: "malformed row",
    NON_NUMERIC: "non-numeric",
    NO_AREA: "no area",
    UNKNOWN_TYPE: "unknown type",
    NON_FINITE: "non-finite",
    INVERTED_BOX: "inverted box",
    NO_CANVAS: "no canvas size",
    BAD_CANVAS: "bad canvas size",
    OUTSIDE: "outside canvas",
    PARTLY_OUTSIDE: "partly outside canvas",
}
#: skip reasons in check order (ties in a summary are listed in this order)
ORDER = tuple(TEXT.values())
#: what the report calls rows kept after clipping
CLIPPED = "clipped to canvas"


def code_of(reason: str) -> int:
    """The code of a skip reason's text."""
    for code, text in TEXT.items():
        if text == reason:
            return code
    raise KeyError(reason)
