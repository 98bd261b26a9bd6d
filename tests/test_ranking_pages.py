"""Paging through a ranking with the proximity rescore: every page is a slice of one order, whatever its size."""
import random

import pytest

from search import ranking
from search.searcher import Engine
from tests.factory import make_index

FILLER = "harbour storm convoy tanker rain hills week market shares bank river mountain".split()


def _articles(n: int):
    """`n` articles holding both query words at varied distances and frequencies, so the BM25F order and the
    proximity bonus disagree (a fixed seed: the same collection every run)."""
    rng = random.Random(7)
    out = []
    for i in range(n):
        words = [rng.choice(FILLER) for _ in range(rng.randint(20, 120))]
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words) + 1), "oil")
        at = rng.randrange(len(words) + 1)
        words.insert(at, "prices")
        if rng.random() < 0.5:  # half of them have the two words side by side
            words.insert(at, "oil")
        out.append((f"a{i:03}.txt", f"Report {i}", "2020-01-01", "Reuters", " ".join(words) + "."))
    return out


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    _, index = make_index(tmp_path_factory.mktemp("pages"), _articles(3 * ranking.RESCORE_WINDOW))
    with Engine(index) as engine:
        yield engine


@pytest.mark.parametrize("per_page", [7, 10, 25])
def test_pages_of_any_size_are_slices_of_one_ranking(engine, per_page):
    whole = engine.search("oil prices", per_page=100, snippets=False)
    assert whole.total > 2 * ranking.RESCORE_WINDOW  # past the rescore window
    expected = [(h.path, h.score) for h in whole.hits]
    paged = []
    for page in range(1, -(-len(expected) // per_page) + 1):
        paged += [(h.path, h.score) for h in engine.search("oil prices", page=page, per_page=per_page,
                                                             snippets=False).hits]
    paged = paged[:len(expected)]
    assert len({p for p, _ in paged}) == len(paged)  # no article on two pages
    assert paged == expected


def test_the_window_is_re_ranked_by_proximity_and_stays_above_the_rest(engine):
    with_bonus = engine.search("oil prices", per_page=100, snippets=False).hits
    plain = Engine(engine.store.path, ranking=ranking.Ranking(proximity_boost=0.0))
    with plain:
        without = plain.search("oil prices", per_page=100, snippets=False).hits
    window = {h.path for h in without[:ranking.RESCORE_WINDOW]}
    # the proximity bonus changes the order inside the window, and the window's articles stay first
    assert [h.path for h in with_bonus[:ranking.RESCORE_WINDOW]] != [h.path for h in without[:ranking.RESCORE_WINDOW]]
    assert {h.path for h in with_bonus[:ranking.RESCORE_WINDOW]} == window
    # below the window the order is BM25F's
    assert [h.path for h in with_bonus[ranking.RESCORE_WINDOW:]] == [h.path for h in without[ranking.RESCORE_WINDOW:]]
