"""More when few match (search/more.py): a short all-words query that fills less than a page goes on with the
articles that have some of its words, in a separate list; the total and the facets stay the exact query's."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from search import more
from search.cli import cli


def paths(hits):
    return [h.path for h in hits]


def test_after_the_exact_matches_come_those_with_most_of_the_words(engine):
    results = engine.search("erdogan idlib turkish")
    assert paths(results.hits) == ["idlib-summit.txt"] and results.total == 1  # the only one with all three
    # offensive has two of the words; saraqeb (turkish), undated and hostile (idlib) one each
    assert paths(results.more)[0] == "idlib-offensive.txt"
    assert set(paths(results.more)) == {"idlib-offensive.txt", "saraqeb.txt", "undated.txt", "hostile.txt"}
    assert results.more_total == 4 and results.notice is None


def test_total_and_facets_stay_those_of_the_exact_query(engine):
    exact = engine.search("idlib putin")
    assert exact.total == 2 and sum(v.count for v in exact.facets["source"]) == 2
    assert paths(exact.more) == ["idlib-offensive.txt", "hostile.txt"] and exact.more_total == 2


def test_the_more_list_fills_the_page_only(engine):
    results = engine.search("erdogan idlib turkish", per_page=3)
    assert len(results.hits) + len(results.more) == 3 and results.more_total == 4
    assert paths(results.more)[0] == "idlib-offensive.txt"
    assert paths(results.more)[1] in {"saraqeb.txt", "undated.txt", "hostile.txt"}
    assert engine.search("erdogan idlib turkish", per_page=1).more == []  # the page is full


def test_filters_apply_to_the_more_list(engine):
    results = engine.search("erdogan idlib turkish", sources=["AFP"])
    assert results.total == 0 and paths(results.more) == ["idlib-offensive.txt"] and results.more_total == 1


def test_no_more_list_for_one_word_long_queries_or_operators(engine):
    assert engine.search("idlib").more_total == 0
    assert engine.search("erdogan idlib turkish summit").more == []  # 4 words: any of them already
    assert engine.search("idlib OR putin").more == []
    assert engine.search("wheat marathon").more == []  # no article has both: the any-word fallback instead


def test_excluded_words_stay_excluded_from_the_more_list(engine):
    results = engine.search("idlib putin -offensive")
    assert "idlib-offensive.txt" not in paths(results.more)


def test_the_more_list_follows_the_sort_order(engine):
    results = engine.search("erdogan idlib turkish", sort="newest")
    dates = [h.date for h in results.more if h.date]
    assert dates == sorted(dates, reverse=True) and len(results.more) == 4


def test_cli_shows_the_more_list_under_a_divider(shared_index):
    folder, index = shared_index
    result = CliRunner().invoke(cli, ["--articles", str(folder), "--index", str(index), "query", "idlib", "putin"],
                                catch_exceptions=False)
    out = result.output
    assert result.exit_code == 0 and "--- 2 more articles have some of the words ---" in out
    assert out.index("--- 2 more") < out.index("Syrian offensive on Idlib looms")
    assert "3. Syrian offensive" in out


def test_json_has_the_more_list_apart(shared_index):
    folder, index = shared_index
    result = CliRunner().invoke(cli, ["--articles", str(folder), "--index", str(index), "query", "idlib", "putin",
                                      "--json"], catch_exceptions=False)
    data = json.loads(result.output)
    assert data["total"] == 2 and len(data["hits"]) == 2
    assert data["more_total"] == 2 and [h["path"] for h in data["more"]] == ["idlib-offensive.txt", "hostile.txt"]


def test_web_shows_the_more_list_under_a_divider(shared_client):
    client = shared_client
    page = client.get("/search?q=erdogan+idlib+turkish").get_data(as_text=True)
    divider = page.index("4 more articles have some of the words")
    assert page.index("and Putin meet in Sochi") < divider < page.index("Syrian offensive on")
    assert '<ol class="hits more" start="2"' in page
    empty = client.get("/search?q=erdogan+idlib+turkish&source=AFP").get_data(as_text=True)
    assert "1 more article has some of the words" in empty and "No article matches" not in empty


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("limit", [1, 3, 10, 50])
def test_ranking_only_the_contenders_gives_the_ranking_of_every_document(seed, limit):
    rng = np.random.default_rng(seed)
    n = 200
    docs = np.sort(rng.choice(10_000, n, replace=False))
    words = rng.integers(1, 4, n)
    scores = rng.choice([0.5, 1.0, 1.5, 2.0], n)  # ties in both keys: document order decides
    best = more.contenders(words, limit)
    assert len(best) < n or limit >= n or words.min() == words.max()
    assert more.rank(docs[best], words[best], scores[best], limit) == more.rank(docs, words, scores, limit)


def test_words_matched_counts_each_clause_a_document_is_in():
    docs = np.array([1, 4, 7, 9])
    assert more.words_matched([np.array([1, 7]), np.array([4, 7, 9, 12]), np.array([], dtype=np.int64)],
                              docs).tolist() == [1, 1, 2, 1]
