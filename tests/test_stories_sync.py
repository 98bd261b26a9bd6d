"""Stories kept through incremental syncs: the story work a sync does is bounded by what changed."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from search import indexer, stories, story_file, story_signatures
from search.articles import Article, article_id
from search.indexer import sync
from search.storage.view import IndexView
from tests.factory import write_article
from tests.stories_factory import VERSIONED, WIRE, labels_in, live_generation

ORIGINAL = VERSIONED[-4][0]




def test_a_sync_that_changes_nothing_does_no_story_work(versioned, monkeypatch):
    folder, index = versioned
    calls = []
    for name in ("load", "open_stored", "outdated", "save"):
        real = getattr(story_file, name)
        monkeypatch.setattr(story_file, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
    before = live_generation(index)
    report = sync(folder, index)
    assert not report.changed and live_generation(index) == before
    # sync() itself asks outdated() once, reading a header; nothing else of the stories file is opened
    assert not {"load", "open_stored", "save"} & set(calls) and calls.count("outdated") <= 1
    # a change does the story work, through the same functions (so the counting above could see it)
    write_article(folder, "z/copy.txt", "A copy", "2018-09-19", "AFP", "\n\n".join(WIRE))
    calls.clear()
    assert sync(folder, index).changed
    assert "open_stored" in calls and "save" in calls
    monkeypatch.undo()
    labels = labels_in(index)
    assert labels["z/copy.txt"] == labels[ORIGINAL] != "z/copy.txt"


def _article(path, words, sig="s0"):
    return (article_id(path), path, sig, "t", " ".join(words))


# cap 2: buckets past the cap, where row order counts; share 1: the base of signatures is hard-linked by several
# generations in turn before a new one is written, 16: written anew each time (the tables here are small)
@pytest.mark.parametrize("cap,share", [(stories.BUCKET_CAP, 1), (2, 1), (stories.BUCKET_CAP, 16)])
def test_update_gives_what_refresh_and_relabel_give(tmp_path, monkeypatch, cap, share):
    """story_file.update (a sync's story work, per changed row) against the whole-table path (refresh, relabel):
    the same rows in the same order, the same labels, the same stale rows, through adds, changes, deletes and joins; and
    the files it is saved to and read back from give the same table."""
    monkeypatch.setattr(stories, "BUCKET_CAP", cap)
    monkeypatch.setattr(story_file, "DELTA_SHARE", share)
    bases_written, linked = set(), 0
    rng = np.random.default_rng(5)
    vocabulary = [f"w{i}" for i in range(500)]
    bases = [rng.choice(vocabulary, 60).tolist() for _ in range(10)]
    join = rng.choice(vocabulary, 60).tolist()

    def version(path, sig):
        base = bases[int(rng.integers(0, len(bases)))]
        cut = int(rng.integers(0, 15))
        return _article(path, base[cut:] if rng.random() < 0.5 else base[:60 - cut], sig)
    articles = {p: version(p, "s0") for p in (f"p{int(k):03d}.txt" for k in rng.permutation(300)[:40])}
    steps = [  # (removed, written) for the steps that join and split stories, then random ones
        ([], [_article("m-first.txt", join[:40]), _article("n-second.txt", join[20:])]),
        ([], [_article("a-whole.txt", join)]),            # joins the two halves, and names the story
        (["a-whole.txt"], []),                             # splits it again: both rewritten
        (["m-first.txt"], [_article("n-second.txt", join, "s1")]),
    ]

    def random_step(step):
        paths = sorted(articles)
        removed = rng.choice(paths, 3, replace=False).tolist()
        changed = [version(p, f"s{step}") for p in rng.choice([p for p in paths if p not in removed], 2,
                                                              replace=False).tolist()]
        added = [version(f"p{int(k):03d}-{step}.txt", f"s{step}") for k in rng.integers(0, 400, 3)]
        return removed, changed + added
    table = stories.make_table(list(articles.values()))
    table.labels = stories.labels(table)
    stored = story_file.Stored.of(table)
    saw_stale = 0
    for n in range(14):
        removed, written = steps[n] if n < len(steps) else random_step(n)
        for p in removed:
            del articles[p]
        articles.update((a[1], a) for a in written)
        indexed = {p: a[2] for p, a in articles.items()}
        whole, old, fresh_rows, gone = stories.refresh(table, indexed, written, lambda paths: [])
        want = stories.relabel(whole, old, fresh_rows, gone)
        assert want.tolist() == stories.labels(whole).tolist(), n
        want_stale = [p for p, was, now, added in zip(whole.paths.tolist(), old.tolist(), want.tolist(),
                                                     fresh_rows.tolist()) if not added and was != now]
        replaced = [a[1] for a in written if a[1] in table.paths.tolist()]
        change = story_file.update(stored, removed + replaced, stories.make_table(written))
        got = change.table
        for f in ("ids", "paths", "sync_sigs"):
            assert getattr(got, f).values().tolist() == getattr(whole, f).tolist(), (n, f)
        for f in ("sigs", "counts", "exact"):
            assert np.array_equal(getattr(got, f), getattr(whole, f)), (n, f)
        assert got.ids.values()[got.roots].tolist() == want.tolist(), n
        assert change.stale == want_stale, n
        by_path = dict(zip(whole.paths.tolist(), want.tolist()))
        assert change.labels == {p: by_path[p] for p in [a[1] for a in written] + want_stale}, n
        assert all(change.ids[p] == article_id(p) and change.sync_sigs[p] == indexed[p] for p in want_stale)
        saw_stale += bool(want_stale)
        table, table.labels = whole, want
        if n % 2:  # through the files: the next step reads them memory-mapped
            folder = tmp_path / f"gen-{n}"
            folder.mkdir()
            story_file.save(folder, got)
            stored = story_file.open_stored(folder)
            assert stored.generation == folder.name and np.array_equal(stored.roots, got.roots)
            assert np.array_equal(stored.sigs, whole.sigs) and stored.table().paths.tolist() == whole.paths.tolist()
            base = stored.sigs.base
            if got.sigs.base is not None and os.path.samefile(base, got.sigs.base):
                linked += 1
                assert len(stored.sigs.delta) == np.count_nonzero(stored.sigs.rows < 0) > 0  # only the used ones
            else:
                assert base.stat().st_ino not in bases_written and len(stored.sigs.delta) == 0
                bases_written.add(base.stat().st_ino)
        else:
            stored = got
    assert saw_stale >= 3  # the joins and splits above relabelled kept rows
    assert len(bases_written) >= 2 and (linked >= 2 if share == 1 else linked == 0)


def test_a_sync_reads_only_the_rows_it_changes(versioned, monkeypatch):
    """An incremental sync decodes no whole text column, reads no stored text back and no index signatures."""
    folder, index = versioned
    calls = []
    monkeypatch.setattr(story_file, "DELTA_SHARE", 1)  # the base kept (a new one is written in row order, decoded)
    monkeypatch.setattr(story_file.Texts, "values", lambda self: calls.append("values"))
    monkeypatch.setattr(story_file, "load", lambda *a: calls.append("load"))  # the whole table: never read
    real_open = story_file.open_stored
    monkeypatch.setattr(story_file, "open_stored", lambda *a: calls.append("open_stored") or real_open(*a))
    monkeypatch.setattr(IndexView, "signatures", lambda self: calls.append("signatures") or {})
    real = story_file.Texts.find
    monkeypatch.setattr(story_file.Texts, "find", lambda self, v: calls.append("find") or real(self, v))
    # _changes reads the view's signatures: this test is about the story work only
    monkeypatch.setattr(indexer, "_changes", lambda *a: ([], [indexer.to_document(
        Article("new", "z/new.txt", "New", None, None, "\n\n".join(WIRE), {}), "1:2:3:")]))
    sync(folder, index)
    assert calls.count("find") == 1 and not {"values", "load", "signatures"} & set(calls)
    assert "open_stored" in calls  # the sync did go through the stories file, a row at a time
    monkeypatch.undo()
    labels = labels_in(index)
    assert labels["z/new.txt"] == labels[ORIGINAL]


def test_a_sync_links_the_base_and_writes_a_new_one_when_the_delta_grows(versioned, monkeypatch):
    folder, index = versioned
    # the collection is small: a base kept until the delta is as large
    monkeypatch.setattr(story_file, "DELTA_SHARE", 1)

    def base_of(index):
        return story_file.open_stored(live_generation(index)).sigs
    first = base_of(index)
    assert len(first.delta) == 0 and first.base.stat().st_nlink == 1
    first_inode = first.base.stat().st_ino
    write_article(folder, "z/one.txt", "One", None, None, "\n\n".join(WIRE))
    sync(folder, index)
    second = base_of(index)
    assert second.base.stat().st_ino == first_inode and second.base.stat().st_nlink == 1  # the old generation gone
    assert len(second.delta) == 1 and np.count_nonzero(second.rows < 0) == 1
    # the texts of one row, not of every row
    meta = story_file._header(live_generation(index) / story_file.FILE_NAME)[0]
    assert meta["columns"]["delta.paths.blob"][1] == len("z/one.txt") + 1 and "paths.blob" not in meta["columns"]
    monkeypatch.setattr(story_file, "DELTA_SHARE", 4)  # a quarter of the rows apart from the base: a new one
    for k in range(len(VERSIONED) // 4 + 1):
        write_article(folder, f"z/more-{k}.txt", "More", None, None, f"Wheat exports item {k} fell sharply.")
        sync(folder, index)
    last = base_of(index)
    assert last.base.stat().st_ino != first_inode
    assert len(last.delta) < len(VERSIONED) // 4 + 2
    assert {p.name for p in live_generation(index).iterdir() if "stories" in p.name} == story_file.files(
        live_generation(index))
    sync(folder, tmp := index.parent / "fresh", full=True)
    assert labels_in(index) == labels_in(tmp)


@pytest.mark.parametrize("fail", ["base", "stories file", "link"])
def test_a_save_that_fails_leaves_nothing_behind(tmp_path, monkeypatch, fail):
    table = stories.make_table([_article(f"p{k}.txt", [f"w{k}"] * 20) for k in range(5)])
    table.labels = stories.labels(table)
    first = tmp_path / "gen-1"
    first.mkdir()
    story_file.save(first, table)
    change = story_file.update(story_file.open_stored(first), ["p1.txt"], stories.make_table([]))
    monkeypatch.setattr(story_file, "DELTA_SHARE", 1 if fail == "link" else 1000)  # link the base, or write one
    real_write, real_link = story_file._write, os.link

    def write(path, columns, meta):
        real_write(path, columns, meta)
        if ("head" in columns) == (fail == "base"):
            raise OSError(28, "No space left on device")
    monkeypatch.setattr(story_file, "_write", write)
    monkeypatch.setattr(os, "link", lambda *a: (real_link(*a), (_ for _ in ()).throw(OSError(28, "full")))[0]
                        if fail == "link" else real_link(*a))
    second = tmp_path / "gen-2"
    second.mkdir()
    with pytest.raises(OSError):
        story_file.save(second, change.table)
    assert list(second.iterdir()) == [] and story_file.open_stored(first) is not None


def test_signatures_kept_apart_from_their_base_read_as_gathered_rows():
    rng = np.random.default_rng(2)
    base = rng.integers(0, 1 << 32, (300, story_signatures.K), dtype=np.uint32)
    delta = rng.integers(0, 1 << 32, (40, story_signatures.K), dtype=np.uint32)
    every = np.concatenate([base, delta])
    for where in (np.arange(300), np.r_[0:50, -1, 60:200, -2, -3, 201:300],  # runs, delta rows between
                  rng.permutation(np.r_[0:300, -40:0])[:250]):                # scattered
        sigs = story_file._Sigs(base[:, :stories._BANDED], base[:, stories._BANDED:], delta, where)
        want = every[np.where(where >= 0, where, 300 - 1 - where)]
        assert np.array_equal(np.asarray(sigs), want)
        assert np.array_equal(sigs.banded(), want[:, :stories._BANDED])
        rows = rng.integers(0, len(where), 30)
        assert np.array_equal(sigs[rows], want[rows]) and np.array_equal(sigs[5:9], want[5:9])


def test_a_file_system_without_hard_links_gets_a_copy_of_the_base(versioned, monkeypatch):
    folder, index = versioned
    monkeypatch.setattr(story_file, "DELTA_SHARE", 1)  # the base kept

    def no_link(*a):
        raise OSError(errno.EPERM, "Operation not permitted")
    monkeypatch.setattr(os, "link", no_link)
    write_article(folder, "z/one.txt", "One", None, None, "\n\n".join(WIRE))
    sync(folder, index)
    kept = story_file.open_stored(live_generation(index))
    assert kept is not None and len(kept.sigs.delta) == 1 and kept.sigs.base.stat().st_nlink == 1
    assert labels_in(index)["z/one.txt"] == labels_in(index)[ORIGINAL]
