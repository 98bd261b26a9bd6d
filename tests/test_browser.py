"""The web app in a real headless Chromium (Debian's, driven by Playwright): search, facets, timeline, articles,
and no script ever running from hostile content. One browser and one server per module keep this fast."""
from __future__ import annotations

import os
import re

import pytest

from web.screenshot import CHROMIUM, launch_chromium, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                       reason=f"{CHROMIUM} is not installed (apt-get install chromium, or `make browser`)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (pip install "
                                                              "-e '.[test]')")


@pytest.fixture(scope="module")
def base_url(shared_index):
    from web import create_app
    articles, index = shared_index
    with serve(create_app({"SEARCH_INDEX": str(index), "SEARCH_ARTICLES": str(articles)})) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


class Watched:
    """A page with every dialog (alert, confirm, prompt) and every CSP complaint recorded."""

    def __init__(self, page):
        self.page, self.dialogs, self.csp_errors = page, [], []
        page.on("dialog", self._dialog)
        page.on("console", lambda msg: self.csp_errors.append(msg.text)
                if "Content Security Policy" in msg.text else None)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    w = Watched(context.new_page())
    yield w
    context.close()
    assert w.dialogs == [], f"a script ran and opened a dialog: {w.dialogs}"
    assert w.csp_errors == [], f"the page broke its own Content-Security-Policy: {w.csp_errors}"


def total(page) -> int:
    return int(page.locator(".summary strong").inner_text().replace(",", ""))


def source_count(page, name: str) -> int:
    row = page.locator("ul.checks label").filter(has_text=name)
    return int(row.locator(".count").inner_text())


def test_search_from_the_home_page_shows_marked_snippets(watched, base_url):
    page = watched.page
    page.goto(base_url + "/")
    assert page.evaluate("document.activeElement.id") == "q"  # autofocus
    page.get_by_label('Words, a "phrase", or a filter like source:Reuters').fill("idlib")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=idlib$"))
    assert total(page) == 4
    assert page.locator("ol.hits li.hit").count() == 4
    assert page.locator("ol.hits .snippet mark").count() >= 4
    assert page.locator("ol.hits .snippet mark").first.inner_text().lower() == "idlib"
    assert page.locator("header input[name=q]").input_value() == "idlib"


def test_ticking_a_source_applies_it_at_once_with_a_clean_url(watched, base_url):
    page = watched.page
    page.goto(base_url + "/search?q=idlib")
    assert source_count(page, "Reuters") == 2 and total(page) == 4
    sep_before = page.locator("svg a[aria-label^='Sep 2018']").get_attribute("aria-label")
    page.get_by_role("checkbox", name=re.compile("Reuters")).check()  # no button: the script submits
    page.wait_for_url(re.compile(r"source=Reuters"))
    assert page.url == base_url + "/search?q=idlib&source=Reuters"  # no since=&until=
    assert total(page) == 2
    assert page.get_by_role("checkbox", name=re.compile("Reuters")).is_checked()
    assert page.locator("ul.chips").get_by_text("source Reuters").is_visible()
    # the timeline counts only Reuters now; the source counts stay, so a second source can be added
    assert page.locator("svg a[aria-label^='Sep 2018']").get_attribute("aria-label") == "Sep 2018: 2 articles"
    assert sep_before == "Sep 2018: 3 articles"
    page.get_by_role("checkbox", name=re.compile("AFP")).check()
    page.wait_for_url(re.compile(r"source=Reuters&source=AFP"))
    assert total(page) == 3
    page.get_by_role("checkbox", name=re.compile("Reuters")).uncheck()
    page.wait_for_url(base_url + "/search?q=idlib&source=AFP")
    assert total(page) == 1
    page.locator("ul.chips a", has_text="source AFP").click()
    page.wait_for_load_state()
    assert total(page) == 4 and "AFP" not in page.url


def test_the_search_box_leaves_empty_fields_out_of_the_url(watched, base_url):
    page = watched.page
    page.goto(base_url + "/search?q=idlib")
    page.get_by_label("From", exact=True).fill("2018-09")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"since="))
    assert page.url == base_url + "/search?q=idlib&since=2018-09"


def test_without_javascript_the_filter_form_still_works(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "/search?q=idlib")
        page.get_by_role("checkbox", name=re.compile("Reuters")).check()
        page.wait_for_timeout(200)
        assert page.url == base_url + "/search?q=idlib"  # nothing happens until the button
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"source=Reuters"))
        assert total(page) == 2
    finally:
        context.close()


def test_the_timeline_reads_with_labels_counts_and_a_table(watched, base_url):
    page = watched.page
    page.goto(base_url + "/search?q=idlib+OR+saraqeb")
    svg = page.locator("figure.timeline svg")
    labels = svg.locator("text.axis-label").all_text_contents()
    assert "Sep" in labels and "Oct" in labels and "2018" in labels and "0" in labels
    assert svg.locator("text.count-label").all_text_contents() == ["3", "1"]  # readable without hovering
    box = svg.bounding_box()
    column = page.locator("aside.facets").bounding_box()
    assert box["width"] <= column["width"] + 1  # fits its column
    table = page.locator(".timeline-table table")
    assert not table.is_visible()
    page.get_by_text("The counts as a table").click()
    assert table.is_visible()
    assert table.locator("tbody tr").all_inner_texts()[0].split() == ["Sep", "2018", "3"]


def test_clicking_a_timeline_bar_applies_its_month(watched, base_url):
    page = watched.page
    page.goto(base_url + "/search?q=idlib+OR+saraqeb")
    page.locator("svg a[aria-label='Oct 2018: 1 article']").click()
    page.wait_for_url(re.compile(r"since=2018-10&until=2018-10"))
    assert total(page) == 1
    assert page.get_by_label("From", exact=True).input_value() == "2018-10"
    assert page.get_by_label("To", exact=True).input_value() == "2018-10"
    assert page.locator("svg rect.bar.active").count() == 1
    assert page.locator("ol.hits h2").inner_text() == "Syrian forces enter Saraqeb"


def test_opening_an_article_from_the_results(watched, base_url):
    page = watched.page
    page.goto(base_url + "/search?q=sochi")
    page.locator("ol.hits h2 a").first.click()
    page.wait_for_url(re.compile(r"/article/[a-z0-9-]+\?q=sochi"))
    assert page.locator("h1").inner_text() == "Erdoğan and Putin meet in Sochi over Idlib"
    assert page.locator(".text mark").first.inner_text() == "Sochi"
    assert page.locator(".text p").count() == 2
    assert page.get_by_role("heading", name="Related articles").is_visible()
    page.get_by_role("link", name=re.compile("Results for")).click()
    page.wait_for_url(re.compile(r"/search\?q=sochi"))


def test_hostile_content_never_runs(watched, base_url):
    page = watched.page
    page.goto(base_url + "/search?q=hostile+image")
    title = page.locator("ol.hits h2").inner_text()
    assert "<script>alert(1)</script>" in title and '"><svg onload=alert(1)>' in title  # shown as text
    assert "<img src=x onerror=alert(1)>" in page.locator("ol.hits .snippet").inner_text()
    page.locator("ol.hits h2 a").click()
    page.wait_for_url(re.compile(r"/article/hostile-"))
    assert "javascript:alert(1)" in page.locator(".text").inner_text()
    assert page.locator("main img, main iframe, main script").count() == 0
    for url in ["/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "/search?q=idlib&source=%22%3E%3Csvg%20onload%3Dalert(1)%3E",
                "/search?since=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "/article/hostile-e4b738d99b911e6e?q=alert",
                "/search.atom?q=hostile", "/api/search?q=hostile"]:
        page.goto(base_url + url)
    page.wait_for_timeout(300)  # give an onerror or onload handler the time it would need


def test_a_phone_sized_window_does_not_scroll_sideways(browser, base_url):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for url in ["/", "/search?q=idlib", "/article/hostile-e4b738d99b911e6e", "/search?page=abc"]:
            page.goto(base_url + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    finally:
        context.close()


def test_the_dialog_watch_would_notice_a_script(watched, base_url):
    """The control for test_hostile_content_never_runs: a dialog opened by script is recorded."""
    watched.page.goto(base_url + "/")
    watched.page.evaluate("alert('control')")
    assert watched.dialogs == ["control"]
    watched.dialogs.clear()
