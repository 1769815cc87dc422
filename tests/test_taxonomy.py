"""Layer types from layer names and COCO categories; the TOML format."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from layerheat.errors import LayerheatError
from layerheat.taxonomy import (
    FALLBACK_RULE,
    UNMAPPED_RULE,
    Taxonomy,
    default_taxonomy,
    load_taxonomy,
    parse_category_map,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "taxonomy.md"


@pytest.mark.parametrize(
    ("name", "type_id"),
    [
        ("TITLE", 30),
        ("logo_dev", 70),
        ("Disclaimer copy", 100),
        ("30 Title", 30),
        ("120", 120),
        ("Main headline", 30),
        ("Sub-title", 40),
        ("subheading 2", 40),
        ("Graphics 2", 130),
        ("graphic_ii", 130),
        ("Graphics", 120),
        ("hero photo", 120),
        ("Site address", 80),
        ("Price & enquiries", 90),
        ("T&C", 100),
        ("RERA no.", 100),
        ("Background", 140),
        ("Untitled-1", 140),
        ("Layer 12", 140),
        ("", 140),
    ],
)
def test_default_rules_type_common_names(name: str, type_id: int) -> None:
    assert default_taxonomy().match(name).type_id == type_id


def test_unmatched_names_fall_back_and_say_so() -> None:
    tax = default_taxonomy()
    m = tax.match("Layer 12")
    assert (m.type_id, m.rule, m.matched) == (140, FALLBACK_RULE, False)
    assert tax.match("Background").matched  # an explicit rule, not the fallback
    none = Taxonomy.from_dict({"fallback": False}).match("Layer 12")
    assert none.type_id == -1 and not none.matched


def test_group_path_is_searched_innermost_first() -> None:
    tax = default_taxonomy()
    m = tax.match("Layer 3", ["Logos", "Disclaimer"])
    assert m.type_id == 100 and "Disclaimer" in m.rule
    assert tax.match("Layer 3", "Logos/Layer group").type_id == 70
    assert tax.match("Layer 3", ["80 stuff"]).type_id == 80
    assert tax.match("TITLE", ["Logos"]).type_id == 30  # the name wins over groups


def test_toml_types_patterns_categories_remove_and_fallback(tmp_path: Path) -> None:
    path = tmp_path / "tax.toml"
    path.write_text(
        """
base = "default"
remove = [10, 20]
fallback = 140
[[types]]
id = 70
name = "Brand"
patterns = ["logo", "wordmark"]
categories = ["Logo"]
[[types]]
id = 150
name = "QR code"
color = "#123abc"
patterns = ["\\\\bqr\\\\b"]
group_patterns = ["codes"]
"""
    )
    tax = load_taxonomy(path)
    assert 10 not in tax and 20 not in tax
    assert tax[150].color == "#123ABC" and tax[150].label == "QR code (150)"
    assert tax.match("QR block").type_id == 150
    assert tax.match("Layer 1", ["codes"]).type_id == 150
    assert tax.match("wordmark").type_id == 70
    assert tax.match_category("logo").type_id == 70
    assert tax.id_for_name("brand") == 70


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('base = "mine"', "base must be"),
        ("[[types]]\nname = 'x'", "needs an 'id'"),
        ("[[types]]\nid = 30\nshape = 1", "unknown keys"),
        ("[[types]]\nid = 30\ncolor = 'red'", "#RRGGBB"),
        ("[[types]]\nid = 30\npatterns = ['(']", "invalid pattern"),
        ("[[types]]\nid = 30\npatterns = 'title'", "list of strings"),
        ("colour = 1", "unknown top-level"),
        ("base = 'empty'", "no types left"),
        ("x = [", "not valid TOML"),
    ],
)
def test_bad_toml_says_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(LayerheatError, match=re.escape(message)):
        load_taxonomy(path)


def test_category_mapping_precedence() -> None:
    tax = Taxonomy.from_dict({"types": [{"id": 90, "categories": ["Price-tag"]}]})
    mapping = parse_category_map("price-tag=100, 4=Title", tax)
    assert tax.match_category("Price-tag", 9, mapping).type_id == 100  # --map first
    assert tax.match_category("x", 4, mapping).rule == "--map 4"  # by category id
    assert tax.match_category("PRICE-TAG", 9).type_id == 90  # listed in categories
    assert tax.match_category("figure", 5).type_id == 120  # name rules
    m = tax.match_category("table", 5)
    assert (m.type_id, m.rule) == (5, UNMAPPED_RULE)  # own id kept


@pytest.mark.parametrize(
    ("text", "message"),
    [("title", "CATEGORY=TYPE"), ("title=", "CATEGORY=TYPE"), ("title=Nonsense", "neither")],
)
def test_bad_map_entries(text: str, message: str) -> None:
    with pytest.raises(LayerheatError, match=message):
        parse_category_map(text, default_taxonomy())


def test_taxonomy_pickles_for_worker_processes() -> None:
    tax = default_taxonomy()
    again = pickle.loads(pickle.dumps(tax))
    assert again.match("logo_dev") == tax.match("logo_dev")


def test_documented_example_loads(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/taxonomy.md has no toml example"
    path = tmp_path / "doc.toml"
    path.write_text(blocks[0])
    tax = load_taxonomy(path)
    assert tax.match("QR code").type_id == 150
    assert tax.match_category("Section-header").type_id == 40
