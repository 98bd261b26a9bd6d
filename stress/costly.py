"""The costliest query the engine still accepts on a collection: found by trying queries at the edge of the bounds.

search/query.py bounds a query's text (MAX_QUERY_CHARS), its words (MAX_TERMS) and each wildcard or fuzzy word;
search/budget.py bounds the whole query's expanded terms and postings and a search's work. The candidates here
grow, part by part, a query of two-letter prefixes, of fuzzy words at distance 2, of phrases of the commonest
words, and of common words joined by OR, keeping each part only while the engine still accepts the query. Each
accepted candidate is then run a few times with 100 hits a page and the slowest (its median time: what stalls
the other clients) is the one the stress run's heavy client sends; its work units are recorded beside it.
"""
from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass, field

import search.searcher as searcher_module
from search.budget import Budget
from search.errors import QueryError
from search.query import MAX_QUERY_CHARS, MAX_TERMS

PER_PAGE = 100


@dataclass
class Candidate:
    """One accepted query at the edge of the bounds and what running it cost."""

    shape: str
    text: str
    words: int
    total: int = 0
    work: int = 0                       # work units charged to the search's budget
    ms: float = 0.0                     # median in-process time of a few runs (to choose, never asserted)


@dataclass
class CostReport:
    """Every candidate tried, and the costliest accepted one."""

    candidates: list[Candidate] = field(default_factory=list)
    refused_parts: int = 0              # parts dropped because the query with them was refused

    @property
    def costliest(self) -> Candidate:
        return max(self.candidates, key=lambda c: (c.ms, c.work))


@contextlib.contextmanager
def _spent():
    """Record the work each search charges (the engine makes one Budget per search)."""
    budgets: list[Budget] = []

    class Recording(Budget):
        def __init__(self, limit=None):
            super().__init__(limit)
            budgets.append(self)

    original = searcher_module.Budget
    searcher_module.Budget = Recording
    try:
        yield budgets
    finally:
        searcher_module.Budget = original


def _accepted(engine, text: str) -> bool:
    try:
        engine.search(text, per_page=1, snippets=False)
    except QueryError:
        return False
    return True


def grow(engine, parts: list[str], joiner: str = " OR ") -> tuple[str, int, int]:
    """The longest join of `parts` (in order, skipping any that would make it refused) the engine accepts;
    returns (query, parts kept, parts refused)."""
    kept: list[str] = []
    refused = 0
    for part in parts:
        if len(kept) >= MAX_TERMS:
            break
        trial = joiner.join(kept + [part])
        if len(trial) > MAX_QUERY_CHARS:
            continue
        if _accepted(engine, trial):
            kept.append(part)
        else:
            refused += 1
    return joiner.join(kept), len(kept), refused


def candidates(engine, vocab: list[str], common: list[str]) -> CostReport:
    """Grow one query per shape at the bounds' edge; measure each accepted one with PER_PAGE hits a page."""
    report = CostReport()
    prefixes = sorted({w[:2] for w in vocab + common if len(w) >= 2})
    by_length = sorted(vocab, key=len, reverse=True)
    shapes = {
        "two-letter prefixes": [f"{p}*" for p in prefixes],
        "fuzzy words ~2": [f"{w}~2" for w in by_length],
        "prefixes and fuzzy words": [x for pair in zip((f"{p}*" for p in prefixes), (f"{w}~2" for w in by_length))
                                     for x in pair],
        "phrases of common words": [f'"{a} {b}"' for a, b in zip(common, common[1:] + common[:1])],
        "common words": list(common) + [f"{p}*" for p in prefixes],
    }
    for shape, parts in shapes.items():
        text, words, refused = grow(engine, parts)
        report.refused_parts += refused
        if words:
            report.candidates.append(measure(engine, Candidate(shape, text, words)))
    return report


def measure(engine, cand: Candidate, runs: int = 3) -> Candidate:
    """Run the candidate as a results page of PER_PAGE hits with snippets; keep its work and median time."""
    times = []
    with _spent() as budgets:
        for _ in range(runs):
            t0 = time.perf_counter()
            results = engine.search(cand.text, per_page=PER_PAGE)
            times.append((time.perf_counter() - t0) * 1000)
    cand.total = results.total
    cand.work = max(b.spent for b in budgets)
    cand.ms = statistics.median(times)
    return cand
