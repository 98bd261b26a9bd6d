"""The analysis shared by indexing and querying: words, accent folding, lowercase, stop words, English stems.

The whole chain is one function with a per-word cache, instead of Whoosh's generator pipeline of
RegexTokenizer | LowercaseFilter | CharsetFilter | StopFilter | StemFilter: same output, a fraction of the
cost per token. Queries and snippets call the same `term_for`, so index and query can never disagree. This module
imports nothing of Whoosh (a command line query must not pay for it): the Whoosh tokenizer that wraps it for the
schema lives in search.analyzer, and Whoosh's accent table and English stemmer come as search.accents and
search.snowball_english, checked equal to Whoosh's own by tests/test_analysis_imports.py.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from search.accents import ACCENT_MAP as accent_map
from search.snowball_english import EnglishStemmer

#: Characters that do not show and may sit inside a word: soft hyphen, zero-width space / non-joiner / joiner,
#: word joiner, zero-width no-break space. A word is the same word with or without them ("Zan\u00adzibar").
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
#: Words: runs of letters/digits, joined across inner dots ("U.S") and invisible characters, but not apostrophes
#: or hyphens. (Linear: every way through it succeeds, so the engine never backtracks.)
WORD_PATTERN = r"\w+(?:[.%s]?\w+)*" % INVISIBLE
#: Longer tokens are dropped: no real word is that long, and a 1 MB "word" must not reach the index.
MAX_TOKEN_CHARS = 40
#: Tokens shorter than this are dropped ("s" from "Syria's", lone digits).
MIN_TOKEN_CHARS = 2
#: Whoosh's default English stop list (34 words: "the", "of", "and", ...): short, so "who" or "both" stay searchable.
STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if", "in", "is", "it", "may",
    "not", "of", "on", "or", "tbd", "that", "the", "this", "to", "us", "we", "when", "will", "with", "yet", "you",
    "your"))

#: The analysis step by step, by name: recorded in the index (CURRENT's "analysis", as lunr serialises its
#: pipeline), so an index says how its terms were made. Changing any step changes the terms: bump SCHEMA_VERSION
#: (tests/test_analysis_golden.py fails until then).
PIPELINE = ("words:unicode-runs-joined-by-dots-and-invisibles", "fold:nfc", "fold:drop-invisible", "fold:turkish-i",
            "fold:lowercase", "fold:whoosh-accent-map", f"length:{MIN_TOKEN_CHARS}-{MAX_TOKEN_CHARS}",
            "stop:whoosh-english", "stem:snowball-english")

WORD_RE = re.compile(WORD_PATTERN, re.UNICODE)
#: WORD_RE for the bytes of an ASCII text: the same words there (none of the invisible joiners is ASCII, and \w
#: means the same letters, digits and underscore in ASCII), found quicker in bytes than in a str. The dot is not
#: optional here: a run of \w+ after no dot is one that the greedy \w+ before it has taken already, so the words
#: are the same, and the engine does not try (and undo) the empty dot at every word's end.
ASCII_WORD_RE = re.compile(rb"\w+(?:\.\w+)*")
# Snowball English (porter2), cached by folded word: "Oil", "oil" and "OIL" are three raw words but one stemming
_english_stem = lru_cache(maxsize=500_000)(EnglishStemmer().stem)


# Invisible characters dropped; Turkish dotted capital I is a plain i (str.lower() would give "i" plus a
# combining dot that no accent map removes, so "İDLİB" would never be "idlib").
_BEFORE_LOWER = str.maketrans({**{c: None for c in INVISIBLE}, "\u0130": "i"})


def fold(word: str) -> str:
    """The one normalisation of index and query: NFC, invisible characters out, lowercase, accents off.

    'Erdoğan' -> 'erdogan', 'İDLİB' -> 'idlib', 'Zan\u00adzibar' -> 'zanzibar'.
    """
    return unicodedata.normalize("NFC", word).translate(_BEFORE_LOWER).lower().translate(accent_map)


@lru_cache(maxsize=500_000)
def surface_for(word: str) -> str | None:
    """The folded word, or None when the analyzer drops it (stop word, too short or too long)."""
    folded = fold(word)
    if not (MIN_TOKEN_CHARS <= len(folded) <= MAX_TOKEN_CHARS) or folded in STOP_WORDS:
        return None
    return folded


@lru_cache(maxsize=500_000)
def term_for(word: str) -> str | None:
    """The index term (stem) for one surface word, or None when the analyzer drops it."""
    folded = surface_for(word)
    return _english_stem(folded) if folded else None


#: STOP_WORDS as ASCII bytes, for ascii_term.
_STOP_BYTES = frozenset(w.encode("ascii") for w in STOP_WORDS)


def ascii_term(word: bytes) -> bytes:
    """term_for of an ASCII word given as bytes, as UTF-8 bytes (b"" when dropped): what a rebuild's workers call
    for each new word of an ASCII text."""
    # folding an ASCII word is lowercasing it: NFC leaves ASCII alone, no invisible character or dotted capital I
    # is ASCII, and the accent map sends ASCII letters to themselves once lowercase (checked by a test)
    folded = word.lower()
    if not (MIN_TOKEN_CHARS <= len(folded) <= MAX_TOKEN_CHARS) or folded in _STOP_BYTES:
        return b""
    return _english_stem(folded.decode("ascii")).encode("ascii")


def stem(folded: str) -> str:
    """The English stem of an already folded word."""
    return _english_stem(folded)


def terms(text: str) -> list[str]:
    """Index terms of a text, in order: the same terms the index holds for it."""
    return [t for t in map(term_for, WORD_RE.findall(text)) if t]


@lru_cache(maxsize=500_000)
def _term_bytes(word: str) -> bytes:
    """The UTF-8 index term of a raw word, or b"" when the analyzer drops it (what the index writes)."""
    return (term_for(word) or "").encode("utf-8")


def term_positions(text: str) -> dict[bytes, list[int]]:
    """{UTF-8 term: [positions]} of a text, as ANALYZER with positions=True yields them, in first-seen order.

    The indexer's fast path: one findall and a cached look-up per word instead of a Token per word. The
    positions count kept words only, exactly as ArticleTokenizer counts them.
    """
    out: dict[bytes, list[int]] = {}
    pos = 0
    for term in map(_term_bytes, WORD_RE.findall(text)):
        if term:
            found = out.get(term)
            if found is None:
                out[term] = [pos]
            else:
                found.append(pos)
            pos += 1
    return out


def word_spans(text: str):
    """Yield (start, end, term) for each word of text that the index keeps; term is its stem."""
    for m in WORD_RE.finditer(text):
        term = term_for(m.group())
        if term:
            yield m.start(), m.end(), term


def is_stop_word(word: str) -> bool:
    """True when the analyzer drops this word as too common."""
    return fold(word) in STOP_WORDS
