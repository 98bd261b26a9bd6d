"""The web app through Flask's test client: every route, every parameter error, headers, hostile content."""
from __future__ import annotations

import contextlib
import html
from html.parser import HTMLParser
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factory import HOSTILE, write_article, write_collection
from search.indexer import sync
from search.searcher import Engine
from web import create_app
from web.app import CSP
from search.render import results_payload

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def links(page: str) -> list[str]:
    """The hrefs of the <a> elements of a page, unescaped."""
    return [html.unescape(h) for h in re.findall(r'<a[^>]*href="([^"]*)"', page)]


def hit_ids(page: str) -> list[str]:
    return re.findall(r'<li class="hit">\s*<article>\s*<h2><a href="/article/([^"?]+)', page)


def total_of(page: str) -> int:
    return int(re.search(r"<strong>([\d,]+)</strong>", page).group(1).replace(",", ""))


def source_counts(page: str) -> dict[str, int]:
    """The source facet as shown: {value: count}."""
    return {html.unescape(v): int(c) for v, c in re.findall(
        r'<input type="checkbox" name="source" value="([^"]*)"[^>]*>\s*<span class="name">[^<]*</span>\s*'
        r'<span class="count">(\d+)</span>', page)}


def checked_sources(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'name="source" value="([^"]*)" checked', page)]


def timeline_bars(page: str) -> list[tuple[str, str]]:
    """(href, aria-label) of each linked bar of the timeline."""
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    return [(html.unescape(h), html.unescape(l))
            for h, l in re.findall(r'<a href="([^"]*)" aria-label="([^"]*)"', svg.group())] if svg else []


# -- pages --------------------------------------------------------------------------------------------
def test_home_shows_the_collection_and_how_to_search(client):
    r = client.get("/")
    page = text_of(r)
    assert r.status_code == 200
    assert "Search 9 news articles" in page
    assert '<label for="q">' in page and 'id="q"' in page and "autofocus" in page
    assert 'role="search"' in page and "<main" in page and "<header" in page and "<footer" in page
    assert "2017-07-11" in page and "2018-10-02" in page  # the date span
    assert '/search?source=Reuters' in page and "Unknown source" in page
    examples = re.findall(r'<dt><a href="(/search\?q=[^"]*)"><code>([^<]*)</code>', page)
    assert len(examples) >= 8  # built from this collection's titles, sources and dates, each finding something
    assert ("/search?q=source:Reuters", "source:Reuters") in examples
    assert ("/search?q=date:2018-10", "date:2018-10") in examples
    assert ("/search?q=title:idlib", "title:idlib") in examples


def test_results_page_shows_ranked_hits_with_marked_snippets(client):
    r = client.get("/search?q=idlib")
    page = text_of(r)
    assert r.status_code == 200
    assert 'value="idlib"' in page  # the query stays in the box
    assert total_of(page) == 4
    assert re.search(r"1–4 of\s*<strong>4</strong> results\s*<span class=\"took\">\(\d+(\.\d)? ms\)</span>", page)
    assert "<mark>Idlib</mark>" in page
    ids = hit_ids(page)
    assert len(ids) == 4 and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    assert f'/article/{ids[0]}?q=idlib"' in page  # titles link to the article page, carrying the query
    assert "Reuters" in page and "Unknown source" in page and "undated" in page and "idlib-summit.txt" in page
    assert '<link rel="alternate" type="application/atom+xml"' in page


def test_browsing_without_words_lists_every_article_newest_first(client):
    page = text_of(client.get("/search"))
    assert total_of(page) == 9 and "All articles" in page
    dates = re.findall(r'<time datetime="([\d-]+)">', page)
    assert dates == sorted(dates, reverse=True)
    assert ">best match<" not in page  # relevance means nothing without words


def test_unbalanced_quotes_are_searched_leniently(client):
    r = client.get('/search?q="fate of idlib')
    assert r.status_code == 200 and total_of(text_of(r)) >= 1


def test_source_facet_is_multi_select_with_counts(client):
    page = text_of(client.get("/search?q=idlib"))
    assert source_counts(page) == {"Reuters": 2, "AFP": 1, "unknown": 1}

    one = text_of(client.get("/search?q=idlib&source=AFP"))
    assert total_of(one) == 1 and checked_sources(one) == ["AFP"]
    # a source's own counts ignore the source filter, so another one can be added (OR)
    assert source_counts(one) == {"Reuters": 2, "AFP": 1, "unknown": 1}

    two = text_of(client.get("/search?q=idlib&source=AFP&source=Reuters"))
    assert total_of(two) == 3 and checked_sources(two) == ["Reuters", "AFP"]
    unknown = text_of(client.get("/search?q=idlib&source=unknown"))
    assert total_of(unknown) == 1 and "Unknown source" in unknown


def test_a_date_filter_narrows_the_source_counts(client):
    assert source_counts(text_of(client.get("/search?q=syrian"))) == {"Reuters": 1, "AFP": 1}
    page = text_of(client.get("/search?q=syrian&since=2018-10-01"))
    assert total_of(page) == 1 and source_counts(page) == {"Reuters": 1}
    assert 'value="2018-10-01"' in page  # kept in the date input


def test_a_chosen_source_without_matches_can_still_be_unticked(client):
    page = text_of(client.get("/search?q=idlib&source=Nowhere"))
    assert total_of(page) == 0 and checked_sources(page) == ["Nowhere"]
    assert "No article matches with these filters" in page


def test_active_filters_are_removable_chips(client):
    page = text_of(client.get("/search?q=idlib&source=AFP&source=Reuters&since=2018-09&until=2018-09&sort=newest"))
    chips = re.search(r'<ul class="chips".*?</ul>', page, re.S).group()
    hrefs = links(chips)
    assert "/search?q=idlib&source=Reuters&since=2018-09&until=2018-09&sort=newest" in hrefs  # AFP removed
    assert "/search?q=idlib&source=AFP&since=2018-09&until=2018-09&sort=newest" in hrefs      # Reuters removed
    assert "/search?q=idlib&source=AFP&source=Reuters&until=2018-09&sort=newest" in hrefs     # since removed
    assert "/search?q=idlib&source=AFP&source=Reuters&since=2018-09&sort=newest" in hrefs     # until removed
    assert "/search?q=idlib&sort=newest" in hrefs                                             # all cleared
    # the header's search box keeps the filters, so a new query stays narrowed
    assert '<input type="hidden" name="source" value="AFP">' in page


def test_timeline_bars_link_to_their_month(client):
    page = text_of(client.get("/search?q=idlib+OR+saraqeb"))
    bars = timeline_bars(page)
    assert [label for _, label in bars] == ["Sep 2018: 3 articles", "Oct 2018: 1 article"]
    assert bars[0][0] == "/search?q=idlib+OR+saraqeb&since=2018-09&until=2018-09"
    assert "1 undated not shown" in page and "Matches per month" in page
    narrowed = text_of(client.get(bars[0][0]))
    assert total_of(narrowed) == 3
    assert 'class="bar active"' in narrowed
    assert "since 2018-09" in narrowed and "until 2018-09" in narrowed  # chips


def test_timeline_fills_empty_months_and_draws_no_inline_style(client):
    page = text_of(client.get("/search"))
    svg = re.search(r"<svg.*?</svg>", page, re.S).group()
    # 2017-07 .. 2018-10 is 16 months, of which 4 have articles
    assert svg.count('class="bar') == 16 and svg.count('class="bar none"') == 12
    assert "style" not in svg and "<script" not in svg


def test_timeline_counts_by_year_over_long_spans(client, articles_dir, index_dir):
    write_article(articles_dir, "old.txt", "An old Idlib story", "2010-03-01", "AFP", "Idlib in 2010.")
    sync(articles_dir, index_dir)
    bars = timeline_bars(text_of(client.get("/search?q=idlib")))
    assert bars[0] == ("/search?q=idlib&since=2010&until=2010", "2010: 1 article")
    assert bars[-1][1] == "2018: 3 articles"
    assert total_of(text_of(client.get(bars[0][0]))) == 1


def test_sort_switch_and_orders(client):
    page = text_of(client.get("/search?q=idlib"))
    assert '<a aria-current="true" href="/search?q=idlib">best match</a>' in page
    assert 'href="/search?q=idlib&amp;sort=newest"' in page
    newest = text_of(client.get("/search?q=idlib&sort=newest"))
    dates = re.findall(r'<time datetime="([\d-]+)">', newest)
    assert dates == sorted(dates, reverse=True) and "undated" in newest  # undated last
    oldest = text_of(client.get("/search?q=idlib&sort=oldest"))
    assert re.findall(r'<time datetime="([\d-]+)">', oldest) == sorted(dates)


def test_paging(client):
    first = text_of(client.get("/search?q=idlib&per_page=3"))
    assert re.search(r"1–3 of\s*<strong>4</strong>", first)
    assert 'rel="next" href="/search?q=idlib&amp;per_page=3&amp;page=2"' in first
    assert '<a aria-current="page"' in first and 'rel="prev"' not in first
    second = text_of(client.get("/search?q=idlib&per_page=3&page=2"))
    assert re.search(r"4–4 of\s*<strong>4</strong>", second) and 'start="4"' in second
    assert 'rel="prev" href="/search?q=idlib&amp;per_page=3"' in second and 'rel="next"' not in second
    assert len(hit_ids(second)) == 1 and not set(hit_ids(first)) & set(hit_ids(second))


def test_suggestion_is_a_link_and_the_fallback_notice_is_shown(client):
    page = text_of(client.get("/search?q=marathin&source=i24NEWS"))
    assert 'Did you mean <a href="/search?q=marathon&amp;source=i24NEWS">marathon</a>?' in page
    page = text_of(client.get("/search?q=idlib+marathon"))
    assert "No article has all of" in page and total_of(page) == 5


def test_article_page(client):
    ids = hit_ids(text_of(client.get("/search?q=sochi")))
    r = client.get(f"/article/{ids[0]}")
    page = text_of(r)
    assert r.status_code == 200
    assert '<h1 id="article-title">Erdoğan and Putin meet in Sochi over Idlib</h1>' in page
    assert "<dd><a href=\"/search?source=Reuters\">Reuters</a></dd>" in page
    assert '<time datetime="2018-09-17">' in page and "idlib-summit.txt" in page
    assert "<p>Turkish President Tayyip Erdoğan met" in page and "<p>The fate of Idlib was at stake" in page
    assert "<mark>" not in page  # not reached from a search
    assert "Related articles" in page and page.count('href="/article/') >= 2


def test_article_page_marks_the_query_terms(client):
    ids = hit_ids(text_of(client.get("/search?q=sochi")))
    page = text_of(client.get(f"/article/{ids[0]}?q=idlib+putin"))
    assert "<mark>Idlib</mark>" in page and "<mark>Putin</mark>" in page
    assert 'href="/search?q=idlib+putin"' in page  # back to the results
    phrase = text_of(client.get(f'/article/{ids[0]}?q="fate of idlib"'))
    assert "<mark>fate of Idlib</mark>" in phrase
    # a query that cannot be run marks nothing but still shows the article
    broken = client.get(f"/article/{ids[0]}?q=*")
    assert broken.status_code == 200 and "<mark>" not in text_of(broken)


@pytest.mark.parametrize("article_id", ["hostile-0000000000000000", "no", "..", "UPPER-3f49768a", "a" * 300,
                                        "%3Cscript%3E", "hostile-e4b738d99b911e6e%00"])
def test_unknown_or_malformed_article_id_is_a_404_page(client, article_id):
    r = client.get(f"/article/{article_id}")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "<script>" not in text_of(r) and 'role="search"' in text_of(r)


def test_paths_never_come_from_the_url(client):
    assert client.get("/article/..%2f..%2fetc%2fpasswd").status_code == 404
    assert client.get("/api/articles/..%2fconftest.py").status_code == 404


# -- parameter errors ---------------------------------------------------------------------------------
BAD_PARAMS = [
    ("q=idlib&page=abc", "whole numbers"),
    ("q=idlib&page=0", "page must be 1 or more"),
    ("q=idlib&page=99999", "Only the first 10,000 results"),
    ("q=idlib&page=5", "past the last page"),
    ("q=idlib&per_page=1000", "per_page must be between 1 and 100"),
    ("q=idlib&per_page=-1", "per_page must be between 1 and 100"),
    ("q=idlib&since=notadate", "is not a date"),
    ("q=idlib&until=2018-13", "is not a date"),
    ("q=idlib&since=2018-02-31", "is not a date"),
    ("q=idlib&since=2019&until=2018", "is after until"),
    ("q=idlib&sort=bogus", "sort must be one of"),
    ("q=*", "A bare * would match every article"),
    ("q=*lib", "wildcard can only end a word"),
    ("q=date:2018-99", "is not a date"),
]


@pytest.mark.parametrize("query, message", BAD_PARAMS)
def test_bad_parameters_give_a_400_page_that_keeps_the_search_box(client, query, message):
    r = client.get(f"/search?{query}")
    page = text_of(r)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert message in html.unescape(page)
    q = parse_qs(query).get("q", [""])[0]
    shown = html.escape(q[:600])  # an error page echoes a bounded part of what was typed
    assert f'id="q" name="q" type="search" value="{shown}"' in page      # the header's box
    assert f'id="retry-q" name="q" type="search" value="{shown}"' in page  # the form to fix it
    assert "Traceback" not in page


@pytest.mark.parametrize("query, message", BAD_PARAMS)
def test_bad_parameters_give_a_400_json_error_in_the_api(client, query, message):
    r = client.get(f"/api/search?{query}")
    assert r.status_code == 400 and r.mimetype == "application/json"
    assert set(r.get_json()) == {"error"} and message in r.get_json()["error"]


def test_bad_parameters_in_the_feed_are_a_400(client):
    assert client.get("/search.atom?q=*").status_code == 400
    assert client.get("/search.atom?since=notadate").status_code == 400


def test_a_400_page_lets_the_user_fix_a_bad_filter(client):
    page = text_of(client.get("/search?q=idlib&source=AFP&since=notadate&sort=bogus"))
    assert 'id="retry-since" name="since" type="text" value="notadate"' in page
    assert '<input type="checkbox" name="source" value="AFP" checked>' in page
    assert '<option value="relevance">' in page  # bogus is not selected: submitting gives a valid sort


def test_a_10000_character_query_without_a_word_is_refused_politely(client):
    # a long text is read as an example text (tests/test_like.py); one without any word has nothing to search
    r = client.get("/search", query_string={"q": "x" * 10_000})
    assert r.status_code == 400 and "Nothing to search for" in text_of(r)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=60), source=st.lists(st.text(max_size=12), max_size=3),
       since=st.text(max_size=12), until=st.one_of(st.just(""), st.text(max_size=12)),
       sort=st.sampled_from(["", "relevance", "newest", "oldest", "x"]), page=st.text(max_size=4),
       per_page=st.text(max_size=4), path=st.sampled_from(["/search", "/api/search", "/search.atom"]))
def test_no_input_gives_a_500(shared_client, q, source, since, until, sort, page, per_page, path):
    """TESTING propagates exceptions, so anything that would reach the 500 handler fails here."""
    r = shared_client.get(path, query_string={"q": q, "source": source, "since": since, "until": until,
                                              "sort": sort, "page": page, "per_page": per_page})
    assert r.status_code in (200, 400)
    assert r.headers["Content-Security-Policy"] == CSP


@settings(max_examples=80, deadline=None)
@given(article_id=st.text(min_size=1, max_size=80).filter(lambda s: "/" not in s))
def test_no_article_id_gives_a_500(shared_client, article_id):
    for prefix in ("/article/", "/api/articles/"):
        assert shared_client.get(prefix + article_id).status_code in (200, 404, 308)


# -- JSON API -----------------------------------------------------------------------------------------
def test_api_search_returns_the_object_of_query_json(client, index_dir):
    r = client.get("/api/search?q=idlib&source=Reuters&source=AFP&since=2018-09&per_page=2&sort=newest")
    assert r.status_code == 200 and r.mimetype == "application/json"
    got = r.get_json()
    with Engine(index_dir) as engine:
        want = results_payload(engine.search("idlib", sources=("Reuters", "AFP"), since="2018-09",
                                             per_page=2, sort="newest"))
    got.pop("took_ms"), want.pop("took_ms")
    assert got == json.loads(json.dumps(want))
    assert list(r.get_json()) == ["query", "total", "page", "per_page", "took_ms", "suggestion", "notice",
                                  "fallback_query", "sort",
                                  "hits", "facets", "date_unit",
                                  "like_words", "more_total", "more",
                                  "articles", "stories", "all_versions"]  # the documented order, then like/more's, then stories'
    hit = got["hits"][0]
    assert set(hit) == {"id", "title", "date", "source", "path", "score", "snippet", "snippet_html", "story", "versions"}


def test_api_article(client):
    hit = client.get("/api/search?q=sochi").get_json()["hits"][0]
    r = client.get(f"/api/articles/{hit['id']}")
    data = r.get_json()
    assert r.status_code == 200
    assert data["title"] == "Erdoğan and Putin meet in Sochi over Idlib" and data["source"] == "Reuters"
    assert data["date"] == "2018-09-17" and data["path"] == "idlib-summit.txt"
    assert data["text"].startswith("Turkish President") and data["related"]
    assert set(data["related"][0]) == {"id", "title", "date", "source"}


@pytest.mark.parametrize("url, status", [
    ("/api/articles/hostile-0000000000000000", 404), ("/api/articles/not%20an%20id", 404), ("/api/nothing", 404),
])
def test_api_errors_are_json(client, url, status):
    r = client.get(url)
    assert r.status_code == status and r.mimetype == "application/json" and set(r.get_json()) == {"error"}


def test_api_method_not_allowed_is_json_and_says_allow(client):
    r = client.post("/api/search?q=idlib")
    assert r.status_code == 405 and r.get_json()["error"] and "GET" in r.headers["Allow"]


# -- feeds, OpenSearch, health ------------------------------------------------------------------------
def test_atom_feed_lists_the_newest_matches(client):
    r = client.get("/search.atom?q=idlib+OR+saraqeb&source=Reuters")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = ET.fromstring(r.data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3 and feed.find(f"{OPENSEARCH}totalResults").text == "3"
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True) and updated[0] == "2018-10-02T00:00:00Z"
    assert feed.find(f"{ATOM}updated").text >= updated[0]
    first = entries[0]
    assert first.find(f"{ATOM}id").text.startswith("http://127.0.0.1:5000/article/")
    assert first.find(f"{ATOM}link").get("href") == first.find(f"{ATOM}id").text
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Reuters"
    assert "Saraqeb" in first.find(f"{ATOM}summary").text
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == \
        "http://127.0.0.1:5000/search.atom?q=idlib+OR+saraqeb&source=Reuters"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == \
        "http://127.0.0.1:5000/search?q=idlib+OR+saraqeb&source=Reuters"


@settings(max_examples=60, deadline=None)
@given(q=st.text(max_size=30))
def test_atom_feed_is_well_formed_xml_whatever_the_query(shared_client, q):
    r = shared_client.get("/search.atom", query_string={"q": q})
    if r.status_code == 200:
        ET.fromstring(r.data)  # raises on a character XML cannot carry
    else:
        assert r.status_code == 400


def test_atom_feed_without_words_follows_the_whole_collection(client):
    feed = ET.fromstring(client.get("/search.atom").data)
    assert len(feed.findall(f"{ATOM}entry")) == 9


def test_opensearch_description_and_link_on_every_page(client):
    r = client.get("/opensearch.xml")
    assert r.status_code == 200 and r.mimetype == "application/opensearchdescription+xml"
    doc = ET.fromstring(r.data)
    templates = {u.get("type"): u.get("template") for u in doc.findall(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == "http://127.0.0.1:5000/search?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://127.0.0.1:5000/search.atom?q={searchTerms}"
    assert doc.find(f"{OPENSEARCH}ShortName").text
    ids = hit_ids(text_of(client.get("/search?q=sochi")))
    for url in ["/", "/search?q=idlib", f"/article/{ids[0]}", "/search?page=abc", "/article/nope", "/nowhere"]:
        assert '<link rel="search" type="application/opensearchdescription+xml"' in text_of(client.get(url)), url


def test_the_index_comes_from_the_config_else_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCH_INDEX", str(tmp_path / "from-env"))
    assert create_app().config["SEARCH_INDEX"] == str(tmp_path / "from-env")
    assert create_app({"SEARCH_INDEX": str(tmp_path / "given")}).config["SEARCH_INDEX"] == str(tmp_path / "given")
    monkeypatch.delenv("SEARCH_INDEX")
    monkeypatch.chdir(tmp_path)
    assert create_app().config["SEARCH_INDEX"] == str(tmp_path / "index")


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "articles": 9}


def test_without_an_index_pages_say_so_with_503(tmp_path):
    client = create_app({"TESTING": True, "SEARCH_INDEX": str(tmp_path / "none")}).test_client()
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable" and "search index" in r.get_json()["error"]
    api = client.get("/api/search?q=idlib")
    assert api.status_code == 503 and "search index" in api.get_json()["error"]
    page = client.get("/")
    assert page.status_code == 503 and "search index" in text_of(page) and 'role="search"' in text_of(page)
    assert client.get("/search?q=idlib").status_code == 503
    assert client.get("/article/hostile-e4b738d99b911e6e").status_code == 503


def test_a_damaged_index_is_a_503_health_check(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "CURRENT").write_text("{not json", encoding="utf-8")
    client = create_app({"TESTING": True, "SEARCH_INDEX": str(tmp_path / "index")}).test_client()
    assert client.get("/healthz").status_code == 503


def test_the_app_sees_a_new_sync_without_a_restart(client, app, articles_dir, index_dir):
    engine = app.extensions["search_engine"]
    assert total_of(text_of(client.get("/search?q=zebra"))) == 0
    write_article(articles_dir, "zebra.txt", "Zebra escapes from zoo", "2018-11-05", "AFP", "A zebra ran free.")
    sync(articles_dir, index_dir)
    page = text_of(client.get("/search?q=zebra"))
    assert total_of(page) == 1 and "<mark>Zebra</mark> escapes" in page
    assert client.get("/healthz").get_json()["articles"] == 10
    assert app.extensions["search_engine"] is engine  # the same engine, refreshed, not a new one


def test_the_app_sees_an_index_run_in_another_process(client, articles_dir, index_dir):
    assert total_of(text_of(client.get("/search?q=okapi"))) == 0
    write_article(articles_dir, "okapi.txt", "Okapi born at the zoo", "2018-11-06", "AFP", "An okapi calf was born.")
    done = subprocess.run([sys.executable, "-m", "search", "--articles", str(articles_dir), "--index", str(index_dir),
                           "index"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert total_of(text_of(client.get("/search?q=okapi"))) == 1


def test_the_engine_is_not_reopened_when_the_index_did_not_change(client, app):
    engine = app.extensions["search_engine"]
    client.get("/search?q=idlib")
    snapshot = engine._snapshot
    client.get("/search?q=putin")
    client.get("/healthz")
    assert engine._snapshot is snapshot


# -- headers and the error page of last resort --------------------------------------------------------
HEADER_URLS = ["/", "/search?q=idlib", "/search?page=abc", "/article/nope", "/article/hostile-e4b738d99b911e6e",
               "/api/search?q=idlib", "/api/search?page=0", "/api/articles/nope", "/search.atom?q=idlib",
               "/opensearch.xml", "/healthz", "/static/style.css", "/static/icon.svg", "/static/missing.css",
               "/nowhere"]


@pytest.mark.parametrize("url", HEADER_URLS)
def test_security_headers_on_every_response(client, url):
    r = client.get(url)
    assert r.headers["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_security_headers_on_405_and_redirects(client):
    for r in (client.post("/search"), client.get("/article/")):
        assert r.headers["Content-Security-Policy"] == CSP and r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/", "/search?q=idlib", "/search", "/article/hostile-e4b738d99b911e6e?q=idlib",
                                 "/search?page=abc", "/article/nope"])
def test_pages_have_no_inline_script_or_style(client, url):
    page = text_of(client.get(url))
    tags = _Tags(page).tags
    assert [a for t, a in tags if t == "script"] == [{"src": "/static/filters.js", "defer": None}]
    assert re.findall(r"<script[^>]*>(.*?)</script>", page, re.S) == [""]  # no inline code
    assert not [t for t, _ in tags if t == "style"]
    assert not [(t, a) for t, a in tags if "style" in a or any(name.startswith("on") for name in a)]


def test_unexpected_errors_give_a_plain_500_without_traceback(index_dir, caplog):
    app = create_app({"SEARCH_INDEX": str(index_dir)})

    def boom():
        raise RuntimeError("secret internals")
    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    client = app.test_client()
    r = client.get("/boom")
    assert r.status_code == 500 and r.mimetype == "text/html"
    assert "Something went wrong" in text_of(r)
    assert "secret internals" not in text_of(r) and "Traceback" not in text_of(r)
    assert r.headers["Content-Security-Policy"] == CSP
    assert "secret internals" in caplog.text  # logged with its traceback
    api = client.get("/api/boom")
    assert api.status_code == 500 and "secret" not in api.get_json()["error"]


# -- hostile content ----------------------------------------------------------------------------------
class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's tokenizer would see them."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(page: str, scripts=({"src": "/static/filters.js", "defer": None},)):
    """Nothing in the page can run script: no script-capable tag but the timeline's, no on* attribute,
    no javascript: URL, and none of the hostile strings appears raw."""
    for raw in HOSTILE[:3]:
        assert raw not in page, raw
    tags = _Tags(page).tags
    assert not [t for t, a in tags if t in ("img", "iframe", "object", "embed", "style")]
    assert [a for t, a in tags if t == "script"] == list(scripts)  # only the one same-origin file
    assert [t for t, _ in tags].count("svg") <= 1  # the timeline
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        for name in ("href", "src", "action"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (tag, attrs)


def test_hostile_article_is_inert_on_the_results_page(client):
    page = text_of(client.get("/search?q=hostile+image"))
    assert total_of(page) == 1
    assert_inert(page)
    assert "<mark>Hostile</mark> &lt;script&gt;alert(1)&lt;/script&gt; headline" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_hostile_article_is_inert_on_its_page(client):
    page = text_of(client.get("/article/hostile-e4b738d99b911e6e?q=alert+hostile"))
    assert_inert(page)
    assert "<mark>alert</mark>" in page and "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in page
    assert "javascript:<mark>alert</mark>(1)" in page  # the link text, as text


def test_hostile_queries_via_query_string_are_inert(client):
    for q in HOSTILE:
        for params in ({"q": q}, {"q": "idlib", "source": q}, {"q": "idlib", "until": q}, {"q": q, "sort": q}):
            r = client.get("/search", query_string=params)
            assert r.status_code in (200, 400)
            assert_inert(text_of(r))
        r = client.get("/article/hostile-e4b738d99b911e6e", query_string={"q": q})
        assert r.status_code == 200 and "alert" in text_of(r)
        assert_inert(text_of(r))


def test_hostile_article_in_json_is_data_and_its_html_only_marks(client):
    data = client.get("/api/search?q=hostile+alert").get_json()
    hit = data["hits"][0]
    assert hit["title"] == f"Hostile {HOSTILE[0]} headline {HOSTILE[2]}"  # JSON carries the text as it is
    tags = re.findall(r"</?([a-zA-Z][^\s>/]*)", hit["snippet_html"])
    assert tags and set(tags) == {"mark"}
    for raw in HOSTILE[:3]:
        assert raw not in hit["snippet_html"]
    article = client.get(f"/api/articles/{hit['id']}").get_json()
    assert HOSTILE[1] in article["text"]
    r = client.get("/api/search?q=hostile")
    assert r.mimetype == "application/json" and r.headers["X-Content-Type-Options"] == "nosniff"


def test_hostile_article_in_the_feed_is_text(client):
    r = client.get("/search.atom?q=hostile")
    assert_inert(text_of(r), scripts=())
    entry = ET.fromstring(r.data).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == f"Hostile {HOSTILE[0]} headline {HOSTILE[2]}"
    assert entry.find(f"{ATOM}title").get("type") == "text"


def test_a_400_page_does_not_carry_the_bad_filter_into_the_next_query(client):
    page = text_of(client.get("/search?q=idlib&since=notadate"))
    header = re.search(r'<header class="site">.*?</header>', page, re.S).group()
    assert 'name="since"' not in header and 'value="idlib"' in header


def test_the_fallback_notice_links_the_any_word_search(client):
    page = client.get("/search?q=saraqeb+marathon").get_data(as_text=True)
    assert "showing articles with any of them" in page
    assert 'href="/search?q=saraqeb+OR+marathon' in page


def test_a_long_query_notice_links_the_every_word_search(client):
    page = client.get("/search?q=erdogan+putin+sochi+idlib+geneva").get_data(as_text=True)
    assert "finds articles with any of them" in page
    assert 'href="/search?q=erdogan+AND+putin+AND+sochi+AND+idlib+AND+geneva' in page
    strict = client.get("/search?q=erdogan+AND+putin+AND+sochi+AND+idlib+AND+geneva").get_data(as_text=True)
    assert "any of them" not in strict


# -- the Host header, what errors show ---------------------------------------------
EVIL = {"Host": "evil.example:666"}


def test_absolute_urls_come_from_the_base_url_never_the_host_header(index_dir, articles_dir):
    app = create_app({"SEARCH_INDEX": str(index_dir), "SEARCH_ARTICLES": str(articles_dir),
                      "SEARCH_BASE_URL": "https://news.example.org/"})
    client = app.test_client()
    for url in ["/opensearch.xml", "/search.atom?q=idlib", "/search?q=idlib", "/", "/static//style.css"]:
        r = client.get(url, headers=EVIL)
        assert "evil.example" not in text_of(r) and "evil.example" not in str(r.headers), url
    doc = ET.fromstring(client.get("/opensearch.xml", headers=EVIL).data)
    templates = {u.get("type"): u.get("template") for u in doc.findall(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == "https://news.example.org/search?q={searchTerms}"
    feed = ET.fromstring(client.get("/search.atom?q=idlib", headers=EVIL).data)
    assert feed.find(f"{ATOM}id").text == "https://news.example.org/search.atom?q=idlib"
    assert all(e.find(f"{ATOM}id").text.startswith("https://news.example.org/article/")
               for e in feed.findall(f"{ATOM}entry"))
    redirect = client.get("/static//style.css", headers=EVIL)
    assert redirect.status_code == 308 and redirect.headers["Location"] == "https://news.example.org/static/style.css"


@pytest.mark.parametrize("url, ok", [("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
                                     ("https://News.Example.org/", "https://news.example.org"),
                                     ("http://[::1]:5000", "http://[::1]:5000")])
def test_base_urls_are_normalised(url, ok):
    from web.app import check_base_url
    assert check_base_url(url) == ok


@pytest.mark.parametrize("url", ["ftp://x", "news.example.org", "http://x/sub/path", "http://u:p@x", "http://x:99999",
                                 "http://x/?q=1"])
def test_base_urls_that_are_not_one_are_refused(url):
    from web.app import check_base_url
    with pytest.raises(ValueError):
        check_base_url(url)


def test_the_base_url_defaults_from_the_bind_address():
    from web.app import base_url_from_bind
    assert base_url_from_bind("127.0.0.1", 5000) == "http://127.0.0.1:5000"
    assert base_url_from_bind("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert base_url_from_bind("::", 8000) == "http://[::1]:8000"
    assert base_url_from_bind("::1", 80) == "http://[::1]:80"
    assert base_url_from_bind("localhost", 80) == "http://localhost:80"


def test_error_pages_echo_bounded_input(client):
    huge_q = client.get("/search", query_string={"q": "idlib " * 40_000})  # 240 KB: read as an example text
    assert huge_q.status_code == 200 and len(huge_q.data) < 20_000
    many = client.get("/search?" + "&".join(f"source=s{i}" for i in range(10_000)))
    assert many.status_code == 400 and len(many.data) < 30_000 and "At most 50 sources" in text_of(many)
    api = client.get("/api/search", query_string={"since": "x" * 100_000})
    assert api.status_code == 400 and len(api.data) < 1_000
    article = client.get("/article/" + "a" * 50_000)
    assert article.status_code == 404 and len(article.data) < 20_000
    back_link = client.get(f"/article/{hit_ids(text_of(client.get('/search?q=sochi')))[0]}",
                           query_string={"q": "q" * 200_000})
    assert back_link.status_code == 200 and len(back_link.data) < 20_000


def test_no_server_path_reaches_a_client(tmp_path):
    hidden = tmp_path / "secret-place"
    client = create_app({"TESTING": True, "SEARCH_INDEX": str(hidden)}).test_client()
    for url in ["/healthz", "/", "/search?q=idlib", "/api/search?q=idlib", "/search.atom", "/suggest?q=id"]:
        r = client.get(url)
        assert r.status_code == 503 and "secret-place" not in text_of(r) and str(tmp_path) not in text_of(r), url
        assert "search index" in text_of(r)
    (hidden).mkdir()
    (hidden / "CURRENT").write_text("{not json", encoding="utf-8")
    assert "secret-place" not in text_of(client.get("/healthz"))


def test_waitress_own_error_answers_carry_the_security_headers(app):
    import socket
    import threading
    from web.server import LIMITS, create_server
    server = create_server(app, "127.0.0.1", 0, 1)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        def ask(raw: bytes) -> bytes:
            with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as s:
                s.sendall(raw)
                s.shutdown(socket.SHUT_WR)
                data = b""
                with contextlib.suppress(ConnectionResetError):  # waitress closes at once after an error
                    while chunk := s.recv(65536):
                        data += chunk
                return data
        # small requests that waitress reads whole before answering (a large one could be cut by a reset)
        too_big = ask(b"GET /search?q=x HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                      % (LIMITS["max_request_body_size"] + 1))
        bad_coding = ask(b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        ok = ask(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        adjustments = server.adj
    finally:
        server.close()
    assert adjustments.max_request_header_size == 32 * 1024 and adjustments.channel_timeout == 30
    assert adjustments.max_request_body_size == 512 * 1024 and not adjustments.expose_tracebacks
    for answer, status in ((too_big, b"413"), (bad_coding, b"501"), (ok, b"200")):
        head = answer.split(b"\r\n\r\n")[0]
        assert head.split(b" ")[1] == status, head
        assert f"Content-Security-Policy: {CSP}".encode() in head and b"X-Content-Type-Options: nosniff" in head


# -- HTTP: validators, 304s, compression ------------------------------------------------------------
CACHED_URLS = ["/", "/search?q=idlib", "/api/search?q=idlib", "/search.atom?q=idlib", "/opensearch.xml",
               "/suggest?q=id"]


@pytest.mark.parametrize("url", CACHED_URLS)
def test_pages_carry_validators_and_answer_304_without_searching(client, app, monkeypatch, url):
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"gen-') and first.headers["Cache-Control"] == "no-cache"
    calls = []
    engine = app.extensions["search_engine"]
    for name in ("search", "suggest", "stats", "get"):
        original = getattr(engine, name)
        monkeypatch.setattr(engine, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k))
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert calls == []  # answered from the validator alone
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_sync_changes_the_validator(client, articles_dir, index_dir):
    etag = client.get("/search?q=idlib").headers["ETag"]
    write_article(articles_dir, "new.txt", "Idlib again", "2018-11-01", "AFP", "More on Idlib.")
    sync(articles_dir, index_dir)
    fresh = client.get("/search?q=idlib", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag and total_of(text_of(fresh)) == 5


def test_errors_and_health_are_not_cached(client):
    for url in ["/search?page=abc", "/healthz", "/nowhere", "/api/search?page=0"]:
        r = client.get(url)
        assert "ETag" not in r.headers and r.headers["Cache-Control"] == "no-store", url


@pytest.mark.parametrize("url", ["/search?q=idlib", "/api/search?q=idlib&per_page=100", "/static/style.css",
                                 "/search.atom"])
def test_text_answers_are_gzipped_when_accepted(client, url):
    import gzip
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    assert normalise_took(gzip.decompress(packed.data)) == normalise_took(plain.data)
    assert packed.headers["ETag"] != plain.headers["ETag"]  # another representation, another validator
    revalidated = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == packed.headers["ETag"]
    assert client.get(url, headers={"Accept-Encoding": "gzip;q=0"}).headers.get("Content-Encoding") is None


def normalise_took(data: bytes) -> bytes:
    return re.sub(rb"(took_ms\": ?|\()[\d.]+( ms)?", b"T", data)


# -- OpenSearch suggestions ------------------------------------------------------------------------------
def test_suggestions_complete_title_words_and_titles(client):
    r = client.get("/suggest?q=sar")
    assert r.status_code == 200 and r.mimetype == "application/x-suggestions+json"
    assert r.get_json() == ["sar", ["saraqeb"]]
    typed = client.get("/suggest", query_string={"q": "Syrian off"}).get_json()
    assert typed == ["Syrian off", ["Syrian offensive", "Syrian offensive on Idlib looms"]]
    assert client.get("/suggest?q=").get_json() == ["", []]
    assert client.get("/suggest", query_string={"q": "<script>" * 1000}).status_code == 200
    doc = ET.fromstring(client.get("/opensearch.xml").data)
    templates = {u.get("type"): u.get("template") for u in doc.findall(f"{OPENSEARCH}Url")}
    assert templates["application/x-suggestions+json"] == "http://127.0.0.1:5000/suggest?q={searchTerms}"


def test_suggestion_work_is_bounded_whatever_the_collection(monkeypatch):
    from search import suggest
    lexicon = suggest.Lexicon([f"aa{i:05d} story" for i in range(20_000)])
    scanned = []
    real = suggest.heapq.nsmallest
    monkeypatch.setattr(suggest.heapq, "nsmallest", lambda n, it, key: scanned.append(len(it)) or real(n, it, key))
    out = suggest.suggestions(lexicon, "a", limit=50)
    assert len(out) == suggest.MAX_SUGGESTIONS and max(scanned) <= suggest.MAX_SCAN
    assert suggest.suggestions(lexicon, "x" * 10_000) == []


# -- Atom ------------------------------------------------------------------------------------------------
def test_atom_undated_entries_keep_their_time_across_syncs(client, articles_dir, index_dir):
    def undated_stamps():
        feed = ET.fromstring(client.get("/search.atom?q=putin").data)
        return {e.find(f"{ATOM}title").text: e.find(f"{ATOM}updated").text for e in feed.findall(f"{ATOM}entry")}
    before = undated_stamps()["Putin says Idlib deal holds"]
    write_article(articles_dir, "other.txt", "Something else", "2018-11-01", "AFP", "Unrelated text.")
    sync(articles_dir, index_dir)
    assert undated_stamps()["Putin says Idlib deal holds"] == before != "1970-01-01T00:00:00Z"


def test_atom_title_names_the_filters(client):
    feed = ET.fromstring(client.get("/search.atom?q=idlib&source=Reuters&source=AFP&since=2018-09").data)
    assert feed.find(f"{ATOM}title").text == "Article search: idlib · Reuters or AFP · from 2018-09"
    whole = ET.fromstring(client.get("/search.atom").data)
    assert whole.find(f"{ATOM}title").text == "Article search: newest articles"


def test_atom_bad_query_is_plain_text_not_html(client):
    r = client.get("/search.atom?q=*")
    assert r.status_code == 400 and r.mimetype == "text/plain" and "<" not in text_of(r)
    assert "A bare * would match every article" in text_of(r)


# -- collections without dates, with one source --------------------------------------------------------
UNDATED = [(f"business/{i:03d}.txt", title, None, "BBC", body) for i, (title, body) in enumerate([
    ("Football club profits rise", "The football club reported rising profits and new sponsors."),
    ("Football fans protest ticket prices", "Fans of the football club protested over ticket prices."),
    ("Bank profits fall", "The bank said profits fell as bad loans rose."),
    ("Club signs new striker", "The club signed a striker from a rival football club."),
    ("Ticket prices rise again", "Ticket prices rose again this season, fans said."),
])]


@pytest.fixture
def undated_client(tmp_path):
    folder = write_collection(tmp_path / "bbc", UNDATED)
    sync(folder, tmp_path / "ix")
    return create_app({"SEARCH_INDEX": str(tmp_path / "ix"), "SEARCH_ARTICLES": str(folder)}).test_client()


def test_home_examples_come_from_the_collection_and_all_find_something(undated_client):
    page = text_of(undated_client.get("/"))
    examples = re.findall(r'<dt><a href="(/search\?q=[^"]*)"><code>([^<]*)</code>', page)
    assert len(examples) >= 6
    assert not [q for _, q in examples if "idlib" in q.lower() or "date:" in q]
    for href, query in examples:
        assert total_of(text_of(undated_client.get(html.unescape(href)))) > 0, query
    assert 'placeholder="e.g. football club"' in page or 'placeholder="e.g. club football"' in page
    assert "Browse the newest" not in page and "No article states a date" in page
    assert "Every article comes from BBC" in page


def test_results_of_an_undated_collection_say_why_there_is_no_timeline(undated_client):
    page = text_of(undated_client.get("/search?q=football"))
    assert "<svg" not in page and "No article in this collection states a date" in page
    assert ">newest<" not in page and 'name="since"' not in page  # no controls that cannot work
    assert "Every article in this collection comes from BBC" in page
    browse = text_of(undated_client.get("/search"))
    assert "listed by file name" in browse and ">newest<" not in browse


def test_a_date_filter_says_it_leaves_undated_articles_out(client):
    page = text_of(client.get("/search?q=marathon&source=i24NEWS&since=2018"))
    assert source_counts(page).get("i24NEWS", 0) == 0 or "i24NEWS" in page
    assert "a date filter leaves undated articles out" in page


# -- the timeline reads ---------------------------------------------------------------------------------
def test_timeline_over_decades_has_year_labels_and_a_table(tmp_path):
    folder = write_collection(tmp_path / "a", [
        ("old.txt", "Oil shock", "1987-03-02", "Reuters", "Oil prices in 1987."),
        ("mid.txt", "Oil again", "2001-05-02", "AFP", "Oil prices in 2001."),
        *[(f"new{i}.txt", f"Oil now {i}", "2018-09-17", "AFP", "Oil prices in 2018.") for i in range(12)],
    ])
    sync(folder, tmp_path / "ix")
    client = create_app({"SEARCH_INDEX": str(tmp_path / "ix"), "SEARCH_ARTICLES": str(folder)}).test_client()
    page = text_of(client.get("/search?q=oil"))
    svg = re.search(r"<svg.*?</svg>", page, re.S).group()
    assert svg.count('class="bar') == 32  # 1987..2018, one slot a year
    labels = re.findall(r'<text class="axis-label[^"]*"[^>]*>([^<]+)</text>', svg)
    assert labels[:2] == ["12", "0"]  # the count axis: the tallest bar and zero
    assert {"1990", "2000", "2010"} <= set(labels[2:])  # the time axis, every 5 or 10 years as they fit
    table = re.search(r"<table>.*?</table>", page, re.S).group()
    rows = re.findall(r'<tr><th scope="row"><a href="([^"]*)">([^<]+)</a></th><td>([\d,]+)</td></tr>', table)
    assert [(label, count) for _, label, count in rows] == [("1987", "1"), ("2001", "1"), ("2018", "12")]
    assert html.unescape(rows[0][0]) == "/search?q=oil&since=1987&until=1987"


def test_one_month_is_one_ordinary_bar_with_its_count(client):
    page = text_of(client.get("/search?q=saraqeb"))
    svg = re.search(r"<svg.*?</svg>", page, re.S).group()
    from web.timeline import MAX_SLOT
    widths = [float(w) for w in re.findall(r'<rect class="bar[^"]*" x="[^"]*" y="[^"]*" width="([^"]*)"', svg)]
    assert len(widths) == 1 and widths[0] <= MAX_SLOT  # no padding months, no band across the chart
    assert re.search(r'<text class="count-label"[^>]*>1</text>', svg)
    assert ">Oct<" in svg and ">2018<" in svg


# -- the script -------------------------------------------------------------------------------------------
def test_the_one_script_is_same_origin_static_code(client):
    r = client.get("/static/filters.js")
    assert r.status_code == 200 and r.mimetype in ("text/javascript", "application/javascript")
    code = text_of(r)
    assert "eval(" not in code and "innerHTML" not in code and "fetch(" not in code
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_suggestions_follow_a_sync_and_no_request_waits_for_the_rebuild(articles_dir, index_dir):
    import threading
    engine = Engine(index_dir)
    assert engine.suggest("zan") == []
    write_article(articles_dir, "zanzibar.txt", "Zanzibar ferry sinks", "2018-11-01", "AFP", "A ferry sank.")
    sync(articles_dir, index_dir)
    first = engine.suggest("zan")  # answered at once from the previous lexicon while the new one is built
    assert first in ([], ["zanzibar", "Zanzibar ferry sinks"])
    for thread in threading.enumerate():
        if thread.name == "suggest-lexicon":
            thread.join(timeout=30)
    assert engine.suggest("zan") == ["zanzibar", "Zanzibar ferry sinks"]
    engine.close()


class _Params:
    since = until = ""

    def with_period(self, since, until):
        return f"/search?since={since}&until={until}"


@pytest.mark.parametrize("unit, first, last", [("month", "2018-09", "2018-09"), ("month", "2016-01", "2018-12"),
                                               ("month", "2018-02", "2018-11"), ("year", "2015", "2018"),
                                               ("year", "1987", "2018"), ("year", "1900", "2026"),
                                               ("year", "1001", "2026")])
def test_timeline_labels_never_overlap_and_bars_fit_the_plot(unit, first, last):
    from search.facets import FacetValue
    from web import timeline
    facet = [FacetValue(first, 3), FacetValue(last, 1000)] if first != last else [FacetValue(first, 7)]
    t = timeline.build(facet, unit, _Params())
    for line in (0, 1):
        ticks = [k for k in t.ticks if k.line == line]
        for a, b in zip(ticks, ticks[1:]):
            assert b.pos - a.pos >= (len(a.text) + len(b.text)) / 2 * timeline.CHAR, (a, b)
    assert t.ticks and all(timeline.LEFT <= k.pos <= t.plot_right for k in t.ticks)
    assert all(b.width <= timeline.MAX_SLOT and timeline.LEFT <= b.x and b.x + b.width <= t.plot_right for b in t.bars)
    assert t.width <= timeline.LEFT + timeline.PLOT_WIDTH + timeline.RIGHT + 0.01
    assert [b.count for b in t.bars if b.count] == [f.count for f in facet]


def test_the_blueprints_do_not_import_the_app_module():
    """web.app imports the blueprints; they reach the engine through the leaf web.context, never web.app."""
    import ast
    from pathlib import Path
    folder = Path(__file__).resolve().parent.parent / "web"
    for name in ("views.py", "api.py", "export.py", "caching.py", "context.py"):
        tree = ast.parse((folder / name).read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "web.app" not in modules, name


def test_suggestions_read_only_the_newest_titles_of_a_large_collection(tmp_path, monkeypatch):
    import search.searcher as searcher_module
    from search.storage.view import IndexView
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(12):
        write_article(folder, f"a{i:02d}.txt", f"Headline number{i}", f"2018-09-{i + 1:02d}", None, "Body text.")
    sync(folder, tmp_path / "index")
    monkeypatch.setattr(searcher_module, "SUGGEST_TITLES", 5)
    reads = []
    original = IndexView.stored
    monkeypatch.setattr(IndexView, "stored", lambda self, d: reads.append(d) or original(self, d))
    with Engine(tmp_path / "index") as engine:
        titles = engine._titles()
    assert len(reads) == 5
    assert sorted(titles) == sorted(f"Headline number{i}" for i in range(7, 12))  # the five newest
