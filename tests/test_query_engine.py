"""The vectorized query path against plain per-document references: matching, phrases, BM25F, top-k, date order,
proximity and facets over an IndexView of several segments with deletions."""
from __future__ import annotations

import random
from collections import Counter
from math import log

import numpy as np
import pytest

from search import plan
from search.docsets import Matcher
from search.facets import count_dates, count_facet
from search.indexer import sync
from search.proximity import min_distances, proximity
from search.scoring import bm25f, by_date, query_scoring, top
from search.searcher import Engine
from tests.factory import ARTICLES, write_article, write_collection

VOCAB = "idlib talks putin erdogan syria oil price crude wheat harvest market bank rate ceasefire geneva".split()
SOURCES = ("Reuters", "AFP", None, "i24NEWS")


def _random_body(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 40))) + "."


@pytest.fixture(scope="module")
def view_engine(tmp_path_factory):
    """An engine over 3 syncs (several segments), with changed and deleted articles; yields (engine, view)."""
    root = tmp_path_factory.mktemp("vector")
    folder = write_collection(root / "articles")
    rng = random.Random(4)
    for batch in range(3):
        for n in range(70):
            day = None if n % 7 == 0 else f"20{17 + n % 3}-{n % 12 + 1:02d}-{n % 27 + 1:02d}"
            write_article(folder, f"b{batch}/{n}.txt", " ".join(rng.sample(VOCAB, 3)).title(), day,
                          SOURCES[n % 4], _random_body(rng))
        for gone in rng.sample(range(70), 5):
            if batch:
                (folder / f"b{batch - 1}/{gone}.txt").unlink(missing_ok=True)
        sync(folder, root / "index")
    with Engine(root / "index") as engine:
        with engine.view() as view:
            yield engine, view


def _postings(view, field, text) -> dict[int, float]:
    docs, freqs = view.postings(field, text)
    return dict(zip(np.asarray(docs).tolist(), np.asarray(freqs).tolist()))


def _ref_docs(view, q) -> set[int]:
    """The matching documents, one document at a time (live ones only)."""
    live = set(np.flatnonzero(view.live).tolist())
    if isinstance(q, plan.Term):
        return set(_postings(view, q.field, q.text)) & live
    if isinstance(q, plan.Or):
        return set().union(*(_ref_docs(view, s) for s in q.parts))
    if isinstance(q, plan.And):
        out = set(live)
        for s in q.parts:
            out = out - _ref_docs(view, s.part) if isinstance(s, plan.Not) else out & _ref_docs(view, s)
        return out
    if isinstance(q, plan.Phrase):
        cands = set(live)
        for w in q.words:
            cands &= set(_postings(view, q.field, w))
        found = set()
        for d in sorted(cands):
            spots = [set(view.positions(q.field, w, np.array([d]))[0].tolist()) for w in q.words]
            if any(all(p + i in spots[i] for i in range(len(q.words))) for p in spots[0]):
                found.add(d)
        return found
    if isinstance(q, plan.DayRange):
        return {d for d in live if view.day[d] and (q.low or 0) <= view.day[d] <= (q.high or 99991231)}
    if isinstance(q, plan.FacetIs):
        return {d for d in live if view.source_names[view.source[d]].lower() in q.values}
    if isinstance(q, plan.Every):
        return live
    return set()


def _random_query(rng: random.Random, depth: int = 0):
    kind = rng.choice(["term", "term", "phrase", "and", "or", "not", "day", "source"] if depth < 3 else ["term"])
    field = rng.choice(["title", "body"])
    if kind == "term":
        return plan.Term(field, rng.choice(VOCAB + ["nosuchword"]))
    if kind == "phrase":
        return plan.Phrase("body", tuple(rng.choice(VOCAB[:6]) for _ in range(rng.randint(2, 3))))
    if kind == "day":
        return plan.DayRange(rng.choice([None, 20170601, 20180101]), rng.choice([None, 20181231, 20190630]))
    if kind == "source":
        return plan.FacetIs("source", tuple(rng.sample(["reuters", "afp", ""], rng.randint(1, 2))))
    parts = tuple(_random_query(rng, depth + 1) for _ in range(rng.randint(1, 3)))
    if kind == "not":
        return plan.And(parts + (plan.Not(_random_query(rng, depth + 1)),))
    return plan.And(parts) if kind == "and" else plan.Or(parts)


def test_the_view_has_several_segments_and_deletions(view_engine):
    _, view = view_engine
    assert view.doc_count < view.doc_count_all


def test_matching_is_the_per_document_reference(view_engine):
    _, view = view_engine
    rng = random.Random(1)
    for _ in range(400):
        q = _random_query(rng)
        found = Matcher(view).docs(q)
        assert found.tolist() == sorted(_ref_docs(view, q)), q
        assert found.dtype == np.int64


def test_phrases_with_repeated_words(view_engine, tmp_path):
    folder = write_collection(tmp_path / "articles", ARTICLES + [
        ("rep.txt", "Repeat", None, None, "oil oil oil price. price oil oil."),
        ("rep2.txt", "Repeat two", None, None, "oil price oil price oil")])
    sync(folder, tmp_path / "index")
    with Engine(tmp_path / "index") as engine, engine.view() as view:
        for words in (("oil", "oil"), ("oil", "oil", "oil"), ("oil", "price", "oil"), ("price", "oil", "oil"),
                      ("oil", "price", "oil", "price", "oil"), ("price", "price")):
            q = plan.Phrase("body", words)
            assert Matcher(view).docs(q).tolist() == sorted(_ref_docs(view, q)), words


def test_positions_of_many_documents_are_those_of_each_document_read_alone(view_engine):
    _, view = view_engine
    rng = random.Random(5)
    for word in VOCAB[:8] + ["nosuchword"]:
        for field in ("title", "body"):
            holding = np.asarray(view.postings(field, word)[0], dtype=np.int64)
            for _ in range(5):
                docs = np.array(sorted(rng.sample(holding.tolist(), min(len(holding), rng.randint(0, 60)))),
                                dtype=np.int64)
                lengths, flat = view.positions_flat(field, word, docs)
                expected = [view.positions_flat(field, word, np.array([d]))[1] for d in docs.tolist()]
                assert lengths.tolist() == [len(p) for p in expected]
                assert flat.tolist() == [int(x) for p in expected for x in p]
            # documents without the word have no positions
            others = np.setdiff1d(np.flatnonzero(view.live), holding)[:5].astype(np.int64)
            assert view.positions_flat(field, word, others)[0].tolist() == [0] * len(others)


def _ref_bm25f(view, terms, candidates, b, k1):
    """BM25F one document at a time: the arithmetic of the engine before it was vectorized."""
    scores = dict.fromkeys(candidates, 0.0)
    n = view.doc_count
    live = max(n, 1)
    terms, qtf = terms
    for text, weights in terms.items():
        df = view.doc_frequency("body", text) or view.doc_frequency("title", text)
        idf = qtf.get(text, 1.0) * log(1 + (n - df + 0.5) / (df + 0.5))
        pseudo = {}
        for field, weight in weights.items():
            average = max(view.field_total(field) / live, 1.0)
            for doc, tf in _postings(view, field, text).items():
                if doc in scores:
                    norm = 1 - b + b * int(view.lengths[field][doc]) / average
                    pseudo[doc] = pseudo.get(doc, 0.0) + weight * tf / norm
        for doc, tf in pseudo.items():
            scores[doc] = scores[doc] + idf * tf * (k1 + 1) / (k1 + tf)
    return scores


def test_bm25f_is_the_per_document_reference_bit_for_bit(view_engine):
    _, view = view_engine
    rng = random.Random(2)
    for _ in range(100):
        q = _random_query(rng)
        terms = query_scoring(q)
        candidates = Matcher(view).docs(q)
        if rng.random() < 0.3:  # candidates that hold none of the terms score 0.0
            candidates = np.flatnonzero(view.live).astype(np.int64)
        got = bm25f(view, *terms, candidates, 0.75, 1.6)
        expected = _ref_bm25f(view, terms, candidates.tolist(), 0.75, 1.6)
        assert got.tolist() == [expected[d] for d in candidates.tolist()], q


def test_a_repeated_query_word_counts_each_time_outside_the_saturation(view_engine):
    _, view = view_engine
    once = plan.Or((plan.Term("title", "oil", 3.0), plan.Term("body", "oil")))
    twice = plan.And((once, once))
    assert query_scoring(once) == ({"oil": {"title": 3.0, "body": 1.0}}, {"oil": 1.0})
    assert query_scoring(twice) == ({"oil": {"title": 3.0, "body": 1.0}}, {"oil": 2.0})
    docs = Matcher(view).docs(once)
    single, double = bm25f(view, *query_scoring(once), docs, 0.75, 1.6), bm25f(view, *query_scoring(twice), docs,
                                                                             0.75, 1.6)
    assert len(docs) and np.array_equal(double, 2 * single)
    # weights given directly (an example text's), a missing qtf being 1
    assert np.array_equal(bm25f(view, {"oil": {"title": 3.0, "body": 1.0}}, {}, docs, 0.75, 1.6), single)
    # an excluded word never scores, however often it is named
    assert query_scoring(plan.And((once, plan.Not(plan.Term("body", "wheat"))))) == query_scoring(once)


def test_top_and_date_order_are_the_sorted_references():
    rng = np.random.default_rng(3)
    for size in (0, 1, 5, 50, 500):
        docs = np.sort(rng.choice(10_000, size, replace=False)).astype(np.int64)
        scores = rng.integers(0, 5, size).astype(np.float64)  # many ties: document order breaks them
        day = rng.choice([0, 20180101, 20180102, 20190505], 10_000).astype(np.uint32)
        for limit in (0, 1, 3, 10, 600):
            expected = sorted(zip(docs.tolist(), scores.tolist()), key=lambda x: (-x[1], x[0]))[:limit]
            assert top(docs, scores, limit) == expected
            for newest in (True, False):
                ref = sorted(docs.tolist(), key=lambda d: (day[d] == 0, -int(day[d]) if newest else int(day[d]), d))
                assert by_date(docs, day, limit, newest) == ref[:limit]


def _ref_min_distance(a, b):
    return min((abs(x - y) for x in a for y in b), default=None)


def test_min_distances_are_the_closest_pairs():
    rng = random.Random(6)
    for _ in range(300):
        docnums = np.array(sorted(rng.sample(range(30), rng.randint(1, 8))), dtype=np.int64)
        lists = {w: {int(d): sorted(rng.sample(range(60), rng.randint(0, 5))) for d in docnums} for w in "ab"}

        def flat(w, docnums=docnums, lists=lists):
            docs = [d for d in docnums.tolist() for _ in lists[w][d]]
            return np.array(docs, dtype=np.int64), np.array([p for d in docnums.tolist() for p in lists[w][d]],
                                                             dtype=np.int64)
        got = min_distances(docnums, flat("a"), flat("b")).tolist()
        expected = [_ref_min_distance(lists["a"][d], lists["b"][d]) for d in docnums.tolist()]
        assert got == [-1 if e is None else e for e in expected]


def test_proximity_bonus_is_the_reference(view_engine):
    _, view = view_engine
    docs = Matcher(view).docs(plan.And((plan.Term("body", "oil"), plan.Term("body", "price"))))[:50]
    words = ["oil", "price", "crude"]
    got = proximity(view, docs, words)
    for d, bonus in zip(docs.tolist(), got.tolist()):
        spots = [view.positions("body", w, np.array([d]))[0].tolist() if d in _postings(view, "body", w) else []
                 for w in words]
        expected = sum(1.0 / max(1, _ref_min_distance(a, b)) for a, b in zip(spots, spots[1:]) if a and b)
        assert bonus == expected


def test_facet_counts_are_the_counted_references(view_engine):
    _, view = view_engine
    rng = random.Random(8)
    live = np.flatnonzero(view.live)
    for _ in range(30):
        docs = np.sort(rng.sample(live.tolist(), rng.randint(0, len(live)))).astype(np.int64)
        counted = Counter(view.source_names[view.source[d]] or "unknown" for d in docs.tolist())
        assert {f.value: f.count for f in count_facet(view, "source", docs)} == counted
        unit, dates = count_dates(view, docs)
        months = Counter(f"{view.day[d] // 10000:04d}-{view.day[d] // 100 % 100:02d}" if view.day[d] else "unknown"
                         for d in docs.tolist())
        if unit == "month":
            assert {f.value: f.count for f in dates} == months
        else:
            assert sum(f.count for f in dates) == len(docs)
        assert [f.value for f in dates if f.value != "unknown"] == sorted(f.value for f in dates
                                                                         if f.value != "unknown")


def test_union_through_a_mask_or_a_sort_is_the_set_union():
    from search.docsets import union
    rng = np.random.default_rng(9)
    for n in (1, 10, 1000):
        for k in range(0, 5):
            parts = [np.unique(rng.integers(0, n, rng.integers(0, 3 * n))).astype(np.int64) for _ in range(k)]
            expected = sorted(set().union(*(p.tolist() for p in parts)))
            assert union(parts, n).tolist() == expected
            assert union([p[:2] for p in parts], n).tolist() == sorted(set().union(*(p[:2].tolist() for p in parts)))


class _Days:
    """A view with only a day column (and the derived columns an IndexView makes from it, not remembered)."""

    def __init__(self, days):
        self.day = np.asarray(days, dtype=np.uint32)

    def derived(self, key, make):
        return make(self)


def test_dates_are_counted_by_month_or_by_year_as_the_reference():
    rng = random.Random(10)
    for _ in range(200):
        years = rng.choice([0, 1, 2, 3, 30])  # spans under and over 36 months
        days = [0 if rng.random() < 0.1 else
                (2000 + rng.randint(0, years)) * 10000 + rng.randint(1, 12) * 100 + rng.randint(1, 28)
                for _ in range(rng.randint(0, 50))]
        view = _Days(days)
        docs = np.arange(len(days), dtype=np.int64)
        unit, counted = count_dates(view, docs)
        months = Counter(d // 100 for d in days if d)
        span_months = (max(months) // 100 * 12 + max(months) % 100) - (min(months) // 100 * 12 + min(months) % 100) \
            if months else 0
        if span_months >= 36:
            years = Counter()
            for m, c in months.items():
                years[f"{m // 100:04d}"] += c
            expected = sorted(years.items())
            assert unit == "year"
        else:
            expected = sorted((f"{m // 100:04d}-{m % 100:02d}", c) for m, c in months.items())
            assert unit == "month"
        unknown = [("unknown", days.count(0))] if 0 in days else []
        assert [(f.value, f.count) for f in counted] == expected + unknown
