"""The storage format: IndexView's contract (STORAGE.md), Whoosh conformance, merging and deletions."""
from __future__ import annotations

import re

import numpy as np
import pytest
from whoosh import index as windex
from whoosh import query as wq

from search.analysis import term_for
from search.indexer import sync
from search.searcher import Engine
from search.storage import commit
from search.storage.build import analyse
from search.storage.format import MAX_SEGMENT_DOCS
from search.storage.view import IndexView
from search.store import IndexStore
from tests.factory import ARTICLES, write_article, write_collection


@pytest.fixture
def built(tmp_path):
    folder = write_collection(tmp_path / "articles")
    index = tmp_path / "index"
    sync(folder, index)
    return folder, index


def view_of(index):
    view, _ = IndexStore(index).open_view()
    return view


def test_view_columns_match_the_articles(built):
    _, index = built
    view = view_of(index)
    assert view.doc_count_all == view.doc_count == len(ARTICLES)
    assert view.live.dtype == bool and view.live.all()
    docs = {view.stored(d)["path"]: d for d in range(view.doc_count_all)}
    for name, title, date, source, body in ARTICLES:
        d = docs[name]
        stored = view.stored(d)
        assert stored["title"] == title and stored["date"] == date and body.startswith(stored["body"][:40])
        assert view.source_names[view.source[d]] == (source or "")
        assert view.day[d] == (int(date.replace("-", "")) if date else 0)
        assert view.docnum(stored["id"]) == d
        assert view.lengths["title"][d] == len([w for w in re.findall(r"\w+", title) if term_for(w)])
    assert view.source_names[0] == "" and view.source.dtype == np.uint32 and view.day.dtype == np.uint32
    assert view.field_total("body") == int(view.lengths["body"].sum())
    assert view.facet_names() == ["source", "story"]
    codes, values = view.facet("story")  # stories: every article labelled, with its own id when it has no version
    assert [values[c] for c in codes.tolist()] == [view.stored(d)["id"] for d in range(view.doc_count_all)]
    assert view.docnum("no-such-id") is None


def test_view_postings_positions_and_terms(built):
    _, index = built
    view = view_of(index)
    docs, freqs = view.postings("body", term_for("Idlib"))
    assert docs.dtype == np.int64 and freqs.dtype == np.float32 and list(docs) == sorted(docs)
    holding = {d for d in range(view.doc_count_all) if "idlib" in view.stored(d)["body"].lower()}
    assert set(docs.tolist()) == holding
    assert view.doc_frequency("body", term_for("Idlib")) == len(docs)
    empty = view.postings("body", "zzzzz")
    assert len(empty[0]) == len(empty[1]) == 0 and view.doc_frequency("body", "zzzzz") == 0
    # positions: "fate of Idlib" -> fate at p, idlib at p + 1 ("of" is a stop word and takes no position)
    fate = view.postings("body", term_for("fate"))[0]
    (p_fate,) = view.positions("body", term_for("fate"), fate)
    (p_idlib,) = view.positions("body", term_for("Idlib"), fate)
    assert p_fate[0] + 1 in set(p_idlib.tolist())
    # every posting's positions count is its frequency
    for _d, f, p in zip(docs, freqs, view.positions("body", term_for("Idlib"), docs)):
        assert len(p) == f
    without = next(d for d in range(view.doc_count_all) if d not in holding)
    some = np.array(sorted(set(docs.tolist()[::2]) | {without}))  # a document without the term has none
    lengths, flat = view.positions_flat("body", term_for("Idlib"), some)
    assert lengths.tolist() == [len(p) for p in view.positions("body", term_for("Idlib"), some)]
    assert lengths[some.tolist().index(without)] == 0
    assert flat.tolist() == [x for p in view.positions("body", term_for("Idlib"), some) for x in p.tolist()]
    assert view.terms_from("body", "syri") == ["syria", "syrian"]
    assert view.terms_from("body", "s", limit=2) == sorted(view.terms_from("body", "s"))[:2]
    assert view.terms_from("nofield", "a") == []


def test_view_after_changes_has_deletions_and_several_segments(built):
    folder, index = built
    (folder / "grain.txt").unlink()
    write_article(folder, "new.txt", "Fresh report on Qamishli", "2018-09-14", "Kurdistan24", "Clashes near Qamishli.")
    write_article(folder, "oil-prices.txt", "Oil falls", "2018-08-22", "Reuters", "Oil fell on Wednesday.")
    sync(folder, index)
    view = view_of(index)
    assert len(view.segments) == 2 and view.doc_count == len(ARTICLES)
    assert view.doc_count_all == len(ARTICLES) + 2 and (~view.live).sum() == 2
    sigs = view.signatures()
    assert set(sigs) == {p.name for p in folder.iterdir() if p.suffix == ".txt"}
    d = view.docnum(next(view.stored(x)["id"] for x in range(view.doc_count_all)
                         if view.stored(x)["path"] == "oil-prices.txt" and view.live[x]))
    assert view.stored(d)["title"] == "Oil falls"
    codes, names = view.facet("source")
    assert names[0] == "" and names == [""] + sorted(set(names[1:])) and any("Kurdistan" in n for n in names)
    assert names[codes[d]] == "Reuters"
    docs, _ = view.postings("body", term_for("wheat"))
    assert len(docs) == 1 and not view.live[docs[0]]  # deleted documents stay in postings; callers mask


def test_whoosh_opens_a_generation_and_finds_what_the_engine_finds(built):
    folder, index = built
    write_article(folder, "new.txt", "Idlib again", "2018-09-14", "AFP", "More on Idlib and oil.")
    (folder / "saraqeb.txt").unlink()
    sync(folder, index)
    generation = IndexStore(index).pointer().generation
    ix = windex.open_dir(str(index / generation))
    view = view_of(index)
    with ix.searcher() as searcher, Engine(index) as engine:
        for word in ("idlib", "oil", "putin", "syrian", "ceasefire"):
            stem = term_for(word)
            whoosh_docs = set(searcher.docs_for_query(wq.Term("body", stem)))
            docs, _ = view.postings("body", stem)
            assert whoosh_docs == set(docs[view.live[docs]].tolist())
            whoosh_ids = {searcher.stored_fields(d)["id"] for d in whoosh_docs}
            engine_ids = {h.id for h in engine.search(word, per_page=100).hits}
            assert whoosh_ids <= engine_ids  # the engine also matches titles
        assert searcher.doc_count() == view.doc_count
        # the day column's terms are Whoosh's numeric encoding: its NumericRange finds what the column says
        september = set(searcher.docs_for_query(wq.NumericRange("day", 20180901, 20180930)))
        assert september and september == set(np.flatnonzero(
            view.live & (view.day >= 20180901) & (view.day <= 20180930)).tolist())


def test_merges_keep_the_segment_count_bounded(tmp_path):
    folder = tmp_path / "a"
    index = tmp_path / "index"
    folder.mkdir()
    for i in range(40):
        write_article(folder, f"a{i}.txt", f"Title {i}", f"2018-09-{i % 28 + 1:02d}", None, f"Body {i} about wheat.")
        sync(folder, index)
    view = view_of(index)
    assert view.doc_count == 40
    ix = windex.open_dir(str(view.folder))
    with ix.searcher() as searcher:  # merged segments keep the numeric day terms whole
        assert len(set(searcher.docs_for_query(wq.NumericRange("day", 20180901, 20180910)))) == 20
    assert len(view.segments) < 2 * commit.MERGE_FACTOR
    assert len(view.postings("body", "wheat")[0][view.live[view.postings("body", "wheat")[0]]]) == 40


def test_analyse_groups_postings_per_batch():
    docs = [dict(id=f"id{i}", path=f"p{i}.txt", title="Oil oil", body="oil wheat oil" if i % 2 else "wheat",
                 date=None, extra={}, sig="s", day=0, facets={"source": "AFP" if i % 2 else ""}) for i in range(5)]
    part = analyse(docs)
    keys = part.keys.tolist()
    starts = np.concatenate(([0], np.cumsum(part.df)))
    t = keys.index(b"\x03oil")
    assert part.docs[starts[t]:starts[t + 1]].tolist() == [1, 3] and part.freqs[starts[t]:starts[t + 1]].tolist() == [2, 2]
    assert part.lengths[0].tolist() == [2] * 5 and part.lengths[1].tolist() == [1, 3, 1, 3, 1]
    codes, values = part.facets["source"]
    assert values == ["", "AFP"] and codes.tolist() == [0, 1, 0, 1, 0]
    assert MAX_SEGMENT_DOCS == 1 << 16


def test_a_rebuild_in_worker_processes_writes_what_one_process_writes(tmp_path, monkeypatch):
    from search.storage import build
    folder = write_collection(tmp_path / "articles")
    for i in range(30):
        write_article(folder, f"more-{i}.txt", f"More {i} on Idlib", f"2019-01-{i % 28 + 1:02d}", "AFP",
                      f"Report {i}: Idlib, oil and wheat. " * (i % 5 + 1))
    monkeypatch.setattr(build, "BATCH_DOCS", 4)  # several batches, and workers even for a small collection
    monkeypatch.setattr(build, "MIN_PARALLEL_ITEMS", 0)
    sync(folder, tmp_path / "one", jobs=1)
    report = sync(folder, tmp_path / "two", jobs=2)
    assert report.added == len(ARTICLES) + 30 and report.full
    one, two = view_of(tmp_path / "one"), view_of(tmp_path / "two")
    assert one.doc_count == two.doc_count == len(ARTICLES) + 30
    assert [one.stored(d) for d in range(one.doc_count_all)] == [two.stored(d) for d in range(two.doc_count_all)]
    for word in ("idlib", "oil", "wheat", "putin"):
        d1, f1 = one.postings("body", term_for(word))
        d2, f2 = two.postings("body", term_for(word))
        assert d1.tolist() == d2.tolist() and f1.tolist() == f2.tolist()
        assert [p.tolist() for p in one.positions("body", term_for(word), d1)] == \
            [p.tolist() for p in two.positions("body", term_for(word), d2)]
    assert one.facet("source")[1] == two.facet("source")[1] and (one.day == two.day).all()


def test_a_damaged_live_generation_is_rebuilt_not_a_failure_on_every_run(built):
    folder, index = built
    live = index / IndexStore(index).pointer().generation
    next(live.glob("*.meta")).write_text("{not json")
    report = sync(folder, index)
    assert report.full and report.added == len(ARTICLES)
    assert view_of(index).doc_count == len(ARTICLES)


def test_search_query_loads_neither_the_web_nor_the_writing_side(built):
    import subprocess
    import sys
    _, index = built
    heavy = ("flask", "nh3", "waitress", "jinja2", "web", "search.indexer", "search.stories", "search.story_file",
             "search.story_signatures", "search.storage.build", "search.storage.commit", "search.storage.codec",
             "search.analyzer", "search.metadata", "whoosh", "whoosh.compat", "whoosh.fields", "whoosh.index",
             "whoosh.codec", "urllib.request", "http.client", "email", "hashlib", "ctypes.util", "subprocess",
             "numpy.ma")
    code = ("import sys; from click.testing import CliRunner; from search.cli import cli; "
            f"r = CliRunner().invoke(cli, ['--index', {str(index)!r}, 'query', 'idlib']); print(r.exit_code); "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[-2:] == ["0", "[]"], done.stdout + done.stderr


def test_merge_plan_keeps_segments_few():
    from search.storage.codec import ArraySegment
    segments = [ArraySegment(f"s{i}", n) for i, n in enumerate([50_000, 3, 3, 3, 3, 40, 40, 40, 900])]
    plan = commit.merge_plan(segments)
    assert plan == [[1, 2, 3, 4]]  # four of one tier; three of the next are not yet enough
    mostly_deleted = ArraySegment("d", 100, np.arange(60))
    assert commit.merge_plan([mostly_deleted]) == [[0]]
    huge = [ArraySegment(f"h{i}", 30_000) for i in range(4)]
    assert commit.merge_plan(huge) == [[0, 1]]  # never past MAX_SEGMENT_DOCS live documents


def test_merged_value_tables_number_every_value_as_one_sorted_table():
    """Facet value tables of several segments -> one table ("" first, sorted) and each table's renumbering."""
    import random

    from search.storage.segment import merged_values
    rnd = random.Random(5)
    words = ["", "Reuters", "AFP", "Agence France-Presse", "Érdoğan", "zeta", "a\x00b", "ß", "日本", "b"]
    for _ in range(200):
        tables = [[""] + sorted(set(rnd.sample(words[1:], rnd.randint(0, 6)))) for _ in range(rnd.randint(1, 4))]
        if rnd.random() < 0.3:  # an unsorted table, or one without "": still numbered right
            rnd.shuffle(tables[0])
        values, remaps = merged_values(tables)
        assert values[0] == "" and values[1:] == sorted({v for t in tables for v in t} - {""})
        for table, remap in zip(tables, remaps):
            assert remap.dtype == np.uint32 and [values[i] for i in remap.tolist()] == table


def test_extended_value_tables_equal_a_merge_of_them_all():
    """A view that adds segments to an earlier one extends its numbering: the same table and codes as a merge."""
    import random

    from search.storage import segment
    from search.storage.segment import extended_values, merged_values
    rnd = random.Random(11)
    words = [f"w{i:03d}" for i in range(400)] + ["Érdoğan", "ß", "日本", "a\x00"]
    for trial in range(120):
        if trial == 100:
            segment.INSERTED_VALUES = 3  # the other road: many new values merged by one sort
        try:
            n = rnd.randint(1, 4)
            tables = [[""] + sorted(set(rnd.sample(words, rnd.randint(0, 40)))) for _ in range(n)]
            ids = [f"s{i}" for i in range(n)]
            before = rnd.randint(1, n)  # the earlier view had the first segments
            values, remaps = merged_values(tables[:before])
            earlier = (values, dict(zip(ids[:before], remaps)))
            got_values, got = extended_values(earlier, ids, tables)
            want_values, want = merged_values(tables)
            assert got_values == want_values
            assert [r.tolist() for r in got] == [r.tolist() for r in want]
            assert all(r.dtype == np.uint32 for r in got)
        finally:
            segment.INSERTED_VALUES = 256


def test_a_reopened_view_takes_over_the_unchanged_segments_and_numbers_facets_as_a_fresh_one(tmp_path, monkeypatch):
    from search.storage import view as view_module
    folder = write_collection(tmp_path / "articles")
    index = tmp_path / "index"
    sync(folder, index)
    write_article(folder, "first-new.txt", "An article", "2019-01-01", "Wire One", "Wombats.")
    sync(folder, index)  # two segments: the facets are merged
    engine = Engine(index)
    try:
        with engine.view() as first:
            assert len(first.segments) == 2
            first.facet("source"), first.facet("story")
            old_segments = {s.segment_id: s for s in first.segments}
        write_article(folder, "new.txt", "A new outlet's article", "2019-01-02", "Brand New Wire", "Quokkas again.")
        sync(folder, index)
        merges = []
        monkeypatch.setattr(view_module, "merged_values", lambda tables: merges.append(tables))
        with engine.view() as second:
            assert second is not first
            reused = [s for s in second.segments if old_segments.get(s.segment_id) is s]
            assert reused and len(reused) == len(second.segments) - 1  # only the sync's new segment is read
            numbered = {name: second.facet(name) for name in ("source", "story")}
            assert merges == []  # extended from the first view's numbering, not merged again
            monkeypatch.undo()
            fresh = IndexView(second.folder)
            try:
                for name in ("source", "story"):
                    codes, values = numbered[name]
                    want_codes, want_values = fresh.facet(name)
                    assert values == want_values and np.array_equal(codes, want_codes)
                assert "Brand New Wire" in second.facet("source")[1]
            finally:
                fresh.close()
    finally:
        engine.close()
