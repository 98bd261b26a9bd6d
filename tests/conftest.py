"""Shared fixtures, Flask-tutorial style: a small article collection under tmp_path, its index, the app, a client."""
from __future__ import annotations

from pathlib import Path

import pytest

from search.indexer import sync
from tests.factory import write_article

#: Strings that would run script if any page put them into HTML unescaped.
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
)

#: (file name, title, date, source, body): sources and months that differ, an unknown source, an unknown date,
#: and one hostile article whose title and text carry every string of HOSTILE.
ARTICLES = [
    ("idlib-summit.txt", "Erdogan and Putin meet in Sochi over Idlib", "2018-09-17", "Reuters",
     "Turkish President Tayyip Erdogan met Russian President Vladimir Putin in Sochi on Monday.\n\n"
     "The fate of Idlib was at stake as negotiations continued late into the night."),
    ("idlib-offensive.txt", "Syrian offensive on Idlib looms", "2018-09-03", "AFP",
     "Government forces massed around Idlib province. Aid agencies warned of a humanitarian catastrophe "
     "if the offensive went ahead. Erdogan called for a ceasefire."),
    ("saraqeb.txt", "Syrian forces enter Saraqeb near Idlib", "2018-10-02", "Reuters",
     "Syrian forces entered the strategic town of Saraqeb in Idlib province on Thursday, a monitor said. "
     "Turkish troops reinforced their observation posts near the town."),
    ("oil-prices.txt", "Oil prices climb on supply worries", "2018-08-21", "Reuters",
     "Oil prices rose on Tuesday as traders worried about supply. Brent crude futures gained 1 percent."),
    ("grain.txt", "Wheat harvest beats forecasts", "2017-07-11", "AFP",
     "Farmers reported a record wheat harvest this summer, well ahead of the forecasts made in spring."),
    ("marathon.txt", "Runner wins city marathon", None, "i24NEWS",
     "The runner led the field from the start and won the city marathon in record time."),
    ("unknown-source.txt", "Ceasefire talks on Idlib resume in Geneva", "2018-09-20", None,
     "Ceasefire talks on Syria and Idlib resumed in Geneva with envoys from Russia, Turkey and Iran."),
    ("undated.txt", "Putin says Idlib deal holds", None, None,
     "Vladimir Putin said the deal on Idlib was holding despite sporadic clashes."),
    ("hostile.txt", f"Hostile {HOSTILE[0]} headline {HOSTILE[2]}", "2018-09-25", "Reuters",
     f"The hostile article mentions Idlib and carries {HOSTILE[0]} in its text.\n\n"
     f"An image {HOSTILE[1]} follows, then {HOSTILE[2]} and a link [click me]({HOSTILE[3]}) "
     f"whose text is {HOSTILE[3]} as well."),
]


def write_collection(folder: Path, articles=ARTICLES) -> Path:
    """Write a whole collection into folder and return it."""
    for spec in articles:
        write_article(folder, *spec)
    return folder


@pytest.fixture
def articles_dir(tmp_path) -> Path:
    """The standard collection (ARTICLES), written under tmp_path/articles."""
    return write_collection(tmp_path / "articles")


@pytest.fixture
def index_dir(articles_dir, tmp_path) -> Path:
    """The collection's index, synced once."""
    index = tmp_path / "index"
    sync(articles_dir, index)
    return index


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> tuple[Path, Path]:
    """(articles, index) of the standard collection built once per session, for tests that only read it."""
    root = tmp_path_factory.mktemp("shared")
    articles = write_collection(root / "articles")
    sync(articles, root / "index")
    return articles, root / "index"


@pytest.fixture
def app(index_dir, articles_dir):
    """The web app over the test index; TESTING lets any unexpected exception fail the test instead of a 500 page."""
    from web import create_app
    return create_app({"TESTING": True, "SEARCH_INDEX": str(index_dir), "SEARCH_ARTICLES": str(articles_dir)})


@pytest.fixture
def client(app):
    return app.test_client()
