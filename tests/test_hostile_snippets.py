"""Article text built to stall snippets, highlighting and the article page.

Work is counted, never timed: the words examined (stemmed), the characters the sentence regex is run over,
the pieces of text lowered or accent-folded, the paragraphs and marks of an article page.
"""
from __future__ import annotations

import pytest

from search import snippets
from search.indexer import sync
from search.searcher import Engine
from tests.factory import write_article

MIB = 1 << 20


def fill(unit: str, size: int = MIB) -> str:
    return unit * (size // len(unit))


#: Texts of 1 MiB that made passages quadratic or slow: one sentence of matches, a million sentences,
#: a file of 260,000 short lines, matches beyond the cap only, candidates that never match, accents.
ADVERSARIAL = {
    "one sentence of matches": fill("oil "),
    "many sentences": fill("Oil price rose. "),
    "short lines": fill("oil\n"),
    "near misses": fill("oilx oily soil "),
    "accents": fill("Erdoğan oil İdlib "),
    "one long word": "oil " + "o" * (MIB - 8) + " oil",
    "white space": "oil" + " " * (MIB - 10) + ". Oil",
    "quotes and ends": fill('oil."""" ) ] ! ? … \n'),
}


class Counted:
    """A stand-in for a compiled pattern that adds up how many characters each call may look at."""

    def __init__(self, pattern):
        self.pattern, self.chars, self.calls = pattern, 0, 0

    def _count(self, text, pos, endpos):
        self.calls += 1
        self.chars += min(endpos, len(text)) - pos

    def finditer(self, text, pos=0, endpos=None):
        self._count(text, pos, len(text) if endpos is None else endpos)
        return self.pattern.finditer(text, pos, len(text) if endpos is None else endpos)

    def search(self, text, pos=0, endpos=None):
        self._count(text, pos, len(text) if endpos is None else endpos)
        return self.pattern.search(text, pos, len(text) if endpos is None else endpos)


@pytest.fixture
def work(monkeypatch):
    """Counters of the work passages() does: words stemmed, sentence-regex characters, text pieces probed."""
    counts = {"stemmed": 0, "pieces": 0, "real pieces": snippets._pieces}
    real_term_for, real_pieces = snippets.term_for, snippets._pieces

    def term_for(word):
        counts["stemmed"] += 1
        return real_term_for(word)

    def pieces(*args):  # a piece is lowered or accent-folded when the scan asks for it
        for piece in real_pieces(*args):
            counts["pieces"] += 1
            yield piece

    sentence = Counted(snippets._SENTENCE_END)
    monkeypatch.setattr(snippets, "term_for", term_for)
    monkeypatch.setattr(snippets, "_pieces", pieces)
    monkeypatch.setattr(snippets, "_SENTENCE_END", sentence)
    counts["sentence"] = sentence
    return counts


def per_hit_bound():
    """The most sentence-regex characters one text may cost: two looks of SENTENCE_REACH (+1) per match."""
    return snippets.MAX_MATCHES * 2 * (snippets.SENTENCE_REACH + 1)


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_passages_of_a_hostile_mebibyte_cost_a_bounded_amount_of_work(name, work):
    text = ADVERSARIAL[name]
    found = snippets.passages(text, {"oil", "erdogan", "idlib"}, [("oil", "price")])
    assert work["stemmed"] <= snippets.MAX_EXAMINED
    assert work["sentence"].chars <= per_hit_bound()
    assert work["sentence"].calls <= 2 * snippets.MAX_MATCHES
    assert sum(len(t) for p in found for t, _ in p) <= snippets.MAX_PASSAGES * (snippets.PASSAGE_CHARS + 4)
    assert len(found) <= snippets.MAX_PASSAGES
    if name not in ("white space", "near misses"):  # these hold no match within the examined words
        assert found and any(m for p in found for _, m in p), name  # still shows the matches


def test_a_long_text_full_of_matches_is_read_one_piece_at_a_time(work):
    snippets.passages(ADVERSARIAL["one sentence of matches"], {"oil"})
    assert work["pieces"] == 1  # the first SCAN_FIRST characters held enough matches: the rest was never lowered


def test_a_match_only_at_the_end_of_a_long_text_is_still_found(work):
    text = fill("Nothing to see here. ") + "At last the word zanzibar appears."
    (passage,) = snippets.passages(text, {"zanzibar"})
    assert [t for t, m in passage if m] == ["zanzibar"]
    pieces = list(work["real pieces"](len(text), None))
    assert work["pieces"] == len(pieces) <= len(text) // snippets.SCAN_CHUNK + 5
    assert pieces[0] == (0, snippets.SCAN_FIRST) and pieces[-1][1] == len(text)
    assert all(b - a <= snippets.SCAN_CHUNK for a, b in pieces)
    assert all(a == pb for (a, _), (_, pb) in zip(pieces[1:], pieces))  # no gap, no overlap
    assert work["stemmed"] == 1


def test_highlighting_a_long_title_marks_a_bounded_number_of_matches(work):
    spans = snippets.highlight(fill("oil "), {"oil"})
    assert sum(1 for _, m in spans if m) == snippets.PAGE_MARKS
    assert work["stemmed"] <= 4 * snippets.PAGE_MARKS
    assert "".join(t for t, _ in spans) == fill("oil ")  # nothing of the text is lost


def test_an_article_page_of_260000_short_lines_is_bounded(work):
    text = "\n".join(f"oil {n}" for n in range(260_000))
    paragraphs = snippets.paragraphs(text, {"oil"})
    assert len(paragraphs) <= snippets.PAGE_PARAGRAPHS
    assert sum(1 for p in paragraphs for _, m in p if m) == snippets.PAGE_MARKS
    assert work["stemmed"] <= 4 * snippets.PAGE_MARKS
    shown = " ".join("".join(t for t, _ in p) for p in paragraphs)
    assert shown.split() == text.split()  # every line is on the page, grouped into paragraphs


def test_an_article_of_few_lines_keeps_one_paragraph_a_line():
    text = "  First line.\n\n\tSecond oil line. \n\n"
    assert snippets.paragraphs(text, {"oil"}) == [[("First line.", False)],
                                                  [("Second ", False), ("oil", True), (" line.", False)]]


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "articles"
    for n, name in enumerate(("one sentence of matches", "many sentences", "short lines", "accents")):
        write_article(folder, f"hostile-{n}.txt", f"Hostile oil {n}", None, None, ADVERSARIAL[name][:MIB - 100])
    write_article(folder, "lines.txt", "Many lines", None, None, "\n".join(f"oil {n}" for n in range(200_000)))
    sync(folder, root / "index")
    return folder, root / "index"


def test_a_results_page_of_hostile_articles_stays_within_its_work_budget(hostile_index, work):
    folder, index = hostile_index
    with Engine(index) as engine:
        results = engine.search("oil", per_page=100)
    hits = len(results.hits)
    assert hits == 5
    assert work["stemmed"] <= hits * (snippets.MAX_EXAMINED + 4 * snippets.PAGE_MARKS)
    assert work["sentence"].chars <= hits * per_hit_bound()
    assert all(len(h.snippet) <= snippets.MAX_PASSAGES for h in results.hits)


def test_the_web_pages_of_hostile_articles_are_bounded(hostile_index):
    from web import create_app
    folder, index = hostile_index
    client = create_app({"TESTING": True, "SEARCH_INDEX": str(index), "SEARCH_ARTICLES": str(folder)}).test_client()
    page = client.get("/search?q=oil&per_page=100")
    assert page.status_code == 200
    assert len(page.data) < 200_000  # 5 hits of at most 3 passages each, whatever the articles hold
    with Engine(index) as engine:
        article_id = next(h.id for h in engine.search("many lines").hits if h.path == "lines.txt")
    page = client.get(f"/article/{article_id}?q=oil")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.count("<p>") <= snippets.PAGE_PARAGRAPHS + 5
    assert body.count("<mark>") <= snippets.PAGE_MARKS + 5
    text_size = len("\n".join(f"oil {n}" for n in range(200_000)))
    assert len(page.data) < text_size + 100 * snippets.PAGE_PARAGRAPHS + 50_000  # the text, not 10 bytes a line


def test_passages_that_start_or_end_inside_a_sentence_show_the_cut():
    text = "Intro. " + "The long sentence goes on and on about many things " * 10 + "and then oil appears late. End."
    (passage,) = snippets.passages(text, {"oil"})
    assert passage[0] == snippets.CUT_BEFORE
    whole = snippets.passages("First. Oil rose today. Last.", {"oil"})
    assert whole == [[("Oil", True), (" rose today.", False)]]
    assert snippets.plain(whole) == "Oil rose today."


def test_the_cut_is_shown_once_between_passages():
    a = [snippets.CUT_BEFORE, ("x", False), snippets.CUT_AFTER]
    b = [snippets.CUT_BEFORE, ("y", False)]
    assert snippets.plain([a, b]) == "… x … y"
    assert snippets.plain([[("x.", False)], [("y.", False)]]) == "x. … y."


def test_a_photo_caption_is_not_chosen_when_the_story_matches():
    text = ("Syrian mourners in Qamishli near Hajin on September 14, 2018. / AFP / Delil SOULEIMAN\n"
            "Powered by automated translation\n\n"
            "The Kurdish-led forces are waging an offensive around the town of Hajin, the last stronghold.")
    (passage,) = snippets.passages(text, {"hajin"}, limit=1)
    assert "offensive" in "".join(t for t, _ in passage)
    only_caption = snippets.passages(text.split("\n")[0], {"hajin"})
    assert only_caption and "SOULEIMAN" in "".join(t for t, _ in only_caption[0])  # better than nothing


def test_related_articles_of_a_long_article_read_a_bounded_part_of_it(hostile_index, monkeypatch):
    from search import like as like_module
    from search import searcher as searcher_module
    folder, index = hostile_index
    seen = []
    real = like_module.read

    def read(text):  # related() reads the article as an example text (search/like.py)
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(like_module, "read", read)
    with Engine(index) as engine:
        for hit in engine.search("oil", per_page=100).hits:
            engine.related(hit.id)
    assert len(seen) == 5 and max(seen) <= searcher_module.RELATED_TEXT_CHARS + 100


class Watched(str):
    """A text that counts the characters split or walked in Python as a whole (slices are plain str again)."""

    walked = 0

    def split(self, *args, **kwargs):
        Watched.walked += len(self)
        return str.split(self, *args, **kwargs)

    def splitlines(self, *args, **kwargs):
        Watched.walked += len(self)
        return str.splitlines(self, *args, **kwargs)

    def __iter__(self):
        Watched.walked += len(self)
        return str.__iter__(self)


@pytest.mark.parametrize("name", ["short lines", "many sentences", "one sentence of matches"])
def test_passages_never_walk_a_whole_long_text_in_python(name):
    # a per-line pass over the body (splitting it, reflowing it) costs 260,000 Python steps a hit on a file of
    # short lines: passages may search a long text with compiled patterns, but look at its lines only near a match
    Watched.walked = 0
    snippets.passages(Watched(ADVERSARIAL[name]), {"oil"}, avoid="Some title")
    assert Watched.walked == 0


def test_passages_of_random_texts_are_pieces_of_the_text_with_their_matches_marked():
    import random

    from search.analysis import term_for
    rng = random.Random(3)
    alphabet = ["oil", "Oil", "oils", "soil", "price", "rose", ". ", "! ", "\n", "\n\n", " ", " ", "Mr. ", "3.5",
                "“", "”", "İDLİB", "idlib", "Zan\u00adzibar", "é", "/ AFP / Jane DOE\n", "…"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        found = snippets.passages(text, {"oil", "idlib", "zanzibar"}, size=rng.choice([20, 60, 200]))
        assert len(found) <= snippets.MAX_PASSAGES
        last = -1
        for passage in found:
            body = passage[1:] if passage[:1] == [snippets.CUT_BEFORE] else passage
            body = body[:-1] if body[-1:] == [snippets.CUT_AFTER] else body
            piece = "".join(t for t, _ in body)
            where = text.find(piece, last + 1) if piece else last + 1
            assert where > last, (text, passage)  # a piece of the text, after the one before
            last = where
            assert all(term_for(t) in {"oil", "idlib", "zanzibar"} for t, m in body if m), (text, passage)
        assert snippets.plain(found) == " ".join(snippets.plain(found).split())
