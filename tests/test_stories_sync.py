"""Stories kept through incremental syncs: the story work a sync does is bounded by what changed."""
from __future__ import annotations

import pytest

from search import indexer, stories
from search.indexer import sync
from search.storage.view import IndexView
from search.store import IndexStore
from tests.factory import write_article, write_collection
from tests.stories_factory import VERSIONED, WIRE

ORIGINAL = VERSIONED[-4][0]


@pytest.fixture
def versioned(tmp_path):
    folder = write_collection(tmp_path / "articles", VERSIONED)
    sync(folder, tmp_path / "index")
    return folder, tmp_path / "index"


def live_generation(index):
    return index / IndexStore(index).pointer().generation


def labels_in(index):
    view = IndexView(live_generation(index))
    try:
        return stories.labels_of(view)
    finally:
        view.close()


def test_a_sync_that_changes_nothing_does_no_story_work(versioned, monkeypatch):
    folder, index = versioned
    calls = []
    for name in ("load", "outdated"):
        real = getattr(stories, name)
        monkeypatch.setattr(stories, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
    monkeypatch.setattr(stories, "save", lambda *a: calls.append("save"))
    before = live_generation(index)
    report = sync(folder, index)
    assert not report.changed and live_generation(index) == before
    assert "load" not in calls and "save" not in calls  # sync() itself asks outdated() once, reading a header
    assert calls.count("outdated") <= 1
    # a change still does the story work
    write_article(folder, "z/copy.txt", "A copy", "2018-09-19", "AFP", "\n\n".join(WIRE))
    calls.clear()
    monkeypatch.undo()
    assert sync(folder, index).changed
    labels = labels_in(index)
    assert labels["z/copy.txt"] == labels[ORIGINAL] != "z/copy.txt"
