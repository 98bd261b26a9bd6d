"""A rebuild streams: segments are written from their batches a slice of keys at a time (the same bytes as the
whole-segment path), a segment's batches are let go once written, and only a window of batches is ever pending."""
from __future__ import annotations

import filecmp

import numpy as np

from search.indexer import _prepare, sync
from search.storage import assemble, build, commit
from search.storage.build import analyse, analysed_batches, segment_groups
from search.storage.format import EXTS
from search.storage.segment import SegmentFiles, concat_parts, filter_part, write_segment
from search.storage.view import IndexView
from tests.factory import ARTICLES, write_article, write_collection

WORDS = "oil wheat idlib putin ceasefire harvest market crude talks envoy record forecast".split()


def _docs(n: int, start: int = 0) -> list[dict]:
    out = []
    for i in range(start, start + n):
        body = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 3 + i % 17))
        out.append(dict(id=f"doc-{i}", path=f"d/{i:04d}.txt", title=f"{WORDS[i % len(WORDS)]} news {i}",
                        body=body, date=None, extra={"n": str(i)} if i % 3 else {}, sig=f"{i}:1:x:-",
                        day=20180100 + i % 28 + 1 if i % 4 else 0,
                        facets={"source": ["", "AFP", "Reuters, AP"][i % 3], "story": f"s{i % 5}" if i % 2 else "",
                                **({"section": f"sec{i % 4}"} if i % 5 else {})}))
    return out


def _same_files(folder, a: str, b: str) -> None:
    for ext in EXTS:
        assert filecmp.cmp(folder / f"{a}.{ext}", folder / f"{b}.{ext}", shallow=False), ext


def test_a_segment_written_slice_by_slice_is_the_concatenated_segment_byte_for_byte(tmp_path, monkeypatch):
    parts = [analyse(_docs(n, start)) for n, start in ((7, 0), (1, 7), (12, 8), (5, 20))]
    monkeypatch.setattr(assemble, "CHUNK_POSTINGS", 5)  # many slices, keys of one part split across them
    write_segment(str(tmp_path), "WHOLE", concat_parts(parts))
    assemble.write_parts(str(tmp_path), "SLICED", parts)
    _same_files(tmp_path, "WHOLE", "SLICED")
    # a merge: a segment read back from its mapped files, with deletions, then a fresh batch
    back = SegmentFiles(str(tmp_path), "SLICED").read_part()
    keep = np.ones(back.n, dtype=bool)
    keep[::3] = False
    merged = [filter_part(back, keep), analyse(_docs(4, 100))]
    write_segment(str(tmp_path), "MWHOLE", concat_parts(merged))
    assemble.write_parts(str(tmp_path), "MSLICED", merged)
    _same_files(tmp_path, "MWHOLE", "MSLICED")


def test_batches_are_grouped_into_segments_no_larger_than_the_bound(monkeypatch):
    monkeypatch.setattr(build, "MAX_SEGMENT_DOCS", 10)
    groups = list(segment_groups(analyse(_docs(4, s)) for s in range(0, 40, 4)))
    assert [sum(p.n for p in g) for g in groups] == [8, 8, 8, 8, 8]


def test_a_rebuild_of_many_segments_finds_what_one_segment_finds(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "articles")
    for i in range(48 - len(ARTICLES)):  # 48 documents in all
        write_article(folder, f"more-{i:02d}.txt", f"More {i} on Idlib", f"2019-01-{i % 28 + 1:02d}", "AFP",
                      f"Report {i}: Idlib, oil and wheat. " * (i % 5 + 1))
    sync(folder, tmp_path / "one", jobs=1)
    written = []
    real = commit.write_parts
    monkeypatch.setattr(commit, "write_parts", lambda f, s, parts: written.append(sum(p.n for p in parts))
                        or real(f, s, parts))
    monkeypatch.setattr(build, "BATCH_DOCS", 3)
    monkeypatch.setattr(build, "MAX_SEGMENT_DOCS", 7)  # several segments, each written and let go in turn
    sync(folder, tmp_path / "many", jobs=1)
    # 48 documents in segments of at most 7 (two batches of 3), then the small ones merged as any sync merges
    assert written[:8] == [6] * 8 and sum(written) > 48
    one, many = (IndexView(next((tmp_path / name).glob("gen-*"))) for name in ("one", "many"))
    try:
        assert many.doc_count == one.doc_count == 48
        stored = lambda v: sorted((v.stored(d)["path"], v.stored(d)["body"]) for d in range(v.doc_count_all))
        assert stored(many) == stored(one)
        for word in ("idlib", "oil", "report", "putin"):
            paths = lambda v, word=word: sorted(v.stored(int(d))["path"] for d in v.postings("body", word)[0])
            assert paths(many) == paths(one)
    finally:
        one.close()
        many.close()


class _Counted(list):
    """The items of a rebuild, remembering how far the pool has sliced into them."""

    furthest = 0

    def __getitem__(self, key):
        if isinstance(key, slice):
            self.furthest = max(self.furthest, min(key.stop, len(self)))
        return super().__getitem__(key)


def test_the_workers_are_handed_a_window_of_batches_not_all_of_them(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "articles")
    for i in range(60):
        write_article(folder, f"w-{i:02d}.txt", f"Window {i}", None, None, f"Text {i} about wheat.")
    monkeypatch.setattr(build, "BATCH_DOCS", 2)
    monkeypatch.setattr(build, "MIN_PARALLEL_ITEMS", 0)
    files = sorted(p.name for p in folder.glob("*.txt"))
    items = _Counted((folder, rel, 0, 0, None, None) for rel in files)
    batches = analysed_batches(items, _prepare, 2, lambda notes: None)
    seen = []
    for part in batches:
        seen.append(part.n)
        # handed out: the batches taken, plus at most IN_FLIGHT per worker ahead of them
        assert items.furthest <= (len(seen) + build.IN_FLIGHT * 2) * build.BATCH_DOCS
    assert sum(seen) == len(files) and items.furthest == len(files)


def test_search_index_loads_neither_the_query_side_nor_the_web(tmp_path):
    import subprocess
    import sys
    folder = write_collection(tmp_path / "articles")
    index = tmp_path / "index"
    sync(folder, index)
    write_article(folder, "fresh.txt", "Fresh", None, None, "A fresh article about wheat.")
    query_side = ("flask", "web", "search.searcher", "search.snippets", "search.export", "search.ranking",
                  "search.story_results", "search.like", "numpy.ma")
    code = ("import sys; from click.testing import CliRunner; from search.cli import cli; "
            f"r = CliRunner().invoke(cli, ['--articles', {str(folder)!r}, '--index', {str(index)!r}, 'index']); "
            f"print(r.exit_code); print([m for m in {query_side!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[-2:] == ["0", "[]"], done.stdout + done.stderr


def _record_start_and_listing(monkeypatch) -> list[str]:
    from search import indexer
    calls: list[str] = []
    listing = indexer.list_article_files
    monkeypatch.setattr(build, "start_workers_early", lambda modules: calls.append("start workers"))
    monkeypatch.setattr(indexer, "list_article_files", lambda *a, **kw: (calls.append("list"), listing(*a, **kw))[1])
    return calls


def test_a_rebuild_of_a_large_folder_starts_its_workers_server_before_listing_the_files(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "articles")
    calls = _record_start_and_listing(monkeypatch)
    monkeypatch.setattr(build, "MIN_PARALLEL_ITEMS", 5)  # the collection's nine articles count as large
    report = sync(folder, tmp_path / "index", full=True, jobs=2)
    assert report.full and calls[:2] == ["start workers", "list"]


def test_a_small_incremental_or_single_process_sync_starts_no_workers_server(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "articles")
    calls = _record_start_and_listing(monkeypatch)
    sync(folder, tmp_path / "index", full=True)  # nine files: fewer than MIN_PARALLEL_ITEMS
    monkeypatch.setattr(build, "MIN_PARALLEL_ITEMS", 5)
    sync(folder, tmp_path / "index", full=True, jobs=1)
    write_article(folder, "fresh.txt", "Fresh", None, None, "A fresh article about wheat.")
    sync(folder, tmp_path / "index")  # incremental
    assert calls == ["list", "list", "list"]


def test_two_rebuilds_of_the_same_articles_hold_the_same_bytes_and_a_changed_article_shows(tmp_path):
    from bench.sameindex import differences
    folder = write_collection(tmp_path / "articles")
    sync(folder, tmp_path / "one", full=True)
    sync(folder, tmp_path / "two", full=True, jobs=1)
    assert differences(tmp_path / "one", tmp_path / "two") == []
    write_article(folder, "grain.txt", "Wheat harvest beats forecasts", "2017-07-11", "AFP", "A poor harvest.")
    sync(folder, tmp_path / "three", full=True)
    assert differences(tmp_path / "one", tmp_path / "three")
