"""Stories in a real headless Chromium: collapsed results, the versions list and the compare view, with hostile
text in a version running no script and breaking no Content-Security-Policy rule."""
from __future__ import annotations

import pytest

from search.articles import article_id
from search.indexer import sync
from tests.factory import HOSTILE, write_collection
from tests.stories_factory import HOSTILE_VERSION, VERSIONED
from tests.test_browser import browser, pytestmark, watched  # noqa: F401 - fixtures and skip marks
from web.screenshot import serve

ORIGINAL, COPY_PATH = article_id(VERSIONED[-4][0]), article_id(VERSIONED[-2][0])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from web import create_app
    root = tmp_path_factory.mktemp("stories-browser")
    folder = write_collection(root / "articles", VERSIONED + [HOSTILE_VERSION])
    sync(folder, root / "index")
    with serve(create_app({"SEARCH_INDEX": str(root / "index"), "SEARCH_ARTICLES": str(folder)})) as url:
        yield url


@pytest.fixture
def page(watched):  # noqa: F811 - the fixture imported from test_browser
    """A fresh page in the shared browser; test_browser's `watched` fails the test on any dialog or CSP complaint."""
    return watched.page


def test_a_story_is_shown_once_and_its_versions_are_one_click_away(page, base_url):
    page.goto(base_url + "/search?q=demilitarised+zone")
    assert page.locator("ol.hits li.hit").count() == 1
    assert "3 articles in 1 story" in " ".join(page.locator(".summary").inner_text().split())
    page.get_by_role("link", name="also 2 other versions").click()
    versions = page.locator("#versions li")
    assert versions.count() == 2
    page.locator("#versions a.compare").last.click()
    assert page.locator(".diff ins").count() >= 1 and page.locator(".diff del").count() >= 1
    page.goto(base_url + "/search?q=demilitarised+zone")
    page.get_by_role("link", name="Show every version").click()
    assert page.locator("ol.hits li.hit").count() == 3


def test_hostile_text_in_a_compared_version_stays_text(page, base_url):
    page.goto(f"{base_url}/article/{article_id('hostile.txt')}/compare/{article_id(HOSTILE_VERSION[0])}")
    text = page.locator(".diff").inner_text()
    assert HOSTILE[1] in text and HOSTILE[0] in text  # shown as the words they are
    assert page.locator(".diff img, .diff script, .diff svg").count() == 0
    assert page.locator(".diff ins").filter(has_text=HOSTILE[1]).count() == 1
