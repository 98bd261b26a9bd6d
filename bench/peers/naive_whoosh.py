"""Peer 2: Whoosh used naively, the way its tutorial reads.

StemmingAnalyzer on title and body, body stored for highlighting, default writer settings, default BM25F,
a MultifieldParser over title and body, one `with ix.searcher()` per request, facets through `groupedby`
and then `hit.highlights("body")` on that same Results, as a first implementation would.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from whoosh import index, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, Or, Term, TermRange

from bench.corpora import list_files, read_doc
from bench.peers import Hit, Page, Query


def schema() -> Schema:
    return Schema(path=ID(stored=True, unique=True),
                  title=TEXT(stored=True, analyzer=StemmingAnalyzer()),
                  body=TEXT(stored=True, analyzer=StemmingAnalyzer()),
                  source=ID(stored=True), date=ID(stored=True), month=ID(stored=True))


def build(articles: Path, index_dir: Path) -> int:
    """Index every article under `articles` into a fresh Whoosh index; returns the number of documents."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    ix = index.create_in(str(index_dir), schema())
    writer = ix.writer()
    n = 0
    for file in list_files(articles):
        d = read_doc(articles, file)
        fields = dict(path=d.path, title=d.title, body=d.body, source=d.source or "unknown", month=d.month)
        if d.date:
            fields["date"] = d.date
        writer.add_document(**fields)
        n += 1
    writer.commit()
    return n


class NaiveWhoosh:
    """An open naive Whoosh index answering benchmark queries."""

    name = "naive-whoosh"

    def __init__(self, index_dir: Path, mode: str = "and"):
        self.ix = index.open_dir(str(index_dir))
        group = {"or": OrGroup}.get(mode)
        kwargs = {"group": group} if group else {}
        self.parser = MultifieldParser(["title", "body"], self.ix.schema, **kwargs)
        if mode == "or":
            self.name = "naive-whoosh-or"

    def close(self):
        self.ix.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _filter(self, q: Query):
        parts = []
        if q.sources:
            parts.append(Or([Term("source", s) for s in q.sources]))
        if q.since or q.until:
            parts.append(TermRange("date", q.since, q.until))
        return And(parts) if parts else None

    def page(self, q: Query, per_page: int = 10) -> Page:
        """Top `per_page` with highlights, source and month facets, and the total, for one query."""
        query = self.parser.parse(q.text)
        with self.ix.searcher() as searcher:
            results = searcher.search(query, limit=per_page, filter=self._filter(q),
                                      groupedby={"source": sorting.FieldFacet("source"),
                                                 "date": sorting.FieldFacet("month")})
            hits = [Hit(h["path"], h["title"], h.score, h.highlights("body")) for h in results]
            sources = sorted(((k, len(v)) for k, v in results.groups("source").items()), key=lambda kv: (-kv[1], kv[0]))
            months = sorted(((k, len(v)) for k, v in results.groups("date").items()), reverse=True)
            facets = {"source": sources, "date": months}
            return Page(len(results), hits, facets)

    def ranking(self, text: str, depth: int = 100) -> list[str]:
        """Paths of the best `depth` articles by Whoosh's default BM25F."""
        with self.ix.searcher() as searcher:
            return [h["path"] for h in searcher.search(self.parser.parse(text), limit=depth)]
