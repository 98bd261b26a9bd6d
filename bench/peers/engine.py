"""This project's engine (search/) behind the benchmark interface, through its public API (the "before" variant
alone swaps the searcher's and ranking's query_scoring for one without query-term frequencies, to score as before
issue 13)."""
from __future__ import annotations

import contextlib
from pathlib import Path

from bench.peers import Hit, Page, Query


def available() -> str | None:
    """None when search.indexer.sync and search.searcher.Engine import; else why not."""
    try:
        from search.indexer import sync  # noqa: F401
        from search.searcher import Engine, Ranking  # noqa: F401
    except Exception as exc:  # the engine is being written in parallel: any import failure skips it
        return f"{type(exc).__name__}: {exc}"
    return None


def build(articles: Path, index_dir: Path, full: bool = True):
    """A full sync of `articles` into `index_dir`; returns the engine's SyncReport."""
    from search.indexer import sync
    return sync(articles, index_dir, full=full)


def ranking_of(b: float | None = None, k1: float | None = None, title_boost: float | None = None,
               k3: float | None = None, proximity_boost: float | None = None):
    """A Ranking with the given parameters, the engine's defaults for the others."""
    from search.searcher import Ranking
    kwargs = {k: v for k, v in dict(b=b, k1=k1, title_boost=title_boost, k3=k3,
                                    proximity_boost=proximity_boost).items() if v is not None}
    return Ranking(**kwargs)


def default_ranking() -> dict:
    """The engine's default ranking parameters as a dict."""
    from dataclasses import asdict
    from search.searcher import Ranking
    return asdict(Ranking())


#: The relevance part's readings of a query, old and new side by side (issue 13): name -> what it is.
VARIANTS = {
    "default": "the default search path: qtf, and after fewer than 100 all-word matches those with some words",
    "before": "as before issue 13: a repeated word counted once, no list of articles with some of the words",
    "qtf": "a repeated word counted each time (qtf), no list of articles with some of the words",
    "like": "the query text read as an example text (search like): its most telling words, qtf = their tf",
}


@contextlib.contextmanager
def _without_qtf():
    """The engine's BM25F with every query-term frequency 1 (how it scored before issue 13), for comparison."""
    import search.ranking as ranking
    import search.searcher as searcher
    original = searcher.query_scoring

    def once(q):
        terms, qtf = original(q)
        return terms, dict.fromkeys(qtf, 1.0)

    searcher.query_scoring = ranking.query_scoring = once
    try:
        yield
    finally:
        searcher.query_scoring = ranking.query_scoring = original


class EngineSystem:
    """The engine opened once, as a server would hold it, answering benchmark queries."""

    name = "engine"

    def __init__(self, index_dir: Path, ranking=None, variant: str = "default", passages: bool = True):
        """passages=False: results pages without their passages (an unmarked title each), to show what the
        passages cost beside the rest of a page."""
        from search.searcher import Engine
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}")
        self.variant, self.passages = variant, passages
        if variant != "default":
            self.name = f"engine-{variant}"
        if not passages:
            self.name += "-no-passages"
        self._engine = Engine(index_dir, ranking=ranking)
        self.engine = self._engine.__enter__()

    def close(self):
        self._engine.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def page(self, q: Query, per_page: int = 10) -> Page:
        """One results page, every part of it touched so nothing lazy escapes the timer."""
        res = self.engine.search(q.text, sources=q.sources, since=q.since, until=q.until,
                                 sort="relevance", page=1, per_page=per_page, snippets=self.passages)
        hits = [Hit(h.path, h.title, h.score, [list(p) for p in h.snippet]) for h in res.hits]
        facets = {name: list(res.facets.get(name, [])) for name in ("source", "date")}
        return Page(int(res.total), hits, facets)

    def ranking(self, text: str, depth: int = 100) -> list[str]:
        """Paths of the best `depth` articles for the text as typed, through the default search path."""
        # a QueryError propagates: the relevance part counts it
        if self.variant == "before":
            with _without_qtf():
                res = self.engine.search(text, page=1, per_page=depth, snippets=False)  # the ranking only
        else:
            res = self.engine.search(text, page=1, per_page=depth, snippets=False, like=self.variant == "like")
        more = res.more if self.variant in ("default", "like") else []
        return [h.path for h in res.hits + more]
