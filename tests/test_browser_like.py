"""The "Find articles like this text" box and the "more articles have some of the words" list in Chromium."""
from __future__ import annotations

import re


from tests.test_browser import base_url, browser, pytestmark, watched  # noqa: F401 - fixtures and skip marks

PASTE = ("Reports on the summit in Sochi, where Erdogan and Putin met to decide the fate of Idlib. Which "
         "agreements came out of the Sochi negotiations, and what did Turkey and Russia say about Idlib afterwards?")


def test_pasting_a_text_in_the_like_box_finds_articles_like_it(watched, base_url):  # noqa: F811
    page = watched.page
    page.goto(base_url + "/")
    page.get_by_label(re.compile("Paste a paragraph")).fill(PASTE)
    page.get_by_role("button", name="Find similar articles").click()
    page.wait_for_url(re.compile(r"/like$"))
    assert page.locator("h1").inner_text() == "Articles like this text"
    assert "sochi" in page.locator(".notice").inner_text()
    assert page.locator("ol.hits li.hit h2").first.inner_text() == "Erdoğan and Putin meet in Sochi over Idlib"
    # the sort links go on with the same words, as a GET that can be bookmarked
    page.locator("nav.sort a", has_text="newest").click()
    page.wait_for_url(re.compile(r"/search\?.*like=1.*sort=newest"))
    assert page.locator("h1").inner_text() == "Articles like this text"


def test_a_short_query_with_few_matches_goes_on_under_a_divider(watched, base_url):  # noqa: F811
    page = watched.page
    page.goto(base_url + "/search?q=idlib+putin")
    divider = page.locator("h2.more-divider")
    assert re.fullmatch(r"\d+ more articles? (have|has) some of the words", divider.inner_text())
    assert page.locator("ol.hits.more li.hit").count() >= 1
