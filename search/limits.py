"""Every limit a user can meet, declared once: name, value and what it bounds (README's "Limits" table is this).

Modules import their limits from here under the same names; `tests/test_limits.py` checks README's table
against `LIMITS`, so a limit cannot change in one place and not the other.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    bounds: str


LIMITS: dict[str, Limit] = {}


def _limit(name: str, value: int, bounds: str) -> int:
    LIMITS[name] = Limit(name, value, bounds)
    return value


# -- a query (search/query.py, search/budget.py)
MAX_QUERY_CHARS = _limit("MAX_QUERY_CHARS", 500, "characters parsed as a query (a longer text is read as an example text)")
MAX_TERMS = _limit("MAX_TERMS", 64, "words in a query")
MIN_PREFIX_CHARS = _limit("MIN_PREFIX_CHARS", 2, "letters before a wildcard's star (at least)")
MAX_PREFIX_EXPANSION = _limit("MAX_PREFIX_EXPANSION", 500, "index words one wildcard may stand for")
MAX_FUZZY_DISTANCE = _limit("MAX_FUZZY_DISTANCE", 2, "edits of a fuzzy word (word~2)")
MAX_FUZZY_EXPANSION = _limit("MAX_FUZZY_EXPANSION", 30, "index words one fuzzy word may stand for")
MAX_QUERY_TERMS = _limit("MAX_QUERY_TERMS", 1_000, "index words of the whole query once expanded")
MAX_QUERY_POSTINGS = _limit("MAX_QUERY_POSTINGS", 8_000_000,
                            "postings the whole query may read (checked before any is read)")
WORK_BUDGET = _limit("WORK_BUDGET", 24_000_000,
                     "postings, positions and candidates one search may hand to numpy")

# -- an example text (search/like.py)
MAX_TEXT_CHARS = _limit("MAX_TEXT_CHARS", 100_000, "characters of an example text read (the rest is left out)")
KEEP_WORDS = _limit("KEEP_WORDS", 25, "words of an example text searched for (MoreLikeThis's maxQueryTerms)")

# -- a request (search/searcher.py, search/metafacets.py)
MAX_PER_PAGE = _limit("MAX_PER_PAGE", 100, "hits a page")
MAX_REACHABLE = _limit("MAX_REACHABLE", 10_000, "results that can be paged through")
MAX_SOURCES = _limit("MAX_SOURCES", 50, "sources chosen at once")
MAX_FILTER_FIELDS = _limit("MAX_FILTER_FIELDS", 10, "metadata fields filtered at once")
MAX_FILTER_VALUES = _limit("MAX_FILTER_VALUES", 50, "values chosen for one metadata field")
MAX_SUGGESTIONS = _limit("MAX_SUGGESTIONS", 10, "completions a suggestion request returns")
MAX_SUGGEST_PREFIX_CHARS = _limit("MAX_SUGGEST_PREFIX_CHARS", 100, "characters of a completion prefix")
SUGGEST_TITLES = _limit("SUGGEST_TITLES", 20_000,
                        "titles (the newest) that suggestions and the home page's examples are made from")

# -- what a hit shows (search/snippets.py)
PASSAGE_CHARS = _limit("PASSAGE_CHARS", 200, "characters of a passage")
MAX_PASSAGES = _limit("MAX_PASSAGES", 3, "passages a hit")
PAGE_PARAGRAPHS = _limit("PAGE_PARAGRAPHS", 2000, "paragraphs an article page marks")
PAGE_MARKS = _limit("PAGE_MARKS", 1000, "marks on an article page")

# -- the articles (search/articles.py, search/metafields.py, search/metafacets.py)
MAX_ARTICLE_BYTES = _limit("MAX_ARTICLE_BYTES", 1_048_576, "bytes of an article indexed (the rest is dropped)")
MAX_SIDECAR_BYTES = _limit("MAX_SIDECAR_BYTES", 64 * 1_048_576, "bytes of metadata.csv read")
MAX_VALUE_CHARS = _limit("MAX_VALUE_CHARS", 200, "characters of a metadata value")
MAX_FIELDS_PER_ARTICLE = _limit("MAX_FIELDS_PER_ARTICLE", 24, "metadata fields kept per article")
MAX_FIELDS = _limit("MAX_FIELDS", 64, "metadata fields a snapshot reads as facets")
MAX_VALUES_LIMIT = _limit("MAX_VALUES_LIMIT", 100, "SEARCH_FACET_MAX_VALUES at most")

# -- the web (web/app.py, web/views.py)
MAX_MESSAGE = _limit("MAX_MESSAGE", 400, "characters of an error message echoed on a page")
MAX_QUERY_ECHO = _limit("MAX_QUERY_ECHO", 600, "characters of a query echoed in an article page's back link")


def markdown_table() -> str:
    """README's limits table, one row a limit, in declaration order."""
    rows = ["| Limit | Value | What it bounds |", "|---|---|---|"]
    rows += [f"| `{lim.name}` | {lim.value:,} | {lim.bounds} |" for lim in LIMITS.values()]
    return "\n".join(rows)
