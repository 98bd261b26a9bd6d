"""Every metadata field: which become facet columns, which are offered as facets, and field:value in queries."""
from __future__ import annotations

import pytest

from search import metafields
from search.metafields import FacetSettings, facet_values, field_name, offered
from search.query import Not, Or, Word, parse


@pytest.mark.parametrize("key,name", [("Section", "section"), ("photo-credit", "photo_credit"),
                                      ("Photo Credit", "photo_credit"), ("source", None), ("title", None),
                                      ("q", None), ("2nd", None), ("a" * 40, None), ("se;ction", None)])
def test_field_names(key, name):
    assert field_name(key) == name


def test_facet_values_keep_short_values_of_plain_fields():
    extra = {"section": "  Middle   East ", "author": "Jane Doe", "description": "x" * 500, "Title": "no",
             "bad key!": "v", "empty": "  "}
    assert facet_values(extra) == {"section": "Middle East", "author": "Jane Doe"}


def test_a_hostile_front_matter_gives_a_bounded_number_of_columns():
    extra = {f"field{i}": "v" for i in range(1000)}
    assert len(facet_values(extra)) == metafields.MAX_FIELDS_PER_ARTICLE


@pytest.mark.parametrize("fields,limit,expected", [
    ("", "", FacetSettings(None, metafields.DEFAULT_MAX_VALUES)),
    ("auto", "5", FacetSettings(None, 5)),
    ("none", None, FacetSettings((), metafields.DEFAULT_MAX_VALUES)),
    ("Section, author,section,title", "x", FacetSettings(("section", "author"), metafields.DEFAULT_MAX_VALUES)),
    ("section", "100000", FacetSettings(("section",), metafields.MAX_VALUES_LIMIT)),
])
def test_settings_from_their_text(fields, limit, expected):
    assert FacetSettings.parse(fields, limit) == expected


def test_settings_from_the_environment():
    env = {"SEARCH_FACETS": "section,place", "SEARCH_FACET_MAX_VALUES": "30"}
    assert FacetSettings.from_env(env) == FacetSettings(("section", "place"), 30)
    assert FacetSettings.from_env({}) == FacetSettings()


def test_the_automatic_choice_offers_fields_with_few_values():
    sizes = {"section": 5, "author": 900, "place": 1, "topic": 12, "kind": 13}
    assert offered(sizes, FacetSettings()) == ["section", "topic"]
    assert offered(sizes, FacetSettings(None, 2)) == []
    assert offered(sizes, FacetSettings(("author", "section", "missing"))) == ["section"]  # 900 is no facet
    assert offered(sizes, FacetSettings(())) == []


def test_field_value_for_a_known_metadata_field():
    parsed = parse('idlib section:sport -author:"Jane Doe"', fields=["section", "author"])
    assert parsed.root.nodes == [Word("idlib"), Word("sport", "section", "meta"),
                                 Not(Word("Jane Doe", "author", "meta"))]
    assert parsed.scored and not parsed.plain


def test_a_field_group_is_each_a_whole_value_and_filters_alone_rank_by_date():
    parsed = parse("section:(sport OR politics)", fields=["section"])
    assert parsed.root.nodes == [Or([Word("sport", "section", "meta"), Word("politics", "section", "meta")])]
    assert not parsed.scored  # only a filter: nothing to rank by


def test_an_unknown_field_is_searched_as_words_and_noted():
    parsed = parse("sectoin:sport idlib https://example.com/a", fields=["section"])
    assert parsed.unknown_fields == ["sectoin"]
    assert parsed.root.nodes[0] == Word("sectoin:sport")


def test_the_built_in_fields_keep_their_meaning_whatever_the_index_has():
    parsed = parse("source:reuters title:idlib", fields=["source", "title", "section"])
    assert parsed.root.nodes == [Word("reuters", "source"), Word("idlib", "title")]
