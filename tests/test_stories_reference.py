"""Stories: the array code that cleans, signs and groups articles against straightforward references (a Python
loop per line, per word, per pair) on hostile texts."""
from __future__ import annotations

import hashlib
import random
import re

import numpy as np
import pytest

from search import stories, story_file, story_signatures
from search.analysis import WORD_PATTERN, fold, term_for
from search.articles import article_id

_M = (1 << 64) - 1

#: Lines that exercise every rule of clean_text: chrome, captions, credits, menus, headlines, sentence ends,
#: short lines, odd whitespace and case, non-ASCII and lone surrogates.
LINES = [
    "Share this article", "SHARE", "\u017fhare this", "Tweet", "e-mail", "Email us", "Print", "Follow us on Twitter",
    "Sign up for our newsletter.", "Advertisement", "ADVERT", "Related: more news", "Read more", "See also:",
    "Copyright 2018 Example.", "\u00a9 Example Ltd", "\u00a9", "All rights reserved.", "(Reporting by A; Editing by B)",
    "Reporting by someone", "Writing by x", "compiled by y", "Image caption A man walks", "Media copyright Getty",
    "Photo: a scene in town", "PICTURE / something", "file photo - the mayor", "(AFP Photo)", "Getty Images",
    "AFP photo of the day", "\u0130mage caption", "ima\u0307ge caption", "Mourners in Qamishli on Friday. REUTERS/Rodi Said",
    "Putin and Erdogan in Sochi. / AFP", "x" * 45 + " / AP", "(AP photo)", "Home | World | Middle East",
    "Home | World.", "a | b | c | d | e f", "Putin, Erdogan strike deal", "  putin,   ERDOGAN strike\tdeal  ",
    "Putin, Erdogan strike deal today and tomorrow", "ANKARA (Reuters) - The two leaders agreed on a zone",
    "in Idlib province on", "Monday.", "short line", "a    b", "a   b", "one two three four five",
    "One two three four", "It ended.", "\"Quoted end.\"", "(aside)", "x", ".", "", "   ", "\t\x0b\x0c",
    "\xa0non-breaking start\xa0", "\u2028separated\u2028", "caf\u00e9 na\u00efve r\u00e9sum\u00e9 words here", "\r",
    "carriage return line \r", "\x1c\x1d\x1e odd separators", "\x85next line char", "nul \x00 inside the line",
    "lone \udce9 surrogate in the text ok", "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12.", "digits 1987 3.25 5/14/82",
    "Sponsored", "sponsored content is here and long", "More from the desk", "click here!", "Recommended for you",
    "\uff33hare fullwidth", "K\u212aelvin sign", "(Additional reporting by Z)", "see also", "READ ALSO: this",
    "\u0130stanbul news", "\u0130STANBUL NEWS", "i\u0307stanbul news", "\u0130\u0130\u0130\u0130", "\u0130\u0130\u0130\u0130.",
    "\u0130\u0130 \u0130\u0130 \u0130\u0130 \u0130 \u0130 end",
]


def _hostile(rng: random.Random) -> tuple[str, str]:
    """(body, title) of lines drawn from LINES and random words, joined with odd separators."""
    title = rng.choice(["Putin, Erdogan strike deal", "", "   ", "Share", "x", "Home | World", "\u0130stanbul news",
                        "i\u0307i\u0307i\u0307i\u0307.", "\u0130\u0130 \u0130\u0130 \u0130\u0130 \u0130 \u0130 end"])
    lines = []
    for _ in range(rng.randint(0, 14)):
        if rng.random() < 0.6:
            lines.append(rng.choice(LINES))
        else:
            words = rng.choices(["the", "deal", "idlib", "zone", "Putin", "caf\u00e9", "1987", "|", "/", "(", "."],
                                k=rng.randint(1, 9))
            lines.append(" ".join(words) + rng.choice(["", ".", "!", "?", ")", "\u201d", "'", " ", ","]))
    return rng.choice(["\n", "\n\n", "\r\n", "\n \n"]).join(lines), title


def test_clean_texts_gives_clean_text_on_hostile_texts():
    rng = random.Random(32)
    for _ in range(40):
        pairs = [_hostile(rng) for _ in range(rng.randint(0, 30))]
        bodies, titles = [b for b, _ in pairs], [t for _, t in pairs]
        assert story_signatures.clean_texts(bodies, titles) == [story_signatures.clean_text(b, t) for b, t in pairs]
    for line in LINES:  # every line alone, as a body and as its own headline
        assert story_signatures.clean_texts([line, line, "intro words of a line.\n" + line], ["", line, line]) == [
            story_signatures.clean_text(line), story_signatures.clean_text(line, line),
            story_signatures.clean_text("intro words of a line.\n" + line, line)]


def _starts(items, k: int) -> set[tuple]:
    """The first k characters (or fewer, where the pattern may end) of every match of a parsed pattern."""
    import re._parser as parser  # noqa: PLC0415 (the test reads the pattern the way the engine compiles it)
    if k == 0 or not items:
        return {()}
    (op, av), rest = items[0], list(items[1:])
    name = str(op)
    if name == "LITERAL":
        return {(chr(av),) + t for t in _starts(rest, k - 1)}
    if name == "SUBPATTERN":
        return _starts(list(av[3]) + rest, k)
    if name == "BRANCH":
        return set().union(*(_starts(list(alt) + rest, k) for alt in av[1]))
    if name == "MAX_REPEAT":
        low, high, sub = av
        out = _starts(rest, k) if low == 0 else set()
        more = [(op, (max(low - 1, 0), high if high == parser.MAXREPEAT else high - 1, sub))] if high != 1 else []
        return out | _starts(list(sub) + more + rest, k)
    if name == "AT":
        return _starts(rest, k)
    raise AssertionError(f"the pattern grew an item this test does not know: {name}")


def test_the_prefixes_tried_cover_every_start_of_the_chrome_and_caption_pattern():
    import re._parser as parser
    starts = _starts(list(parser.parse(f"(?:{story_signatures._CHROME})|(?:{story_signatures._CAPTION})", re.I)), 2)
    for start in starts:
        text = "".join(start)
        if text.isascii():
            assert len(text) == 2 and text in story_signatures._PREFIXES, text
        # a start with a non-ASCII character is always tried


def _fmix(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _M
    h ^= h >> 33
    h = (h * 0xC4CEB93FE53E4CE3) & _M
    return h ^ (h >> 33)


def _reference_signature(text: str) -> tuple[list[int], int, int]:
    """(signature, shingles, exact hash) of one text, a word, a term and a shingle at a time."""
    return _reference_of_terms([_key(word) for word in re.findall(WORD_PATTERN, text)])


def _key(word: str) -> bytes:
    """A word as the signature takes it: its index term, or when the index drops it its folded form after a byte 1
    (after a byte 2 a 16-byte BLAKE2b digest of it, when longer than 160 UTF-8 bytes: four times a term's most)."""
    term = term_for(word)
    if term:
        return term.encode("utf-8", "surrogatepass")
    folded = fold(word).encode("utf-8", "surrogatepass")
    return b"\x02" + hashlib.blake2b(folded, digest_size=16).digest() if len(folded) > 160 else b"\x01" + folded


def _reference_of_terms(terms: list[bytes]) -> tuple[list[int], int, int]:
    hashes = []
    for data in terms:
        p = 0x100000001B3
        h = sum((byte + 1) * pow(p, i, 1 << 64) for i, byte in enumerate(data)) & _M
        hashes.append(_fmix(h ^ len(data)))
    exact = sum(_fmix((h + pos * 0xD6E8FEB86659FD93) & _M) for pos, h in enumerate(hashes)) & _M
    mix = [int(m) for m in story_signatures._MIX]
    sig = [None] * story_signatures.K
    shingles = [_fmix(sum(hashes[i + j] * mix[j] for j in range(story_signatures.SHINGLE)) & _M)
                for i in range(len(hashes) - story_signatures.SHINGLE + 1)]
    for s in shingles:
        b, v = s >> 57, (s >> 8) & ((1 << story_signatures._VALUE_BITS) - 1)
        sig[b] = v if sig[b] is None else min(sig[b], v)
    out = []
    for b in range(story_signatures.K):
        if sig[b] is not None or not shingles:
            out.append(sig[b] if sig[b] is not None else int(story_signatures._EMPTY))
            continue
        d = next(d for d in range(1, story_signatures.K) if sig[(b + d) % story_signatures.K] is not None)
        out.append(sig[(b + d) % story_signatures.K] | (d << story_signatures._VALUE_BITS))
    return out, len(shingles), exact


def test_signatures_equal_a_word_by_word_reference_on_hostile_texts():
    rng = random.Random(7)
    vocabulary = ["idlib", "deal", "caf\u00e9", "x", "1987", "\udce9s", "na\u00efve", "\u4e2d\u6587", "a" * 300, "zone",
                  "the", "U.S.", "\u0130DL\u0130B", "Zan\u00adzibar", "a_b", "3.25", "x" * 41]
    texts = ["", "one", "one two three four", "one two three four five", "!!! ... ---", "\x00\x00 a\x00b",
             " ".join(f"w{i}" for i in range(400)), "same same same same same same same same same"]
    for _ in range(40):
        texts.append(rng.choice([" ", "\n", "  ", ", ", "-", "\t", "."]).join(
            rng.choices(vocabulary, k=rng.randint(0, 200))))
    texts += [story_signatures.clean_text(*_hostile(rng)) for _ in range(20)]
    sigs, counts, exact = story_signatures.signatures(texts)
    for k, text in enumerate(texts):
        want_sig, want_count, want_exact = _reference_signature(text)
        assert sigs[k].tolist() == want_sig and counts[k] == want_count and exact[k] == want_exact, repr(text[:60])


def test_the_grouper_with_more_identical_copies_than_a_bucket_holds_groups_as_the_whole_table(monkeypatch):
    """Many identical and near-identical bodies (equal band keys everywhere), in batches of several sizes: the
    streamed labels are those of the whole table and of a pair-by-pair reference."""
    monkeypatch.setattr(stories, "BUCKET_CAP", 4)
    rng = random.Random(3)
    base = " ".join(f"w{i}" for i in range(80))
    bodies = []
    for i in range(90):
        kind = i % 3
        if kind == 0:
            bodies.append(base)  # identical copies: 30 of them
        elif kind == 1:
            bodies.append(base.replace(f"w{rng.randrange(80)} ", "edited ", 1))
        else:
            bodies.append(" ".join(f"v{rng.randrange(10**6)}" for _ in range(60)))
    specs = [(article_id(f"p{i:03d}.txt"), f"p{i:03d}.txt", "sig", "t", b) for i, b in enumerate(bodies)]
    table = stories.make_table(specs)
    whole = table.labels_by_path()
    # the reference: every pair with the same text, or enough shingles and enough equal bins; the first path names
    parent = list(range(len(table)))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x
    for i in range(len(table)):
        for j in range(i + 1, len(table)):
            same = table.exact[i] == table.exact[j] != 0
            near = (min(table.counts[i], table.counts[j]) >= stories.MIN_SHINGLES
                    and (table.sigs[i] == table.sigs[j]).mean() >= stories.THRESHOLD)
            if same or near:
                a, b = sorted((find(i), find(j)))
                parent[b] = a
    assert whole == {p: table.ids[find(r)] for r, p in enumerate(table.paths.tolist())}
    for batch in (1, 5, 32, 90):
        grouper = stories.Grouper()
        for lo in range(0, len(specs), batch):
            grouper.add(specs[lo:lo + batch])
        assert grouper.labels() == whole, batch
    assert len(set(whole.values())) == 30 + 1  # the copies and edits one story, each random text its own


def test_sorted_pairs_and_merged_runs_keep_rows_in_order_within_a_key():
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 20, 5000).astype(np.uint64)
    rows = np.sort(rng.integers(0, 10**6, 5000)).astype(np.int32)
    k, r = stories._sorted_pairs(keys, rows)
    order = np.lexsort((rows, keys))
    assert np.array_equal(k, keys[order]) and np.array_equal(r, rows[order])
    k2, r2 = stories._sorted_pairs(rng.integers(0, 30, 700).astype(np.uint64),
                                   np.arange(10**6, 10**6 + 700, dtype=np.int32))
    mk, mr = stories._merged(k, r, k2, r2)
    both_k, both_r = np.concatenate([k, k2]), np.concatenate([r, r2])
    order = np.lexsort((both_r, both_k))
    assert np.array_equal(mk, both_k[order]) and np.array_equal(mr, both_r[order])


def test_labels_kept_with_another_banding_are_worked_out_again_and_the_signatures_kept(tmp_path, monkeypatch):
    """A stories file written before the banding changed keeps its signatures (they did not change) but not its
    labels: the next change relabels every story as a full rebuild would, and no stored text is read back."""
    from search import indexer
    from search.indexer import sync
    from tests.factory import write_article, write_collection
    from tests.stories_factory import VERSIONED, WIRE, labels_in, live_generation, rewrite_header

    folder = write_collection(tmp_path / "articles", VERSIONED)
    index = tmp_path / "index"
    sync(folder, index)
    gen = live_generation(index)
    assert story_file._header(gen / story_file.FILE_NAME)[0]["banding"] == [stories.BANDS, stories.ROWS]
    rewrite_header(gen, banding=[stories.BANDS + 1, 1])  # as written with another banding: labels not to be trusted
    table = story_file.load(gen)
    assert table is not None and table.labels is None and len(table) == len(VERSIONED)
    read_back = []
    monkeypatch.setattr(indexer, "_restored", lambda view, paths, *a, real=indexer._restored:
                        read_back.extend(paths) or real(view, paths, *a))
    write_article(folder, "z/new.txt", "A", "2018-09-19", "AFP", "\n\n".join(WIRE))
    sync(folder, index)
    sync(folder, tmp_path / "fresh", full=True)
    assert labels_in(index) == labels_in(tmp_path / "fresh")
    assert story_file.load(live_generation(index)).labels_by_path() == labels_in(index)
    assert read_back == []  # every label was right in the index: no document was rewritten


def _batches(seed: int) -> list[list[tuple[str, str]]]:
    """Batches of (body, title): hostile ones, every line alone, and ASCII ones with runs of dots and whitespace."""
    rng = random.Random(seed)
    batches = [[_hostile(rng) for _ in range(rng.randint(1, 25))] for _ in range(40)]
    batches += [[(line, "") for line in LINES], [("", ""), ("Share", ""), ("\u0130stanbul is here.", "")],
                [("K\u212a plain ascii after lowering.", "")], [("", "")], [("", "x")],
                [(line, line) for line in LINES if line.isascii()]]
    ascii_lines = [line for line in LINES if line.isascii()] + [
        "U.S. a..b a.b.c .a. a_b_ 3.25.1 ...x.. x.", " " * 20 + "indented far, ends here.", "\t\x1c\x1f word \x0b",
        "trailing spaces and more words here" + " " * 12, "x" * 45 + " (AP photo)", "a | b", "Re: net income rose."]
    for _ in range(20):
        batches.append([("\n".join(rng.choices(ascii_lines, k=rng.randint(0, 12))), rng.choice(ascii_lines + [""]))
                        for _ in range(rng.randint(1, 8))])
    return batches


def test_rows_are_the_signatures_of_the_kept_lines_terms_article_by_article(monkeypatch):
    for pairs in _batches(14):
        entries = [(f"id{k}", f"p{k}", "s", t, b) for k, (b, t) in enumerate(pairs)]
        made = stories.rows(entries)
        for k, (body, title) in enumerate(pairs):
            sig, count, exact = _reference_of_terms(story_signatures.signature_terms(body, title))
            assert made.sigs[k].tolist() == sig and made.counts[k] == count and made.exact[k] == exact
        monkeypatch.setattr(stories, "ROWS_BATCH", 3)  # a sync's many articles, a few at a time: the same rows
        again = stories.rows(entries)
        monkeypatch.undo()
        assert all(np.array_equal(getattr(made, f), getattr(again, f)) for f in stories.Table.FIELDS)


@pytest.mark.parametrize("vocabulary_words", [None, 40])
def test_the_rows_from_the_analysis_words_are_the_rows_from_the_text(monkeypatch, vocabulary_words):
    """A rebuild's workers sign the words their analysis found, with the lines kept and the words on each line
    found in the bytes: the same rows as splitting the kept lines again, and never by falling back to it (also
    when the worker's vocabulary starts afresh between batches, its keys hashed again)."""
    from search.storage import build
    from search.storage.build import analyse
    from search.story_words import analysed_rows
    if vocabulary_words:
        monkeypatch.setattr(build._Vocabulary, "MAX_WORDS", vocabulary_words)

    def no_fallback(docs):
        raise AssertionError("the words on the lines differ from the analysis's")
    for pairs in _batches(21):
        docs = [dict(id=f"id{k}", path=f"p{k}", sig="s", title=t, body=b, facets={"source": ""}, day=0)
                for k, (b, t) in enumerate(pairs)]
        want = stories.document_rows(docs)
        words: list = []
        analyse(docs, words)
        with monkeypatch.context() as m:
            m.setattr(stories, "document_rows", no_fallback)
            got = analysed_rows(docs, *words)
        for f in stories.Table.FIELDS:
            assert np.array_equal(getattr(got, f), getattr(want, f)), (f, pairs)


def test_the_lines_kept_and_the_words_on_them_found_in_bytes_are_the_line_by_line_ones():
    from search.analysis import WORD_RE
    from search.story_words import _kept_lines_and_words
    for pairs in _batches(5):
        bodies, titles = [b for b, _ in pairs], [t for _, t in pairs]
        lines, kept, firsts, _ = story_signatures._kept_lines(bodies, titles)
        got_kept, got_words, got_firsts = _kept_lines_and_words(bodies, titles)
        assert np.array_equal(got_firsts, firsts) and np.array_equal(got_kept, kept), pairs
        raw = [line for body in bodies for line in body.split("\n")]
        assert got_words.tolist() == [len(WORD_RE.findall(line)) for line in raw], pairs


def test_a_batch_of_short_texts_only_between_two_versions_does_not_hide_the_first():
    """A batch with no text long enough for band keys comes between two versions of a story: the second still finds
    the first (the search through earlier batches does not stop at the short batch)."""
    body = " ".join(f"w{i}" for i in range(80))
    specs = [(f"id{k}", f"p{k}.txt", "s", "t", text) for k, text in
             enumerate([body, "short one", "short two", body.replace("w40 ", "edited ")])]
    grouper = stories.Grouper()
    for batch in (specs[:1], specs[1:3], specs[3:]):
        grouper.add(batch)
    assert grouper.labels() == stories.make_table(specs).labels_by_path()
    assert grouper.labels()["p3.txt"] == "id0"


def test_band_keys_leave_the_signatures_they_are_given_as_they_were():
    # one row: contiguous
    sigs = np.random.default_rng(3).integers(0, 2**32, size=(1, story_signatures.K), dtype=np.uint32)
    before = sigs.copy()
    keys = stories._band_keys(sigs[:, :stories.BANDS * stories.ROWS])
    assert len(keys) == stories.BANDS and np.array_equal(sigs, before)


def test_the_grouper_roots_by_pointer_jumping_are_the_roots_find_gives():
    grouper = stories.Grouper()
    rng = random.Random(5)
    grouper._parent = list(range(300))
    for _ in range(200):
        a, b = rng.randrange(300), rng.randrange(300)
        grouper._union(a, b)
    expected = [grouper._find(r) for r in range(300)]
    grouper._parent = [p if rng.random() < 0.5 else grouper._parent[p] for p in grouper._parent]  # uncompressed
    assert grouper._roots().tolist() == expected


def _labelled_parts(tables):
    """The story facets a rebuild's _label sets on parts carrying these tables, as {path: label}."""
    from types import SimpleNamespace

    from search import indexer
    parts = [SimpleNamespace(n=len(t), extra=t, facets={}) for t in tables]
    indexer._label(parts, stories.Grouper())
    got = {}
    for part, table in zip(parts, tables):
        code, names = part.facets["story"]
        assert names[0] == "" and names[1:] == sorted(set(names[1:]))  # the facet's names: "" first, then sorted
        got.update(zip(table.paths.tolist(), (names[c] for c in code.tolist())))
    return got


@pytest.mark.parametrize("in_order", [True, False])
def test_the_labels_a_rebuild_sets_by_position_are_the_labels_by_path(in_order):
    """_label sets each part's story facet from the grouper's labels by row position: the same labels as a dict by
    path, with ids of different lengths (a longer id labelling a shorter one), whether or not the parts come in
    path order (joined() then sorts the rows)."""
    body = " ".join(f"w{i}" for i in range(80))
    other = " ".join(f"v{i}" for i in range(80))
    specs = [(("a-long-first-id" if k == 0 else f"i{k}"), f"p{k:02d}.txt", "s", "t",
              [body, other, body.replace("w40 ", "edited "), "short", other, body][k % 6]) for k in range(12)]
    chunks = [specs[0:5], specs[5:9], specs[9:]]
    if not in_order:
        chunks = [chunks[1], chunks[0], chunks[2]]
    tables = [stories.make_table(c) for c in chunks]
    want = stories.make_table(specs).labels_by_path()
    assert _labelled_parts(tables) == want
    assert want["p05.txt"] == "a-long-first-id" and want["p04.txt"] == "i1"


def test_a_word_longer_than_any_term_is_signed_by_its_digest_and_the_hash_tables_stay_small(monkeypatch):
    from search.storage.build import analyse
    from search.story_words import analysed_rows
    long_a, long_b = "x" * 2_000_000, "x" * 1_999_999 + "y"
    assert story_signatures.dropped_key("of") == b"\x01of" and story_signatures.dropped_key("É") == b"\x01e"
    assert len(story_signatures.dropped_key(long_a)) == 17
    assert story_signatures.dropped_key(long_a) != story_signatures.dropped_key(long_b)
    monkeypatch.setattr(story_signatures, "_POWERS", [])
    docs = [dict(id=f"id{k}", path=f"p{k}", sig="s", title=f"Talks {k}", facets={"source": ""}, day=0,
                 body=f"Oil prices rose in Geneva on day {k}.\n{word}\nThe talks went on, and on.")
            for k, word in enumerate([long_a, long_b, "short"])]
    want = stories.document_rows(docs)
    words: list = []
    analyse(docs, words)
    got = analysed_rows(docs, *words)
    for f in stories.Table.FIELDS:
        assert np.array_equal(getattr(got, f), getattr(want, f)), f
    assert want.sigs[0].tolist() != want.sigs[1].tolist()  # the two long words are told apart
    assert len(story_signatures._POWERS[0][0]) <= 1 << 18  # the least it is made with: not sized by the 2 MB words
