"""Find articles like this text (search/like.py): the engine, `search like`, the web box, related articles."""
import json
import re

import pytest
from click.testing import CliRunner

from search import like
from search.cli import cli
from search.errors import QueryError
from search.query import MAX_QUERY_CHARS
from tests.factory import ARTICLES

# a pasted paragraph, longer than the query language reads, about the Sochi summit
PASTE = ("I am looking for reports on the summit in Sochi, where Erdogan and Putin met to decide the fate of Idlib. "
         "Which agreements came out of the Sochi negotiations, and what did Turkey and Russia say about Idlib "
         "afterwards? Anything on the talks between the two presidents, the Sochi meeting and its outcome helps; "
         "also (if there are any) reactions - NOT from the markets - \"and so on\" OR title: [whatever]. I would "
         "rather not see the articles about oil prices or harvests unless they mention the summit in Sochi itself.")


def paths(hits):
    return [h.path for h in hits]


# -- reading and choosing the words --------------------------------------------------------------------
def test_read_counts_each_index_word_and_keeps_how_the_text_first_writes_it():
    example = like.read("Negotiations, negotiation and the NEGOTIATORS. Oil!")
    assert example.counts["negoti"] == 3 and example.surfaces["negoti"] == "negotiations"
    assert example.words == sum(example.counts.values()) and "the" not in example.surfaces and not example.cut


def test_read_stops_at_the_cap_without_half_a_word():
    example = like.read("oil " * (like.MAX_TEXT_CHARS // 4) + "tankerx" * 10 + " wheat" * 1000)
    assert example.cut and len(example.text) <= like.MAX_TEXT_CHARS
    assert "wheat" not in example.counts and not any(s.startswith("tankerx") for s in example.counts)


def test_a_document_length_text_keeps_only_words_it_repeats(engine):
    short = like.read("saraqeb wheat wheat")
    long = like.read("saraqeb wheat wheat " + "idlib " * like.DOCUMENT_WORDS)
    assert short.min_term_freq == 1 and long.min_term_freq == 2
    with engine.view() as reader:
        assert {w.stem for w in like.select(short, reader)} == {"saraqeb", "wheat"}
        assert {w.stem for w in like.select(long, reader)} == {"wheat", "idlib"}


def test_select_keeps_the_best_words_by_tf_idf_and_drops_words_no_article_has(engine):
    text = "zzqx " * 9 + "idlib idlib idlib saraqeb " + " ".join(f"w{i}x" for i in range(40))
    with engine.view() as reader:
        words = like.select(like.read(text), reader)
        assert [w.stem for w in words] == ["idlib", "saraqeb"]  # zzqx and w*x are in no article
        assert words[0].tf == 3 and words[0].weight == pytest.approx(2 * words[0].weight / 2)
        assert len(like.select(like.read(" ".join(a[4] for a in ARTICLES)), reader, keep=5)) == 5


def test_compile_asks_for_each_word_as_often_as_the_text_uses_it():
    words = [like.Word("idlib", "idlib", 3, 4, 1.0), like.Word("putin", "putin", 1, 2, 0.5)]
    compiled = like.compile(words, 3.0)
    weights, qtf = compiled.scoring
    assert qtf == {"idlib": 3.0, "putin": 1.0} and weights["idlib"] == {"title": 3.0, "body": 1.0}
    assert compiled.terms == {"idlib", "putin"}
    assert like.as_text(words) == "idlib idlib idlib putin"


# -- searching -----------------------------------------------------------------------------------------
def test_a_long_pasted_text_is_searched_as_an_example_not_refused(engine):
    assert len(PASTE) > MAX_QUERY_CHARS
    results = engine.search(PASTE)
    assert results.hits[0].path == "idlib-summit.txt"
    used = [w.surface for w in results.like_words]
    assert "sochi" in used and "idlib" in used and "markets" not in used[:3]
    assert results.notice.startswith("Articles like the text") and "sochi" in results.notice
    assert results.total >= 3 and results.suggestion is None


def test_a_short_text_is_an_example_when_asked(engine):
    as_query = engine.search("sochi wheat")
    as_example = engine.search("sochi wheat", like=True)
    assert as_query.total == 0 or as_query.notice  # all words needed (or the any-word fallback)
    assert as_example.like_words is not None
    assert set(paths(as_example.hits)) == {"idlib-summit.txt", "grain.txt"}


def test_filters_sorting_paging_and_facets_work_on_an_example(engine):
    every = engine.search(PASTE, per_page=100)
    reuters = engine.search(PASTE, sources=["Reuters"], per_page=100)
    assert set(paths(reuters.hits)) == {h.path for h in every.hits if h.source == "Reuters"}
    assert {f.value: f.count for f in reuters.facets["source"]}["AFP"] == \
        sum(h.source == "AFP" for h in every.hits)  # a facet ignores its own filter
    newest = engine.search(PASTE, sort="newest", per_page=100)
    dates = [h.date for h in newest.hits if h.date]
    assert dates == sorted(dates, reverse=True) and newest.total == every.total
    page2 = engine.search(PASTE, per_page=1, page=2)
    assert page2.hits[0].path == every.hits[1].path


def test_operators_in_a_long_text_are_words(engine):
    text = "NOT (( title: date:[x TO y] idl* -saraqeb \"unclosed " * 20 + " saraqeb"
    results = engine.search(text)
    assert results.like_words is not None and "saraqeb.txt" in paths(results.hits)


def test_a_text_of_any_length_up_to_the_cap_and_beyond_is_accepted(engine):
    results = engine.search("wheat harvest " * 40_000, per_page=5)  # 560,000 characters
    assert results.hits[0].path == "grain.txt" and "first 100,000 characters" in results.notice


def test_a_text_without_any_word_is_refused(engine):
    with pytest.raises(QueryError, match="Nothing to search for"):
        engine.search("the of and " * 200)


def test_a_text_whose_words_no_article_has_finds_nothing_and_says_so(engine):
    results = engine.search("qqqzz " * 200)
    assert results.total == 0 and results.like_words == [] and "None of the text's words" in results.notice


def test_related_articles_are_an_example_search_without_the_article(engine):
    summit = engine.search("sochi").hits[0]
    related = engine.related(summit.id, limit=3)
    assert summit.id not in [h.id for h in related]
    assert related and related[0].path in {"undated.txt", "idlib-offensive.txt"}
    assert len(related) <= 3


def test_marks_of_a_long_text_are_its_chosen_words(engine):
    terms, phrases = engine.marks(PASTE)
    assert "sochi" in terms and "idlib" in terms and phrases == []


# -- the command line ----------------------------------------------------------------------------------
@pytest.fixture
def cli_paths(shared_index):
    folder, index = shared_index
    return ["--articles", str(folder), "--index", str(index)]


def test_search_like_file_prints_the_words_and_the_hits(cli_paths, tmp_path):
    text = tmp_path / "paste.txt"
    text.write_text(PASTE, encoding="utf-8")
    result = CliRunner().invoke(cli, cli_paths + ["like", str(text)], catch_exceptions=False)
    assert result.exit_code == 0
    first = result.output.index("Putin meet in Sochi over Idlib")
    assert "Articles like the text" in result.output[:first] and "sochi" in result.output[:first]


def test_search_like_reads_standard_input_and_prints_json(cli_paths):
    result = CliRunner().invoke(cli, cli_paths + ["like", "-", "--json", "--source", "AFP"],
                                input="wheat harvest forecasts farmers", catch_exceptions=False)
    data = json.loads(result.output)
    assert result.exit_code == 0 and [h["path"] for h in data["hits"]] == ["grain.txt"]
    assert {"word": "wheat", "count": 1} in data["like_words"]


def test_search_like_an_empty_file_is_a_usage_error(cli_paths, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    result = CliRunner().invoke(cli, cli_paths + ["like", str(empty)])
    assert result.exit_code == 2 and "empty" in result.output


def test_search_like_reads_bytes_that_are_not_utf8(cli_paths, tmp_path):
    text = tmp_path / "latin1.txt"
    text.write_bytes("Saraqeb caf\xe9 troops".encode("latin-1"))
    result = CliRunner().invoke(cli, cli_paths + ["like", str(text), "--csv"], catch_exceptions=False)
    assert result.exit_code == 0 and "saraqeb.txt" in result.output


# -- the web -------------------------------------------------------------------------------------------
def test_the_home_page_has_the_like_box(shared_client):
    page = shared_client.get("/").get_data(as_text=True)
    assert "Find articles like this text" in page
    assert re.search(r'<form class="like" action="/like" method="post" enctype="multipart/form-data">', page)
    assert '<textarea id="like-text" name="text"' in page


def test_posting_a_text_shows_articles_like_it_and_its_words(shared_client):
    r = shared_client.post("/like", data={"text": PASTE})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Articles like this text" in page
    assert "sochi" in page[page.index('class="notice"'):]
    # links to other sorts and filters carry the chosen words (like=1), not the whole text
    sort_links = re.findall(r'href="(/search\?[^"]*sort=newest[^"]*)"', page)
    assert sort_links and all("like=1" in link and "markets" not in link for link in sort_links)
    assert '<input type="hidden" name="like" value="1">' in page


def test_a_long_text_in_the_search_box_gives_a_page_without_copies_of_it(shared_client):
    text = PASTE + " " + " ".join(f"filler{i}" for i in range(3000))
    r = shared_client.get("/search", query_string={"q": text})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "filler2999" not in page
    assert len(page) < len(text)  # the page is bounded by the chosen words, not by the text


def test_following_a_link_of_an_example_search_finds_the_same_articles(shared_client):
    first = shared_client.post("/like", data={"text": PASTE, "per_page": "3"}).get_data(as_text=True)
    link = re.search(r'href="(/search\?[^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    args = [pair for pair in link.split("?", 1)[1].split("&") if not pair.startswith(("page=", "per_page="))]
    api = shared_client.get("/api/search?" + "&".join(args) + "&per_page=100").get_json()
    whole = shared_client.get("/api/search", query_string={"q": PASTE, "per_page": 100}).get_json()
    assert [h["id"] for h in api["hits"]] == [h["id"] for h in whole["hits"]]
    assert api["like_words"] == whole["like_words"]


def test_the_api_reads_q_as_an_example_with_like(shared_client):
    data = shared_client.get("/api/search?q=wheat+harvest&like=1").get_json()
    assert [w["word"] for w in data["like_words"]] == ["harvest", "wheat"] or \
        {w["word"] for w in data["like_words"]} == {"harvest", "wheat"}
    assert data["hits"][0]["path"] == "grain.txt"


def test_a_huge_post_is_answered_not_crashed_on(shared_client):
    r = shared_client.post("/like", data={"text": "wheat harvest " * 100_000})  # 1.4 MB
    assert r.status_code in (200, 413) and "Traceback" not in r.get_data(as_text=True)
    if r.status_code == 200:
        assert "first 100,000 characters" in r.get_data(as_text=True)


def test_an_empty_post_is_a_polite_page(shared_client):
    r = shared_client.post("/like", data={"text": "  "})
    assert r.status_code == 400 and "Paste or type a text" in r.get_data(as_text=True)


def test_as_text_stays_small_and_reads_back_into_the_same_words(engine):
    words = [like.Word("idlib", "idlib", 40_000, 4, 9.0), like.Word("putin", "putin", 8_000, 2, 5.0),
             like.Word("sochi", "sochi", 2, 1, 1.0)]
    text = like.as_text(words)
    assert text.split().count("idlib") == like.LINK_REPEATS and text.split().count("putin") == 2
    with engine.view() as view:
        assert [w.stem for w in like.select(like.read(text), view)] == ["idlib", "putin", "sochi"]
    small = [like.Word(f"w{i}", f"w{i}", 3, 1, 1.0) for i in range(25)]  # 75 words: read back as a paragraph
    assert len(like.as_text(small).split()) == 75


def test_the_like_box_posts_multipart_and_the_server_takes_its_largest_text(shared_client):
    from web.server import LIMITS
    page = shared_client.get("/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    text = "café wheat " * (like.MAX_TEXT_CHARS // 11)
    r = shared_client.post("/like", data={"text": text}, content_type="multipart/form-data")
    assert r.status_code == 200 and "grain.txt" in r.get_data(as_text=True)
    # any text the engine reads whole fits in a body, however many bytes a character takes
    assert 4 * like.MAX_TEXT_CHARS + 4096 < LIMITS["max_request_body_size"]
