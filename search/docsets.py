"""Which documents match a query, as a set, read from whole postings blocks.

Facets and totals need every matching document, not just the best ten. Whoosh's docs_for_query() walks its
matcher tree one document at a time in Python (about 1.3 µs a posting, twice for title+body); reading each
term's postings a block at a time and combining Python sets does the same work several times faster, and
keeping the decoded postings of frequent terms (PostingsCache) saves even that for the next search.
Phrases are checked from the positions of those same decoded postings; query types this does not know go
through Whoosh.
"""
from __future__ import annotations

import bisect
import threading
from array import array
from collections import OrderedDict
from itertools import accumulate

from whoosh import query as wq

from search.facets import Columns


def _leaves(reader):
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


#: How many decoded postings the process keeps (measured at ~165 bytes each on reuters: ~65 MB at most), least
#: recently used terms dropped first. A term with more than an eighth of this is decoded each time, never kept.
CACHE_POSTINGS = 400_000


class _Decoded:
    """One term's postings in one segment, decoded: local document numbers (ascending), {docnum: frequency}
    in the same order, and each posting's encoded positions (or already decoded ones, or none)."""

    __slots__ = ("ids", "frequencies", "values", "decode")

    def __init__(self, ids, frequencies, values, decode):
        self.ids, self.frequencies, self.values, self.decode = ids, frequencies, values, decode

    def positions(self, local: int) -> list[int]:
        j = bisect.bisect_left(self.ids, local)
        if j == len(self.ids) or self.ids[j] != local or self.values is None:
            return []
        value = self.values[j]
        return list(value) if self.decode is None else self.decode(value)


class PostingsCache:
    """Decoded postings shared by every search of the process, least recently used dropped first.

    Keys name the segment, the term and where its postings lie in the segment's files. A segment's postings
    never change once written (a sync adds segments or merges them into new ones, with new names; deletions
    are kept apart and filtered out by each snapshot's live documents), so an entry is never stale: a new
    generation or commit brings new keys, and entries of segments no longer read simply age out.
    Thread-safe; entries are never modified once made.
    """

    def __init__(self, max_postings: int = CACHE_POSTINGS):
        self.max_postings = max_postings
        self._entries: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key) -> _Decoded | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key, entry: _Decoded) -> None:
        cost = len(entry.ids)
        if cost > self.max_postings // 8:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self._size += cost
            while self._size > self.max_postings:
                _, old = self._entries.popitem(last=False)
                self._size -= len(old.ids)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    @property
    def postings(self) -> int:
        """How many postings are held."""
        return self._size


CACHE = PostingsCache()


def _segment_key(leaf, fieldname: str, text: str):
    """What names a term's postings in one segment for the cache, or None when the leaf cannot say."""
    segment = getattr(leaf, "_segment", None)
    if segment is None or not hasattr(leaf, "term_info"):
        return None
    try:
        info = leaf.term_info(fieldname, text)
    except Exception:  # TermNotFound
        return None
    extent = info.extent() if hasattr(info, "extent") else None
    return (segment.segment_id(), leaf.doc_count_all(), fieldname, text, extent, info.doc_frequency(),
            info.max_id())


class Postings:
    """The decoded postings of the terms one search touches: each term's postings are decoded once (or found in
    the process-wide CACHE), then shared by the matching (which documents), the scoring (how often the term
    occurs) and the proximity re-ranking (where it occurs). What it returns must not be modified."""

    def __init__(self, reader, cache: PostingsCache | None = CACHE):
        self.reader = reader
        self.cache = cache
        self._frequencies: dict[tuple[str, str], dict[int, float]] = {}
        self._parts: dict[tuple[str, str], list[tuple[int, _Decoded]]] = {}

    def _load(self, fieldname: str, text: str) -> None:
        key = (fieldname, text)
        parts = []
        for leaf, offset in _leaves(self.reader):
            if (fieldname, text) not in leaf:
                continue
            ckey = _segment_key(leaf, fieldname, text) if self.cache is not None else None
            decoded = self.cache.get(ckey) if ckey is not None else None
            if decoded is None:
                decoded = _decode(leaf, fieldname, text)
                if ckey is not None:
                    self.cache.put(ckey, decoded)
            if decoded.ids:
                parts.append((offset, decoded))
        if len(parts) == 1 and parts[0][0] == 0:
            found = parts[0][1].frequencies
        else:
            found = {}
            for offset, decoded in parts:
                if offset:
                    found.update(zip([offset + d for d in decoded.ids], decoded.frequencies.values()))
                else:
                    found.update(decoded.frequencies)
        self._frequencies[key], self._parts[key] = found, parts

    def frequencies(self, fieldname: str, text: str) -> dict[int, float]:
        """{docnum: term frequency} over every segment (deleted documents included)."""
        key = (fieldname, text)
        if key not in self._frequencies:
            self._load(fieldname, text)
        return self._frequencies[key]

    def positions(self, fieldname: str, text: str, docnum: int) -> list[int]:
        """Where the term stands in the document's field (empty when it does not occur there)."""
        key = (fieldname, text)
        if key not in self._parts:
            self._load(fieldname, text)
        for offset, decoded in reversed(self._parts[key]):
            if docnum >= offset:
                return decoded.positions(docnum - offset)
        return []


def _decode(leaf, fieldname: str, text: str) -> _Decoded:
    """One segment's postings of a term, read a whole block at a time."""
    fieldobj = leaf.schema[fieldname]
    decode = fieldobj.format.decoder("positions") if fieldobj.format.supports("positions") else None
    matcher = leaf.postings(fieldname, text)
    ids: list[int] = []
    frequencies: dict[int, float] = {}
    if not hasattr(matcher, "_read_weights") or matcher._fixedsize not in (None, -1):
        # inline postings or another codec: the generic way, one posting at a time, positions decoded
        values = []
        while matcher.is_active():
            ids.append(matcher.id())
            frequencies[ids[-1]] = matcher.weight()
            values.append(matcher.value_as("positions") if decode else ())
            matcher.next()
        return _Decoded(ids, frequencies, values if decode else None, None)
    # Whoosh's W3 leaf matcher reads a block at a time, a pickled (ids as gaps, weights, values): take it whole,
    # the gaps summed in C (itertools.accumulate) rather than by Whoosh's Python generator
    values = [] if decode else None
    weights: list[float] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        gaps, block_weights, block_values = matcher._data
        ids.extend(gaps if matcher._byteids else accumulate(gaps))
        if block_weights is None:  # all 1.0
            weights.extend([1.0] * len(gaps))
        elif isinstance(block_weights, float):  # all the same, which Whoosh reads back as a 32-bit float
            weights.extend([array("f", (block_weights,))[0]] * len(gaps))
        else:
            weights.extend(block_weights)
        if decode:
            values.extend(block_values)
        matcher._next_block()
    frequencies = dict(zip(ids, weights))
    return _Decoded(ids, frequencies, values, decode)


def phrase_docs(reader, fieldname: str, words, postings: Postings) -> set[int]:
    """Documents where the words stand one after another: the intersection of the words' documents, then
    their positions checked for just those candidates (from the postings already decoded)."""
    candidates = None
    for word in words:
        docs = postings.frequencies(fieldname, word).keys()
        candidates = set(docs) if candidates is None else candidates & docs
        if not candidates:
            return set()
    found: set[int] = set()
    first_word, rest_words = words[0], list(enumerate(words[1:], 1))
    positions = postings.positions
    for doc in candidates:
        rest = [(i, set(positions(fieldname, w, doc))) for i, w in rest_words]
        if any(all(start + i in spots for i, spots in rest) for start in positions(fieldname, first_word, doc)):
            found.add(doc)
    return found


def doc_set(searcher, q, columns: Columns, postings: Postings | None = None) -> set[int]:
    """The live document numbers matching the Whoosh query `q`."""
    return _docs(searcher, q, columns, postings or Postings(searcher.reader())) & columns.live


def _docs(searcher, q, columns: Columns, postings: Postings) -> set[int]:
    if q is wq.NullQuery:
        return set()
    if isinstance(q, wq.Term):
        return set(postings.frequencies(q.fieldname, q.text))
    if isinstance(q, wq.AndMaybe):
        return _docs(searcher, q.a, columns, postings)
    if isinstance(q, wq.Or):
        out: set[int] = set()
        for sub in q.subqueries:
            out |= _docs(searcher, sub, columns, postings)
        return out
    if isinstance(q, wq.And):
        positive = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        negative = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
        sets = sorted((_docs(searcher, s, columns, postings) for s in positive), key=len)
        out = set(sets[0]) if sets else set(columns.live)
        for other in sets[1:]:
            out &= other
        for sub in negative:
            out -= _docs(searcher, sub, columns, postings)
        return out
    if isinstance(q, wq.Phrase) and q.slop == 1:
        return phrase_docs(searcher.reader(), q.fieldname, q.words, postings)
    if isinstance(q, wq.Every) and not q.fieldname:
        return set(columns.live)
    if isinstance(q, wq.NumericRange) and q.fieldname == "day":
        low, high = q.start or 1, q.end or 99991231
        day = columns.day
        return {d for d in columns.live if low <= day[d] <= high}
    return set(searcher.docs_for_query(q))
