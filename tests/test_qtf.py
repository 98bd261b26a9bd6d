"""Query-term frequency: a word a query repeats counts each time in BM25F (as in Lucene and FTS5)."""
import pytest

from search.query import parse
from search.scoring import query_scoring
from search.searcher import Engine
from tests.factory import make_index

# two articles that each use one of two words equally often, in bodies of the same length
PAIR = [
    ("tanker.txt", "Shipping news", "2020-01-01", "Reuters", "The tanker reached the harbour after the storm passed."),
    ("convoy.txt", "Shipping news", "2020-01-02", "Reuters", "The convoy reached the harbour after the storm passed."),
    ("other.txt", "Weather", "2020-01-03", "AFP", "Rain fell on the hills all week long."),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    _, index = make_index(tmp_path_factory.mktemp("qtf"), PAIR)
    with Engine(index) as engine:
        yield engine


def scoring(engine, text):
    with engine.view() as view:
        return query_scoring(parse(text).compile(view, 3.0, any_word=True).query)


def test_a_repeated_word_is_counted_each_time(engine):
    weights, qtf = scoring(engine, "oil prices oil")
    assert qtf == {"oil": 2.0, "price": 1.0}
    assert weights["oil"] == {"title": 3.0, "body": 1.0}


def test_a_word_in_title_and_body_is_one_occurrence_and_excluded_words_count_nothing(engine):
    weights, qtf = scoring(engine, "oil -gas")
    assert qtf == {"oil": 1.0} and "gas" not in weights


def test_a_phrase_counts_its_words_with_the_loose_ones(engine):
    _, qtf = scoring(engine, '"crude oil" oil')
    assert qtf == {"crude": 1.0, "oil": 2.0}


def test_the_repeated_word_decides_between_otherwise_equal_articles(engine):
    # both words appear once in one article each; asking for tanker twice puts its article first
    once = engine.search("tanker OR convoy", snippets=False)
    assert {h.path for h in once.hits} == {"tanker.txt", "convoy.txt"}
    assert once.hits[0].score == once.hits[1].score
    for text, first in [("tanker OR tanker OR convoy", "tanker.txt"), ("tanker OR convoy OR convoy", "convoy.txt")]:
        hits = engine.search(text, snippets=False).hits
        assert hits[0].path == first and hits[0].score > hits[1].score


def test_qtf_multiplies_the_saturated_term_score(engine):
    # outside the saturation: twice the word, exactly twice its contribution
    one = engine.search("tanker", snippets=False).hits[0].score
    two = engine.search("tanker OR tanker", snippets=False).hits[0].score
    assert two == pytest.approx(2 * one, rel=1e-3)
