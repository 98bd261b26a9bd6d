"""Stories as a user sees them: the CLI (query, show, versions --diff), the web pages and the JSON API, the diff."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from search import diff
from search.articles import article_id
from search.cli import cli
from search.indexer import sync
from tests.conftest import HOSTILE
from tests.stories_factory import HOSTILE_VERSION, VERSIONED, write_versioned

ORIGINAL, MIRROR, COPY_PATH, REBELS = (article_id(s[0]) for s in VERSIONED[-4:])
HOSTILE_ORIGINAL, HOSTILE_COPY = article_id("hostile.txt"), article_id(HOSTILE_VERSION[0])


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    root = tmp_path_factory.mktemp("stories")
    folder = write_versioned(root / "articles", VERSIONED + [HOSTILE_VERSION])
    sync(folder, root / "index")
    return folder, root / "index"


@pytest.fixture(scope="module")
def client(collection):
    from web import create_app
    folder, index = collection
    return create_app({"TESTING": True, "SEARCH_INDEX": str(index), "SEARCH_ARTICLES": str(folder)}).test_client()


def run(collection, *args, color=False):
    folder, index = collection
    return CliRunner().invoke(cli, ["--articles", str(folder), "--index", str(index), *args], color=color)


# -- the diff -----------------------------------------------------------------------------------------------
def test_compare_marks_words_and_whole_paragraphs():
    base = "One two three four five.\n\nA paragraph only the base has.\n\nSame paragraph here."
    other = "One two 3 four five six.\n\nSame paragraph here.\n\nA new closing line."
    c = diff.compare(base, other)
    assert [p.kind for p in c.paragraphs] == ["changed", "del", "", "ins"]
    assert c.paragraphs[0].spans == [("One two", ""), (" ", ""), ("three", "del"), (" ", ""), ("3", "ins"),
                                     (" ", ""), ("four", ""), (" ", ""), ("five.", "del"), (" ", ""),
                                     ("five six.", "ins")]
    assert (c.added_words, c.dropped_words) == (3 + 4, 2 + 6)
    assert diff.plain(c).splitlines() == ["~ One two [-three-] {+3+} four [-five.-] {+five six.+}",
                                         "- A paragraph only the base has.", "  Same paragraph here.",
                                         "+ A new closing line."]


def test_compare_joins_hard_wrapped_lines_and_bounds_its_work(monkeypatch):
    c = diff.compare("a wrapped\nparagraph here\n\nnext", "a wrapped paragraph here\n\nnext")
    assert [p.kind for p in c.paragraphs] == ["", ""]
    monkeypatch.setattr(diff, "MAX_WORDS", 50)
    long = "\n\n".join(" ".join(f"w{i}x{j}" for j in range(10)) for i in range(20))
    c = diff.compare(long, long.replace("w3x", "v3x"))
    assert c.truncated and [p.kind for p in c.paragraphs] == ["", "", "", "del", "ins", ""]
    monkeypatch.setattr(diff, "MAX_PAIR_WORDS", 4)
    c = diff.compare("a b c d e f", "a b c d e g")
    assert [p.kind for p in c.paragraphs] == ["del", "ins"]  # too long to match word by word: whole


# -- CLI --------------------------------------------------------------------------------------------------
def test_query_collapses_versions_and_all_versions_shows_them(collection):
    r = run(collection, "query", "demilitarised", "zone")
    assert r.exit_code == 0
    assert "also 2 other versions" in r.output
    assert "3 articles in 1 story" in r.output
    every = run(collection, "query", "demilitarised", "zone", "--all-versions")
    assert every.output.count("other version") == 3 and "3 results" in every.output


def test_query_json_hits_carry_story_and_versions(collection):
    data = json.loads(run(collection, "query", "demilitarised", "zone", "--json").output)
    assert (data["total"], data["articles"], data["stories"]) == (1, 3, 1)
    hit = data["hits"][0]
    assert hit["story"] == article_id(min(s[0] for s in VERSIONED[-4:-1]))
    assert hit["versions"]["count"] == 2 and set(hit["versions"]["ids"]) | {hit["id"]} == {ORIGINAL, MIRROR, COPY_PATH}


def test_export_writes_each_story_once_as_query_shows_it_and_all_versions_every_copy(collection):
    def records(*args):
        r = run(collection, "export", *args)
        assert r.exit_code == 0, r.output
        return [json.loads(line) for line in r.output.splitlines()]
    for flags in ([], ["--all-versions"]):
        data = json.loads(run(collection, "query", "idlib", "--per-page", "100", "--json", *flags).output)
        got = records("idlib", *flags)
        assert [r["id"] for r in got] == [h["id"] for h in data["hits"]] and len(got) == data["total"]
        assert [(r["story"], r["versions"]) for r in got] == [(h["story"], h["versions"]["count"])
                                                             for h in data["hits"]]
    collapsed, every = records("idlib"), records("idlib", "--all-versions")
    assert len(every) == sum(1 + r["versions"] for r in collapsed) > len(collapsed)
    story = [r for r in collapsed if r["id"] in (ORIGINAL, MIRROR, COPY_PATH)]
    assert len(story) == 1 and story[0]["versions"] == 2
    assert {r["id"] for r in every if r["story"] == story[0]["story"]} == {ORIGINAL, MIRROR, COPY_PATH}
    single = [r for r in collapsed if not r["versions"]][0]
    assert single["story"] == single["id"]
    header = run(collection, "export", "idlib", "--format", "csv").output.splitlines()[0]
    assert header.endswith(",metadata,story,versions")


def test_web_export_takes_versions_all_as_the_results_page_does(client):
    for extra in ("", "&versions=all"):
        body = client.get("/export.jsonl?q=idlib" + extra).get_data(as_text=True)
        got = [json.loads(line) for line in body.splitlines()]
        api = client.get("/api/search?q=idlib&per_page=100" + extra).get_json()
        assert [r["id"] for r in got] == [h["id"] for h in api["hits"]] and len(got) == api["total"]
    html = client.get("/search?q=idlib&versions=all").get_data(as_text=True)
    assert re.search(r'href="/export\.jsonl\?[^"]*versions=all', html)  # the page's download keeps its choice
    assert "Download every match:" in html
    assert "Download every match (each story once):" in client.get("/search?q=idlib").get_data(as_text=True)


def test_show_lists_the_versions(collection):
    r = run(collection, "show", ORIGINAL)
    section = r.output.split("Other versions of this story:")[1]
    assert MIRROR in section and COPY_PATH in section and "i24NEWS, 2018-09-18" in section
    data = json.loads(run(collection, "show", ORIGINAL, "--json").output)
    assert {v["id"] for v in data["versions"]} == {MIRROR, COPY_PATH}
    assert "Other versions" not in run(collection, "show", REBELS).output


def test_versions_diff_when_piped_uses_markers(collection):
    r = run(collection, "versions", ORIGINAL, "--diff", COPY_PATH)
    assert r.exit_code == 0 and "\x1b[" not in r.output
    lines = r.output.splitlines()
    assert "+ Share this article" in lines
    assert any(line.startswith("~ ") and "[-fifteen to twenty-] {+15-20+}" in line for line in lines)
    assert any(line.startswith("- Syrian government forces") for line in lines)
    assert re.search(r"\d+ words added, \d+ words dropped", r.output)


def test_versions_diff_on_a_terminal_is_coloured(collection, monkeypatch):
    monkeypatch.setattr("search.cli._use_colour", lambda: True)
    r = run(collection, "versions", ORIGINAL, "--diff", COPY_PATH, color=True)
    assert "\x1b[32m" in r.output and "\x1b[31m" in r.output and "[-" not in r.output


def test_versions_lists_and_refuses_unknown_ids(collection):
    r = run(collection, "versions", ORIGINAL)
    assert MIRROR in r.output and COPY_PATH in r.output
    assert "No other version" in run(collection, "versions", REBELS).output
    bad = run(collection, "versions", ORIGINAL, "--diff", "not-an-id")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


# -- web ----------------------------------------------------------------------------------------------------
def test_results_page_counts_articles_and_stories_and_links_the_versions(client):
    html = client.get("/search?q=demilitarised+zone").get_data(as_text=True)
    assert re.search(r"<strong>3</strong> articles in\s*<strong>1</strong> story", html)
    assert "also 2 other versions" in html and "#versions" in html
    assert "versions=all" in html
    every = client.get("/search?q=demilitarised+zone&versions=all").get_data(as_text=True)
    assert every.count('class="hit"') == 3 and "One result per story" in every


def test_article_page_lists_versions_with_outlet_and_date_and_compare_links(client):
    html = client.get(f"/article/{ORIGINAL}").get_data(as_text=True)
    section = html.split('id="versions"')[1]
    assert "i24NEWS · 2018-09-18" in section and "AFP · 2018-09-18" in section
    assert f"/article/{ORIGINAL}/compare/{COPY_PATH}" in section
    assert 'id="versions"' not in client.get(f"/article/{REBELS}").get_data(as_text=True)


def test_compare_page_marks_insertions_and_deletions(client):
    r = client.get(f"/article/{ORIGINAL}/compare/{COPY_PATH}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<del>fifteen to twenty</del>" in html and "<ins>15-20</ins>" in html
    assert '<p class="ins"><ins>Share this article</ins></p>' in html
    assert '<p class="del"><del>Syrian government forces' in html


def test_api_article_and_compare(client):
    data = client.get(f"/api/articles/{ORIGINAL}").get_json()
    assert {v["id"] for v in data["versions"]} == {MIRROR, COPY_PATH}
    cmp = client.get(f"/api/articles/{ORIGINAL}/compare/{COPY_PATH}").get_json()
    assert cmp["base"]["id"] == ORIGINAL and cmp["other"]["id"] == COPY_PATH
    assert any(["fifteen to twenty", "del"] in p["spans"] and p["kind"] == "changed" for p in cmp["paragraphs"])
    hit = client.get("/api/search?q=demilitarised+zone").get_json()["hits"][0]
    assert hit["versions"]["count"] == 2


@pytest.mark.parametrize("path", [f"/article/{ORIGINAL}/compare/nope", "/article/x/compare/y",
                                  f"/article/{ORIGINAL}/compare/aaaa-00000000",
                                  f"/api/articles/{ORIGINAL}/compare/%3Cscript%3E"])
def test_compare_of_unknown_or_malformed_ids_is_a_404(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "Traceback" not in r.get_data(as_text=True)


def test_hostile_text_in_a_comparison_is_escaped(client):
    assert article_id("hostile.txt") == HOSTILE_ORIGINAL
    html = client.get(f"/article/{HOSTILE_ORIGINAL}/compare/{HOSTILE_COPY}").get_data(as_text=True)
    for s in HOSTILE[:3]:
        assert s not in html
    assert "&lt;script&gt;" in html and "<ins>" in html
    body = html.split('class="text diff"')[1].split("</div>")[0]
    assert set(re.findall(r"</?([a-z]+)", body)) <= {"p", "ins", "del"}
    page = client.get(f"/article/{HOSTILE_ORIGINAL}").get_data(as_text=True)
    assert HOSTILE[0] not in page and 'id="versions"' in page


def test_diff_html_escapes_every_span():
    from search.render import diff_html
    html = str(diff_html([("<b>x</b>", ""), (HOSTILE[1], "ins"), ('"><svg onload=1>', "del"), ("</ins>", "ins")]))
    assert html == ("&lt;b&gt;x&lt;/b&gt;<ins>&lt;img src=x onerror=alert(1)&gt;</ins>"
                    "<del>\"&gt;&lt;svg onload=1&gt;</del><ins>&lt;/ins&gt;</ins>")
