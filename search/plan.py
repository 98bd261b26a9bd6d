"""A compiled query: the few node kinds that matching (docsets.py) and scoring (scoring.py) understand.

Plain frozen dataclasses, so the query path needs nothing of Whoosh: a parsed query (query.py) compiles to
these against one IndexView, with prefixes and fuzzy words already expanded to index terms.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """Documents whose `field` holds the index term `text`; `boost` weights it in BM25F."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Documents where the terms stand one after another in `field`."""

    field: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class Not:
    """Inside an And: the documents of the other parts that do not match `part`."""

    part: object


@dataclass(frozen=True)
class Every:
    """Every live document."""


@dataclass(frozen=True)
class DayRange:
    """Documents dated from `low` to `high` (YYYYMMDD, inclusive; None = open); undated ones never match."""

    low: int | None
    high: int | None


@dataclass(frozen=True)
class FacetIs:
    """Documents whose facet column `name` holds one of `values` (lowercased; "" = no value)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Nothing:
    """No document (a prefix or fuzzy word that the index has no term for)."""


NOTHING = Nothing()
EVERY = Every()
