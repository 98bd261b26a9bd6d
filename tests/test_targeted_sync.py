"""A sync of the paths a batch of file events names (the watcher's) gives the index a whole comparison gives, without
listing the folder; whatever only the whole folder can tell falls back to comparing it."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import search.articles as articles_module
import search.indexer as indexer
from search import targeted
from search.indexer import sync
from search.searcher import Engine
from search.storage.view import IndexView
from search.store import IndexStore
from tests.factory import ARTICLES, write_article


def build(folder: Path) -> None:
    for name, title, date, source, body in ARTICLES:
        write_article(folder, name, title, date, source, body)


def state(index: Path) -> dict:
    """{path: (id, sync signature, story label)} of every live document."""
    store = IndexStore(index)
    view = IndexView(store.path / store.pointer().generation)
    try:
        codes, names = view.facet("story")
        out = {}
        for d in range(view.doc_count_all):
            if view.live[d]:
                path, sig = view.signature(d)
                out[path] = (view.stored_id(d), sig, names[int(codes[d])])
        return out
    finally:
        view.close()


@pytest.fixture
def pair(tmp_path):
    """One folder, two indexes of it: one synced by events' paths, one by whole comparisons."""
    folder = tmp_path / "articles"
    build(folder)
    by_paths, whole = tmp_path / "by-paths", tmp_path / "whole"
    sync(folder, by_paths)
    sync(folder, whole)
    return folder, by_paths, whole


def both(folder: Path, by_paths: Path, whole: Path, changed: list[Path]):
    """Sync both indexes; the reports' counts and the indexes must agree."""
    a = sync(folder, by_paths, changed=[str(p) for p in changed])
    b = sync(folder, whole)
    assert (a.total, a.added, a.updated, a.removed, a.unchanged) == (b.total, b.added, b.updated, b.removed,
                                                                       b.unchanged)
    assert state(by_paths) == state(whole)
    return a


def count_listings(monkeypatch) -> list:
    """Calls of the whole folder's listing (a targeted sync lists only the folders its events name)."""
    calls = []
    listing = indexer.list_article_files

    def counted(root, warn=None, under="", on_link=None):
        calls.append(under)
        return listing(root, warn, under, on_link)
    monkeypatch.setattr(indexer, "list_article_files", counted)
    return calls


def test_a_new_file_is_added_without_listing_the_folder(pair, monkeypatch):
    folder, by_paths, whole = pair
    new = write_article(folder, "quokka.txt", "Quokka seen", "2018-09-30", "AFP", "A quokka was seen near Perth.")
    listings = count_listings(monkeypatch)
    report = sync(folder, by_paths, changed=[str(new)])
    assert listings == []
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 0, 0, len(ARTICLES))
    assert report.total == len(ARTICLES) + 1
    with Engine(by_paths) as engine:
        assert [h.path for h in engine.search("quokka").hits] == ["quokka.txt"]
    sync(folder, whole)
    assert state(by_paths) == state(whole)
    assert not sync(folder, by_paths).changed  # a whole comparison finds nothing more to do


def test_changed_and_deleted_files_and_a_copy_joining_a_story(pair):
    folder, by_paths, whole = pair
    changed = folder / "grain.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "Prices fell at once.\n", encoding="utf-8")
    gone = folder / "marathon.txt"
    gone.unlink()
    copy = folder / "copies" / "idlib-summit-copy.txt"
    copy.parent.mkdir()
    shutil.copyfile(folder / "idlib-summit.txt", copy)  # another outlet's copy: the same story
    report = both(folder, by_paths, whole, [changed, gone, copy.parent])
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    labels = state(by_paths)
    assert labels["copies/idlib-summit-copy.txt"][2] == labels["idlib-summit.txt"][2] != ""


def test_a_folder_moved_out_removes_its_articles_and_one_moved_in_adds_them(pair, tmp_path):
    folder, by_paths, whole = pair
    for i in range(3):
        write_article(folder / "desk" / "sub", f"n{i}.txt", f"Desk note {i}", None, None, f"Note {i} on wombats.")
    sync(folder, by_paths)
    sync(folder, whole)
    outside = tmp_path / "elsewhere"
    (folder / "desk").rename(outside)
    report = both(folder, by_paths, whole, [folder / "desk"])
    assert report.removed == 3
    outside.rename(folder / "desk2")
    report = both(folder, by_paths, whole, [folder / "desk2"])
    assert report.added == 3


def test_files_the_listing_skips_are_skipped_here_too(pair, tmp_path):
    folder, by_paths, whole = pair
    hidden = write_article(folder, ".draft.txt", "Draft", None, None, "A hidden draft about quokkas.")
    other = folder / "notes.csv"
    other.write_text("a,b\n", encoding="utf-8")
    outside = write_article(tmp_path / "out", "secret.txt", "Secret", None, None, "Outside the folder.")
    (folder / "linked").symlink_to(outside.parent, target_is_directory=True)
    link = folder / "link.txt"
    link.symlink_to(outside)
    odd = folder / "folder.txt"  # a folder named like an article: its articles are listed, it is not one
    write_article(odd, "inner.txt", "Inner", None, None, "An article in a folder named like one.")
    report = both(folder, by_paths, whole, [hidden, other, folder / "linked" / "secret.txt", folder / "linked",
                                            link, odd])
    assert report.added == 1 and "folder.txt/inner.txt" in state(by_paths)
    assert "link.txt" not in state(by_paths)


def test_the_sidecar_or_a_path_outside_means_a_whole_comparison(pair, monkeypatch, tmp_path):
    folder, by_paths, whole = pair
    listings = count_listings(monkeypatch)
    sidecar = folder / articles_module.SIDECAR_NAME
    sidecar.write_text("path,source\ngrain.txt,Bloomberg\n", encoding="utf-8")
    report = both(folder, by_paths, whole, [sidecar])
    assert report.updated == 1 and "" in listings
    listings.clear()
    sync(folder, by_paths, changed=[str(tmp_path / "elsewhere.txt")])
    assert "" in listings
    listings.clear()
    sync(folder, by_paths, changed=[str(folder)])
    assert "" in listings


def test_too_many_paths_means_a_whole_comparison(pair, monkeypatch):
    folder, by_paths, _ = pair
    monkeypatch.setattr(targeted, "MAX_PATHS", 2)
    listings = count_listings(monkeypatch)
    sync(folder, by_paths, changed=[str(folder / f"x{i}.txt") for i in range(3)])
    assert "" in listings


def test_an_id_another_article_holds_means_a_whole_comparison(pair, monkeypatch):
    """Two files whose ids collide: which one keeps the plain id depends on the whole folder."""
    folder, by_paths, whole = pair
    real = articles_module._digest

    def digest(data: bytes) -> str:  # "grain.md" gets grain.txt's digest, and has its slug: their ids collide
        return real(data.replace(b"grain.md", b"grain.txt"))
    monkeypatch.setattr(articles_module, "_digest", digest)
    twin = write_article(folder, "grain.md", "Wheat again", None, None, "Another wheat article.")
    view = IndexView(IndexStore(by_paths).path / IndexStore(by_paths).pointer().generation)
    try:
        assert targeted.examine(folder, view, [str(twin)]) is None
    finally:
        view.close()
    report = both(folder, by_paths, whole, [twin])
    assert report.added == 1
    ids = state(by_paths)
    assert ids["grain.md"][0] != ids["grain.txt"][0]


def run_watcher(tmp_path, monkeypatch, batches, reports, catch_up_s=3600.0, clock=None):
    """watch() over made-up batches of raw events; the `changed` argument of each sync it runs."""
    import watchfiles

    from search import watch as watch_module
    calls = []
    answers = iter(reports)

    def fake_sync(root, index, full, wait, changed):
        calls.append(changed)
        return next(answers, indexer.SyncReport(whole=changed is None))
    monkeypatch.setattr(watch_module, "sync", fake_sync)
    monkeypatch.setattr(watchfiles, "watch", lambda *args, **kwargs: iter(batches))
    if clock is not None:
        monkeypatch.setattr(watch_module.time, "monotonic", clock)
    watch_module.watch(tmp_path / "articles", tmp_path / "index", catch_up_s=catch_up_s)
    return calls


def test_the_watcher_syncs_only_the_paths_of_a_batch(tmp_path, monkeypatch):
    """Each batch's article paths go to sync; the whole folder at the start and after a sync that could not run."""
    from watchfiles import Change
    folder = tmp_path / "articles"
    folder.mkdir()
    a, b, c = (str(folder / name) for name in ("a.txt", "b.txt", "c.txt"))
    noise = (Change.modified, str(folder / "app.log"))
    gone = (Change.deleted, str(folder / "v1.2"))  # a folder with a dot in its name, moved out
    batches = [{(Change.added, a)}, set(), {(Change.added, b), noise}, {noise}, {gone}, {(Change.added, c)}]
    busy = None  # the sync of [v1.2] could not run: the next one compares the whole folder
    reports = [indexer.SyncReport(whole=True), indexer.SyncReport(whole=True), indexer.SyncReport(), busy]
    calls = run_watcher(tmp_path, monkeypatch, batches, reports)
    # start, the catch-up of what changed during it, b alone (the log file is no article), v1.2, then whole again
    assert calls == [None, None, [b], [str(folder / "v1.2")], None]


def test_a_folder_with_links_is_compared_whole_and_every_catch_up_s(tmp_path, monkeypatch):
    from watchfiles import Change
    folder = tmp_path / "articles"
    folder.mkdir()
    a, b = str(folder / "a.txt"), str(folder / "b.txt")
    linked = indexer.SyncReport(whole=True, linked=True)
    calls = run_watcher(tmp_path, monkeypatch, [{(Change.added, a)}, {(Change.added, b)}],
                        [linked, linked, linked])
    assert calls == [None, None, None]  # a link's change may come under another name: no batch is trusted alone
    ticks = iter(range(0, 10_000, 200))  # each look at the clock is 200 s later
    calls = run_watcher(tmp_path, monkeypatch, [set(), {(Change.modified, str(folder / "x.log"))},
                                                {(Change.added, a)}], [], catch_up_s=150, clock=lambda: next(ticks))
    assert calls == [None, None, None, None]  # every pass is past catch_up_s: noise alone brings a catch-up


def test_a_linked_file_in_a_batch_means_a_whole_comparison(pair, monkeypatch):
    folder, by_paths, whole = pair
    target = folder / "grain.txt"
    link = folder / "latest.txt"
    link.symlink_to(target)
    report = sync(folder, by_paths, changed=[str(link)])
    assert report.whole and report.linked and report.added == 1
    target.write_text(target.read_text(encoding="utf-8") + "Barley too.\n", encoding="utf-8")
    sync(folder, whole)
    assert sync(folder, by_paths).linked
    assert state(by_paths) == state(whole)


def test_a_batch_looks_at_a_folder_once_however_many_of_its_paths_it_names():
    assert targeted._outermost({"a", "a/b", "a/b/c.txt", "a-c", "a.d/e.txt", "b/x.txt", "b/y.txt"}) == [
        "a", "a-c", "a.d/e.txt", "b/x.txt", "b/y.txt"]


def test_relative_paths_of_events():
    root = os.path.abspath("/data/articles")
    assert targeted.relative(root, "/data/articles/a/b.txt") == "a/b.txt"
    assert targeted.relative(root, "/data/articles") is None
    assert targeted.relative(root, "/data/other/a.txt") is None
    assert targeted.relative(root, "/data/articles/../articles2/x.txt") is None
