"""The index's own words within a few edits of a typed word, for "did you mean", without walking the term file.

Whoosh's terms_within() steps a Levenshtein automaton through the on-disk term dictionary: a few hundred
binary searches of the term file per word, ~20-40 ms. Here the body terms that start with the word's first
letter are read once per index snapshot (lazily, one letter at a time: a few thousand terms, ~10 ms), grouped
by length, with a bitmask of their letters. A candidate must be within the word's
length +- the distance, and its letter set may differ from the word's in at most 2 x distance letters (one edit
adds at most one letter and removes at most one), a test made in C on the bitmasks; only the survivors get
the exact edit distance, computed bit-parallel (Myers/Hyyrö).

The words found are exactly those terms_within(field, word, maxdist, prefix=1) yields, in the same (term)
order: on a single-segment index Whoosh's automaton (Levenshtein distance of what follows the first letter),
on a multi-segment one its fallback (the Damerau-Levenshtein distance of whoosh.support.levenshtein).
"""
from __future__ import annotations

import threading

from whoosh.support.levenshtein import damerau_levenshtein


def _mask(text: str) -> int:
    """One bit per letter (letters hashed onto 64 bits: a collision only lets more candidates through)."""
    m = 0
    for c in text:
        m |= 1 << (ord(c) & 63)
    return m


def levenshtein(a: str, b: str) -> int:
    """Levenshtein distance, bit-parallel over the characters of `a` (Myers 1999, Hyyrö's formulation)."""
    m = len(a)
    if not m:
        return len(b)
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    full, top = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = full, 0, m
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = (ph << 1) | 1
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv & full
    return score


class Vocabulary:
    """The terms of one field of one index snapshot by first letter and length, with their document frequency."""

    def __init__(self, atomic: bool, fieldname: str = "body"):
        self.atomic, self.fieldname = atomic, fieldname
        self._buckets: dict[str, dict[int, tuple[list[str], list[int]]]] = {}
        self._lock = threading.Lock()

    def _bucket(self, first: str, reader) -> dict[int, tuple[list[str], list[int]]]:
        bucket = self._buckets.get(first)
        if bucket is None:
            with self._lock:
                bucket = self._buckets.get(first)
                if bucket is None:
                    bucket = {}
                    for btext in reader.expand_prefix(self.fieldname, first):
                        word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                        words, masks = bucket.setdefault(len(word), ([], []))
                        words.append(word)
                        masks.append(_mask(word))
                    self._buckets[first] = bucket
        return bucket

    def within(self, reader, word: str, maxdist: int) -> list[tuple[str, int]]:
        """(term, document frequency) of the terms starting with word's first letter within maxdist edits,
        in term order; `reader` reads the snapshot this vocabulary belongs to."""
        if not word:
            return []
        bucket = self._bucket(word[0], reader)
        m, n, limit = _mask(word), len(word), 2 * maxdist
        out = []
        for length in range(max(1, n - maxdist), n + maxdist + 1):
            if length not in bucket:
                continue
            words, masks = bucket[length]
            for i in [i for i, mask in enumerate(masks) if (mask ^ m).bit_count() <= limit]:
                if self._near(words[i], word, maxdist):
                    out.append(words[i])
        out.sort()
        return [(term, reader.doc_frequency(self.fieldname, term)) for term in out]

    def _near(self, term: str, word: str, maxdist: int) -> bool:
        if self.atomic:  # Whoosh's automaton: the first letter fixed, Levenshtein distance of the rest
            return levenshtein(word[1:], term[1:]) <= maxdist
        # Whoosh's fallback: Damerau-Levenshtein (a transposition is one edit), never more than Levenshtein
        # and at least half of it
        lev = levenshtein(word, term)
        return lev <= maxdist or (lev <= 2 * maxdist and damerau_levenshtein(term, word, limit=maxdist) <= maxdist)
