"""Shared fixtures, Flask-tutorial style, over the one standard collection of tests/factory.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from search.indexer import sync
from search.searcher import Engine
from tests.factory import make_index, write_collection


@pytest.fixture
def articles_dir(tmp_path) -> Path:
    """The standard collection, written under tmp_path/articles."""
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
    return make_index(tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="module")
def engine(shared_index):
    """An engine over the shared standard index, opened once per test module (for tests that only read)."""
    with Engine(shared_index[1]) as engine:
        yield engine


@pytest.fixture
def app(index_dir, articles_dir):
    """The web app over the test index; TESTING lets any unexpected exception fail the test instead of a 500 page."""
    from web import create_app
    return create_app({"TESTING": True, "SEARCH_INDEX": str(index_dir), "SEARCH_ARTICLES": str(articles_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def shared_client(shared_index):
    """A client of the app over the shared standard index, for tests that only read."""
    from web import create_app
    articles, index = shared_index
    return create_app({"TESTING": True, "SEARCH_INDEX": str(index), "SEARCH_ARTICLES": str(articles)}).test_client()


@pytest.fixture
def versioned(tmp_path) -> tuple[Path, Path]:
    """(articles, index) of the standard collection with versions of one story (tests/stories_factory.py)."""
    from tests.stories_factory import VERSIONED
    folder = write_collection(tmp_path / "articles", VERSIONED)
    sync(folder, tmp_path / "index")
    return folder, tmp_path / "index"
