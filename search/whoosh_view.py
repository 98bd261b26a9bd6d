"""TEMPORARY ADAPTER (storage-query): an IndexView-shaped object over today's Whoosh reader.

It answers the IndexView contract of notes/STORAGE.md so that the vectorized query path can be written and
tested before storage-core's memory-mapped IndexView exists. It is slow to open (per-document loops) and
holds a lock around every Whoosh call (Whoosh readers are not thread-safe). Delete it once search/storage/
provides IndexView.
"""
from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

_NO_DAY = 99991231


def _leaves(reader):
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


class WhooshView:
    """IndexView over a Whoosh reader (see module docstring)."""

    def __init__(self, reader):
        self._reader = reader
        self._lock = threading.RLock()
        self.doc_count_all = reader.doc_count_all()
        self.doc_count = reader.doc_count()
        live = np.zeros(self.doc_count_all, dtype=bool)
        live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        self.live = live
        names, codes, source = [""], {b"": 0}, []
        for raw in self._column("source_name", b""):
            code = codes.get(raw)
            if code is None:
                code = codes[raw] = len(names)
                names.append(raw.decode("utf-8"))
            source.append(code)
        self.source = np.asarray(source, dtype=np.uint32)
        self.source_names = names
        days = np.fromiter(self._column("day", 0), dtype=np.int64, count=self.doc_count_all)
        self.day = np.where((days > 0) & (days <= _NO_DAY), days, 0).astype(np.uint32)
        self.lengths = {}
        for field in ("title", "body"):
            values = []
            for leaf, _offset in _leaves(reader):
                values.extend(leaf.doc_field_length(d, field, 0) or 0 for d in range(leaf.doc_count_all()))
            self.lengths[field] = np.asarray(values, dtype=np.uint32)
        self._postings = lru_cache(maxsize=4096)(self._read_postings)

    def _column(self, name, default):
        for leaf, _offset in _leaves(self._reader):
            if leaf.has_column(name):
                yield from leaf.column_reader(name)
            else:
                yield from (default for _ in range(leaf.doc_count_all()))

    def field_total(self, field: str) -> int:
        # Whoosh's own total (exact, deleted documents included), as the engine averaged before
        with self._lock:
            return self._reader.field_length(field)

    def _read_postings(self, field: str, text: str):
        docs, freqs, positions = [], [], []
        with self._lock:
            for leaf, offset in _leaves(self._reader):
                if (field, text) not in leaf:
                    continue
                m = leaf.postings(field, text)
                has_pos = m.supports("positions")
                while m.is_active():
                    docs.append(offset + m.id())
                    freqs.append(m.weight())
                    positions.append(np.asarray(m.value_as("positions"), dtype=np.int64) if has_pos else None)
                    m.next()
        return np.asarray(docs, dtype=np.int64), np.asarray(freqs, dtype=np.float32), positions

    def postings(self, field: str, text: str):
        docs, freqs, _ = self._postings(field, text)
        return docs, freqs

    def doc_frequency(self, field: str, text: str) -> int:
        with self._lock:
            return self._reader.doc_frequency(field, text)

    def positions(self, field: str, text: str, docs):
        all_docs, _, positions = self._postings(field, text)
        idx = np.searchsorted(all_docs, docs)
        return [positions[i] for i in idx.tolist()]

    def terms_from(self, field: str, prefix: str, limit=None):
        with self._lock:
            found = sorted({t.decode("utf-8") if isinstance(t, bytes) else t
                            for t in self._reader.expand_prefix(field, prefix)})
        return found if limit is None else found[:limit]

    def stored(self, docnum: int) -> dict:
        with self._lock:
            return dict(self._reader.stored_fields(docnum))

    def docnum(self, article_id: str):
        with self._lock:
            for leaf, offset in _leaves(self._reader):
                if ("id", article_id) in leaf:
                    for d in leaf.postings("id", article_id).all_ids():
                        return offset + d
        return None

    def facet(self, name: str):
        if name == "source":
            return self.source, self.source_names
        return np.zeros(self.doc_count_all, dtype=np.uint32), [""]

    def facet_names(self):
        return ["source"]

    def close(self) -> None:
        with self._lock:
            self._reader.close()
