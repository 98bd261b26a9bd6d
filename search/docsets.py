"""Which documents match a query, as a set, read from whole postings blocks.

Facets and totals need every matching document, not just the best ten. Whoosh's docs_for_query() walks its
matcher tree one document at a time in Python (about 1.3 µs a posting, twice for title+body); reading each
term's postings a block at a time and combining Python sets does the same work several times faster.
An AND starts from its rarest part and looks the others up only for those documents, decoding only the
blocks of a frequent word that can hold them (each block header says its last document); the decoded blocks
are kept for the next search in a bounded, process-wide cache (PostingsCache). Phrases are checked from the
positions in those same blocks; query types this does not know go through Whoosh.
"""
from __future__ import annotations

import bisect
import pickle
import threading
import zlib
from array import array
from collections import OrderedDict
from itertools import accumulate

from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.reading import TermInfo, TermNotFound

from search.facets import Columns, leaves


#: How many postings the process keeps decoded (~165-225 bytes each measured on reuters: under 90 MB; a term
#: counts whole even while only some of its blocks are decoded), least recently used terms dropped first. A term
#: with more than an eighth of this is read for each search and never kept.
CACHE_POSTINGS = 400_000


class _Term:
    """One term's postings in one segment, decoded a block at a time as searches need them.

    `maxids` is each block's last (local) document number, read from the block headers without decoding the
    blocks; a block is decoded (ids, weights, each posting's positions) the first time a search needs one of its
    documents, so an AND of a rare word and a frequent one decodes only the frequent word's blocks that can
    hold the rare word's documents. Shared through the cache by threads: a block is stored in one assignment,
    and two threads decoding the same block at once make the same thing.
    """

    __slots__ = ("maxids", "spans", "blocks", "decode", "count", "whole")

    def __init__(self, maxids, spans, blocks, decode, count):
        self.maxids, self.spans, self.blocks, self.decode, self.count = maxids, spans, blocks, decode, count
        self.whole: dict[int, float] | None = None

    def block(self, i: int, leaf) -> tuple:
        found = self.blocks[i]
        if found is None:
            found = self.blocks[i] = _read_block(leaf, *self.spans[i])
        return found

    def frequencies(self, leaf) -> dict[int, float]:
        """{local docnum: frequency} of every posting."""
        whole = self.whole
        if whole is None:
            ids: list[int] = []
            weights: list[float] = []
            for i in range(len(self.blocks)):
                block = self.block(i, leaf)
                ids.extend(block[0])
                weights.extend(block[1])
            whole = self.whole = dict(zip(ids, weights))
        return whole

    def frequencies_in(self, leaf, wanted: list[int]) -> dict[int, float]:
        """{local docnum: frequency} for the wanted (ascending) documents that have the term."""
        out: dict[int, float] = {}
        maxids, i, n = self.maxids, 0, len(self.maxids)
        for doc in wanted:
            if maxids[i] < doc:
                i = bisect.bisect_left(maxids, doc, i + 1)
                if i == n:
                    break
            ids, weights, _ = self.block(i, leaf)
            j = bisect.bisect_left(ids, doc)
            if j < len(ids) and ids[j] == doc:
                out[doc] = weights[j]
        return out

    def positions(self, leaf, local: int) -> list[int]:
        i = bisect.bisect_left(self.maxids, local)
        if i == len(self.maxids):
            return []
        ids, _, values = self.block(i, leaf)
        j = bisect.bisect_left(ids, local)
        if j == len(ids) or ids[j] != local or values is None:
            return []
        value = values[j]
        return list(value) if self.decode is None else self.decode(value)


class PostingsCache:
    """Decoded postings shared by every search of the process, least recently used dropped first.

    Keys name the segment, the term and where its postings lie in the segment's files. A segment's postings
    never change once written (a sync adds segments or merges them into new ones, with new names; deletions
    are kept apart and filtered out by each snapshot's live documents), so an entry is never stale: a new
    generation or commit brings new keys, and entries of segments no longer read simply age out.
    Thread-safe; an entry only ever gains decoded blocks (see _Term).
    """

    def __init__(self, max_postings: int = CACHE_POSTINGS):
        self.max_postings = max_postings
        self._entries: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key) -> _Term | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key, entry: _Term) -> None:
        cost = entry.count
        if cost > self.max_postings // 8:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self._size += cost
            while self._size > self.max_postings:
                _, old = self._entries.popitem(last=False)
                self._size -= old.count

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    @property
    def postings(self) -> int:
        """How many postings are held."""
        return self._size


CACHE = PostingsCache()


def _lookup(leaf, fieldname: str, text: str):
    """(the term's info in the segment or None when absent, its cache key or None when the leaf cannot say):
    one look-up in the segment's term table, where `in`, term_info() and postings() would make three."""
    terms, segment = getattr(leaf, "_terms", None), getattr(leaf, "_segment", None)
    if segment is None or not hasattr(terms, "term_info") or not hasattr(leaf, "_text_to_bytes"):
        return ((fieldname, text) in leaf or None), None
    try:
        info = terms.term_info(fieldname, leaf._text_to_bytes(fieldname, text))
    except TermNotFound:
        return None, None
    extent = info.extent() if hasattr(info, "extent") else None
    return info, (segment.segment_id(), leaf.doc_count_all(), fieldname, text, extent, info.doc_frequency(),
                  info.max_id())


class Postings:
    """The decoded postings of the terms one search touches: each term's postings are read once (or found in
    the process-wide CACHE), then shared by the matching (which documents), the scoring (how often the term
    occurs) and the proximity re-ranking (where it occurs). What it returns must not be modified."""

    #: Below this share of a term's postings, frequencies_in() looks the wanted documents up block by block.
    SPARSE = 0.25

    def __init__(self, reader, cache: PostingsCache | None = CACHE):
        self.reader = reader
        self.cache = cache
        self._terms: dict[tuple[str, str], list[tuple[int, int, object, _Term]]] = {}
        self._frequencies: dict[tuple[str, str], dict[int, float]] = {}

    def _parts(self, fieldname: str, text: str) -> list[tuple[int, int, object, _Term]]:
        """(first docnum, end docnum, leaf reader, postings) of each segment holding the term."""
        key = (fieldname, text)
        parts = self._terms.get(key)
        if parts is None:
            parts = []
            for leaf, offset in leaves(self.reader):
                info, ckey = _lookup(leaf, fieldname, text)
                if info is None:
                    continue
                if self.cache is None:
                    ckey = None
                term = self.cache.get(ckey) if ckey is not None else None
                if term is None:
                    term = _scan(leaf, fieldname, text, info)
                    if ckey is not None:
                        self.cache.put(ckey, term)
                if term.count:
                    parts.append((offset, offset + leaf.doc_count_all(), leaf, term))
            self._terms[key] = parts
        return parts

    def count(self, fieldname: str, text: str) -> int:
        """How many postings the term has (deleted documents included), without decoding any."""
        return sum(term.count for _, _, _, term in self._parts(fieldname, text))

    def frequencies(self, fieldname: str, text: str) -> dict[int, float]:
        """{docnum: term frequency} over every segment (deleted documents included)."""
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is None:
            parts = self._parts(fieldname, text)
            if len(parts) == 1 and parts[0][0] == 0:
                found = parts[0][3].frequencies(parts[0][2])
            else:
                found = {}
                for offset, _end, leaf, term in parts:
                    local = term.frequencies(leaf)
                    found.update(zip([offset + d for d in local], local.values()) if offset else local)
            self._frequencies[key] = found
        return found

    def frequencies_in(self, fieldname: str, text: str, docs) -> dict[int, float]:
        """{docnum: term frequency} for the documents of `docs` that have the term: when they are few, only the
        blocks that can hold them are decoded."""
        key = (fieldname, text)
        whole = self._frequencies.get(key)
        if whole is None and len(docs) >= self.SPARSE * self.count(fieldname, text):
            whole = self.frequencies(fieldname, text)
        if whole is not None:
            if len(whole) > len(docs):
                return {d: whole[d] for d in docs if d in whole}
            return {d: tf for d, tf in whole.items() if d in docs}
        out: dict[int, float] = {}
        ordered = sorted(docs)
        for offset, end, leaf, term in self._parts(fieldname, text):
            wanted = ordered[bisect.bisect_left(ordered, offset):bisect.bisect_left(ordered, end)]
            if wanted:
                local = term.frequencies_in(leaf, [d - offset for d in wanted] if offset else wanted)
                out.update(zip([offset + d for d in local], local.values()) if offset else local)
        return out

    def positions(self, fieldname: str, text: str, docnum: int) -> list[int]:
        """Where the term stands in the document's field (empty when it does not occur there)."""
        for offset, end, leaf, term in self._parts(fieldname, text):
            if offset <= docnum < end:
                return term.positions(leaf, docnum - offset)
        return []


def _scan(leaf, fieldname: str, text: str, info=None) -> _Term:
    """A term's postings in one segment (`info`: its term info, when _lookup found it): the block headers
    read, no block decoded yet."""
    fieldobj = leaf.schema[fieldname]
    decode = _positions_decoder(fieldobj.format)
    terms = getattr(leaf, "_terms", None)
    if isinstance(info, TermInfo) and hasattr(terms, "_codec") and hasattr(terms, "_postfile"):
        # the segment's own postings (what its term table's matcher() makes from the info): leaf.postings()
        # would wrap them to skip deleted documents one posting at a time in Python, and every caller
        # filters by the snapshot's live documents anyway
        tbytes = leaf._text_to_bytes(fieldname, text)
        matcher = terms._codec.postings_reader(terms._postfile, info, fieldobj.format, term=(fieldname, tbytes))
    else:
        matcher = leaf.postings(fieldname, text)
    if (not hasattr(matcher, "_read_weights") or matcher._fixedsize not in (None, -1) or matcher._byteids
            or not hasattr(getattr(leaf, "_terms", None), "_postfile")):
        # inline postings or another codec: the generic way, one posting at a time, positions decoded
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value_as("positions") if decode else ())
            matcher.next()
        block = (ids, weights, values if decode else None)
        return _Term([ids[-1]] if ids else [], None, [block] if ids else [], None, len(ids))
    # Whoosh's W3 postings: a header per block (its length, last id, ...), then the block's pickled data
    maxids, spans, count = [], [], 0
    while matcher.is_active():
        maxids.append(matcher._maxid)
        spans.append((matcher._dataoffset, matcher._nextoffset - matcher._dataoffset, matcher._compression,
                      decode is not None))
        count += matcher._blocklength
        matcher._next_block()
    return _Term(maxids, spans, [None] * len(spans), decode, count)


def _positions_decoder(fmt):
    """The format's decoder of a posting's positions (None without positions); Whoosh's own Positions format
    gets the same decoding with the gaps summed in C."""
    if not fmt.supports("positions"):
        return None
    if type(fmt) is Positions and Positions.decode_positions is _WHOOSH_DECODE_POSITIONS:
        return _decode_positions
    return fmt.decoder("positions")


_WHOOSH_DECODE_POSITIONS = Positions.decode_positions


def _decode_positions(value: bytes) -> list[int]:
    """whoosh.formats.Positions.decode_positions: a 4-byte count, then the pickled gaps (stop byte dropped)."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(pickle.loads(value[4:])))


def _read_block(leaf, dataoffset: int, length: int, compression: int, positions: bool) -> tuple:
    """(ids, weights, encoded positions or None) of one W3 postings block, as Whoosh's matcher reads them, the
    ids' gaps summed in C (itertools.accumulate) rather than by Whoosh's Python generator."""
    data = leaf._terms._postfile.get(dataoffset, length)
    if compression:
        data = zlib.decompress(data)
    gaps, weights, values = pickle.loads(data)
    ids = list(accumulate(gaps))
    if weights is None:  # all 1.0
        weights = [1.0] * len(ids)
    elif isinstance(weights, float):  # all the same, which Whoosh reads back as a 32-bit float
        weights = [array("f", (weights,))[0]] * len(ids)
    return ids, weights, values if positions else None


def phrase_docs(reader, fieldname: str, words, postings: Postings, within=None) -> set[int]:
    """Documents (of `within`, when given) where the words stand one after another: the intersection of the
    words' documents, rarest word first, then their positions checked for just those candidates."""
    candidates = within
    for word in sorted(dict.fromkeys(words), key=lambda w: postings.count(fieldname, w)):
        if candidates is None:
            candidates = set(postings.frequencies(fieldname, word))
        else:
            candidates = set(postings.frequencies_in(fieldname, word, candidates))
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


def _size(q, columns: Columns, postings: Postings) -> int:
    """About how many documents a query matches, from postings counts (nothing decoded): the cheapest
    conjunct of an AND is computed first and the others only within it."""
    if isinstance(q, wq.Term):
        return postings.count(q.fieldname, q.text)
    if isinstance(q, wq.Or):
        return sum(_size(s, columns, postings) for s in q.subqueries)
    if isinstance(q, wq.And):
        return min((_size(s, columns, postings) for s in q.subqueries if not isinstance(s, wq.Not)),
                   default=len(columns.live))
    if isinstance(q, wq.AndMaybe):
        return _size(q.a, columns, postings)
    if isinstance(q, wq.Phrase) and q.slop == 1:
        return min(postings.count(q.fieldname, w) for w in q.words) if q.words else 0
    if q is wq.NullQuery:
        return 0
    return len(columns.live)


def _docs(searcher, q, columns: Columns, postings: Postings, within: set[int] | None = None) -> set[int]:
    """The documents matching q (deleted ones included), or only those of `within` when it is given."""
    if q is wq.NullQuery:
        return set()
    if isinstance(q, wq.Term):
        if within is None:
            return set(postings.frequencies(q.fieldname, q.text))
        return set(postings.frequencies_in(q.fieldname, q.text, within))
    if isinstance(q, wq.AndMaybe):
        return _docs(searcher, q.a, columns, postings, within)
    if isinstance(q, wq.Or):
        out: set[int] = set()
        for sub in q.subqueries:
            out |= _docs(searcher, sub, columns, postings, within)
        return out
    if isinstance(q, wq.And):
        positive = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        negative = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
        if positive:
            positive.sort(key=lambda s: _size(s, columns, postings))
            out = _docs(searcher, positive[0], columns, postings, within)
            for sub in positive[1:]:
                if not out:
                    break
                out = _docs(searcher, sub, columns, postings, out)
        else:
            out = set(columns.live) if within is None else within & columns.live
        for sub in negative:
            if not out:
                break
            out -= _docs(searcher, sub, columns, postings, out)
        return out
    if isinstance(q, wq.Phrase) and q.slop == 1:
        return phrase_docs(searcher.reader(), q.fieldname, q.words, postings, within)
    if isinstance(q, wq.Every) and not q.fieldname:
        return set(columns.live) if within is None else within & columns.live
    if isinstance(q, wq.NumericRange) and q.fieldname == "day":
        low, high = q.start or 1, q.end or 99991231
        day = columns.day
        return {d for d in (columns.live if within is None else within & columns.live) if low <= day[d] <= high}
    found = set(searcher.docs_for_query(q))
    return found if within is None else found & within
