"""The one exception type library code raises for bad input or bad options.

The CLI turns a :class:`LayerheatError` into a single line on stderr and a non-zero
exit status, so its message must say what is wrong, where, and how to fix it::

    raise LayerheatError("data.csv: missing column 'xmin'; add it or use x,y for points")
"""

from __future__ import annotations

__all__ = [
    "LayerheatError",
]


class LayerheatError(Exception):
    """Bad input or options, described in one line fit for a user."""
