"""Ranking a search's matches and making the page's hits: BM25F (scoring.py) with a proximity rescore window, or
date order; each story once when asked; then each hit's stored fields, passages and marked title."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from search import snippets, story_results
from search.docsets import Matcher
from search.proximity import proximity
from search.scoring import bm25f, by_date, query_scoring, top, top_docs

#: How many of the best BM25F matches are re-ranked by how close the query's words stand (like a rescore window).
RESCORE_WINDOW = 50


@dataclass(frozen=True)
class Ranking:
    """BM25F parameters (k3 saturates query-term frequency), the title's weight and the proximity bonus's; the
    defaults were chosen on TIME and Cranfield (BENCHMARKS.md, part 5)."""

    b: float = 0.9
    k1: float = 2.0
    title_boost: float = 4.0
    proximity_boost: float = 0.75
    k3: float = 2.0


@dataclass
class Hit:
    """One article in a page of results."""

    id: str
    title: str
    date: str | None
    source: str | None
    path: str
    score: float
    snippet: list[snippets.Passage]
    title_spans: snippets.Passage
    story: str = ""  # the story's label (an article id; the article's own when no other is a version of it)
    versions: list[str] = field(default_factory=list)  # ids of the story's other matching articles, best first
    version_count: int = 0  # how many there are (versions lists at most story_results.MAX_VERSION_IDS)


def ranked(view, matcher: Matcher, compiled, final: np.ndarray, sort: str, limit: int, ranking: Ranking,
           stories_of=None, shared=None) -> list[tuple[int, float]]:
    """The first `limit` (docnum, score) of the filtered set, in the requested order; with `stories_of` (story
    codes), only each story's best version takes part (story_results.best_of_each, array work; `shared`, the
    snapshot's story_results.shared_stories, limits that work to the documents of shared stories)."""
    if not len(final):
        return []
    if sort == "relevance" and compiled is not None:
        terms, qtf = compiled.scoring or query_scoring(compiled.query)
        scores = bm25f(matcher, terms, qtf, final, ranking.b, ranking.k1, matcher.postings, matcher.budget,
                       ranking.k3)
        if stories_of is not None:
            best = story_results.best_of_each(stories_of, final, scores, shared)
            final, scores = final[best], scores[best]
        boost = ranking.proximity_boost
        if not boost or len(compiled.near) < 2:
            return top(final, scores, limit)
        # re-rank the best BM25F matches by how close the query's words stand: a rescore window of one size
        # whatever the page asks for, so every page is a slice of one order (the window's articles only gain, so
        # they stay above the rest)
        window = top_docs(final, scores, RESCORE_WINDOW)
        bonus = proximity(matcher, window, compiled.near, matcher.budget)
        scores = scores.copy()
        scores[np.searchsorted(final, window)] += boost * bonus  # `final` is sorted: a mask keeps its order
        return top(final, scores, limit)
    if stories_of is not None:
        day = view.day[final].astype(np.int64)
        # the newest (or oldest) dated version stands for its story; unknown dates last either way
        merit = np.where(day > 0, day if sort != "oldest" else -day, -(1 << 40))
        final = final[story_results.best_of_each(stories_of, final, merit, shared)]
    return [(d, 0.0) for d in by_date(final, view.day, limit, newest=sort != "oldest")]


def hit(view, docnum: int, score: float, compiled, passages: bool = True, source_code: int | None = None) -> Hit:
    """One hit: the article's stored fields, with its passages and marked title unless `passages` is False
    (`source_code`: its source column's value, when the caller read the page's at once)."""
    stored = view.stored(docnum)
    terms = compiled.terms if compiled else set()
    phrases = compiled.phrases if compiled else []
    title = stored.get("title", "")
    codes, names = view.facet("source")
    source = names[int(codes[docnum]) if source_code is None else source_code] or None
    if not passages:
        return Hit(stored["id"], title, stored.get("date"), source, stored["path"],
                   round(float(score), 4), [], [(title, False)] if title else [])
    return Hit(stored["id"], title, stored.get("date"), source, stored["path"], round(float(score), 4),
               snippets.passages(stored.get("body", ""), terms, phrases, avoid=title),
               snippets.highlight(title, terms, phrases))
