"""Everything out, in one go: an iterator over every article, or every match of a search, with its metadata.

No page cap: the matches are found and ordered once (document numbers and scores only), then read and yielded
one at a time from the same index snapshot, so memory holds the list of matching numbers, never their texts.
The JSON Lines and CSV writers yield one line at a time for the CLI and the web to stream.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Iterator

from search.metafacets import validate_filters
from search.paragraphs import reflow
from search.query import parse
from search.searcher import Engine, validate

FORMATS = ("jsonl", "csv")
#: Record keys in the order the writers give them; `text` only with text=True.
COLUMNS = ("rank", "id", "title", "date", "source", "path", "score", "metadata")
# Cells a spreadsheet would run as a formula (CSV injection): written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Export:
    """The matches of one export, as records; iterate once, then close() (or use `with`)."""

    def __init__(self, engine: Engine, query: str = "", sources=(), since=None, until=None,
                 sort: str = "relevance", text: bool = False, filters=None):
        req = validate(query, sources, since, until, sort, 1, 1)  # QueryError before anything is streamed
        self.with_text = text
        self._searching = engine._searching()
        snap, self._searcher = self._searching.__enter__()
        try:
            columns, meta = snap.columns(self._searcher), snap.meta(self._searcher)
            chosen = validate_filters(filters, meta.names())
            parsed = parse(req.text, meta.names()) if req.text else None
            self.sort = req.sort if parsed and parsed.scored else ("newest" if req.sort == "relevance" else req.sort)
            compiled, matched, _, _ = engine._match(self._searcher, columns, parsed)
            final = _filtered(columns, matched, req)
            for name, keys in chosen.by_field.items():
                final &= meta.matching(name, keys)
            self.total = len(final)
            self._ranked = engine._top(self._searcher, snap, compiled, final, self.sort, columns, len(final))
            self._columns = columns
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[dict]:
        for rank, (docnum, score) in enumerate(self._ranked, 1):
            yield self._record(rank, docnum, score)

    def _record(self, rank: int, docnum: int, score: float) -> dict:
        stored = self._read(docnum)
        record = {"rank": rank, "id": stored["id"], "title": stored.get("title", ""), "date": stored.get("date"),
                  "source": self._columns.source_name(docnum), "path": stored["path"],
                  "score": round(float(score), 4) if self.sort == "relevance" else None,
                  "metadata": dict(stored.get("extra") or {})}
        if self.with_text:
            record["text"] = reflow(stored.get("body", ""))
        return record

    def _read(self, docnum: int) -> dict:
        """One article's stored fields (the only per-record read of the index)."""
        return self._searcher.stored_fields(docnum)

    @property
    def closed(self) -> bool:
        return self._searching is None

    def close(self) -> None:
        """Give the searcher back (idempotent)."""
        if self._searching is not None:
            searching, self._searching = self._searching, None
            searching.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _filtered(columns, matched, req) -> set[int]:
    """The matched documents that pass the source and date filters (the results page's)."""
    docs = matched
    if req.sources:
        codes = columns.source_codes(list(req.sources))
        source = columns.source
        docs = {d for d in docs if source[d] in codes}
    if req.since is not None or req.until is not None:
        low, high, day = req.since or 0, req.until or 99991231, columns.day
        docs = {d for d in docs if day[d] and low <= day[d] <= high}
    return set(docs)


def jsonl_lines(records) -> Iterator[str]:
    """One JSON object per line (UTF-8 as is, not escaped), each ending with a newline."""
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _cell(value) -> str:
    if value is None:
        return ""
    value = str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_lines(records, text: bool = False) -> Iterator[str]:
    """A header, then one CSV row per record (metadata as a JSON object; text when asked), each a string."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return line

    writer.writerow(list(COLUMNS) + (["text"] if text else []))
    yield flush()
    for r in records:
        row = [r["rank"], r["id"], _cell(r["title"]), r["date"] or "", _cell(r["source"] or ""), _cell(r["path"]),
               "" if r["score"] is None else r["score"],
               json.dumps(r["metadata"], ensure_ascii=False) if r["metadata"] else ""]
        if text:
            row.append(_cell(r.get("text", "")))
        writer.writerow(row)
        yield flush()


def lines(export: Export, fmt: str) -> Iterator[str]:
    """The export in `fmt` (jsonl or csv), line by line; closes the export when done or abandoned."""
    try:
        if fmt == "csv":
            yield from csv_lines(export, export.with_text)
        else:
            yield from jsonl_lines(export)
    finally:
        export.close()
