"""The systems the benchmark runs side by side: this engine and its peers, behind one small interface.

Every system answers `page(query)` with a Page holding what a results page shows (top 10 with snippets,
source and month facets, the total), and `ranking(text, depth)` with the ranked file paths that the
relevance part scores.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Query:
    """One benchmark query: the text as a user types it plus optional filters."""

    text: str
    sources: tuple[str, ...] = ()
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive

    def label(self) -> str:
        extra = [f"source={s}" for s in self.sources]
        extra += [f"since={self.since}"] if self.since else []
        extra += [f"until={self.until}"] if self.until else []
        return self.text + (" [" + ", ".join(extra) + "]" if extra else "")


@dataclass
class Hit:
    path: str
    title: str
    score: float
    snippet: list = field(default_factory=list)  # [[(text, is_match), ...], ...] or a marked-up string


@dataclass
class Page:
    """What one results page needs."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
