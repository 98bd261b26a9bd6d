"""This project's engine (search/) behind the benchmark interface, through its public API only."""
from __future__ import annotations

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


def ranking_of(b: float | None = None, k1: float | None = None, title_boost: float | None = None):
    """A Ranking with the given parameters, the engine's defaults for the others."""
    from search.searcher import Ranking
    kwargs = {k: v for k, v in dict(b=b, k1=k1, title_boost=title_boost).items() if v is not None}
    return Ranking(**kwargs)


def default_ranking() -> dict:
    """The engine's default ranking parameters as a dict."""
    from dataclasses import asdict
    from search.searcher import Ranking
    return asdict(Ranking())


class EngineSystem:
    """The engine opened once, as a server would hold it, answering benchmark queries."""

    name = "engine"

    def __init__(self, index_dir: Path, ranking=None):
        from search.searcher import Engine
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
                                 sort="relevance", page=1, per_page=per_page)
        hits = [Hit(h.path, h.title, h.score, [list(p) for p in h.snippet]) for h in res.hits]
        facets = {name: list(res.facets.get(name, [])) for name in ("source", "date")}
        return Page(int(res.total), hits, facets)

    def ranking(self, text: str, depth: int = 100) -> list[str]:
        """Paths of the best `depth` articles for the text as typed, through the default search path."""
        # a QueryError (say, a query over the engine's word limit) propagates: the relevance part counts it
        res = self.engine.search(text, page=1, per_page=depth, snippets=False)  # the ranking only
        return [h.path for h in res.hits]
