"""What the query path remembers and the shortcuts it takes: per-view caches (term look-ups with their document
frequency, BM25F length norms, offered metadata facets) live on one snapshot and never outlive it, and each fast
path gives exactly what the plain computation gives."""
from __future__ import annotations

import random

import numpy as np
import pytest

from search import story_results
from search.indexer import sync
from search.facets import UNKNOWN
from search.metafacets import MetaColumns
from search.metafields import FacetSettings, offered
from search.proximity import min_distances, proximity
from search.scoring import bm25f, query_scoring, top, top_docs
from search.searcher import Engine
from search.docsets import Matcher
from search.query import parse
from tests.factory import make_index, write_article


def _plain_norms(view, field, b):
    """BM25F's length normalisation computed from the lengths as the formula says (what view.norms must equal)."""
    average = max(view.field_total(field) / max(view.doc_count, 1), 1.0)
    return 1 - b + b * view.lengths[field].astype(np.float64) / average


def _plain_proximity(view, docnums, words):
    """proximity() one document and one pair of words at a time, from the view's position lists."""
    out = []
    for d in docnums.tolist():
        one = np.array([d], dtype=np.int64)
        lists = {w: [int(x) for p in view.positions("body", w, one) for x in p.tolist()] for w in set(words)}
        total = 0.0
        for a, b in zip(words, words[1:]):
            gaps = [abs(x - y) for x in lists[a] for y in lists[b]]
            if gaps:
                total += 1.0 / max(1, min(gaps))
        out.append(total)
    return np.array(out, dtype=np.float64)


def _plain_dates(view, docs, unit):
    """The date facet's counts one document at a time, from its YYYYMMDD day: [(bucket, count)], unknown last."""
    counts, unknown = {}, 0
    for day in view.day[docs].tolist():
        if day <= 0:
            unknown += 1
            continue
        bucket = f"{day // 10000:04d}" if unit == "year" else f"{day // 10000:04d}-{day // 100 % 100:02d}"
        counts[bucket] = counts.get(bucket, 0) + 1
    return sorted(counts.items()) + ([(UNKNOWN, unknown)] if unknown else [])


def test_a_views_term_lookups_and_norms_do_not_outlive_its_snapshot(tmp_path):
    folder, index = make_index(tmp_path)
    with Engine(index) as engine:
        with engine.view() as old:
            before = old.doc_frequency("body", "idlib")
            assert before == len(old.postings("body", "idlib")[0]) > 0
            norms = old.norms("body", 0.9)
            assert norms is old.norms("body", 0.9)  # made once per view and b
            assert len(norms) == old.doc_count_all and not norms.flags.writeable
            assert old.doc_frequency("body", "zanzibar") == 0
        write_article(folder, "more-idlib.txt", "Idlib again", "2018-09-30", "AFP",
                      "Zanzibar and Idlib in one article, and Idlib twice.")
        sync(folder, index)
        with engine.view() as new:
            assert new is not old
            assert new.doc_frequency("body", "idlib") == before + 1  # not the old view's remembered count
            assert new.doc_frequency("body", "zanzibar") == 1  # nor its remembered miss
            assert len(new.norms("body", 0.9)) == new.doc_count_all == old.doc_count_all + 1
            assert old.doc_frequency("body", "idlib") == before  # the old snapshot still answers as it was
        assert engine.search("zanzibar").total == 1


def test_the_term_cache_is_bounded(tmp_path, monkeypatch):
    from search.storage import view as view_module
    _, index = make_index(tmp_path)
    monkeypatch.setattr(view_module, "TERM_CACHE", 4)
    with Engine(index) as engine, engine.view() as view:
        for word in ["idlib", "putin", "oil", "wheat", "runner", "geneva", "nothing", "syria"]:
            view.doc_frequency("body", word)
            assert len(view._terms) <= 4


@pytest.mark.parametrize("text", ["idlib", "idlib putin", "oil prices supply", '"fate of idlib" erdogan'])
def test_bm25f_norms_are_the_formulas_bit_for_bit_and_a_matcher_scores_as_the_view(tmp_path, text):
    _, index = make_index(tmp_path)
    with Engine(index) as engine, engine.view() as view:
        compiled = parse(text).compile(view, 4.0, any_word=True)
        terms, qtf = query_scoring(compiled.query)
        docs = Matcher(view).docs(compiled.query)
        assert len(docs)
        fast = bm25f(Matcher(view), terms, qtf, docs, 0.9, 2.0, k3=2.0)
        assert fast.tobytes() == bm25f(view, terms, qtf, docs, 0.9, 2.0, k3=2.0).tobytes()
        for field in ("title", "body"):
            assert view.norms(field, 0.9).tobytes() == _plain_norms(view, field, 0.9).tobytes()


def test_proximity_reads_positions_straight_and_agrees_with_a_pair_by_pair_reference(tmp_path):
    _, index = make_index(tmp_path)
    with Engine(index) as engine, engine.view() as view:
        docs = np.flatnonzero(view.live).astype(np.int64)
        for words in (["idlib", "putin"], ["presid", "putin", "sochi"], ["oil", "wheat"], ["runner", "run", "ahead"]):
            fast = proximity(view, docs, words)
            assert fast.tolist() == _plain_proximity(view, docs, words).tolist()
        assert proximity(view, docs, ["vladimir", "putin"]).max() == 1.0  # "Vladimir Putin": side by side
        assert proximity(view, docs, ["presid", "putin"]).max() == 0.5  # "President Vladimir Putin": one between


def _reference_min_distances(docnums, a, b):
    out = []
    for d in docnums.tolist():
        xs = a[1][a[0] == d].tolist()
        ys = b[1][b[0] == d].tolist()
        out.append(min((abs(x - y) for x in xs for y in ys), default=-1))
    return out


@pytest.mark.parametrize("far", [False, True])
def test_min_distances_packed_sort_and_lexsort_agree_with_the_definition(far):
    rng = np.random.default_rng(5)
    for _ in range(200):
        docnums = np.sort(rng.choice(40, size=int(rng.integers(1, 12)), replace=False)).astype(np.int64)
        sides = []
        for _side in range(2):
            per_doc = rng.integers(0, 4, size=len(docnums))
            docs = np.repeat(docnums, per_doc)
            # positions past 2**31 cannot be packed into one key: the lexsort path answers them
            high = (1 << 40) if far else 500
            pos = np.concatenate([np.sort(rng.choice(high, size=n, replace=False)) for n in per_doc.tolist()] or
                                 [np.zeros(0, np.int64)]).astype(np.int64)
            sides.append((docs, pos))
        got = min_distances(docnums, sides[0], sides[1]).tolist()
        assert got == _reference_min_distances(docnums, sides[0], sides[1])


def test_top_docs_are_the_documents_of_top():
    rng = np.random.default_rng(6)
    for _ in range(200):
        n = int(rng.integers(0, 80))
        docs = np.sort(rng.choice(1000, size=n, replace=False)).astype(np.int64)
        scores = rng.integers(0, 5, size=n).astype(np.float64)  # many ties at the cut
        limit = int(rng.integers(0, 60))
        assert top_docs(docs, scores, limit).tolist() == sorted(d for d, _ in top(docs, scores, limit))


def _reference_others(codes, matched, shown, ranked):
    rank = {d: i for i, d in enumerate(ranked.tolist())}
    out = []
    for d in shown.tolist():
        code = int(codes[d])
        if not code:
            out.append([])
            continue
        members = [m for m in matched.tolist() if int(codes[m]) == code and m != d]
        out.append(sorted(members, key=lambda m: (rank.get(m, len(ranked)), m)))
    return out


@pytest.mark.parametrize("collapse", [True, False])
def test_a_pages_other_versions_are_each_storys_matching_articles_in_rank_order(collapse):
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = 60
        codes = rng.integers(0, 6, size=n).astype(np.uint32)  # code 0: a story of its own
        matched = np.sort(rng.choice(n, size=int(rng.integers(1, n)), replace=False)).astype(np.int64)
        ranked = rng.permutation(matched)[:int(rng.integers(1, len(matched) + 1))]
        page = story_results.page(ranked.tolist(), list(range(len(ranked), 0, -1)), codes, matched, 0, 10,
                            collapse=collapse)
        expected = _reference_others(codes, matched, page.docs, ranked)
        assert [o.tolist() for o in page.others] == expected


def test_offered_metadata_facets_are_remembered_per_settings(tmp_path):
    _, index = make_index(tmp_path)
    with Engine(index) as engine, engine.view() as view:
        meta = MetaColumns(view)
        for settings in (FacetSettings(), FacetSettings(fields=("section",)), FacetSettings(max_values=1)):
            expected = offered(meta.sizes(), settings, meta.shares())
            assert meta.offered(settings) == expected == meta.offered(settings)
        listed = FacetSettings(fields=["section"])  # a list: not hashable, computed each time
        assert meta.offered(listed) == offered(meta.sizes(), listed, meta.shares())


def test_a_parsed_querys_clauses_are_computed_once_and_handed_out_as_copies():
    parsed = parse('idlib "fate of syria" -trump the')
    first = parsed.clauses()
    first.append("changed")
    assert parsed.clauses() == ["idlib", '"fate of syria"']
    assert parse("idlib AND putin").clauses() == []  # not a plain query


def test_searches_give_the_same_pages_twice_in_a_row(tmp_path):
    """The caches a first search fills change nothing a second search shows."""
    _, index = make_index(tmp_path)
    rng = random.Random(4)
    words = ["idlib", "putin", "oil", "syrian forces", "erdogan", "ceasefire talks", "runner", "wheat harvest"]
    with Engine(index) as engine:
        for _ in range(20):
            text = " ".join(rng.sample(words, rng.randint(1, 3)))
            a, b = engine.search(text), engine.search(text)
            assert [(h.id, h.score, h.versions) for h in a.hits] == [(h.id, h.score, h.versions) for h in b.hits]
            assert (a.total, a.facets, a.suggestion, [h.id for h in a.more]) == \
                (b.total, b.facets, b.suggestion, [h.id for h in b.more])


@pytest.mark.parametrize("text", ["idlib putin", "idlib putin -trump", '"fate of idlib" erdogan', "oil the prices",
                                  'syrian forces -"idlib province" -ceasefire', "u.s oil", "idlib"])
def test_the_any_word_reading_read_off_the_all_word_one_is_the_compiled_one(tmp_path, text):
    _, index = make_index(tmp_path)
    with Engine(index) as engine, engine.view() as view:
        parsed = parse(text)
        derived = parsed.any_word_of(parsed.compile(view, 4.0))
        if len(parsed.clauses()) < 2:
            assert derived is None  # one part: nothing to join
            return
        compiled = parsed.compile(view, 4.0, any_word=True)
        assert derived.query == compiled.query
        assert (derived.terms, derived.phrases, derived.near) == (compiled.terms, compiled.phrases, compiled.near)
        assert (derived.cost.terms, derived.cost.postings) == (compiled.cost.terms, compiled.cost.postings)
        assert parsed.any_word_of(compiled) is None  # an any-word reading is not read again
        assert parse("idlib AND putin").any_word_of(parse("idlib AND putin").compile(view, 4.0)) is None


def test_the_month_column_is_made_once_per_view_and_counts_as_the_days_do(tmp_path):
    from search.facets import count_dates
    folder, index = make_index(tmp_path)
    with Engine(index) as engine:
        with engine.view() as old:
            every = np.flatnonzero(old.live).astype(np.int64)
            for docs in (every, every[:3], every[every % 2 == 0], every[:0]):
                unit, values = count_dates(old, docs)
                assert unit == "month" and [(v.value, v.count) for v in values] == _plain_dates(old, docs, unit)
            assert old.derived("months", lambda v: 1 / 0) is old.derived("months", lambda v: 1 / 0)  # made once
            before = count_dates(old, every)
        write_article(folder, "later.txt", "Much later", "2031-05-02", "AFP", "Something happened much later.")
        sync(folder, index)
        with engine.view() as new:
            every = np.flatnonzero(new.live).astype(np.int64)
            unit, values = count_dates(new, every)
            assert [(v.value, v.count) for v in values] == _plain_dates(new, every, unit)
            assert (unit, values) != before
            assert unit == "year" and values[-2].value == "2031"  # the new view has its own month column


def test_a_words_documents_are_remembered_for_the_search_and_charged_each_time(tmp_path):
    _, index = make_index(tmp_path)
    with Engine(index) as engine, engine.view() as view:
        q = parse("idlib putin").compile(view, 4.0).query
        once, twice = Matcher(view), Matcher(view)
        first = once.docs(q)
        twice.docs(q)
        assert twice.docs(q).tolist() == first.tolist()
        assert twice.budget.spent == 2 * once.budget.spent > 0  # the remembered union costs what computing it did
        word = q.parts[0]
        assert twice._docs(word, None) is twice._docs(word, None)  # the same array, not computed again


def test_an_english_stem_keeps_the_first_ascii_letter_of_its_word():
    """did you mean's surface word skips the words that start with another letter than the stem: sound only if
    stemming never changes an ASCII first letter or digit (Snowball changes endings, and strips an apostrophe)."""
    from search.analysis import stem
    from search.snowball_english import EnglishStemmer
    special = EnglishStemmer._EnglishStemmer__special_words
    rng = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    words = list(special) + ["".join(rng.choice(letters + "aeiouy" * 3) for _ in range(rng.randint(2, 12)))
                             for _ in range(20_000)]
    words += [w + suffix for w in ("y", "ies", "ied", "ed", "ing", "s", "eed", "yes", "1s") for suffix in ("", "s")]
    for word in words:
        assert stem(word)[:1] == word[:1], word


def test_did_you_mean_finds_the_surface_word_the_stem_comes_from(tmp_path):
    from search.didyoumean import _surface_word
    folder, index = make_index(tmp_path)
    with Engine(index) as engine, engine.view() as view:
        assert _surface_word(view, "negoti") == "negotiations"  # the first article holding the stem
        assert _surface_word(view, "run") in ("running", "runner")
        assert _surface_word(view, "erdogan") == "erdogan"
        assert _surface_word(view, "nosuchstem") is None
        assert engine.search("negotii").suggestion == "negotiations"  # the word as articles write it


def test_a_segments_terms_decoded_in_one_piece_are_its_keys_terms(tmp_path):
    from search.storage.format import FIELD_NUMBER
    _, index = make_index(tmp_path)
    with Engine(index) as engine, engine.view() as view:
        segment = view.segments[0]
        body = chr(FIELD_NUMBER["body"])
        low, high = segment.find(body.encode()), segment.find(body.encode() + b"\xff")
        one_by_one = [k[1:].decode("utf-8", "surrogatepass") for k in segment.keys_between(low, high)]
        assert segment.terms_between(low, high, body) == one_by_one and "idlib" in one_by_one
        # a separator that some term holds: the piece does not split into one term per key, so key by key
        assert segment.terms_between(low, high, "a") == one_by_one
        assert segment.terms_between(low, low, body) == []
        assert view.terms_from("body", "id") == [t for t in one_by_one if t.startswith("id")]
        assert view.terms_from("body", "", 3) == one_by_one[:3]


def test_a_small_segments_dictionary_answers_as_the_mapped_one(tmp_path, monkeypatch):
    from search.storage import segment as segment_module
    folder, index = make_index(tmp_path)
    write_article(folder, "small.txt", "A small sync", "2018-10-01", "AFP", "Idlib and Zanzibar in a small segment.")
    sync(folder, index)
    with Engine(index) as engine, engine.view() as view:
        assert len(view.segments) >= 2
        for s in view.segments:
            keys = s.keys_between(0, s.term_count)
            probes = keys + [k + b"x" for k in keys] + [b"", b"\x03", b"\x03zzzz", b"\xff"]
            monkeypatch.setattr(segment_module, "SMALL_DICTIONARY", 0)  # every look-up through the mapped keys
            mapped = [s.term(k) for k in probes]
            monkeypatch.setattr(segment_module, "SMALL_DICTIONARY", 1 << 30)  # every one through the dict
            assert [s.term(k) for k in probes] == mapped
            assert mapped[:len(keys)] == list(range(len(keys))) and set(mapped[len(keys):]) == {-1}


def test_terms_of_several_segments_merge_into_one_sorted_distinct_list():
    from search.storage.view import _merged
    rng = random.Random(10)
    alphabet = "abcé\u00e9z"
    for _ in range(300):
        runs = []
        for _run in range(rng.randint(0, 4)):
            size = rng.choice([0, 1, 3, 50, 400])
            runs.append(sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(size)}))
        expected = sorted(set().union(*runs)) if runs else []
        assert _merged([list(r) for r in runs]) == expected
        assert sorted(t.encode() for t in expected) == [t.encode() for t in expected]  # as their keys sort


def test_the_surface_word_is_the_first_word_of_the_article_with_the_stem(tmp_path):
    from search.analysis import fold, word_spans
    from search.didyoumean import _surface_word
    articles = [("mixed.txt", "Mixed", None, None,
                 "_under score, Élan élan ÉCOLE ecoles 'quoted' Zürich zurich 2019s running Runner RUNS ß straße "
                 "İstanbul ISTANBUL naïve Naive")]
    _, index = make_index(tmp_path, articles)
    with Engine(index) as engine, engine.view() as view:
        stems = view.terms_from("body", "")
        assert len(stems) > 10
        for stem_term in stems:
            body = view.stored(0)["body"]
            expected = next((fold(body[a:b]) for a, b, term in word_spans(body) if term == stem_term), None)
            assert _surface_word(view, stem_term) == expected, stem_term


def test_a_ranking_of_one_document_per_story_pages_the_same_told_or_found():
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = 80
        codes = rng.integers(0, 8, size=n).astype(np.uint32)
        matched = np.sort(rng.choice(n, size=int(rng.integers(1, n)), replace=False)).astype(np.int64)
        merit = rng.random(len(matched))
        best = story_results.best_of_each(codes, matched, merit)  # one document per story, as ranking.ranked leaves them
        ranked = matched[best][np.argsort(-merit[best], kind="stable")]
        first, count = int(rng.integers(0, 4)), int(rng.integers(1, 12))
        found = story_results.page(ranked.tolist(), list(range(len(ranked))), codes, matched, first, count)
        told = story_results.page(ranked.tolist(), list(range(len(ranked))), codes, matched, first, count, distinct=True)
        assert found.docs.tolist() == told.docs.tolist() and found.scores.tolist() == told.scores.tolist()
        assert [o.tolist() for o in found.others] == [o.tolist() for o in told.others]
