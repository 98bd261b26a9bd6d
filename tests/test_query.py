"""The query language: what each form means, its bounds, odd input, and a fuzz test of the parser."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import QueryError
from search.query import (MAX_QUERY_CHARS, MAX_TERMS, And, DateRange, Not, Or, Phrase, Word, parse,
                          parse_date_bound)


def nodes(text):
    return parse(text).root.nodes


def test_plain_words_are_all_required_and_marked_plain():
    parsed = parse("idlib putin")
    assert nodes("idlib putin") == [Word("idlib"), Word("putin")]
    assert parsed.plain and parsed.words() == ["idlib", "putin"]


def test_clauses_of_a_plain_query_leave_out_stop_words_and_keep_phrases():
    assert parse('the idlib "fate of" putin').clauses() == ["idlib", '"fate of"', "putin"]
    assert not parse("idlib AND putin").plain and parse("idlib AND putin").clauses() == []
    assert parse('idlib -oil -"fate of"').clauses() == ["idlib"]
    assert parse('idlib -oil -"fate of"').excluded() == ["-oil", '-"fate of"']
    assert parse("idlib && putin").root.nodes == [Word("idlib"), Word("putin")]


def test_or_binds_tighter_than_the_implicit_and():
    assert nodes("idlib putin OR erdogan") == [Word("idlib"), Or([Word("putin"), Word("erdogan")])]
    assert not parse("idlib putin OR erdogan").plain


def test_phrases_negation_fields_and_groups():
    assert nodes('"fate of syria" -trump NOT russia') == [Phrase("fate of syria"), Not(Word("trump")),
                                                          Not(Word("russia"))]
    # a group joined by AND is the same AND: flattened, so prose in parentheses stays a plain query
    assert nodes("title:(putin erdogan)") == [Word("putin", "title"), Word("erdogan", "title")]
    assert nodes("idlib (fate of syria)") == [Word("idlib"), Word("fate"), Word("of"), Word("syria")]
    assert nodes("-(putin erdogan)") == [Not(And([Word("putin"), Word("erdogan")]))]
    assert parse("idlib (fate of syria) -trump").plain and not parse("idlib -(fate syria)").plain
    assert nodes('source:"al jazeera" title:idlib') == [Word("al jazeera", "source"), Word("idlib", "title")]


def test_prefix_and_fuzzy_words():
    assert nodes("idl* erdgan~ erdgan~2") == [Word("idl", None, "prefix"), Word("erdgan", None, "fuzzy", 1),
                                             Word("erdgan", None, "fuzzy", 2)]


@pytest.mark.parametrize("text,low,high", [
    ("date:2018", 20180101, 20181231),
    ("date:2018-09", 20180901, 20180930),
    ("date:2016-02", 20160201, 20160229),
    ("date:2018-09-17", 20180917, 20180917),
    ("date:[2018-09-01 TO 2018-09-30]", 20180901, 20180930),
    ("date:[2018 TO *]", 20180101, None),
    ("date:[* TO 2018-09]", None, 20180930),
])
def test_date_forms(text, low, high):
    (node,) = nodes(text)
    assert isinstance(node, DateRange) and (node.low, node.high) == (low, high)


@pytest.mark.parametrize("text,message", [
    ("*", "A bare \\* would match every article"),
    ("*dlib", "cannot start or sit inside"),
    ("id*ib", "cannot start or sit inside"),
    ("i*", "at least 2 letters"),
    ("date:[x TO y]", "is not a date range"),
    ("date:[2019 TO 2018]", "ends before it starts"),
    ("date:2018-13", "is not a date"),
    ("date:2018-02-30", "is not a date"),
    ("erdgan~7", "1 or 2 differences"),
    ("x" * (MAX_QUERY_CHARS + 1), "the limit is 500"),
    (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), f"more than {MAX_TERMS} words"),
    ("(" * 400 + "idlib", "too deeply"),
])
def test_refusals_say_what_to_do(text, message):
    # parse() is given no index reader: each refusal happens before any index work is done
    with pytest.raises(QueryError, match=message):
        parse(text)


@pytest.mark.parametrize("text,expected", [
    ("NOT NOT idlib", [Word("idlib")]),
    ("-" * 490 + "idlib", [Word("idlib")]),
    ('"unbalanced quote', [Phrase("unbalanced quote")]),
    ("(idlib putin", [Word("idlib"), Word("putin")]),
    ("idlib)) putin", [Word("idlib"), Word("putin")]),
    ("AND idlib OR", [Word("idlib")]),
    ("title:OR ANDNOT ANDNOT", [Word("OR", "title"), Word("ANDNOT"), Word("ANDNOT")]),
    ("unknownfield:value", [Word("unknownfield:value")]),
    ("?transverse ?slip? angle?", [Word("?transverse"), Word("?slip?"), Word("angle?")]),  # ? is punctuation
])
def test_odd_input_is_read_sensibly(text, expected):
    assert nodes(text) == expected


@pytest.mark.parametrize("text,message", [
    ("OR", "Nothing to search for: type a word"),
    ("NOT", "Nothing to search for: type a word"),
    ("()", "Nothing to search for: type a word"),
    ("title:", "Nothing to search for: type a word"),
    ("the of", '"the", "of" are too common'),
    ('"the"', '"the" is too common'),
])
def test_nothing_left_to_search_is_explained(text, message):
    with pytest.raises(QueryError, match=message):
        parse(text)


class EmptyView:
    """The little of an IndexView that compiling a query reads, for an index with no articles."""

    doc_count_all = doc_count = 0

    def doc_frequency(self, field, text):
        return 0

    def terms_from(self, field, prefix, limit=None):
        return []


def test_excluded_words_are_not_marked():
    compiled = parse('idlib -trump "fate of syria"').compile(EmptyView(), 2.0)
    assert compiled.terms == {"idlib"} and compiled.phrases == [("fate", "syria")]


def test_date_bounds_for_filters():
    assert parse_date_bound("2018") == 20180101 and parse_date_bound("2018", end=True) == 20181231
    with pytest.raises(QueryError, match="since 'notadate' is not a date"):
        parse_date_bound("notadate", what="since")


PIECES = st.sampled_from(['"', "(", ")", "OR", "AND", "NOT", "-", "*", "~", ":", "title:", "source:", "date:",
                          "[", "]", " TO ", "idlib", "erdoğan", "2018-09", "\x00", "~2", "date:[", "\\", " "])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=25))
def test_parser_only_ever_raises_its_own_error(pieces):
    text = "".join(pieces)
    try:
        parse(text)
    except QueryError as error:
        assert str(error)  # a message for the user
