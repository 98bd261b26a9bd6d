"""Saved web pages (.html/.htm): main text and metadata by trafilatura, precedence, outlets, hostile pages."""
from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from search import webpage
from search.articles import SkippedFile
from search.cli import cli
from search.indexer import sync
from search.searcher import Engine

PARAGRAPHS = [
    "Turkish President Tayyip Erdogan met Russian President Vladimir Putin in Sochi on Monday to discuss "
    "the fate of Idlib, the last rebel stronghold in Syria, as fears of an offensive grew.",
    "The two leaders agreed to set up a demilitarised zone around the province, officials said after talks "
    "that lasted more than four hours at the Black Sea resort.",
    "Aid agencies had warned that an assault on the province, home to three million people, could cause the "
    "worst humanitarian catastrophe of the war, and they welcomed the deal with caution.",
]


def page(title="Erdogan and Putin agree Idlib zone | Reuters", site="Reuters", url="https://www.reuters.com/x",
         published="2018-09-17T10:00:00Z", author="Jane Doe", paragraphs=PARAGRAPHS, extra_head="") -> str:
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    meta += f'<meta property="og:url" content="{url}">' if url else ""
    meta += f'<meta property="article:published_time" content="{published}">' if published else ""
    meta += f'<meta name="author" content="{author}">' if author else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head><title>{title}</title>{meta}{extra_head}</head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/markets'>Markets</a></nav>"
            f"<article><h1>{title.split(' | ')[0]}</h1>{body}</article>"
            "<footer>Copyright. All rights reserved. Terms of use. Privacy policy.</footer></body></html>")


def write(folder, name, text, encoding="utf-8"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_a_saved_page_gives_its_main_text_title_date_source_and_author(tmp_path):
    write(tmp_path, "idlib.html", page())
    article = webpage.read_file(tmp_path, "idlib.html").article
    assert article.title == "Erdogan and Putin agree Idlib zone"
    assert article.date == "2018-09-17"
    assert article.source == "Reuters"
    assert article.extra["author"] == "Jane Doe"
    assert article.extra["url"] == "https://www.reuters.com/x"
    assert "demilitarised zone" in article.body and "Black Sea resort" in article.body
    assert "Privacy policy" not in article.body and "Markets" not in article.body  # chrome left out
    assert article.path == "idlib.html" and article.id.startswith("idlib-")


@pytest.mark.parametrize("site,url,expected", [
    ("nytimes.com", "https://www.nytimes.com/2018/09/17/world/idlib.html", "The New York Times"),
    (None, "https://edition.cnn.com/2018/09/17/idlib", "CNN"),
    ("Reuters News", None, "Reuters"),
    ("The Local Courier", "https://www.localcourier.example/a", "The Local Courier"),
])
def test_site_names_and_hosts_map_to_the_outlet_names_of_the_facets(site, url, expected):
    assert webpage.outlet(site, url) == expected


def test_an_unknown_bare_host_is_not_made_a_source():
    assert webpage.outlet("example.org", "https://example.org/a") is None


def test_the_sidecar_comes_before_the_page(tmp_path):
    write(tmp_path, "idlib.htm", page())
    write(tmp_path, "metadata.csv", "path,title,date,source,section\nidlib.htm,My own title,2018-09-20,AFP,world\n")
    report = sync(tmp_path, tmp_path / "index")
    assert report.added == 1
    with Engine(tmp_path / "index") as engine:
        hit = engine.search("demilitarised").hits[0]
        article = engine.get(hit.id)
    assert (article.title, article.date, article.source) == ("My own title", "2018-09-20", "AFP")
    assert article.extra["section"] == "world" and article.extra["author"] == "Jane Doe"


def test_inference_from_the_text_when_the_page_states_nothing(tmp_path):
    text = ["WASHINGTON (Reuters) - " + PARAGRAPHS[0]] + PARAGRAPHS[1:]
    write(tmp_path, "bare.html", page(title="Idlib talks", site=None, url=None, published=None, author=None,
                                      paragraphs=text))
    article = webpage.read_file(tmp_path, "bare.html").article
    assert article.source == "Reuters"
    assert article.title == "Idlib talks"


@pytest.mark.parametrize("content", [
    "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
    "<html><body></body></html>",
    "   \n  ",
])
def test_a_page_without_article_text_is_skipped_with_a_warning_naming_it(tmp_path, content):
    write(tmp_path, "articles/empty page.html", content)
    write(tmp_path, "articles/good.html", page())
    report = sync(tmp_path / "articles", tmp_path / "index")
    assert report.added == 1 and report.skipped == 1
    assert any(w.startswith("empty page.html: skipped") for w in report.warnings), report.warnings


def test_extraction_never_opens_a_connection(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access during extraction")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    remote = ('<link rel="stylesheet" href="https://cdn.example.com/a.css">'
              '<script src="https://cdn.example.com/a.js"></script>'
              '<link rel="canonical" href="https://www.example.com/idlib">')
    write(tmp_path, "remote.html", page(extra_head=remote, url=None, published=None) +
          '<img src="https://images.example.com/a.jpg"><iframe src="https://www.example.com/embed"></iframe>')
    article = webpage.read_file(tmp_path, "remote.html").article
    assert "demilitarised zone" in article.body


def test_a_huge_page_is_read_up_to_the_cap_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(webpage, "MAX_PAGE_BYTES", 20_000)
    filler = "<p>" + " ".join(["padding words for a very long page"] * 30) + "</p>"
    write(tmp_path, "huge.html", page(paragraphs=PARAGRAPHS + [filler] * 200))
    result = webpage.read_file(tmp_path, "huge.html")
    assert any("read up to that size" in w for w in result.warnings)
    assert len(result.article.body) < 20_000


@pytest.mark.parametrize("hostile", [
    b"<html>" + b"<div>" * 100_000 + b"deep text" + b"</div>" * 100_000 + b"</html>",
    b"\x00\x01\x02<html><body><p>\xff\xfe broken \x80 bytes</p></body>",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;'>]><x>&b;</x>",
    "<html><head><meta charset='utf-16'></head><body><p>Ünïcödé ≠ ascii</p></body></html>".encode("utf-16"),
    b"<html><body>" + b"<table><tr><td>cell</td></tr>" * 5000 + b"</body></html>",
    b"<html><body><p>" + "<script>alert(1)</script>".encode() * 10 + b"</p></body></html>",
])
def test_hostile_pages_are_skipped_or_read_never_a_traceback(tmp_path, hostile):
    write(tmp_path, "articles/hostile.html", hostile)
    result = CliRunner().invoke(cli, ["--articles", str(tmp_path / "articles"), "--index", str(tmp_path / "index"),
                                      "index"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "1 articles" in result.output or "skipped" in result.output


def test_a_saved_page_is_found_by_the_cli_with_its_outlet(tmp_path):
    write(tmp_path, "articles/idlib.html", page())
    runner = CliRunner()
    base = ["--articles", str(tmp_path / "articles"), "--index", str(tmp_path / "index")]
    assert runner.invoke(cli, base + ["index"]).exit_code == 0
    result = runner.invoke(cli, base + ["query", "demilitarised", "--source", "Reuters", "--json"])
    assert result.exit_code == 0, result.output
    hit = json.loads(result.output)["hits"][0]
    assert (hit["path"], hit["source"], hit["date"]) == ("idlib.html", "Reuters", "2018-09-17")


def test_read_page_raises_skipped_file_naming_the_page():
    with pytest.raises(SkippedFile, match="^x/menu.html: skipped"):
        webpage.read_page(b"<html><body><nav>Home</nav></body></html>", "x/menu.html")


def test_the_site_name_is_cut_from_the_title_and_from_a_site_name_listing_sections():
    assert webpage._clean_title("Meal Prep for A Little More | The Beachbody Blog", "The Beachbody Blog") == \
        "Meal Prep for A Little More"
    assert webpage._clean_title("The Medium is the Message | Inexhibit", "Inexhibit magazine") == \
        "The Medium is the Message"
    assert webpage._clean_title("Trump - Putin talks: what we know", "Some Paper") == \
        "Trump - Putin talks: what we know"
    assert webpage.outlet("Autoracing | F1 | Indy | MotoGP", None) == "Autoracing"


def test_a_page_that_links_out_of_the_folder_is_not_read(tmp_path):
    outside = write(tmp_path, "secret.html", page())
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "link.html").symlink_to(outside)
    with pytest.raises(SkippedFile, match="^link.html: skipped, it is a link to a file outside"):
        webpage.read_file(tmp_path / "articles", "link.html")


def test_an_extractor_failure_is_a_skip_naming_the_page(tmp_path, monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise KeyError("surprise")
    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    write(tmp_path, "articles/odd.html", page())
    report = sync(tmp_path / "articles", tmp_path / "index")
    assert report.skipped == 1
    assert report.warnings == ["odd.html: skipped, its markup could not be read (KeyError)"]


@pytest.mark.parametrize("site,url", [("Wday_", "https://wday.ru/x"), ("Realestate_Au", None),
                                      ("Copyright 2014", None), ("© Foo Media", "https://foo.example/a")])
def test_a_site_name_made_from_a_handle_or_a_footer_is_no_source(site, url):
    assert webpage.outlet(site, url) is None
