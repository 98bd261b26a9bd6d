"""Peer 1: SQLite FTS5 from the standard library, used the way a competent user would.

One FTS5 table (porter over unicode61 with diacritics removed), bm25 with the title weighted, snippet() for the
top 10, GROUP BY source and GROUP BY month for the facets, COUNT(*) for the total.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from bench.corpora import list_files, read_doc
from bench.peers import Hit, Page, Query

TITLE_WEIGHT = 2.0  # bm25 column weight of the title against 1.0 for the body
SCHEMA = """CREATE VIRTUAL TABLE docs USING fts5(
    title, body, path UNINDEXED, source UNINDEXED, date UNINDEXED, month UNINDEXED,
    tokenize='porter unicode61 remove_diacritics 2')"""
START, END = "\x02", "\x03"
PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')


def build(articles: Path, db: Path) -> int:
    """Index every article under `articles` into a fresh database file; returns the number of documents."""
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    try:
        conn.execute(SCHEMA)
        # ORDER BY rank uses this persistent rank function; FTS5 can then sort inside the virtual table
        conn.execute("INSERT INTO docs(docs, rank) VALUES('rank', ?)", (f"bm25({TITLE_WEIGHT}, 1.0)",))
        n = 0
        with conn:
            rows = []
            for file in list_files(articles):
                d = read_doc(articles, file)
                rows.append((d.title, d.body, d.path, d.source or "unknown", d.date, d.month))
                if len(rows) >= 1000:
                    conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
                    n += len(rows)
                    rows = []
            conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
            n += len(rows)
        # merge the b-tree segments once, as one would after a bulk load
        conn.execute("INSERT INTO docs(docs) VALUES('optimize')")
        conn.commit()
        return n
    finally:
        conn.close()


def _quote(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


def expression(text: str, mode: str = "and") -> str | None:
    """User text -> a safe FTS5 MATCH expression: every token quoted, "phrases" kept, AND (implicit) or OR.

    Returns None when nothing searchable is left (FTS5 would reject an empty expression).
    """
    parts = []
    for phrase, word in PHRASE_OR_WORD.findall(text):
        chunk = phrase if phrase else word.replace('"', " ")  # a stray quote is not a phrase
        if any(ch.isalnum() for ch in chunk):
            parts.append(_quote(" ".join(chunk.split())))
    if not parts:
        return None
    return (" OR " if mode == "or" else " ").join(parts)


class FTS5:
    """An open FTS5 database answering benchmark queries."""

    name = "fts5"

    def __init__(self, db: Path, mode: str = "and"):
        """mode: "and" (FTS5's default: every token), "or" (any token), "and-or" (AND, else OR when AND finds none)."""
        self.conn = sqlite3.connect(db)
        self.mode = mode
        if mode != "and":
            self.name = f"fts5-{mode}"

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _where(self, q: Query, expr: str, by_source: bool = True, by_date: bool = True) -> tuple[str, list]:
        sql, args = "docs MATCH ?", [expr]
        if q.sources and by_source:
            sql += f" AND source IN ({','.join('?' * len(q.sources))})"
            args += list(q.sources)
        if q.since and by_date:
            sql += " AND date >= ?"
            args.append(q.since)
        if q.until and by_date:
            sql += " AND date <= ?"
            args.append(q.until)
        return sql, args

    def _expression(self, text: str) -> str | None:
        expr = expression(text, "or" if self.mode == "or" else "and")
        if expr and self.mode == "and-or":
            # the engine's behaviour: all the words, or any of them when no article has all
            any_word = expression(text, "or")
            if any_word != expr and self.conn.execute(
                    "SELECT 1 FROM docs WHERE docs MATCH ? LIMIT 1", (expr,)).fetchone() is None:
                expr = any_word
        return expr

    def page(self, q: Query, per_page: int = 10) -> Page:
        """Top `per_page` with snippets, source and month facets, and the total, for one query.

        Like the engine, each facet's counts leave out that facet's own filter (so a user can widen a choice).
        """
        expr = self._expression(q.text)
        if expr is None:
            return Page(0, [], {"source": [], "date": []})
        where, args = self._where(q, expr)
        c = self.conn
        rows = c.execute(
            f"SELECT path, title, rank, snippet(docs, 1, '{START}', '{END}', '…', 16) "
            f"FROM docs WHERE {where} ORDER BY rank LIMIT ?", args + [per_page]).fetchall()
        hits = [Hit(path, title, -rank, spans(snip)) for path, title, rank, snip in rows]
        total = c.execute(f"SELECT COUNT(*) FROM docs WHERE {where}", args).fetchone()[0]
        where_s, args_s = self._where(q, expr, by_source=False)
        by_source = c.execute(f"SELECT source, COUNT(*) AS n FROM docs WHERE {where_s} "
                              "GROUP BY source ORDER BY n DESC, source", args_s).fetchall()
        where_d, args_d = self._where(q, expr, by_date=False)
        by_month = c.execute(f"SELECT month, COUNT(*) FROM docs WHERE {where_d} "
                             "GROUP BY month ORDER BY month DESC", args_d).fetchall()
        return Page(total, hits, {"source": by_source, "date": by_month})

    def ranking(self, text: str, depth: int = 100) -> list[str]:
        """Paths of the best `depth` articles by bm25."""
        expr = self._expression(text)
        if expr is None:
            return []
        return [r[0] for r in self.conn.execute(
            "SELECT path FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?", (expr, depth))]


def spans(snippet: str) -> list[list[tuple[str, bool]]]:
    """snippet() text with START/END markers -> one passage of (text, is_match) spans."""
    out, pos = [], 0
    for m in re.finditer(f"{START}(.*?){END}", snippet, re.S):
        if m.start() > pos:
            out.append((snippet[pos:m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(snippet):
        out.append((snippet[pos:], False))
    return [out]

