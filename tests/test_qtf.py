"""Query-term frequency: a word a query repeats counts in BM25F more than once, saturated by k3 (Okapi BM25)."""
from math import inf

import pytest

from search.query import parse
from search.scoring import query_scoring, query_weight
from search.searcher import Engine, Ranking
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


def test_qtf_multiplies_the_saturated_term_score_by_its_own_saturation(engine):
    # outside the saturation of tf, and itself saturated by k3: twice the word, (k3 + 1) 2 / (k3 + 2) times its
    # contribution (1.5 at the default k3 = 2), more than once and less than twice
    one = engine.search("tanker", snippets=False).hits[0].score
    two = engine.search("tanker OR tanker", snippets=False).hits[0].score
    three = engine.search("tanker OR tanker OR tanker", snippets=False).hits[0].score
    k3 = Ranking().k3
    assert two == pytest.approx((k3 + 1) * 2 / (k3 + 2) * one, rel=1e-3)
    assert one < two < three < (k3 + 1) * one


def test_k3_chooses_between_counting_a_repeated_word_once_and_each_time(tmp_path):
    _, index = make_index(tmp_path, PAIR)
    for k3, factor in [(0.0, 1.0), (inf, 2.0), (1.0, 4 / 3)]:
        with Engine(index, ranking=Ranking(k3=k3)) as engine:
            one = engine.search("tanker", snippets=False).hits[0].score
            two = engine.search("tanker OR tanker", snippets=False).hits[0].score
        assert two == pytest.approx(factor * one, rel=1e-3), k3


def test_query_weight_is_one_for_one_occurrence_and_bounded_by_k3_plus_one():
    assert query_weight(1.0, 2.0) == 1.0 and query_weight(1.0, 0.0) == 1.0 and query_weight(1.0, inf) == 1.0
    assert query_weight(2.0, 2.0) == 1.5 and query_weight(2.0, inf) == 2.0 and query_weight(5.0, 0.0) == 1.0
    weights = [query_weight(float(n), 2.0) for n in range(1, 50)]
    assert weights == sorted(weights) and weights[-1] < 3.0
    assert query_weight(0.0, 2.0) == 0.0
