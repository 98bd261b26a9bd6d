"""The fast paths of snippets give the marks and passages of the careful ones, and those of the golden file.

tests/golden/snippets.json holds what snippets made of CASES before the fast paths (short ASCII texts in one loop,
heads found with str.find, the per-query state, captions looked for only where a credit can be): accents,
invisible characters, capitals, phrases, dotted words, words cut by a chunk edge, long words, other scripts.
A deliberate change of what snippets mark or show regenerates it: `.venv/bin/python -m tests.test_snippets_paths`.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from search import snippets

GOLDEN = Path(__file__).resolve().parent / "golden" / "snippets.json"
_SCAN = 4096  # snippets.SCAN_FIRST when the golden file was made: the cases cut words at this edge

#: (name, text, terms, phrases)
CASES = [
    ("accents", "Erdoğan met ERDOGAN and erdogan's aide in İdlib; IDLIB fell. Idlíb too.", {"erdogan", "idlib"}, []),
    ("soft hyphens", "Zan\u00adzibar and Zanzibar; zan\u200bzibar, ZAN\u00adZIBAR's port.", {"zanzibar"}, []),
    ("capitals", "OIL prices: Oil, oil, OILS and Oily soil. turmoil Oil_x oil9", {"oil"}, []),
    ("phrases", "Oil prices rose. The oil price fell, oil.price, OIL PRICE and price oil.", {"oil"}, [("oil", "price")]),
    ("a phrase across a sentence end", "They sold oil. Price talks went on; oil prices. Oil\nprice.", {"talk"},
     [("oil", "price")]),
    ("only a phrase", "Oil prices rose. The oil price fell; OIL  PRICE.", set(), [("oil", "price")]),
    ("dotted words", "U.S. oil.price talks in the u.s and U.S.A. prices.", {"u.s", "price"}, []),
    ("a word cut by the chunk edge", "x " * ((_SCAN - 3) // 2) + "Zanzibar and " + "y " * 3000 + "zanzibar end.",
     {"zanzibar"}, []),
    ("accents past the first chunk", "x " * (_SCAN // 2) + "Erdoğan said. " + "z " * 100 + "ERDOGAN.", {"erdogan"}, []),
    ("a long word", "oil" + "o" * 200 + " oil " + "Oil" * 70 + " OIL.", {"oil"}, []),
    ("combining marks", "Jose\u0301 and jose met JOSÉ.", {"jose"}, []),
    ("cyrillic stems", "Москва and москве, MOSCOW.", {"москв", "moscow"}, []),
    ("title lines", "Oil prices rose\nOil prices rose. The oil price fell.\nPhoto of oil / AFP / Jane DOE\nMore oil.",
     {"oil", "rose"}, []),
    ("many words", "oil " * 300 + "soil oily oils. " * 50, {"oil"}, []),
]


def outputs(module=snippets) -> dict:
    """What `module` (snippets, or an older copy of it) makes of every case, as JSON would hold it."""
    out = {}
    for name, text, terms, phrases in CASES:
        out[name] = {
            "ranges": module.match_ranges(text, terms, phrases),
            "limited": module.match_ranges(text, terms, phrases, limit=3, examine=5),
            "examined": module.match_ranges(text, terms, phrases, limit=64, examine=2),
            "title": module.highlight(text[:300], terms, phrases),
            "passages": module.passages(text, terms, phrases),
            "short passages": module.passages(text, terms, phrases, size=60, limit=2, avoid="Oil prices"),
        }
    return json.loads(json.dumps(out))


def test_every_case_gives_the_golden_marks_and_passages():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = outputs()
    assert now.keys() == golden.keys()
    for name in golden:
        for what in golden[name]:
            assert now[name][what] == golden[name][what], (name, what)


def _ascii_text(rng: random.Random) -> str:
    pieces = ["oil", "Oil", "OIL", "oils", "soil", "turmoil", "oil.price", "u.s", "U.S.", "price", "Prices", "pr",
              "cry", "cries", "crisis", "_oil", "oil_", "9oil", "o" * 170, "oil" * 60, ". ", " ", " ", "\n", ",", "-"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))


def test_a_short_ascii_text_is_marked_as_the_piece_by_piece_scan_marks_it():
    rng = random.Random(17)
    stem_sets = [frozenset(s) for s in (["oil"], ["oil", "price"], ["cri", "u.s"], ["pr", "oil", "price", "crisi"])]
    for _ in range(3000):
        text = _ascii_text(rng)
        assert len(text) <= snippets.SCAN_FIRST and text.isascii()
        for stems in stem_sets:
            query = snippets._Query(stems, ())
            limit, examine = rng.choice([None, 1, 3, 64]), rng.choice([None, 1, 2, 512])
            assert snippets._short_ascii_ranges(text, query, limit, examine) == \
                snippets._scanned_ranges(text, query, limit, examine), (text, stems, limit, examine)


def test_the_words_of_a_text_are_the_same_whatever_pieces_it_is_probed_in():
    rng = random.Random(23)
    for _ in range(300):
        text = _ascii_text(rng) + "Erdoğan " + _ascii_text(rng)
        query = snippets._Query(frozenset(["oil", "price", "erdogan"]), ())
        whole = list(snippets._candidate_words(text, query))
        for chunk in (5, 7, 64):
            starts = list(snippets._starts(text, query, chunk=chunk))
            assert starts == list(snippets._starts(text, query)), (text, chunk)
        assert [w[0] for w in whole] == [s for s in snippets._starts(text, query)
                                         if snippets.term_for(snippets.WORD_RE.match(text, s).group()) in query.stems]


def test_a_results_page_makes_its_query_state_once(monkeypatch):
    made = []
    real = snippets._Query

    class Counting(real):
        __slots__ = ()

        def __init__(self, *args):
            made.append(args)
            super().__init__(*args)

    monkeypatch.setattr(snippets, "_Query", Counting)
    snippets._query_for.cache_clear()
    for n in range(10):  # ten hits of one page
        snippets.passages(f"Article {n}: oil prices rose.", {"oil", "price"}, [("oil", "price")])
        snippets.highlight(f"Oil title {n}", {"oil", "price"}, [("oil", "price")])
    assert len(made) == 1
    assert snippets._query(set(), []) is None and snippets.match_ranges("oil", set(), []) == []


def test_captions_are_looked_for_only_in_texts_that_can_hold_a_credit(monkeypatch):
    looked = []
    real = snippets._is_caption

    def is_caption(*args):
        looked.append(args)
        return real(*args)

    monkeypatch.setattr(snippets, "_is_caption", is_caption)
    plain = "Oil rose. Prices fell today. Oil fell again. Nothing else.\nOil prices and oil."
    assert len(snippets.passages(plain, {"oil", "price"})) > 1
    assert looked == []  # no "/", ":" or "via": no line of it can end with a credit
    credited = "Oil rose in Hajin. / AFP / Delil SOULEIMAN\nThe oil offensive around Hajin went on."
    (passage,) = snippets.passages(credited, {"oil", "hajin"}, limit=1)
    assert looked and "offensive" in "".join(t for t, _ in passage)


def _sentences(rng: random.Random) -> str:
    words = ["Oil", "oil", "prices", "rose", "fell", "Price", "talks", "went", "on", "and", "the", "x" * 90, "oil's"]
    ends = [". ", "! ", ".\n", "\n\n", " ", " ", " ", ", ", '." ']
    return "".join(rng.choice(words) + rng.choice(ends) for _ in range(rng.randint(0, 120)))


def test_passages_shown_without_ranking_are_the_ranked_ones(monkeypatch):
    rng = random.Random(29)
    texts = [_sentences(rng) for _ in range(1500)]
    asks = [(rng.choice([{"oil"}, {"oil", "price"}, {"talk", "rose"}]), rng.choice([40, 60, 200]),
             rng.choice([1, 2, 3])) for _ in texts]
    fast = [snippets.passages(t, terms, size=size, limit=limit) for t, (terms, size, limit) in zip(texts, asks)]
    # a text that may hold captions takes the ranking path; here no line is one
    monkeypatch.setattr(snippets, "_may_hold_captions", lambda text: True)
    monkeypatch.setattr(snippets, "_is_caption", lambda *args: False)
    ranked = [snippets.passages(t, terms, size=size, limit=limit) for t, (terms, size, limit) in zip(texts, asks)]
    assert fast == ranked
    assert sum(len(p) > 1 for p in fast) > 300  # many texts show several passages


def _title_lines_reference(text: str, title: str) -> list[tuple[int, int]]:
    """_title_lines without the look for the title's words first."""
    title = " ".join(title.split())
    if not title:
        return []
    out, pos = [], 0
    for line in text[:2000].split("\n", 8)[:8]:
        stripped = line.strip()
        if stripped and len(stripped) <= len(title) + 60 and title in " ".join(stripped.split()):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def test_title_lines_are_found_with_or_without_the_look_for_its_words():
    rng = random.Random(31)
    found = 0
    for _ in range(3000):
        text = _sentences(rng)
        lines = text.split("\n")
        title = rng.choice([rng.choice(lines), " ".join(rng.choice(lines).split()[:3]), "Oil  prices\trose", "",
                            "  ", "x" * 2100, rng.choice(lines)[1:]])
        if rng.random() < 0.3:
            text = "  " + title.replace(" ", "\t ") + "\n" + text
        expected = _title_lines_reference(text, title)
        assert snippets._title_lines(text, title) == expected, (text, title)
        found += bool(expected)
    assert found > 500


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(outputs(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
