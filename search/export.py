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

import numpy as np

from search import story_results

from search.budget import Budget, release_after
from search.docsets import Matcher
from search.facets import STORY, filter_and_count
from search.metafacets import registry, validate_filters
from search.query import parse
from search.ranking import ranked
from search.request import validate
from search.searcher import Engine

FORMATS = ("jsonl", "csv")
#: Record keys in the order the writers give them; `text` only with text=True.
COLUMNS = ("rank", "id", "title", "date", "source", "path", "score", "metadata", "story", "versions")
# Cells a spreadsheet would run as a formula (CSV injection): written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Export:
    """The matches of one export, as records; iterate once, then close() (or use `with`)."""

    def __init__(self, engine: Engine, query: str = "", sources=(), since=None, until=None,
                 sort: str = "relevance", text: bool = False, filters=None, all_versions: bool = False):
        """Find and order the matches; each story once, as its best-ranked version, unless `all_versions` (as
        Engine.search)."""
        req = validate(query, sources, since, until, sort, 1, 1)  # QueryError before anything is streamed
        self.with_text = text
        self._budget = None
        self._searching = engine._searching()
        snap = self._searching.__enter__()
        try:
            self._view, meta = snap.view, snap.meta
            chosen = validate_filters(filters, meta.names())
            parsed = parse(req.text, meta.names()) if req.text else None
            self.sort = req.sort if parsed and parsed.scored else ("newest" if req.sort == "relevance" else req.sort)
            self._budget = Budget()
            matcher = Matcher(self._view, self._budget)
            compiled, matched, _, _ = engine._match(snap, matcher, parsed)
            final, _ = filter_and_count(self._view, registry(meta, chosen), matched, req, count=False)
            self._codes, self._labels = STORY.column(self._view)
            # each story's matching versions, counted once (a record says how many others it stands for)
            self._story_keys, self._story_sizes = np.unique(story_results.story_keys(self._codes, final),
                                                            return_counts=True)
            self.total = len(final) if all_versions else len(self._story_keys)
            self._ranked = ranked(self._view, matcher, compiled, final, self.sort, len(final), engine.ranking,
                                  None if all_versions else self._codes)
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[dict]:
        for rank, (docnum, score) in enumerate(self._ranked, 1):
            yield self._record(rank, int(docnum), score)

    def _record(self, rank: int, docnum: int, score: float) -> dict:
        view = self._view
        stored = self._read(docnum)
        record = {"rank": rank, "id": stored["id"], "title": stored.get("title", ""), "date": stored.get("date"),
                  "source": view.source_names[int(view.source[docnum])] or None, "path": stored["path"],
                  "score": round(float(score), 4) if self.sort == "relevance" else None,
                  "metadata": dict(stored.get("extra") or {}),
                  "story": self._labels[int(self._codes[docnum])] or stored["id"],
                  "versions": self._other_versions(docnum)}
        if self.with_text:
            record["text"] = stored.get("body", "")
        return record

    def _other_versions(self, docnum: int) -> int:
        """How many other articles of this one's story match the export's search."""
        at = np.searchsorted(self._story_keys, story_results.story_keys(self._codes, [docnum])[0])
        return int(self._story_sizes[at]) - 1

    def _read(self, docnum: int) -> dict:
        """One article's stored fields (the only per-record read of the index)."""
        return self._view.stored(docnum)

    @property
    def closed(self) -> bool:
        return self._searching is None

    def close(self) -> None:
        """Give the snapshot back (idempotent)."""
        if self._searching is not None:
            searching, self._searching = self._searching, None
            searching.__exit__(None, None, None)
            if self._budget is not None:
                release_after(self._budget)  # a large export's freed memory goes back to the system

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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
               json.dumps(r["metadata"], ensure_ascii=False) if r["metadata"] else "", _cell(r["story"]),
               r["versions"]]
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
