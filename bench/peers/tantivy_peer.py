"""Peer 3: tantivy (Rust, through its Python bindings), the compiled reference: what a results page costs when
none of it runs in Python.

title and body with the English stemming tokenizer (positions indexed), source, date and month as raw fast
fields; the user's words each quoted, all required (like FTS5 AND), the title boosted; the top 10 with a
body snippet, the total, and source and month counts from terms aggregations (each leaving out its own
filter, like the engine and FTS5).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import tantivy

from bench.corpora import list_files, read_doc
from bench.peers import Hit, Page, Query
from bench.peers.fts5 import PHRASE_OR_WORD

TITLE_BOOST = 2.0  # as FTS5's title weight
MAX_BUCKETS = 1000


def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("title", stored=True, tokenizer_name="en_stem")
    b.add_text_field("body", stored=True, tokenizer_name="en_stem")
    b.add_text_field("path", stored=True, tokenizer_name="raw")
    for name in ("source", "month"):
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    b.add_unsigned_field("day", fast=True, indexed=True)  # YYYYMMDD, 0 when unknown
    return b.build()


def _day(iso: str | None) -> int:
    digits = (iso or "").replace("-", "")[:8]
    return int(digits.ljust(8, "0")) if digits.isdigit() else 0


def build(articles: Path, index_dir: Path) -> int:
    """Index every article under `articles` into a fresh tantivy index; returns the number of documents."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    ix = tantivy.Index(schema(), path=str(index_dir))
    writer = ix.writer()
    n = 0
    for file in list_files(articles):
        d = read_doc(articles, file)
        doc = tantivy.Document(title=d.title, body=d.body, path=d.path, source=d.source or "unknown", month=d.month)
        doc.add_unsigned("day", _day(d.date))  # the keyword form would make it a signed integer
        writer.add_document(doc)
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    return n


def expression(text: str) -> str | None:
    """User text -> tantivy query text: every token or "phrase" quoted (no operator syntax), or None if empty."""
    parts = []
    for phrase, word in PHRASE_OR_WORD.findall(text):
        chunk = " ".join((phrase if phrase else word).replace('"', " ").replace("\\", " ").split())
        if any(ch.isalnum() for ch in chunk):
            parts.append(f'"{chunk}"')
    return " ".join(parts) if parts else None


class Tantivy:
    """An open tantivy index answering benchmark queries."""

    name = "tantivy"

    def __init__(self, index_dir: Path):
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def close(self):
        self.searcher = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _query(self, text: str, q: Query, by_source: bool = True, by_date: bool = True):
        expr = expression(text)
        if expr is None:
            return None
        parsed, _errors = self.index.parse_query_lenient(expr, ["title", "body"], field_boosts={"title": TITLE_BOOST},
                                                        conjunction_by_default=True)
        must = [(tantivy.Occur.Must, parsed)]
        if q.sources and by_source:
            must.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "source", list(q.sources))))
        if (q.since or q.until) and by_date:
            must.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "day", tantivy.FieldType.Unsigned, _day(q.since) or 1, _day(q.until) or 99991231)))
        return parsed if len(must) == 1 else tantivy.Query.boolean_query(must)

    def _counts(self, query, field: str) -> list[tuple[str, int]]:
        found = self.searcher.aggregate(query, {"f": {"terms": {"field": field, "size": MAX_BUCKETS}}})
        return [(b["key"], b["doc_count"]) for b in found["f"]["buckets"]]

    def page(self, q: Query, per_page: int = 10) -> Page:
        """Top `per_page` with body snippets, the total, source and month counts."""
        query = self._query(q.text, q)
        if query is None:
            return Page(0, [], {"source": [], "date": []})
        result = self.searcher.search(query, per_page, count=True)
        snippets = tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        hits = []
        for score, address in result.hits:
            doc = self.searcher.doc(address)
            snippet = snippets.snippet_from_doc(doc)
            hits.append(Hit(doc["path"][0], doc["title"][0], score, [_spans(snippet)]))
        by_source = self._counts(self._query(q.text, q, by_source=False) if q.sources else query, "source")
        by_month = self._counts(self._query(q.text, q, by_date=False) if (q.since or q.until) else query, "month")
        return Page(int(result.count), hits, {"source": by_source, "date": by_month})

    def ranking(self, text: str, depth: int = 100) -> list[str]:
        """Paths of the best `depth` articles."""
        query = self._query(text, Query(text))
        if query is None:
            return []
        return [self.searcher.doc(a)["path"][0] for _, a in self.searcher.search(query, depth, count=False).hits]


def _spans(snippet) -> list[tuple[str, bool]]:
    """A tantivy Snippet -> (text, is_match) spans."""
    text, out, pos = snippet.fragment(), [], 0
    for r in snippet.highlighted():
        if r.start > pos:
            out.append((text[pos:r.start], False))
        out.append((text[r.start:r.end], True))
        pos = r.end
    if pos < len(text):
        out.append((text[pos:], False))
    return out
