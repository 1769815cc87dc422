"""How to read text inputs when detection is not enough: delimiter, encoding, box units.

The CLI's ``--delimiter``, ``--encoding`` and ``--units`` (and ``--canvas``, which
fractional boxes without canvas columns are multiplied by) become one
:class:`ReadOptions`, checked once, before anything is read::

    >>> ReadOptions(delimiter="semicolon", encoding="Latin-1", units="fraction")
    ReadOptions(delimiter=';', encoding='iso8859-1', units='fraction', canvas=None)

An :class:`InputPath` is a path or URL that carries its options through every layer
of the program: it is a ``str``, so code that only names or opens inputs treats it as
one, while :func:`layerheat.sources.open_sources` hands its options to the readers::

    >>> p = InputPath("layers.csv", ReadOptions(delimiter=";"))
    >>> p == "layers.csv", p.options.delimiter
    (True, ';')
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import LayerheatError

__all__ = [
    "DELIMITER_WORDS",
    "UNITS",
    "InputPath",
    "ReadOptions",
    "parse_delimiter",
    "parse_encoding",
]

#: what ``--delimiter`` accepts -> the delimiter
DELIMITER_WORDS = {
    ",": ",",
    "comma": ",",
    ";": ";",
    "semicolon": ";",
    "|": "|",
    "pipe": "|",
    "\t": "\t",
    "\\t": "\t",
    "tab": "\t",
}
#: box units: ``auto`` (detect), ``px`` (pixels) or ``fraction`` (of the canvas)
UNITS = ("auto", "px", "fraction")


def parse_delimiter(value: str | None) -> str | None:
    """``"semicolon"`` -> ``";"``, ``"tab"`` or ``"\\t"`` -> a tab; None stays None."""
    if value is None:
        return None
    found = DELIMITER_WORDS.get(value if value in ("\t", "\\t") else value.strip().lower())
    if found is None:
        raise LayerheatError(
            f"--delimiter {value!r} is not one of , ; | tab (or the words comma, semicolon, "
            "pipe, tab); e.g. --delimiter ';'"
        )
    return found


def parse_encoding(value: str | None) -> str | None:
    """The codec's canonical name (``"Latin-1"`` -> ``"iso8859-1"``); None stays None."""
    if value is None:
        return None
    try:
        info = codecs.lookup(value.strip())
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise LayerheatError(
            f"--encoding {value!r} is not a text encoding Python knows; "
            "e.g. --encoding utf-8, latin-1, cp1252 or utf-16"
        )
    return info.name


@dataclass(frozen=True)
class ReadOptions:
    """How to read text inputs; the defaults detect everything as without options.

    ``delimiter`` forces the CSV delimiter (None: found from the header line),
    ``encoding`` the text encoding of CSV and JSON (None: UTF-8, a BOM dropped),
    ``units`` whether box values are pixels (``px``), canvas fractions (``fraction``)
    or detected (``auto``), ``canvas`` the (width, height) fractional boxes without
    canvas columns are multiplied by. Values are checked and spelled one way when the
    options are made (``"semicolon"`` becomes ``";"``); a wrong one is a LayerheatError.
    """

    delimiter: str | None = None
    encoding: str | None = None
    units: str = "auto"
    canvas: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        units = (self.units or "auto").strip().lower()
        units = "px" if units in ("pixels", "pixel") else units
        if units not in UNITS:
            raise LayerheatError(f"--units {self.units!r} is not one of auto, px, fraction")
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "delimiter", parse_delimiter(self.delimiter))
        object.__setattr__(self, "encoding", parse_encoding(self.encoding))
        if self.canvas is not None:
            object.__setattr__(self, "canvas", (float(self.canvas[0]), float(self.canvas[1])))

    @property
    def given(self) -> list[str]:
        """The options that differ from detection, as typed on the command line."""
        names = {",": "','", ";": "';'", "|": "'|'", "\t": "tab"}
        out = []
        if self.delimiter is not None:
            out.append(f"--delimiter {names[self.delimiter]}")
        if self.encoding is not None:
            out.append(f"--encoding {self.encoding}")
        if self.units != "auto":
            out.append(f"--units {self.units}")
        return out

    def attach(self, inputs: Iterable[str | Path]) -> list[str | Path]:
        """``inputs`` as :class:`InputPath` items carrying these options (an empty list
        stays empty: the built-in sample)."""
        if self == ReadOptions():  # nothing to carry
            return list(inputs)
        return [InputPath(str(item), self) for item in inputs]


class InputPath(str):
    """A path, URL or glob with the :class:`ReadOptions` to read it with."""

    options: ReadOptions

    def __new__(cls, path: str | Path, options: ReadOptions | None = None) -> InputPath:
        """``path`` as a string, carrying ``options`` (default: detect everything)."""
        item = super().__new__(cls, str(path))
        item.options = options or ReadOptions()
        return item

    def __reduce__(self):  # noqa: ANN204 - pickles (Dask, processes) with the options
        return (InputPath, (str(self), self.options))
