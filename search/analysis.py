"""The analyzer shared by indexing and querying: words, accent folding, lowercase, stop words, English stems."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

#: Words: runs of letters/digits, joined across inner dots ("U.S") but not apostrophes or hyphens.
WORD_PATTERN = r"\w+(?:\.?\w+)*"
#: Longer tokens are dropped: no real word is that long, and a 1 MB "word" must not reach the index.
MAX_TOKEN_CHARS = 40
#: Tokens shorter than this are dropped ("s" from "Syria's", lone digits).
MIN_TOKEN_CHARS = 2

_WORD = re.compile(WORD_PATTERN, re.UNICODE)


def make_analyzer(stem: bool = True):
    """The Whoosh analyzer chain; `stem=False` gives the surface vocabulary used for suggestions and wildcards."""
    chain = (RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
             | StopFilter(minsize=MIN_TOKEN_CHARS, maxsize=MAX_TOKEN_CHARS))
    if stem:
        chain = chain | StemFilter(lang="en", cachesize=100_000)
    return chain


ANALYZER = make_analyzer(stem=True)
WORDS_ANALYZER = make_analyzer(stem=False)

_STOP_WORDS = frozenset(next(f for f in ANALYZER.items if isinstance(f, StopFilter)).stops)
_english_stem = stemmer_for_language("en")  # the stemmer StemFilter(lang="en") uses


def fold(word: str) -> str:
    """Lowercase and strip accents, as the index does: 'Erdoğan' -> 'erdogan'."""
    return unicodedata.normalize("NFC", word).lower().translate(accent_map)


@lru_cache(maxsize=200_000)
def _stem(folded: str) -> str:
    return _english_stem(folded)


def term_for(word: str) -> str | None:
    """The index term for one surface word, or None when the analyzer drops it (stop word, too short or long)."""
    folded = fold(word)
    if not (MIN_TOKEN_CHARS <= len(folded) <= MAX_TOKEN_CHARS) or folded in _STOP_WORDS:
        return None
    return _stem(folded)


def terms(text: str) -> list[str]:
    """Index terms of a text, in order: the same terms Whoosh indexes for it."""
    return [t for t in (term_for(m.group()) for m in _WORD.finditer(text)) if t]


def word_spans(text: str):
    """Yield (start, end, term) for each word of text that the index keeps; term is its stem."""
    for m in _WORD.finditer(text):
        term = term_for(m.group())
        if term:
            yield m.start(), m.end(), term


def is_stop_word(word: str) -> bool:
    """True when the analyzer drops this word as too common."""
    return fold(word) in _STOP_WORDS
