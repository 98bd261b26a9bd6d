"""Find articles like an example text, as Lucene's MoreLikeThis does: the text's most informative words.

A text (a pasted paragraph, a whole article, a file) is read up to MAX_TEXT_CHARS. Each index term it holds
is scored tf x idf, tf being how often the text uses it and idf BM25's log(1 + (N - df + 0.5) / (df + 0.5))
against the index; terms the text uses fewer than min_term_freq times or fewer than MIN_DOC_FREQ articles hold
are left out, and the KEEP_WORDS best are kept. Articles with any kept word match; BM25F ranks them, each word
asked for as many times as the text uses it (its query-term frequency), in the title and the body like a typed
word. "Related articles" are the same search with the article itself as the text.
"""
from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass
from math import log

from search import plan
from search.analysis import WORD_RE, term_for
from search.limits import KEEP_WORDS, MAX_TEXT_CHARS
from search.query import Compiled

#: A text of this many words or more is a document: a word must occur in it at least twice to be kept
#: (MoreLikeThis's minTermFreq of 2); a shorter text (a paragraph, a question) keeps words it uses once.
DOCUMENT_WORDS = 100
#: A kept word must be in at least this many articles (MoreLikeThis's minDocFreq; its default of 5 is meant for
#: large indexes, where a word in fewer articles is mostly a typo; here the word just has to find something).
MIN_DOC_FREQ = 1
#: For "related articles" a word must be in another article too: the article itself holds all its words.
RELATED_MIN_DOC_FREQ = 2


@dataclass(frozen=True)
class Word:
    """A word kept from the example text."""

    stem: str       # the index term
    surface: str    # the first way the text writes it, lowercased ("negotiations" for negoti)
    tf: int         # how often the text uses it
    df: int         # how many articles hold it
    weight: float   # tf x idf, what it was chosen by


@dataclass
class Example:
    """An example text, analysed once: how often it uses each index term, and how it first writes each."""

    text: str
    cut: bool                   # the text was longer than MAX_TEXT_CHARS and was cut there
    counts: Counter
    surfaces: dict[str, str]
    words: int                  # index words in the text (stop words and too short words not counted)

    @property
    def min_term_freq(self) -> int:
        """How often the text must use a word for it to be kept."""
        return 2 if self.words >= DOCUMENT_WORDS else 1


def read(text: str) -> Example:
    """Analyse an example text (one pass, linear in its length, at most MAX_TEXT_CHARS read)."""
    cut = len(text) > MAX_TEXT_CHARS
    if cut:
        text = text[:MAX_TEXT_CHARS]
        # don't keep half a word at the cut
        m = re.search(r"\W\w*\Z", text)
        if m:
            text = text[:m.start()]
    counts: Counter = Counter()
    surfaces: dict[str, str] = {}
    for word in WORD_RE.findall(text):
        stem = term_for(word)
        if stem:
            counts[stem] += 1
            if stem not in surfaces:
                surfaces[stem] = word.lower()
    return Example(text, cut, counts, surfaces, sum(counts.values()))


def select(example: Example, view, min_doc_freq: int = MIN_DOC_FREQ, keep: int = KEEP_WORDS) -> list[Word]:
    """The example's `keep` most informative words against the index (an IndexView), best first (ties: the
    stem): one dictionary look-up per distinct word of the text, no postings read."""
    n = max(view.doc_count, 1)
    floor = example.min_term_freq
    scored = []
    for stem, tf in example.counts.items():
        if tf < floor:
            continue
        df = view.doc_frequency("body", stem) or view.doc_frequency("title", stem)
        if df < min_doc_freq or df == 0:
            continue
        weight = tf * log(1 + (n - df + 0.5) / (df + 0.5))
        scored.append((-weight, stem, tf, df))
    best = heapq.nsmallest(keep, scored)
    return [Word(stem, example.surfaces[stem], tf, df, -w) for w, stem, tf, df in best]


def compile(words: list[Word], title_boost: float) -> Compiled:
    """The search for the kept words: any of them in the title or the body, each weighted by its tf."""
    if not words:
        return Compiled(plan.NOTHING, scoring=({}, {}))
    fields = {"title": title_boost, "body": 1.0}
    query = plan.Or(tuple(plan.Term(f, w.stem, b) for w in words for f, b in fields.items()))
    out = Compiled(query, terms={w.stem for w in words}, words=list(words))
    out.scoring = ({w.stem: dict(fields) for w in words}, {w.stem: float(w.tf) for w in words})
    return out


def notice(example: Example, words: list[Word]) -> str:
    """What the results page says about how the text was read."""
    if not words:
        return ("None of the text's words is in any article" if example.words else
                "The text has no word to search for") + "."
    listed = ", ".join(w.surface for w in words)
    read_part = f"the first {MAX_TEXT_CHARS:,} characters of the text" if example.cut else "the text"
    return f"Articles like {read_part}, found by its {len(words)} most telling words: {listed}."


#: In as_text, the most used word is written at most this many times (the others in proportion).
LINK_REPEATS = 10


def as_text(words: list[Word]) -> str:
    """The kept words as a short example text that reads back into the same words, each written in proportion
    to how often the text used it (the most used LINK_REPEATS times at most, so the text stays small): what the
    links of an example text's results carry instead of the whole text. Scaling every query-term frequency by
    one factor leaves BM25F's order as it is; the rounding can move near-ties."""
    if not words:
        return ""
    most = max(w.tf for w in words)
    counts = [max(1, round(w.tf * LINK_REPEATS / most)) if most > LINK_REPEATS else w.tf for w in words]
    if sum(counts) >= DOCUMENT_WORDS:  # read back as a document, a word used once would be left out
        counts = [max(2, c) for c in counts]
    return " ".join(" ".join([w.surface] * c) for w, c in zip(words, counts))
