"""Stories in a full rebuild: signatures made where each batch is analysed (the workers), grouping in the parent."""
from __future__ import annotations


from search import indexer, stories, story_file, story_signatures
from search.storage import build
from search.store import IndexStore
from search.indexer import sync
from tests.factory import write_article, write_collection
from tests.stories_factory import VERSIONED, WIRE, labels_in




def counting(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or original(*a, **k))
    return calls


def test_workers_sign_the_batches_and_the_parent_only_groups_them(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "articles", VERSIONED)
    write_article(folder, "b/first-half.txt", "x", None, None, "\n\n".join(WIRE[:3]))
    write_article(folder, "c/second-half.txt", "x", None, None, "\n\n".join(WIRE[2:]))
    monkeypatch.setattr(build, "BATCH_DOCS", 2)  # several batches, versions in different ones, workers anyway
    monkeypatch.setattr(build, "MIN_PARALLEL_ITEMS", 0)
    monkeypatch.setattr(indexer, "STORY_BATCH", 2)
    read_back = counting(monkeypatch, indexer, "_part_entries")
    signed = counting(monkeypatch, story_signatures, "sketch")  # every signing path ends in sketch()
    sync(folder, tmp_path / "one", jobs=1)
    assert read_back == []  # the analysed batches carry their rows: no stored text is decoded again
    assert signed  # one job: the batches are analysed, and signed, in this process
    signed.clear()
    sync(folder, tmp_path / "two", jobs=2)  # the forkserver's workers import their own, unpatched
    assert signed == [] and read_back == []
    whole = story_file.load(tmp_path / "two" / IndexStore(tmp_path / "two").pointer().generation)
    expected = dict(zip(whole.paths.tolist(), stories.labels(whole).tolist()))
    assert labels_in(tmp_path / "one") == labels_in(tmp_path / "two") == expected == whole.labels_by_path()
    assert expected["b/first-half.txt"] == expected["c/second-half.txt"]  # joined by a later article


def test_a_rebuild_without_worker_rows_reads_the_stored_text_back(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "articles", VERSIONED)
    sync(folder, tmp_path / "one")
    monkeypatch.setattr(indexer, "_story_rows", None)
    read_back = counting(monkeypatch, indexer, "_part_entries")
    sync(folder, tmp_path / "two", full=True)
    assert read_back and labels_in(tmp_path / "two") == labels_in(tmp_path / "one")
