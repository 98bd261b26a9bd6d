"""Which documents match a query, as a set, read from whole postings blocks.

Facets and totals need every matching document, not just the best ten. Whoosh's docs_for_query() walks its
matcher tree one document at a time in Python (about 1.3 µs a posting, twice for title+body); reading each
term's postings a block at a time and combining Python sets does the same work several times faster.
Query types this does not know (phrases, for instance) go through Whoosh.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from whoosh import query as wq

from search.facets import Columns


def _leaves(reader):
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


class Postings:
    """The decoded postings of the terms one search touches: each term's blocks are read once, then shared by
    the matching (which documents), the scoring (how often the term occurs) and the proximity re-ranking
    (where it occurs)."""

    def __init__(self, reader):
        self.reader = reader
        self._frequencies: dict[tuple[str, str], dict[int, float]] = {}
        self._blocks: dict[tuple[str, str], list[_Block]] = {}

    def frequencies(self, fieldname: str, text: str) -> dict[int, float]:
        """{docnum: term frequency} over every segment (deleted documents included)."""
        key = (fieldname, text)
        if key not in self._frequencies:
            self._frequencies[key], self._blocks[key] = _read_postings(self.reader, fieldname, text)
        return self._frequencies[key]

    def positions(self, fieldname: str, text: str, docnum: int) -> list[int]:
        """Where the term stands in the document's field (empty when it does not occur there)."""
        self.frequencies(fieldname, text)
        blocks = self._blocks[(fieldname, text)]
        i = bisect.bisect_right([b.ids[0] for b in blocks], docnum) - 1
        if i < 0:
            return []
        block = blocks[i]
        j = bisect.bisect_left(block.ids, docnum)
        if j == len(block.ids) or block.ids[j] != docnum:
            return []
        value = block.values[j]
        return list(value) if block.decoded else block.decode(value)


@dataclass
class _Block:
    ids: list[int]        # document numbers, ascending
    values: object        # each posting's encoded value (positions), or already decoded
    decode: object        # the field format's positions decoder
    decoded: bool = False


def _read_postings(reader, fieldname: str, text: str) -> tuple[dict[int, float], list[_Block]]:
    found: dict[int, float] = {}
    blocks: list[_Block] = []
    fieldobj = reader.schema[fieldname]
    decode = fieldobj.format.decoder("positions") if fieldobj.format.supports("positions") else None
    for leaf, offset in _leaves(reader):
        if (fieldname, text) not in leaf:
            continue
        matcher = leaf.postings(fieldname, text)
        if not hasattr(matcher, "_read_weights") or matcher._fixedsize not in (None, -1):
            # inline postings or another codec: the generic way, one posting at a time
            ids, values = [], []
            while matcher.is_active():
                ids.append(offset + matcher.id())
                found[ids[-1]] = matcher.weight()
                values.append(matcher.value_as("positions") if decode else ())
                matcher.next()
            if ids:
                blocks.append(_Block(ids, values, decode, decoded=True))
            continue
        # Whoosh's W3 leaf matcher decodes a block of ids and weights at a time: take them whole
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            matcher._read_weights()
            ids = list(matcher._ids) if not offset else [offset + d for d in matcher._ids]
            found.update(zip(ids, matcher._weights))
            if decode:
                blocks.append(_Block(ids, matcher._data[2], decode))
            matcher._next_block()
    return found, blocks


def phrase_docs(reader, fieldname: str, words, postings: Postings) -> set[int]:
    """Documents where the words stand one after another: the intersection of the words' documents, then
    their positions checked for just those candidates."""
    candidates = None
    for word in words:
        docs = postings.frequencies(fieldname, word).keys()
        candidates = set(docs) if candidates is None else candidates & docs
        if not candidates:
            return set()
    found: set[int] = set()
    for leaf, offset in _leaves(reader):
        end = offset + leaf.doc_count_all()
        local = sorted(d - offset for d in candidates if offset <= d < end)
        if not local:
            continue
        matchers = [leaf.postings(fieldname, w) for w in words]
        for doc in local:
            spots = []
            for matcher in matchers:
                if matcher.id() < doc:
                    matcher.skip_to(doc)
                spots.append(matcher.value_as("positions"))
            first, rest = spots[0], [set(p) for p in spots[1:]]
            if any(all(start + i in positions for i, positions in enumerate(rest, 1)) for start in first):
                found.add(doc + offset)
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
