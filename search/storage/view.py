"""IndexView: one immutable snapshot of the index (a generation) over all its segments, as numpy arrays.

Global document numbers 0..N-1 are the segments' documents concatenated in TOC order, deleted ones included.
Opening maps the segment files and reads the small table of contents: no per-document Python, no copy. One view
is shared by every searcher and thread of a snapshot; the columns it concatenates are made once, on first use.
"""
from __future__ import annotations

import bisect
import os
import threading
from functools import cached_property

import numpy as np

from search.storage.format import FIELD_NUMBER, TEXT_FIELDS, key_for, read_toc_segments
from search.storage.segment import SegmentFiles, extended_values, file_identity, merged_values

#: How many term look-ups a view remembers (each a few small tuples) before it starts again.
TERM_CACHE = 8192
_NOT_FOUND: tuple[list, int] = ([], 0)


class IndexView:
    """The arrays of one generation; see STORAGE.md for the contract."""

    def __init__(self, folder: str | os.PathLike, previous: IndexView | None = None):
        """`previous`: the view of an earlier generation of the same index, whose unchanged segments (the same
        files, hard-linked) and merged facet tables this one takes over instead of reading them again."""
        self.folder = os.fspath(folder)
        states = read_toc_segments(self.folder)
        self.segments = [_reused(previous, self.folder, s.segment_id()) or SegmentFiles(self.folder, s.segment_id())
                         for s in states]
        self._deleted = [s.deleted_array() for s in states]
        counts = np.array([s.n for s in self.segments], dtype=np.int64)
        self.offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self.doc_count_all = int(self.offsets[-1])
        self._starts = self.offsets.tolist()  # as Python ints: a document's segment is found by bisect
        self.doc_count = self.doc_count_all - sum(len(d) for d in self._deleted)
        self._lock = threading.Lock()
        self._facets: dict[str, tuple[np.ndarray, list[str]]] = {}
        # {facet: (values, {segment id: remap})}: how each segment's value table was numbered in the merged one
        self._numbering: dict[str, tuple[list[str], dict[str, np.ndarray]]] = {}
        # a view that only adds segments to the previous one's extends its numbering (see _merge_facet)
        kept = {s.segment_id for s in self.segments}
        self._earlier = dict(previous._numbering) if previous is not None and all(
            s.segment_id in kept for s in previous.segments) else {}
        # term look-ups of this snapshot (immutable: never stale)
        self._terms: dict[tuple[str, str], tuple[list, int]] = {}
        self._norms: dict[tuple[str, float], np.ndarray] = {}
        self._derived: dict[str, object] = {}
        self.closed = False

    @classmethod
    def open(cls, folder: str | os.PathLike) -> "IndexView":
        """The view of one generation folder."""
        return cls(folder)

    # -- per-document columns ---------------------------------------------------------------------------------
    def _concat(self, pick) -> np.ndarray:
        arrays = [pick(s) for s in self.segments]
        if len(arrays) == 1:
            return arrays[0]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint32)

    @cached_property
    def live(self) -> np.ndarray:
        live = np.ones(self.doc_count_all, dtype=bool)
        for offset, deleted in zip(self.offsets, self._deleted):
            if len(deleted):
                live[offset + deleted.astype(np.int64)] = False
        live.flags.writeable = False
        return live

    @cached_property
    def day(self) -> np.ndarray:
        return self._concat(lambda s: s.day)

    @cached_property
    def lengths(self) -> dict[str, np.ndarray]:
        return {f: self._concat(lambda s, i=i: s.lengths[i]) for i, f in enumerate(TEXT_FIELDS)}

    @cached_property
    def _totals(self) -> dict[str, int]:
        live = self.live
        return {f: int(self.lengths[f][live].sum(dtype=np.int64)) for f in TEXT_FIELDS}

    def field_total(self, field: str) -> int:
        """Sum of that field's lengths over live documents."""
        return self._totals.get(field, 0)

    def norms(self, field: str, b: float) -> np.ndarray:
        """BM25F's length normalisation of every document in a field, 1 - b + b * length / average length
        (float64[N], made once per view and b): scoring gathers it instead of recomputing it per term."""
        key = (field, b)
        found = self._norms.get(key)
        if found is None:
            average = max(self.field_total(field) / max(self.doc_count, 1), 1.0)
            found = 1 - b + b * self.lengths[field].astype(np.float64) / average
            found.flags.writeable = False
            with self._lock:
                if len(self._norms) >= 8:  # a few b values at most (the ranking's, a tuning run's)
                    self._norms.clear()
                self._norms[key] = found
        return found

    def derived(self, key: str, make):
        """A column made from this view's arrays by `make(view)` once per view (the view is immutable: it never goes
        stale, and ends with the snapshot)."""
        found = self._derived.get(key)
        if found is None:
            found = make(self)
            with self._lock:
                found = self._derived.setdefault(key, found)
        return found

    def facet_names(self) -> list[str]:
        """Facet columns present in any segment, sorted."""
        return sorted({name for s in self.segments for name in s.facet_names})

    def facet(self, name: str) -> tuple[np.ndarray, list[str]]:
        """(codes uint32[N], values) of a facet column; values[0] == ""; all 0 for a name no segment has."""
        found = self._facets.get(name)
        if found is not None:
            return found
        with self._lock:
            found = self._facets.get(name)
            if found is None:
                found = self._facets[name] = self._merge_facet(name)
        return found

    def _merge_facet(self, name: str) -> tuple[np.ndarray, list[str]]:
        tables = []
        for s in self.segments:
            if name in s.facet_names:
                i = s.facet_names.index(name)
                tables.append((s.facet_codes[i], s.meta["facets"][name]))
            else:
                tables.append((None, [""]))
        if len(tables) == 1 and tables[0][0] is not None:
            return tables[0][0], list(tables[0][1])
        ids = [s.segment_id for s in self.segments]
        earlier = self._earlier.pop(name, None)  # used once: the view then holds its own numbering
        if earlier is not None and any(i in earlier[1] for i in ids):
            values, remaps = extended_values(earlier, ids, [vals for _, vals in tables])
        else:
            values, remaps = merged_values([vals for _, vals in tables])
        self._numbering[name] = (values, dict(zip(ids, remaps)))
        parts = [np.zeros(s.n, dtype=np.uint32) if codes is None else remap[codes]
                 for (codes, _), remap, s in zip(tables, remaps, self.segments)]
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)
        return codes, values

    @property
    def source(self) -> np.ndarray:
        return self.facet("source")[0]

    @property
    def source_names(self) -> list[str]:
        return self.facet("source")[1]

    # -- postings -----------------------------------------------------------------------------------------------
    def _hits(self, field: str, text: str):
        """[(segment index, segment, term number)] of the segments holding the term; remembered per view."""
        return self._lookup(field, text)[0]

    def _lookup(self, field: str, text: str) -> tuple[list, int]:
        """(_hits, document frequency) of a term: the dictionary is searched once per view and term, and the
        frequency summed then, so a look-up after that is one dict probe."""
        found = self._terms.get((field, text))
        if found is not None:
            return found
        if field not in FIELD_NUMBER:
            return _NOT_FOUND
        key = key_for(field, text)
        hits, df = [], 0
        for i, s in enumerate(self.segments):
            t = s.term(key)
            if t >= 0:
                hits.append((i, s, t))
                df += s.postings_count(t)
        if len(self._terms) >= TERM_CACHE:
            self._terms.clear()  # a bound, not an LRU: a server's working set of words refills it at once
        found = self._terms[(field, text)] = (hits, df)
        return found

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(global docnums int64 ascending, freqs float32) of every posting of the term, deleted docs included."""
        docs, freqs = [], []
        for i, s, t in self._hits(field, text):
            d, f = s.postings(t)
            offset = self._starts[i]
            docs.append(np.add(d, offset, dtype=np.int64) if offset else d.astype(np.int64))
            freqs.append(f.astype(np.float32))
        if not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if len(docs) == 1:
            return docs[0], freqs[0]
        return np.concatenate(docs), np.concatenate(freqs)

    def doc_frequency(self, field: str, text: str) -> int:
        """How many postings the term has (deleted documents included)."""
        return self._lookup(field, text)[1]

    def positions(self, field: str, text: str, docs: np.ndarray) -> list[np.ndarray]:
        """For each doc of `docs` (ascending, each holding the term) its positions in the field."""
        lengths, flat = self.positions_flat(field, text, docs)
        if not len(lengths):
            return []
        return np.split(flat, np.cumsum(lengths)[:-1])

    def positions_flat(self, field: str, text: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(number of positions of each of `docs` (ascending), all their positions concatenated in that order,
        int64): one numpy gather per segment holding the term; a document without the term has none."""
        docs = np.asarray(docs, dtype=np.int64)
        lengths = np.zeros(len(docs), dtype=np.int64)
        pieces = []
        for i, s, t in self._hits(field, text):
            # the documents of segment i are a run of `docs` (segments hold consecutive document numbers)
            lo, hi = np.searchsorted(docs, self.offsets[i:i + 2]).tolist()
            a, b = int(s.tdoc[t]), int(s.tdoc[t + 1])
            if lo == hi or a == b:
                continue
            term_docs, freqs = s.docs[a:b], s.freqs[a:b]
            local = docs[lo:hi] - int(self.offsets[i])
            at = np.searchsorted(term_docs, local)
            np.minimum(at, b - a - 1, out=at)
            n = np.where(term_docs[at] == local, freqs[at], 0).astype(np.int64)
            total = int(n.sum())
            if not total:
                continue
            lengths[lo:hi] = n
            # where each one's positions start: the term's frequencies summed up to the last document wanted only
            first = np.cumsum(freqs[:int(at[-1]) + 1], dtype=np.int64)[at] - n + int(s.tpos[t])
            gather = np.repeat(first - (np.cumsum(n) - n), n) + np.arange(total, dtype=np.int64)
            pieces.append(s.pos[gather])
        if not pieces:
            return lengths, np.zeros(0, dtype=np.int64)
        flat = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
        return lengths, flat.astype(np.int64)

    def terms_from(self, field: str, prefix: str, limit: int | None = None) -> list[str]:
        """Sorted distinct terms of `field` starting with `prefix`, across segments (at most `limit`)."""
        if field not in FIELD_NUMBER:
            return []
        low = key_for(field, prefix)
        high = low + b"\xff"  # no UTF-8 byte is 0xff: every key with the prefix sorts below this
        field_char = chr(FIELD_NUMBER[field])
        runs = []
        for s in self.segments:
            lo = s.find(low)
            hi = s.find(high)
            if limit is not None:
                hi = min(hi, lo + limit)
            if hi > lo:
                runs.append(s.terms_between(lo, hi, field_char))
        terms = _merged(runs)
        return terms[:limit] if limit is not None else terms

    # -- documents ----------------------------------------------------------------------------------------------
    def _locate(self, docnum: int) -> tuple[SegmentFiles, int]:
        if not 0 <= docnum < self.doc_count_all:
            raise IndexError(docnum)
        i = bisect.bisect_right(self._starts, docnum) - 1
        return self.segments[i], docnum - self._starts[i]

    def stored(self, docnum: int) -> dict:
        """{"id","path","title","body","date","extra"} of a document."""
        segment, local = self._locate(int(docnum))
        return segment.stored(local)

    def stored_id(self, docnum: int) -> str:
        """The id of a document, without decoding its stored text (a results page lists other versions' ids)."""
        segment, local = self._locate(int(docnum))
        return segment.stored_id(local)

    def docnum(self, article_id: str) -> int | None:
        """The live document with that id, else None."""
        return self.live_doc("id", article_id)

    def live_doc(self, field: str, text: str) -> int | None:
        """The last live document with the term `text` in `field` (an id or a path: there is one), else None."""
        docs, _ = self.postings(field, text)
        if len(docs):
            live = docs[self.live[docs]]
            if len(live):
                return int(live[-1])
        return None

    def signatures_of(self, paths) -> dict[str, str]:
        """{path: signature} of the live documents among `paths` (a term look-up each, not the whole table)."""
        out: dict[str, str] = {}
        for path in paths:
            docnum = self.live_doc("path", path)
            if docnum is not None:
                indexed_path, sig = self.signature(docnum)
                if indexed_path == path:
                    out[path] = sig
        return out

    def signature(self, docnum: int) -> tuple[str, str]:
        """(path, sync signature) of a document."""
        segment, local = self._locate(int(docnum))
        return segment.signature(local)

    def signatures(self) -> dict[str, str]:
        """{path: signature} of the live documents."""
        out: dict[str, str] = {}
        for s, deleted in zip(self.segments, self._deleted):
            paths, sigs = s.signatures()
            if len(deleted):
                keep = np.ones(s.n, dtype=bool)
                keep[deleted.astype(np.int64)] = False
                idx = np.flatnonzero(keep).tolist()
                out.update(zip([paths[i] for i in idx], [sigs[i] for i in idx]))
            else:
                out.update(zip(paths, sigs))
        return out

    def close(self) -> None:
        """Mark the view closed; its mappings go when the view and every array made from them are unreferenced
        (a search still running on it keeps working)."""
        self.closed = True


def _reused(previous: IndexView | None, folder: str, segment_id: str) -> SegmentFiles | None:
    """The previous view's SegmentFiles of this segment when this folder holds the very same files."""
    if previous is None:
        return None
    for s in previous.segments:
        if s.segment_id == segment_id:
            try:
                same = file_identity(os.stat(os.path.join(folder, segment_id + ".meta"))) == s.identity
            except OSError:
                return None
            return s if same else None
    return None


#: At most this many terms of the smaller runs are placed into the largest by bisection (a list insert each).
INSERTED_TERMS = 64


def _merged(runs: list[list[str]]) -> list[str]:
    """The sorted distinct terms of sorted runs of distinct terms (one per segment). UTF-8 keeps code point order,
    so the terms sort as their keys do. A small sync's few terms are placed into the largest run by bisection;
    runs of like sizes are sorted together (the sort merges the runs)."""
    if not runs:
        return []
    runs = sorted(runs, key=len, reverse=True)
    terms = runs[0]  # a segment's keys are sorted and distinct
    if sum(map(len, runs[1:])) > INSERTED_TERMS:  # each insert moves the list: only a few, else one merging sort
        return list(dict.fromkeys(sorted(term for run in runs for term in run)))
    for run in runs[1:]:
        terms = list(terms) if terms is runs[0] else terms
        for term in run:
            at = bisect.bisect_left(terms, term)
            if at == len(terms) or terms[at] != term:
                terms.insert(at, term)
    return terms
