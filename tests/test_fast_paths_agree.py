"""The query path's shortcuts give the same answers as the slow ways they replace, and never outlive a sync."""
from __future__ import annotations

import random

import pytest
from whoosh.support.levenshtein import levenshtein as whoosh_levenshtein

from search.analyzer import ANALYZER
from search.indexer import sync
from search.searcher import Engine
from search.spelling import Vocabulary, levenshtein
from tests.factory import make_index, write_article, write_collection

WORDS = ("idlib idlibs idle idol idler sarakeb saraqeb saraqib sochi socks erdogan erdogn erdgoan putin putn "
         "puting pudding negotiation negotiations negotiate nation notion ñandu nandu étoile etoile "
         "market markets marker makret marlet marketing 1987 1988 19877 u.s usa us teh the").split()


def _engine(tmp_path, segments: int) -> Engine:
    """An engine over articles holding WORDS, written by `segments` syncs."""
    folder = write_collection(tmp_path / "articles", [])
    rng = random.Random(3)
    for part in range(segments):
        for n in range(12):
            words = rng.sample(WORDS, 6)
            write_article(folder, f"{part}/{n}.txt", words[0], None, None, " ".join(words))
        sync(folder, tmp_path / "index")
    return Engine(tmp_path / "index")


def test_levenshtein_agrees_with_whoosh():
    rng = random.Random(1)
    for _ in range(20_000):
        a = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 9)))
        assert levenshtein(a, b) == whoosh_levenshtein(a, b)


@pytest.mark.parametrize("segments", [1, 3])
def test_vocabulary_finds_the_terms_within_the_distance(tmp_path, segments):
    with _engine(tmp_path, segments) as engine, engine.view() as view:
        vocabulary = Vocabulary(view)
        everything = view.terms_from("body", "")
        assert everything == sorted(set(everything)) and "idlib" in everything
        probes = {t.text for w in WORDS for t in ANALYZER(w)} | {"makret", "erdgoan", "sarakeb", "nadnu", "xyz"}
        for word in sorted(probes):
            for distance in (1, 2):
                # the reference: every term with the same first letter, the rest within the distance
                expected = [t for t in everything if t[:1] == word[:1] and levenshtein(word[1:], t[1:]) <= distance]
                found = vocabulary.within(word, distance)
                assert [t for t, _ in found] == expected, (word, distance)
                assert [df for _, df in found] == [view.doc_frequency("body", t) for t in expected]


# -- results pages ------------------------------------------------------------------------------------------
def _page(results):
    """Everything a results page shows, without the time it took."""
    return (results.total, [(h.id, h.score, h.snippet, h.title_spans) for h in results.hits], results.facets,
            results.suggestion, results.notice)


QUERIES = ("idlib", "idlib putin", '"fate of idlib"', "erdogan OR marathon", "idlib -putin", "ceasefire",
           "sarakeb", "runner record", "syrian forces", "oil prices")


def _uncached(index, queries):
    """The pages a freshly opened engine shows."""
    with Engine(index) as fresh:
        return {q: _page(fresh.search(q)) for q in queries}


def test_a_sync_never_serves_stale_postings(tmp_path):
    folder, index = make_index(tmp_path)
    queries = QUERIES + ("zanzibar", "wheat")
    with Engine(index) as engine:
        before = {q: _page(engine.search(q)) for q in queries}  # fills the caches
        assert before["zanzibar"][0] == 0
        # change an article, add one and remove one: incremental commits into the live generation
        write_article(folder, "saraqeb.txt", "Syrian forces leave Saraqeb", "2018-10-05", "Reuters",
                      "Syrian forces left Saraqeb and Zanzibar on Friday. Idlib stayed calm.")
        write_article(folder, "zanzibar.txt", "Zanzibar ceasefire", "2018-10-06", "AFP",
                      "A ceasefire in Zanzibar held as Putin and Erdogan spoke about Idlib.")
        (folder / "grain.txt").unlink()
        sync(folder, index)
        after = {q: _page(engine.search(q)) for q in queries}
        assert after["zanzibar"][0] == 2 and after["wheat"][0] == 0
        assert after["idlib"][0] == before["idlib"][0] + 2  # the changed article and the new one
        assert after == _uncached(index, queries)
        sync(folder, index, full=True)  # a new generation with the same articles
        rebuilt = {q: _page(engine.search(q)) for q in queries}
        assert rebuilt == _uncached(index, queries)


def test_searches_from_many_threads_agree_with_one(tmp_path):
    import threading
    folder, index = make_index(tmp_path)
    with Engine(index) as engine:
        expected = {q: _page(engine.search(q)) for q in QUERIES}
        failures, views = [], set()

        def work(seed):
            order = list(QUERIES)
            random.Random(seed).shuffle(order)
            for q in order * 5:
                if _page(engine.search(q)) != expected[q]:
                    failures.append(q)
                with engine.view() as view:
                    views.add(id(view))

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures
        assert len(views) == 1  # one IndexView for the snapshot, shared by every thread


def test_ranking_without_snippets_is_the_same_ranking(tmp_path):
    folder, index = make_index(tmp_path)
    with Engine(index) as engine:
        for q in QUERIES + ("",):
            full, bare = engine.search(q, per_page=20), engine.search(q, per_page=20, snippets=False)
            assert (bare.total, bare.facets, bare.suggestion, bare.notice) == \
                (full.total, full.facets, full.suggestion, full.notice)
            assert [(h.id, h.score, h.title, h.path, h.date, h.source) for h in bare.hits] == \
                [(h.id, h.score, h.title, h.path, h.date, h.source) for h in full.hits]
            assert all(h.snippet == [] and h.title_spans == [(h.title, False)] for h in bare.hits)


# -- snippets ------------------------------------------------------------------------------------------------
def _random_text(rng, alphabet):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))


def test_sentence_ends_are_found_as_the_plain_regex_finds_them():
    import re
    from search.snippets import _SENTENCE_END
    plain = re.compile(r"[.!?…][\"'”’)\]]*\s+(?=[A-Z\"“‘'(])|\n\s*")
    rng = random.Random(7)
    alphabet = list("ab AZ.!?…\"'”’)]\n\t(“‘") + ["Mr. Smith", "3.5", "end.\n\n  Next"]
    for _ in range(5000):
        text = _random_text(rng, alphabet)
        assert [m.span() for m in _SENTENCE_END.finditer(text)] == [m.span() for m in plain.finditer(text)], text


def test_quick_word_starts_are_the_careful_ones():
    import re
    from search import snippets
    rng = random.Random(11)
    alphabet = list("abcdeoils OIL_9.-'\nHIJNPSTWY") + ["oil", "Oil", "turmoil", "soil", "u.s", "U.S", "u.sab",
                                                          "é", "İ", "ſ", "K"]
    stem_sets = [frozenset(s) for s in (["oil"], ["oil", "u.s"], ["u.sab", "sa"], ["ab", "abc", "b"], ["dé"],
                                         ["cri", "de"])]
    for _ in range(3000):
        text = _random_text(rng, alphabet)
        probe = text.translate(snippets._PROBE)
        for stems in stem_sets:
            # the reference: a case-insensitive regex with a word-start lookbehind, tried at every position
            careful = re.compile(r"(?<!\w)(?:%s)" % snippets._heads(stems)[0], re.IGNORECASE)
            expected = [m.start() for m in careful.finditer(probe)]
            query = snippets._Query(stems, ())
            assert list(snippets._starts(text, query)) == expected, (text, stems)
            assert list(snippets._starts(text, query, chunk=7)) == expected, (text, stems)  # cut in pieces


def _sentences(text):
    """The reference: every sentence of text, walking all the sentence ends."""
    from search.snippets import _SENTENCE_END
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos:
            yield pos, m.start() + len(m.group().rstrip())
        pos = m.end()
    if pos < len(text):
        yield pos, len(text)


def test_the_sentence_around_a_word_is_the_sentence_holding_it():
    from search.analysis import WORD_RE
    from search.snippets import _sentence
    rng = random.Random(5)
    alphabet = list("ab AZ.!?…\"'”’)]\n\t(“‘") + ["Mr. Smith", "3.5", "end.\n\n  Next", "word"]
    for _ in range(3000):
        text = _random_text(rng, alphabet)
        for m in WORD_RE.finditer(text):
            expected = next((s, e) for s, e in _sentences(text) if s <= m.start() < e)
            assert _sentence(text, m.start(), 0) == (*expected, True, True), (text, m.start())


def test_the_sentence_around_a_word_is_looked_for_within_its_reach(monkeypatch):
    from search import snippets
    monkeypatch.setattr(snippets, "SENTENCE_REACH", 20)
    text = "Short one. " + "word " * 20 + "oil " + "word " * 20 + "end. Next."
    pos = text.index("oil")
    assert snippets._sentence(text, pos, 0) == (pos - 20, pos + 20, False, False)
    assert snippets._sentence(text, text.index("Next"), 0)[2:] == (True, True)


def test_an_old_snapshot_is_closed_once_its_last_search_is_done(tmp_path):
    folder, index = make_index(tmp_path)
    with Engine(index) as engine:
        engine.search("idlib")
        engine.version()  # looks at the snapshot without holding it
        old = engine._current()
        with engine.view() as held:  # a search still running on the old snapshot
            write_article(folder, "late.txt", "Late Idlib news", None, None, "Idlib talks.")
            sync(folder, index)
            assert "late.txt" in [h.path for h in engine.search("idlib").hits]  # the new snapshot
            assert engine._current() is not old and not old.view.closed
            assert held.postings("body", "idlib")[0].size  # still readable
        assert old.view.closed and old._users == 0
        assert engine._current()._users == 0


def test_bit_counts_with_and_without_numpys_own(monkeypatch):
    import numpy as np
    from search import spelling
    values = np.random.default_rng(2).integers(0, 2**63, 500, dtype=np.uint64) | np.uint64(1 << 63)
    expected = [bin(int(v)).count("1") for v in values]
    assert spelling._bit_count(values).tolist() == expected
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    assert spelling._bit_count(values).tolist() == expected


def test_a_photo_credit_is_recognised_with_or_without_the_quick_refusal():
    from search import captions

    def reference(line: str) -> bool:  # the rule without the look at the raw line first
        tail = captions._collapse(line[-4 * captions.CREDIT_TAIL:].strip().rstrip("\\"))[-captions.CREDIT_TAIL:]
        if "/" not in tail and ":" not in tail and "via" not in tail.lower():
            return False
        return bool(captions._CREDIT.search(tail) or captions._POOL_CREDIT.search(tail))

    rng = random.Random(11)
    pieces = ["/", " / ", "AFP", "Reuters", "Photo", "photo:", "Pool", "via", "VIA", "V ia", ":", "\\", "Delil",
              "SOULEIMAN", "by", "Jane Doe", ")", "\n", "\t \n ", "  ", "x" * 300, "picture", "İ", "Credit", "image",
              "Image:", "pıcture", "ımage", "POOL"]
    credits = 0
    for _ in range(20_000):
        line = "".join(rng.choice(pieces) + rng.choice(["", " ", "  "]) for _ in range(rng.randint(0, 12)))
        assert captions.is_photo_credit(line) == reference(line), line
        credits += reference(line)
    assert credits > 50  # the lines include real credits, not only refusals


def test_story_collapsing_over_shared_stories_only_is_the_collapsing_over_all():
    import numpy as np

    from search import story_results

    rng = np.random.default_rng(4)
    for _ in range(300):
        n = int(rng.integers(1, 60))
        # code 0 (unlabelled), stories of one document and stories of several, in any mix
        codes = rng.choice(np.arange(0, int(rng.integers(1, 3 * n + 2))), size=n).astype(np.uint32)
        shared = story_results.shared_stories(codes)
        docs = np.sort(rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False)).astype(np.int64)
        merit = rng.integers(0, 4, size=len(docs)).astype(np.float64)  # ties on purpose
        assert story_results.count_stories(codes, docs, shared) == story_results.count_stories(codes, docs)
        assert story_results.best_of_each(codes, docs, merit, shared).tolist() == story_results.best_of_each(codes, docs,
                                                                                                  merit).tolist()
        ranked = rng.permutation(docs)
        first, count = int(rng.integers(0, 4)), int(rng.integers(1, 6))
        for collapse in (True, False):
            fast = story_results.page(ranked, merit[:len(ranked)], codes, docs, first, count, collapse, shared)
            slow = story_results.page(ranked, merit[:len(ranked)], codes, docs, first, count, collapse)
            assert fast.docs.tolist() == slow.docs.tolist() and fast.scores.tolist() == slow.scores.tolist()
            assert [o.tolist() for o in fast.others] == [o.tolist() for o in slow.others]


@pytest.mark.parametrize("segments", [1, 3])
def test_positions_gathered_at_once_are_each_documents_own(tmp_path, segments):
    import numpy as np
    with _engine(tmp_path, segments) as engine, engine.view() as view:
        assert len(view.segments) == segments
        rng = np.random.default_rng(2)
        checked = 0
        for word in sorted(set(WORDS))[:20]:
            term = engine.marks(word)[0]
            if not term:
                continue
            (text,) = term
            checked += 1
            holding = {}
            for i, s, t in view._hits("body", text):  # the reference: each posting's positions on their own
                local, _ = s.postings(t)
                for k, d in enumerate(local.tolist()):
                    holding[d + int(view.offsets[i])] = s.positions_of(t, k).tolist()
            for _ in range(5):
                docs = np.sort(rng.choice(view.doc_count_all, size=int(rng.integers(0, view.doc_count_all + 1)),
                                          replace=False)).astype(np.int64)
                lengths, flat = view.positions_flat("body", text, docs)
                assert flat.dtype == np.int64 and lengths.tolist() == [len(holding.get(d, [])) for d in docs.tolist()]
                assert flat.tolist() == [p for d in docs.tolist() for p in holding.get(d, [])]
        assert checked >= 10


def test_letter_masks_made_for_a_group_at_once_are_each_words_own():
    from search.spelling import _mask, _masks_of
    rng = random.Random(8)
    alphabet = "abcxyzé漢\U0001F600İ09\udc80"  # a lone surrogate too: terms are decoded with surrogatepass
    for length in range(1, 14):
        words = ["".join(rng.choice(alphabet) for _ in range(length)) for _ in range(200)]
        assert _masks_of(words, length).tolist() == [_mask(w) for w in words]
