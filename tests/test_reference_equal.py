"""The reflow and the front matter reader that run per article at index time give exactly what the plainer
implementations in tests/reference.py gave: the index and every stored body stay the same."""
from __future__ import annotations

import random

from search import articles, paragraphs
from search.analysis import ASCII_WORD_RE, WORD_RE
from tests import reference
from tests.factory import ARTICLES
from tests.test_paragraphs import REUTERS_LIKE

#: Line pieces that reach each rule: hyphens, list marks, table gaps and tabs, dates, sentence ends, odd spaces.
PIECES = ["word", "Word", "-", "a-", "x", "1.", "(a)", "- item", "\t", "|", "   ", "  ", " ", "12", "March 3, 1987",
          "oil.", "end)", "\u00a0", "\u2022 ", "\u00e9", "I", "a", "Jan 1987", "\u3000"]


def _random_text(rnd: random.Random) -> str:
    lines, width = [], rnd.choice([30, 55, 65, 80, 99, 120])
    for _ in range(rnd.randint(0, 30)):
        if rnd.random() < 0.12:
            lines.append(rnd.choice(["", " ", "  \t"]))
            continue
        line = rnd.choice(["", " ", "   ", "\t"]) if rnd.random() < 0.2 else ""
        target = rnd.randint(1, width)
        while len(line) < target:
            line += rnd.choice(PIECES) + (" " if rnd.random() < 0.8 else "")
        lines.append(line + rnd.choice(["", " ", "-", ".", ","]))
    return "\n".join(lines)


def test_reflow_equals_the_reference_on_random_wrapped_and_unwrapped_text():
    rnd = random.Random(5)
    texts = [_random_text(rnd) for _ in range(4000)]
    wrapped = sum(map(reference.is_hard_wrapped, texts))
    assert 500 < wrapped < len(texts)  # both roads are taken, many times
    for text in texts:
        assert paragraphs.is_hard_wrapped(text) == reference.is_hard_wrapped(text), text
        assert paragraphs.reflow(text) == reference.reflow(text), text


def test_reflow_equals_the_reference_on_the_test_collections():
    texts = [REUTERS_LIKE, REUTERS_LIKE.replace("\n", "\r\n"), ""] + [body for *_, body in ARTICLES]
    for text in texts:
        assert paragraphs.reflow(text) == reference.reflow(text)
    assert paragraphs.reflow(REUTERS_LIKE) != REUTERS_LIKE


def test_a_long_wrapped_paragraph_is_joined_once():
    # one paragraph of many full lines: the pieces are joined at its end, not copied again at every line
    line = "the pipeline carried crude oil across the border to the coast and"
    text = "\n".join([line] * 20_000)
    out = paragraphs.reflow(text)
    assert out == " ".join([line] * 20_000)
    assert out == reference.reflow(text)


#: Front matter lines: fences, keys, blanks, lines that are no metadata, over-long ones.
FRONT_LINES = ["---", "...", "title: X", "date: 2020-01-02", "", " ", "  ---  ", "bad line", "k: 'v'", "\r", "x" * 300,
               "a: " + "y" * 5000]


def test_split_front_matter_equals_the_reference():
    rnd = random.Random(3)
    split = 0
    for _ in range(6000):
        lines = [rnd.choice(FRONT_LINES) for _ in range(rnd.randint(0, 70))]
        if rnd.random() < 0.8:
            lines.insert(0, rnd.choice(["---", "--- ", "---x", "--"]))
        text = "\n".join(lines) + rnd.choice(["", "\n", "\nbody\nmore"])
        expected = reference.split_front_matter(text)
        assert articles.split_front_matter(text) == expected, text
        split += expected[1] != text
    assert split > 500  # blocks were found and cut off, many times


def test_the_ascii_word_pattern_finds_the_words_of_an_ascii_text():
    rnd = random.Random(11)
    alphabet = "aZ9_.. -,'\n\t\x7f!$%" + "oil"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
        assert [w.decode("ascii") for w in ASCII_WORD_RE.findall(text.encode("ascii"))] == WORD_RE.findall(text)
    # hostile runs: one pass each (every way through the pattern succeeds, as through WORD_PATTERN)
    for text in ("a." * 100_000, "a" * 200_000 + "!", "a.b" * 50_000 + ".", "_" * 100_000, ". " * 100_000):
        assert [w.decode("ascii") for w in ASCII_WORD_RE.findall(text.encode("ascii"))] == WORD_RE.findall(text)


def _postings(part) -> dict[tuple[bytes, int], list[int]]:
    """{(key, document): positions} of an analysed part."""
    out, at, p = {}, 0, 0
    for key, df in zip(part.keys.tolist(), part.df.tolist()):
        for doc, freq in zip(part.docs[at:at + df].tolist(), part.freqs[at:at + df].tolist()):
            out[key, doc] = part.positions[p:p + freq].tolist()
            p += freq
        at += df
    return out


def test_ascii_and_other_texts_in_one_batch_get_the_terms_and_positions_the_analysis_gives():
    from search.analysis import terms
    from search.storage.build import analyse
    from search.storage.format import key_for
    bodies = ["Oil prices rose. U.S. crude_oil gained 1.5 pct", "Erdoğan met oil ministers; OIL prices rose",
              "the oil, the OIL and Oil", "Zan\u00adzibar oil", ""]
    docs = [dict(id=f"d{i}", path=f"d{i}.txt", title="Oil" if i % 2 else "Öl news", body=body, date=None, extra={},
                 sig="s", day=0, facets={"source": ""}) for i, body in enumerate(bodies)]
    postings = _postings(analyse(docs))
    for i, doc in enumerate(docs):
        for field in ("title", "body"):
            expected: dict[bytes, list[int]] = {}
            for pos, term in enumerate(terms(doc[field])):
                expected.setdefault(key_for(field, term), []).append(pos)
            got = {key: positions for (key, d), positions in postings.items() if d == i and key[:1] == key_for(field, "")}
            assert got == expected, (i, field)
