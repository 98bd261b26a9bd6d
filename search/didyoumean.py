""""Did you mean": a query respelt with the index's own words, offered only when it finds more articles."""
from __future__ import annotations

import re
import string

import numpy as np

from search.analysis import WORD_RE, fold, is_stop_word, surface_for, term_for
from search.errors import QueryError
from search.query import parse

#: "Did you mean" is only looked for when a search finds fewer articles than this.
SUGGEST_BELOW = 3


def did_you_mean(snap, matcher, parsed, total: int, title_boost: float) -> str | None:
    """A "did you mean" query from the index's own words, offered only if it finds more."""
    view = snap.view
    text, changed = parsed.text, False
    for word in dict.fromkeys(parsed.words()):
        folded = fold(word)
        if len(folded) < 3 or is_stop_word(folded):
            continue
        own = term_for(folded)
        best_df = view.doc_frequency("body", own) if own else 0
        if best_df >= SUGGEST_BELOW:
            continue  # a word that many articles use is not a typo
        best = None
        for cand, df in snap.vocabulary.within(folded, 1 if len(folded) <= 4 else 2, matcher.budget):
            if cand != own and df > best_df:
                best, best_df = cand, df
        surface = best and _surface_word(view, best)
        if surface:
            text, changed = _replace_word(text, word, surface), True
    if not changed:
        return None
    try:
        compiled = parse(text, snap.meta.names()).compile(matcher, title_boost, vocabulary=snap.vocabulary)
    except QueryError:
        return None
    found = len(matcher.docs(compiled.query))
    return text if found > total else None


def _surface_word(view, stem_term: str) -> str | None:
    """A word as articles write it for an index term ("negoti" -> "negotiations"), read from one article."""
    docs = np.asarray(view.postings("body", stem_term)[0], dtype=np.int64)
    live = docs[view.live[docs]] if len(docs) else docs
    if not len(live):
        return None
    body = view.stored(int(live[0])).get("body", "")
    # Snowball English changes only a word's ending (and a leading apostrophe): a word starting with another ASCII
    # letter or digit than the stem cannot have it, and is not stemmed
    first = stem_term[:1]
    for m in WORD_RE.finditer(body):
        word = m.group()
        if _FOLDED_ASCII.get(word[0], first) != first:
            continue  # an ASCII letter or digit folds on its own: the word's folded start is known without folding it
        folded = surface_for(word)
        if folded and (folded[0] == first or not _ASCII_WORD_START.match(folded)) and term_for(word) == stem_term:
            return folded
    return None


_ASCII_WORD_START = re.compile(r"[a-z0-9]")
#: What an ASCII letter or digit folds to (itself, lowercased): a word starting with it starts so once folded.
_FOLDED_ASCII = {c: fold(c) for c in string.ascii_letters + string.digits}


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)
