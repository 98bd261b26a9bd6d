"""A search request: its parameters checked once, for both faces, before any index is read."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from search.errors import QueryError
from search.limits import MAX_PER_PAGE, MAX_REACHABLE, MAX_SOURCES
from search.query import parse_date_bound

SORTS = ("relevance", "newest", "oldest")


@dataclass
class SearchRequest:
    """Validated search parameters."""

    text: str
    sources: tuple[str, ...]
    since: int | None
    until: int | None
    sort: str
    page: int
    per_page: int


def validate(text="", sources=(), since=None, until=None, sort="relevance", page=1, per_page=10) -> SearchRequest:
    """Check every parameter, raising QueryError with what is wrong; used by both faces before searching."""
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}.")
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise QueryError("page and per_page must be whole numbers.") from None
    if page < 1:
        raise QueryError("page must be 1 or more.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}.")
    if page * per_page > MAX_REACHABLE:
        raise QueryError(f"Only the first {MAX_REACHABLE:,} results can be paged through; "
                         "narrow the search with more words, a source or a date range.")
    low = parse_date_bound(since, False, "since") if since else None
    high = parse_date_bound(until, True, "until") if until else None
    if low and high and low > high:
        raise QueryError(f"since ({since}) is after until ({until}).")
    sources = tuple(_typed(s).strip() for s in (sources or ()) if s and s.strip())
    if len(sources) > MAX_SOURCES:
        raise QueryError(f"At most {MAX_SOURCES} sources can be chosen at once.")
    return SearchRequest(_typed(text or "").strip(), sources, low, high, sort, page, per_page)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _typed(value):
    """Text as typed, made searchable: NFC (so NFD input matches), and lone surrogates (bytes a terminal could
    not decode reach click as surrogates, which cannot be encoded into index terms) replaced by U+FFFD."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", value))
