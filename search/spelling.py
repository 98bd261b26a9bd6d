"""The index's own words within a few edits of a typed word, for "did you mean", without walking the term file.

Whoosh's terms_within() steps a Levenshtein automaton through the on-disk term dictionary: a few hundred
binary searches of the term file per word, ~20-40 ms. Here the body terms that start with the word's first
letter are read once per index snapshot, when a word first needs them (one pass over that stretch of the term
file: a few thousand terms, a few ms), grouped by length, with a bitmask of their letters (made per length
as words need them). A candidate must be within the word's
length +- the distance, and its letter set may differ from the word's in at most 2 x distance letters (one edit
adds at most one letter and removes at most one), a test made in C on the bitmasks; only the survivors get
the exact edit distance, computed bit-parallel (Myers/Hyyrö).

The words found are exactly those terms_within(field, word, maxdist, prefix=1) yields, in the same (term)
order: on a single-segment index Whoosh's automaton (Levenshtein distance of what follows the first letter),
on a multi-segment one its fallback (the Damerau-Levenshtein distance of whoosh.support.levenshtein).
"""
from __future__ import annotations

import struct
import threading

from whoosh.support.levenshtein import damerau_levenshtein

from search.facets import leaves


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


_LENGTHS = struct.Struct("!ii")


def _leaf_terms(leaf, fieldname: str, start: str) -> list[bytes]:
    """The terms of a field starting with `start` in one segment, read straight from Whoosh's sorted term file
    (records of key length, value length, key, value; a key is a 2-byte field number and the term): ~1 µs a
    term, where expand_prefix() takes ~3. Through expand_prefix() for a reader of another kind."""
    terms = getattr(leaf, "_terms", None)
    table = getattr(terms, "_tindex", None)
    if table is None or not hasattr(terms, "_keycoder") or not hasattr(table, "closest_key_pos"):
        return list(leaf.expand_prefix(fieldname, start))
    prefix = terms._keycoder(fieldname, start.encode("utf-8"))
    pos = table.closest_key_pos(prefix)
    out: list[bytes] = []
    if pos is None:
        return out
    skip, unpack, chunk = len(prefix) - len(start.encode("utf-8")), _LENGTHS.unpack_from, 1 << 16
    while pos < table.endofdata:
        data = table.dbfile.get(pos, min(chunk, table.endofdata - pos))
        at, end = 0, len(data)
        while at + 8 <= end:
            keylen, datalen = unpack(data, at)
            if at + 8 + keylen > end:
                break  # the key runs past this chunk: read on from here
            key = data[at + 8:at + 8 + keylen]
            if not key.startswith(prefix):
                return out
            out.append(key[skip:])
            at += 8 + keylen + datalen
        if at == 0:
            chunk *= 4  # one record larger than a chunk
        pos += at
    return out


class Vocabulary:
    """The terms of one field of one index snapshot by first letter and length, read a letter at a time."""

    def __init__(self, atomic: bool, fieldname: str = "body"):
        self.atomic, self.fieldname = atomic, fieldname
        self._letters: dict[str, dict[int, list[str]]] = {}
        self._masks: dict[tuple[str, int], list[int]] = {}
        self._lock = threading.Lock()

    def _group(self, reader, first: str, length: int) -> tuple[list[str], list[int]]:
        letter = self._letters.get(first)
        if letter is None:
            with self._lock:
                letter = self._letters.get(first)
                if letter is None:
                    found: set[bytes] = set()
                    for leaf, _offset in leaves(reader):
                        found.update(_leaf_terms(leaf, self.fieldname, first))
                    letter = {}
                    for btext in found:
                        term = btext.decode("utf-8")
                        letter.setdefault(len(term), []).append(term)
                    self._letters[first] = letter
        words = letter.get(length)
        if not words:
            return [], []
        masks = self._masks.get((first, length))
        if masks is None:  # made for a group the first time a word needs it
            masks = self._masks[(first, length)] = [_mask(w) for w in words]
        return words, masks

    def within(self, reader, word: str, maxdist: int) -> list[tuple[str, int]]:
        """(term, document frequency) of the terms starting with word's first letter within maxdist edits,
        in term order; `reader` reads the snapshot this vocabulary belongs to."""
        if not word:
            return []
        m, n, limit = _mask(word), len(word), 2 * maxdist
        out = []
        for length in range(max(1, n - maxdist), n + maxdist + 1):
            words, masks = self._group(reader, word[0], length)
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
