"""Layer types: id, name, colour, and the rules that map a layer's name to a type.

The default taxonomy is the source's 14 groups (IDs 10, 20, ..., 140). Nine carry the
source's names and colours; 10, 20, 50, 60 and 110 are unnamed there and get "Layer N"
with colours of their own. A TOML file renames, recolours, adds or removes types::

    >>> from layerheat.taxonomy import default_taxonomy
    >>> tax = default_taxonomy()
    >>> tax[30].name, tax[30].color
    ('Title', '#00FFFF')
    >>> tax.match("logo_dev").type_id
    70
    >>> tax.match_category("figure").type_id       # COCO category names map too
    120

The TOML format is described in ``docs/taxonomy.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import LayerheatError

__all__ = [
    "FALLBACK_RULE",
    "LayerType",
    "Match",
    "OTHER_ID",
    "Taxonomy",
    "UNMAPPED_RULE",
    "default_taxonomy",
    "load_taxonomy",
    "parse_category_map",
]

OTHER_ID = 140
#: The rule text of a :class:`Match` that no rule decided (the fallback type was used).
FALLBACK_RULE = "no rule matched: fallback"
#: The rule text of a COCO category that no mapping covered (it keeps its own id).
UNMAPPED_RULE = "unmapped category: own id kept"

_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_LEADING_NUMBER = re.compile(r"^\s*(\d+)(?!\d)")


def _word(pattern: str) -> str:
    """A pattern that matches only between non-letters, so 'logo' finds 'logo_dev'."""
    return rf"(?<![a-z]){pattern}(?![a-z])"


@dataclass(frozen=True)
class LayerType:
    """One kind of layer: its numeric id, display name, colour and name-matching rules."""

    id: int
    name: str
    color: str
    patterns: tuple[str, ...] = ()
    group_patterns: tuple[str, ...] = ()
    #: COCO category names (exact, case-insensitive) that become this type.
    categories: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Name and id, as panel titles and legends show them: ``Title (30)``."""
        return f"{self.name} ({self.id})"


@dataclass(frozen=True)
class Match:
    """The type a layer name was given and the rule that gave it (for ``--explain``)."""

    type_id: int
    rule: str

    @property
    def matched(self) -> bool:
        """True when a rule decided the type, False when the fallback (or nothing) did."""
        return self.rule not in (FALLBACK_RULE, UNMAPPED_RULE, "no rule matched")


# The source's nine named types, with its colours. Sales Info and Other are both black
# in the source; Other is drawn dark grey here so the two stay distinguishable.
_DEFAULT_TYPES: tuple[LayerType, ...] = (
    LayerType(10, "Layer 10", "#1F77B4"),
    LayerType(20, "Layer 20", "#FF7F0E"),
    LayerType(
        30,
        "Title",
        "#00FFFF",
        (
            _word(r"(?<!sub)(?<!sub[-_ ])title"),
            _word("headlines?"),
            _word("heading"),
            _word("h1"),
            _word("project[-_ ]?name"),
        ),
    ),
    LayerType(
        40,
        "Subtitle",
        "#7B68EE",
        (
            _word(r"sub[-_ ]?title"),
            _word(r"sub[-_ ]?head(ing|line)?"),
            _word("tag[-_ ]?line"),
            _word("strap[-_ ]?line"),
            _word("h2"),
            _word("slogan"),
            _word("kicker"),
        ),
    ),
    LayerType(50, "Layer 50", "#D62728"),
    LayerType(60, "Layer 60", "#8C564B"),
    LayerType(
        70,
        "Developer Logo",
        "#800080",
        (
            _word("logos?"),
            _word("developers?"),
            _word("dev"),
            _word("brand(ing)?"),
            _word("builders?"),
        ),
    ),
    LayerType(
        80,
        "Address",
        "#FF1493",
        (
            _word("address(es)?"),
            _word("addr"),
            _word("locations?"),
            _word("site"),
            _word("venue"),
        ),
    ),
    LayerType(
        90,
        "Sales Info",
        "#000000",
        (
            _word("sales?"),
            _word("pric(e|es|ing)"),
            _word("enquir(y|ies)"),
            _word("contact"),
            _word("phone"),
            _word("tel"),
            _word("hotline"),
            _word("call"),
            _word("cta"),
            _word("website"),
            _word("www"),
            _word("e-?mail"),
            _word("offers?"),
        ),
    ),
    LayerType(
        100,
        "Disclaimer",
        "#00FF00",
        (
            _word("disclaimers?"),
            _word("legal"),
            _word("terms"),
            _word(r"t\s*&\s*c"),
            _word(r"(fine|small)[-_ ]?print"),
            _word("footnotes?"),
            _word("copyright"),
            _word("rera"),
        ),
    ),
    LayerType(110, "Layer 110", "#FFD700"),
    LayerType(
        120,
        "Graphics",
        "#FFC0CB",
        (
            _word(r"graphics?(?![-_ ]*(2|two|ii)(?![0-9]))"),
            _word("images?"),
            _word("photos?"),
            _word("pictures?"),
            _word("render(ing)?s?"),
            _word("illustrations?"),
            _word("figures?"),
        ),
    ),
    LayerType(
        130,
        "Graphics 2",
        "#808000",
        (
            _word(r"graphics?[-_ ]*(2|two|ii)(?![0-9])"),
            _word("secondary"),
            _word("decorations?"),
            _word("ornaments?"),
            _word("icons?"),
        ),
    ),
    LayerType(
        OTHER_ID,
        "Other",
        "#5A5A5A",
        (_word("other"), _word("misc"), _word("backgrounds?"), _word("bg")),
    ),
)

# Rules are tried in this order, so that a specific rule wins over a general one that
# also matches ("Graphics 2" before "Graphics", "Subtitle" before "Title").
_DEFAULT_RULE_ORDER = (130, 40, 100, 90, 80, 70, 30, 120, 140)


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of layer types plus the fallback type for unmatched names."""

    types: tuple[LayerType, ...]
    fallback: int | None = OTHER_ID
    rule_order: tuple[int, ...] = field(default=())
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        ids = [t.id for t in self.types]
        if len(set(ids)) != len(ids):
            raise LayerheatError(f"taxonomy: duplicate type ids {sorted(ids)}")
        order = [i for i in self.rule_order if i in ids] + [
            i for i in ids if i not in self.rule_order
        ]
        object.__setattr__(self, "rule_order", tuple(order))
        compiled = {}
        for t in self.types:
            try:
                compiled[t.id] = (
                    [(p, re.compile(p, re.IGNORECASE)) for p in t.patterns],
                    [(p, re.compile(p, re.IGNORECASE)) for p in t.group_patterns],
                )
            except re.error as exc:
                raise LayerheatError(
                    f"taxonomy: type {t.id} has an invalid pattern ({exc}); fix the regex"
                ) from None
        self._compiled.update(compiled)

    # -- lookup -----------------------------------------------------------------------
    def __iter__(self) -> Iterator[LayerType]:
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    def __contains__(self, type_id: object) -> bool:
        return any(t.id == type_id for t in self.types)

    def __getitem__(self, type_id: int) -> LayerType:
        for t in self.types:
            if t.id == type_id:
                return t
        raise KeyError(type_id)

    @property
    def ids(self) -> list[int]:
        """Type ids in display order."""
        return [t.id for t in self.types]

    def name_of(self, type_id: int) -> str:
        """Display name of a type, or ``Layer N`` for an id outside the taxonomy."""
        return self[type_id].name if type_id in self else f"Layer {type_id}"

    def color_of(self, type_id: int) -> str:
        """Hex colour of a type; mid grey for an id outside the taxonomy."""
        return self[type_id].color if type_id in self else "#999999"

    def id_for_name(self, name: str) -> int | None:
        """The id whose display name equals ``name`` (case-insensitive), else None."""
        key = name.strip().casefold()
        for t in self.types:
            if t.name.casefold() == key:
                return t.id
        return None

    # -- name matching ------------------------------------------------------------------
    def match(self, name: str, group_path: Iterable[str] | str = ()) -> Match:
        """Type for a layer called ``name`` inside groups ``group_path`` (outer first).

        A leading number equal to a type id wins ("30 Title" -> 30); then the name
        patterns, then the group patterns from the innermost group outwards; then the
        fallback type. Returns the rule that decided, so users can tune their rules.
        """
        if isinstance(group_path, str):
            group_path = [g for g in group_path.split("/") if g]
        name = name or ""
        lead = _LEADING_NUMBER.match(name)
        if lead and int(lead.group(1)) in self:
            return Match(int(lead.group(1)), f"leading number {lead.group(1)}")
        for type_id in self.rule_order:
            for text, rx in self._compiled[type_id][0]:
                if rx.search(name):
                    return Match(type_id, f"name ~ {_short(text)}")
        for group in reversed(list(group_path)):
            lead = _LEADING_NUMBER.match(group)
            if lead and int(lead.group(1)) in self:
                return Match(int(lead.group(1)), f"group leading number {lead.group(1)}")
            for type_id in self.rule_order:
                name_rules, group_rules = self._compiled[type_id]
                for text, rx in group_rules + name_rules:
                    if rx.search(group):
                        return Match(type_id, f"group {group!r} ~ {_short(text)}")
        if self.fallback is not None and self.fallback in self:
            return Match(self.fallback, FALLBACK_RULE)
        return Match(-1, "no rule matched")

    def match_category(
        self,
        name: str,
        category_id: int | None = None,
        mapping: dict[str, int] | None = None,
    ) -> Match:
        """Type for a COCO category: ``mapping`` first, then the taxonomy, else its own id.

        ``mapping`` (from :func:`parse_category_map`) is keyed by category name
        (case-insensitive) or by the category id as text. Then a type whose
        ``categories`` list holds the name wins, then the name rules (as for a layer
        name, without the fallback). A category nothing covers keeps ``category_id``
        (:data:`UNMAPPED_RULE`), so it never vanishes into Other.
        """
        key = (name or "").strip().casefold()
        for candidate in (key, None if category_id is None else str(category_id)):
            if mapping and candidate is not None and candidate in mapping:
                return Match(mapping[candidate], f"--map {candidate}")
        for t in self.types:
            if key in (c.casefold() for c in t.categories):
                return Match(t.id, f"category {name!r} listed under {t.id}")
        found = self.match(name)
        if found.matched:
            return found
        if category_id is None:
            return found
        return Match(int(category_id), UNMAPPED_RULE)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> Taxonomy:
        """Read a taxonomy TOML file; see ``docs/taxonomy.md`` for the format."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LayerheatError(f"{path}: taxonomy file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise LayerheatError(f"{path}: not valid TOML ({exc})") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict, source: str = "taxonomy") -> Taxonomy:
        """Build from the parsed TOML structure (``base``, ``remove``, ``[[types]]``)."""
        base = data.get("base", "default")
        if base not in ("default", "empty"):
            raise LayerheatError(f"{source}: base must be 'default' or 'empty', not {base!r}")
        types = {t.id: t for t in _DEFAULT_TYPES} if base == "default" else {}
        order = list(_DEFAULT_RULE_ORDER) if base == "default" else []
        for type_id in data.get("remove", []):
            types.pop(_as_id(type_id, source), None)
        for i, entry in enumerate(data.get("types", [])):
            if not isinstance(entry, dict) or "id" not in entry:
                raise LayerheatError(f"{source}: [[types]] entry {i + 1} needs an 'id'")
            type_id = _as_id(entry["id"], source)
            unknown = set(entry) - {
                "id",
                "name",
                "color",
                "patterns",
                "group_patterns",
                "categories",
            }
            if unknown:
                raise LayerheatError(
                    f"{source}: type {type_id} has unknown keys {sorted(unknown)}; "
                    "use name, color, patterns, group_patterns, categories"
                )
            for key in ("patterns", "group_patterns", "categories"):
                value = entry.get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise LayerheatError(
                        f"{source}: type {type_id} {key} must be a list of strings, "
                        f'e.g. {key} = ["title"]'
                    )
            old = types.get(type_id, LayerType(type_id, f"Layer {type_id}", "#999999"))
            color = entry.get("color", old.color)
            if not isinstance(color, str) or not _HEX_COLOUR.match(color):
                raise LayerheatError(
                    f"{source}: type {type_id} colour {color!r} is not of the form #RRGGBB"
                )
            new = replace(
                old,
                name=str(entry.get("name", old.name)),
                color=color.upper(),
                patterns=tuple(entry.get("patterns", old.patterns)),
                group_patterns=tuple(entry.get("group_patterns", old.group_patterns)),
                categories=tuple(entry.get("categories", old.categories)),
            )
            types[type_id] = new
            if "patterns" in entry and type_id in order:
                order.remove(type_id)
            if "patterns" in entry:
                order.insert(0, type_id)
        if not types:
            raise LayerheatError(f"{source}: the taxonomy has no types left")
        unknown_top = set(data) - {"base", "remove", "fallback", "types"}
        if unknown_top:
            raise LayerheatError(
                f"{source}: unknown top-level keys {sorted(unknown_top)}; "
                "use base, remove, fallback and [[types]]"
            )
        fallback = data.get("fallback", OTHER_ID)
        fallback = None if fallback in (None, False) else _as_id(fallback, source)
        ordered = tuple(sorted(types.values(), key=lambda t: t.id))
        return cls(ordered, fallback=fallback, rule_order=tuple(order))


def _as_id(value: object, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LayerheatError(f"{source}: type id {value!r} is not an integer")
    return value


def _short(pattern: str) -> str:
    """A rule as users wrote it, without the letter-boundary wrapper of the defaults."""
    inner = pattern.removeprefix("(?<![a-z])").removesuffix("(?![a-z])")
    return f"/{inner}/"


def parse_category_map(text: str | None, taxonomy: Taxonomy) -> dict[str, int]:
    """``"title=30, figure=Graphics"`` -> ``{"title": 30, "figure": 120}``.

    Keys are COCO category names or ids; values are type ids or type names of
    ``taxonomy``. Raises LayerheatError naming the bad entry and how to write it.
    """
    mapping: dict[str, int] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.rpartition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise LayerheatError(
                f'--map entry {part!r} is not CATEGORY=TYPE; e.g. --map "title=30,figure=120"'
            )
        if re.fullmatch(r"-?\d+", value):
            type_id = int(value)
        else:
            found = taxonomy.id_for_name(value)
            if found is None:
                raise LayerheatError(
                    f"--map {part!r}: {value!r} is neither a type id nor a type name "
                    f"({', '.join(t.name for t in taxonomy)})"
                )
            type_id = found
        mapping[key.casefold()] = type_id
    return mapping


def default_taxonomy() -> Taxonomy:
    """The source's 14 layer types (10, 20, ..., 140)."""
    return Taxonomy(_DEFAULT_TYPES, fallback=OTHER_ID, rule_order=_DEFAULT_RULE_ORDER)


def load_taxonomy(path: str | Path | None) -> Taxonomy:
    """The taxonomy in ``path``, or the default one when ``path`` is None."""
    return default_taxonomy() if path is None else Taxonomy.from_toml(path)
