"""Incremental sync, full rebuilds that never show an empty index, the writer lock, a missing index, stats."""
import json
import os
import random
import time

import pytest

import search.indexer as indexer
from search.errors import IndexBusy, IndexMissing, SearchError
from search.indexer import sync
from search.searcher import Engine
from search.store import CURRENT, IndexStore
from tests.factory import ARTICLES, write_article, write_collection


N = len(ARTICLES)


@pytest.fixture
def folder(tmp_path):
    return write_collection(tmp_path / "articles")


@pytest.fixture
def index(tmp_path):
    return tmp_path / "index"


def counts(report):
    return (report.added, report.updated, report.removed, report.unchanged, report.total)


def test_first_sync_adds_everything_then_nothing_changes(folder, index):
    first = sync(folder, index)
    assert counts(first) == (N, 0, 0, 0, N) and first.full
    second = sync(folder, index)
    assert counts(second) == (0, 0, 0, N, N) and not second.full
    assert second.summary().startswith(f"{N} articles: 0 added, 0 updated, 0 removed, {N} unchanged in ")


def test_unchanged_files_are_not_read_again(folder, index, monkeypatch):
    sync(folder, index)
    reads = []
    real = indexer.read_article
    monkeypatch.setattr(indexer, "read_article", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    sync(folder, index)
    assert reads == []


def test_add_update_remove_are_counted_and_searchable(folder, index):
    sync(folder, index)
    write_article(folder, "new.txt", "Fresh report on Qamishli", "2018-09-14", "AFP", "Clashes near Qamishli.")
    (folder / "grain.txt").write_text("---\ntitle: Wheat harvest misses forecasts\n---\nDrought hit the wheat.\n")
    (folder / "oil-prices.txt").unlink()
    report = sync(folder, index)
    assert counts(report) == (1, 1, 1, N - 2, N)
    with Engine(index) as engine:
        assert engine.search("qamishli").total == 1
        assert engine.search("drought").total == 1
        assert engine.search("brent").total == 0
        assert engine.stats().articles == N


def test_touched_but_unchanged_file_counts_as_unchanged(folder, index):
    sync(folder, index)
    path = folder / "grain.txt"
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    assert counts(sync(folder, index)) == (0, 0, 0, N, N)
    assert counts(sync(folder, index)) == (0, 0, 0, N, N)  # and its new signature was recorded


def test_editing_the_sidecar_updates_that_article(folder, index):
    sync(folder, index)
    (folder / "metadata.csv").write_text("path,source\nundated.txt,TASS\n", encoding="utf-8")
    report = sync(folder, index)
    assert counts(report) == (0, 1, 0, N - 1, N)
    with Engine(index) as engine:
        assert engine.search("putin", sources=["TASS"]).total == 1


def test_bad_files_are_skipped_with_warnings_and_the_rest_indexed(folder, index):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "latin1.txt").write_bytes("Cost \xa3300 in Idlib".encode("cp1252"))
    report = sync(folder, index)
    assert report.added == N + 1 and report.skipped == 2
    assert any("empty.txt" in w for w in report.warnings)
    assert any("image.txt" in w and "binary" in w for w in report.warnings)
    assert any("latin1.txt" in w and "cp1252" in w for w in report.warnings)
    assert ", 2 skipped" in report.summary()


def test_a_file_that_becomes_unreadable_is_removed_not_served_stale(folder, index):
    sync(folder, index)
    (folder / "grain.txt").write_bytes(b"")
    report = sync(folder, index)
    assert report.removed == 1 and report.skipped == 1 and report.total == N - 1


def test_full_rebuild_keeps_the_old_index_answering_until_the_swap(folder, index):
    sync(folder, index)
    for i in range(5):
        write_article(folder, f"extra-{i}.txt", f"Extra {i}", None, None, "More Idlib reporting.")
    seen = []

    def progress(done, total):
        if done == total // 2:  # halfway through the rebuild, a reader opens the index
            with Engine(index) as engine:
                seen.append(engine.stats().articles)

    report = sync(folder, index, full=True, progress=progress)
    assert seen == [N]  # the old generation, whole
    assert report.full and report.total == N + 5
    with Engine(index) as engine:
        assert engine.stats().articles == N + 5
    assert len(IndexStore(index).generations()) == 1  # the old generation was removed after the swap


def test_an_interrupted_rebuild_leaves_the_old_index_and_no_debris(folder, index):
    sync(folder, index)

    def interrupt(done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(folder, index, full=True, progress=interrupt)
    assert len(IndexStore(index).generations()) == 1
    with Engine(index) as engine:
        assert engine.search("idlib").total == 4
    assert counts(sync(folder, index)) == (0, 0, 0, N, N)


def test_a_second_indexer_waits_then_reports_busy(folder, index):
    sync(folder, index)
    with IndexStore(index).writer_lock():
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="index is busy"):
            sync(folder, index, wait=0.3)
        assert 0.3 <= time.monotonic() - started < 5
    assert counts(sync(folder, index, wait=0)) == (0, 0, 0, N, N)  # the lock was released


def test_missing_index_says_what_to_do(tmp_path):
    with pytest.raises(IndexMissing, match="run `search index`"):
        Engine(tmp_path / "nothing").search("idlib")


def test_missing_articles_folder_is_a_clear_error(tmp_path):
    with pytest.raises(SearchError, match="does not exist"):
        sync(tmp_path / "nope", tmp_path / "index")


def test_schema_change_triggers_a_full_rebuild(folder, index):
    sync(folder, index)
    pointer = json.loads((index / CURRENT).read_text())
    pointer["schema_version"] = 0
    (index / CURRENT).write_text(json.dumps(pointer))
    report = sync(folder, index)
    assert report.full and report.added == N


def test_seeding_the_global_random_cannot_make_commits_collide(folder, index):
    # Whoosh names segments from the global random; seeding it made two commits pick the same name
    sync(folder, index)
    random.seed(7)
    write_article(folder, "a1.txt", "First addition", None, None, "Alpha report.")
    sync(folder, index)
    random.seed(7)
    write_article(folder, "a2.txt", "Second addition", None, None, "Beta report.")
    sync(folder, index)
    with Engine(index) as engine:
        assert engine.search("alpha").total == 1 and engine.search("beta").total == 1
        assert engine.stats().articles == N + 2


def test_stats_report_sources_dates_and_sync(folder, index):
    sync(folder, index)
    with Engine(index) as engine:
        stats = engine.stats()
    assert stats.articles == len(ARTICLES)
    assert [(v.value, v.count) for v in stats.sources] == [("Reuters", 4), ("AFP", 2), ("i24NEWS", 1), ("unknown", 2)]
    assert (stats.first_date, stats.last_date) == ("2017-07-11", "2018-10-02")
    assert stats.index_bytes > 0 and abs(stats.synced_at - time.time()) < 60


def test_engine_sees_a_new_sync_without_being_reopened(folder, index):
    sync(folder, index)
    with Engine(index) as engine:
        assert engine.search("qamishli").total == 0
        write_article(folder, "new.txt", "Qamishli funeral", None, "AFP", "Mourners in Qamishli.")
        sync(folder, index)
        assert engine.search("qamishli").total == 1


def test_the_summary_never_reads_as_zero_seconds():
    from search.indexer import SyncReport
    assert SyncReport(total=3, added=3, seconds=0.012).summary().endswith("in 12 ms")
    assert SyncReport(total=3, added=3, seconds=1.44).summary().endswith("in 1.4 s")
