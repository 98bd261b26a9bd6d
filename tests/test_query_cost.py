"""What one query may cost: the whole query's bound, the per-search work budget, memory handed
back, and no per-document Python on the query path. Checked by counting work, never by timing it."""
from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest

from search import budget
from search.errors import QueryError
from search.indexer import sync
from search.query import parse
from search import searcher as searcher_module
from search.searcher import Engine
from tests.factory import ARTICLES, make_index, write_article, write_collection

PREFIXES = ["id", "pu", "er", "sy", "sa", "oi", "pr", "wh", "ha", "ru", "ma", "ce", "ta", "ge", "fo", "tr"] * 4


class CountingView:
    """An IndexView that counts the postings and positions asked of it."""

    def __init__(self, view):
        self._view, self.postings_read, self.positions_read = view, 0, 0

    def __getattr__(self, name):
        return getattr(self._view, name)

    def postings(self, field, text):
        self.postings_read += 1
        return self._view.postings(field, text)

    def positions(self, field, text, docs):
        self.positions_read += len(docs)
        return self._view.positions(field, text, docs)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return make_index(tmp_path_factory.mktemp("cost"))[1]


def test_many_wildcards_are_bounded_together_and_refused_before_reading_postings(index, monkeypatch):
    text = " OR ".join(f"{p}*" for p in PREFIXES)  # 64 two-letter prefixes: a query built to read most of the index
    with Engine(index) as engine, engine.view() as view:
        counting = CountingView(view)
        expanded = parse(text).compile(counting, 3.0)  # within the default bound on a small index
        per_prefix = [len(view.terms_from("body", p)) for p in set(PREFIXES)]
        assert max(per_prefix) < 20 < len(expanded.terms)  # no one part is large: only their sum is
        monkeypatch.setattr(budget, "MAX_QUERY_TERMS", 20)
        counting = CountingView(view)
        with pytest.raises(QueryError, match=r"more than 20 different words .*fewer wildcards"):
            parse(text).compile(counting, 3.0)
        assert counting.postings_read == 0 and counting.positions_read == 0
        with pytest.raises(QueryError, match="type more letters before each star"):
            engine.search(text)


def test_a_query_reading_too_many_postings_is_refused_at_once(index, monkeypatch):
    with Engine(index) as engine, engine.view() as view:
        postings = view.doc_frequency("body", "idlib") + view.doc_frequency("title", "idlib")
        monkeypatch.setattr(budget, "MAX_QUERY_POSTINGS", postings - 1)
        counting = CountingView(view)
        with pytest.raises(QueryError, match=f"more than {postings - 1:,} postings"):
            parse("idlib").compile(counting, 3.0)
        assert counting.postings_read == 0
        assert engine.search("saraqeb").total == 1  # a cheaper query still runs
        monkeypatch.setattr(budget, "MAX_QUERY_POSTINGS", postings)
        assert engine.search("idlib").total


def test_a_search_stops_when_its_work_budget_is_spent(index, monkeypatch):
    with Engine(index) as engine:
        spent = []
        original = budget.Budget.charge

        def charge(self, units):
            original(self, units)
            spent.append(self.spent)

        monkeypatch.setattr(budget.Budget, "charge", charge)
        results = engine.search('"fate of idlib" putin')
        assert results.total == 1 and 0 < spent[-1]
        needed = spent[-1]
        monkeypatch.setattr(budget, "WORK_BUDGET", needed - 1)
        with pytest.raises(QueryError, match="more work than one search may do"):
            engine.search('"fate of idlib" putin')
        monkeypatch.setattr(budget, "WORK_BUDGET", needed)
        assert engine.search('"fate of idlib" putin').total == 1


def test_the_work_of_a_search_follows_its_postings(index, monkeypatch):
    """A search's budget is spent in proportion to the postings of its words, not to the collection."""
    spent = {}
    original = budget.Budget.charge

    def charge(self, units):
        original(self, units)
        spent["last"] = self.spent

    monkeypatch.setattr(budget.Budget, "charge", charge)
    monkeypatch.setattr(searcher_module, "SUGGEST_BELOW", 0)  # "did you mean" reads the vocabulary, not postings
    with Engine(index) as engine, engine.view() as view:
        for q in ("saraqeb", "idlib", "idlib putin", "saraqeb OR geneva"):
            spent.clear()
            engine.search(q, snippets=False)
            postings = sum(view.doc_frequency(f, w) for f in ("title", "body")
                           for w in ("saraqeb", "idlib", "putin", "geneva") if w in q)
            assert 0 < spent["last"] <= 4 * postings, q


def test_memory_is_handed_back_after_a_heavy_query(tmp_path):
    folder = write_collection(tmp_path / "articles", ARTICLES)
    words = "idlib putin erdogan syria saraqeb oil prices wheat harvest runner marathon ceasefire talks".split()
    for i in range(600):
        write_article(folder, f"many/{i}.txt", f"{words[i % 13]} {words[i % 7]}", None, None,
                      " ".join(words[(i * k) % 13] + str(k % 5) for k in range(60)))
    sync(folder, tmp_path / "index")
    text = " OR ".join(f"{p}*" for p in PREFIXES)
    numpy_only = [tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)]
    with Engine(tmp_path / "index") as engine:
        engine.search(text, per_page=100)  # what a first search keeps (the snapshot's vocabulary, analyzer caches)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            arrays_before = tracemalloc.take_snapshot().filter_traces(numpy_only).statistics("filename")
            for _ in range(3):
                engine.search(text, per_page=100)
            after, peak = tracemalloc.get_traced_memory()
            arrays_after = tracemalloc.take_snapshot().filter_traces(numpy_only).statistics("filename")
        finally:
            tracemalloc.stop()
    assert peak > before + 500_000  # the searches did allocate
    assert sum(s.size for s in arrays_after) == sum(s.size for s in arrays_before)  # every array freed
    # what else stays is the interpreter's free lists (tuples), bounded whatever the query
    assert after - before < 256_000


def _lines_run(engine, text) -> int:
    """Python lines executed by one search."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        engine.search(text)
    finally:
        sys.settrace(None)
    return count


def test_no_python_runs_per_matching_document(tmp_path):
    """The same query over 60 and 400 matching articles (both more than the rescore window) runs the same Python:
    numpy does the per-document work."""
    lines = []
    for n in (60, 400):
        folder = write_collection(tmp_path / str(n) / "articles", ARTICLES)
        for i in range(n):
            write_article(folder, f"many/{i}.txt", "Idlib talks", f"2018-0{i % 9 + 1}-01",
                          ("Reuters", "AFP", None)[i % 3], "Idlib talks resumed. Putin spoke about the talks.")
        sync(folder, tmp_path / str(n) / "index")
        with Engine(tmp_path / str(n) / "index") as engine:
            for q in ("idlib talks", '"idlib talks" putin', "talk* -saraqeb"):
                engine.search(q)  # warm: the analyzer's caches, the view's columns
                lines.append((q, n, _lines_run(engine, q), engine.search(q).articles))  # one story: articles
    small, big = lines[:3], lines[3:]
    for (q, _, few, total_few), (_, _, many, total_many) in zip(small, big):
        assert total_many >= total_few + 340, q
        assert many <= few * 1.05 + 50, (q, few, many)


def test_a_heavy_search_hands_freed_memory_back_to_the_system(index, monkeypatch):
    calls = []
    monkeypatch.setattr(budget, "_TRIM", lambda pad: calls.append(pad) or 1)
    with Engine(index) as engine:
        engine.search("idlib")
        assert calls == []  # a light search leaves the allocator alone
        monkeypatch.setattr(budget, "HEAVY", 0)
        engine.search("idlib")
        assert calls == [0]
    assert budget._trimmer() is None or callable(budget._trimmer())
