"""The index's own words within a few edits of a typed word, for "did you mean" and fuzzy words (word~).

The terms of a field that start with the word's first letter are read once per index snapshot from the term
dictionary (IndexView.terms_from), when a word first needs them, grouped by length, with a bitmask of their
letters (made per length as words need them). A candidate must be within the word's length +- the distance,
and its letter set may differ from the word's in at most 2 x distance letters (one edit adds at most one letter
and removes at most one), tested by one numpy XOR and bit count over the group's bitmasks; only the survivors
get the exact edit distance, computed bit-parallel (Myers/Hyyrö).

The words found are those Whoosh's terms_within(field, word, maxdist, prefix=1) finds on a one-segment index:
the first letter fixed, the Levenshtein distance of what follows it at most maxdist, in term order. (Whoosh
itself answered differently on a many-segment index; this answers the same however the index is split.)
"""
from __future__ import annotations

import threading
from itertools import groupby

import numpy as np


def _mask(text: str) -> int:
    """One bit per letter (letters hashed onto 64 bits: a collision only lets more candidates through)."""
    m = 0
    for c in text:
        m |= 1 << (ord(c) & 63)
    return m


_NO_MASKS = np.zeros(0, dtype=np.uint64)


def _masks_of(words: list[str], length: int) -> np.ndarray:
    """_mask of each word of `length` characters, for all of them at once (their code points as one array)."""
    codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype="<u4").reshape(len(words), length)
    bits = np.left_shift(np.uint64(1), (codes & 63).astype(np.uint64))
    return np.bitwise_or.reduce(bits, axis=1)


def _bit_count(values: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (numpy's own popcount where it has one)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)
    count = np.zeros(len(values), dtype=np.int64)
    for shift in range(0, 64, 8):  # a byte at a time through a table: 8 vectorized passes
        count += _BYTE_BITS[(values >> np.uint64(shift)) & np.uint64(255)]
    return count


_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


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
    """The terms of one field of one index snapshot by first letter and length, read a letter at a time."""

    def __init__(self, view, fieldname: str = "body"):
        self.view, self.fieldname = view, fieldname
        self._letters: dict[str, dict[int, list[str]]] = {}
        self._masks: dict[tuple[str, int], np.ndarray] = {}
        self._lock = threading.Lock()

    def _group(self, first: str, length: int) -> tuple[list[str], np.ndarray]:
        letter = self._letters.get(first)
        if letter is None:
            with self._lock:
                letter = self._letters.get(first)
                if letter is None:
                    # grouped by length in C: a stable sort by length keeps each group in term order
                    by_length = sorted(self.view.terms_from(self.fieldname, first), key=len)
                    letter = {length: list(group) for length, group in groupby(by_length, key=len)}
                    self._letters[first] = letter
        words = letter.get(length)
        if not words:
            return [], _NO_MASKS
        masks = self._masks.get((first, length))
        if masks is None:  # made for a group the first time a word needs it
            masks = self._masks[(first, length)] = _masks_of(words, length)
        return words, masks

    def near(self, word: str, maxdist: int, budget=None) -> list[str]:
        """The terms starting with word's first letter whose rest is within maxdist edits of word's rest, in
        term order; the terms looked at are charged to `budget` when one is given."""
        if not word:
            return []
        m, n, limit, rest = _mask(word), len(word), 2 * maxdist, word[1:]
        out = []
        for length in range(max(1, n - maxdist), n + maxdist + 1):
            words, masks = self._group(word[0], length)
            if budget is not None:
                budget.charge(len(words))
            for i in np.flatnonzero(_bit_count(masks ^ np.uint64(m)) <= limit).tolist():
                if levenshtein(rest, words[i][1:]) <= maxdist:
                    out.append(words[i])
        out.sort()
        return out

    def within(self, word: str, maxdist: int, budget=None) -> list[tuple[str, int]]:
        """(term, document frequency) of near(word, maxdist)."""
        return [(term, self.view.doc_frequency(self.fieldname, term)) for term in self.near(word, maxdist, budget)]
