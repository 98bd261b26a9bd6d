"""The content-DoS collection: article files built to make snippets, highlighting and article pages expensive.

Such files (one word repeated over a whole article, or one short sentence repeated up to 1 MiB) once made every
results page that matched them take seconds (README, "Hostile article text"). `write_collection` writes such files
(seeded, so every run writes the same bytes); `page_work` counts what one results page costs the snippet code.
"""
from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20

#: The shapes, each written up to the size of a file: one sentence of matches, a million sentences, short
#: lines, words that start like the query word but are not it, accented text.
SHAPES = {
    "one-sentence": "oil ",
    "sentences": "Oil price rose. ",
    "lines": "oil\n",
    "near-misses": "oilx oily soil oil ",
    "accents": "Erdoğan oil İdlib ",
}


def write_collection(folder: Path, files: int = 100, size: int = MIB, seed: int = 11) -> list[str]:
    """Write `files` hostile articles of about `size` bytes each into folder; return their relative paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    names = []
    shapes = sorted(SHAPES)
    for n in range(files):
        shape = shapes[n % len(shapes)]
        unit = SHAPES[shape]
        body = unit * (rng.randint(size // 2, size) // len(unit.encode("utf-8")))
        name = f"{shape}-{n:03d}.txt"
        (folder / name).write_text(f"Hostile {shape} {n}\n\n{body}", encoding="utf-8")
        names.append(name)
    return names


@dataclass
class PageWork:
    """What one results page cost the snippet code."""

    hits: int
    words_examined: int
    sentence_chars: int
    pieces_probed: int

    def within(self) -> bool:
        """True when every figure is within the bound the snippet limits set per hit."""
        from search import snippets
        per_hit_words = snippets.MAX_EXAMINED + 4 * snippets.PAGE_MARKS  # passages + the title's marks
        per_hit_chars = snippets.MAX_MATCHES * 2 * (snippets.SENTENCE_REACH + 1)
        return (self.words_examined <= self.hits * per_hit_words
                and self.sentence_chars <= self.hits * per_hit_chars)


class _Counted:
    def __init__(self, pattern):
        self.pattern, self.chars = pattern, 0

    def _count(self, text, pos, endpos):
        self.chars += min(len(text), len(text) if endpos is None else endpos) - pos

    def finditer(self, text, pos=0, endpos=None):
        self._count(text, pos, endpos)
        return self.pattern.finditer(text, pos, len(text) if endpos is None else endpos)

    def search(self, text, pos=0, endpos=None):
        self._count(text, pos, endpos)
        return self.pattern.search(text, pos, len(text) if endpos is None else endpos)


@contextlib.contextmanager
def counting():
    """Count the snippet code's work while the block runs; yields a dict filled in when it ends."""
    from search import snippets
    real_term_for, real_pieces, real_end = snippets.term_for, snippets._pieces, snippets._SENTENCE_END
    counts = {"words": 0, "pieces": 0}
    sentence = _Counted(real_end)

    def term_for(word):
        counts["words"] += 1
        return real_term_for(word)

    def pieces(*args):  # the pieces a long text is probed in (a short one is marked in one loop)
        for piece in real_pieces(*args):
            counts["pieces"] += 1
            yield piece

    snippets.term_for, snippets._pieces, snippets._SENTENCE_END = term_for, pieces, sentence
    try:
        yield counts
    finally:
        snippets.term_for, snippets._pieces, snippets._SENTENCE_END = real_term_for, real_pieces, real_end
        counts["sentence_chars"] = sentence.chars


def page_work(engine, query: str = "oil", per_page: int = 100) -> PageWork:
    """Run one results page through the engine and count its snippet work."""
    with counting() as counts:
        results = engine.search(query, per_page=per_page, all_versions=True)  # near-copies are stories
    return PageWork(len(results.hits), counts["words"], counts["sentence_chars"], counts["pieces"])
