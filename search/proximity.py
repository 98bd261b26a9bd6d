"""How close the words of a query stand in an article: a bonus for re-ranking the best BM25F matches.

Scoring a sloppy phrase for every candidate would cost more than the whole search; reading the positions of
the query's words for just the top documents (a rescore window) and merging them with numpy costs little.
"""
from __future__ import annotations

import numpy as np


def proximity(view, docnums: np.ndarray, words: list[str], budget=None) -> np.ndarray:
    """Bonus per document of `docnums` (ascending): for each pair of consecutive query words,
    1 / (smallest distance between them), summed over the pairs."""
    bonus = np.zeros(len(docnums), dtype=np.float64)
    if len(docnums) == 0 or len(words) < 2:
        return bonus
    found = {}
    for word in dict.fromkeys(words):
        # positions are read for any documents (none for those without the word): no postings look-up first
        lengths, flat = view.positions_flat("body", word, docnums)
        if budget is not None:
            budget.charge(len(flat))
        found[word] = (np.repeat(docnums, lengths), np.asarray(flat, dtype=np.int64))
    for a, b in zip(words, words[1:]):
        best = min_distances(docnums, found[a], found[b])
        has = best >= 0
        bonus[has] += 1.0 / np.maximum(1, best[has])
    return bonus


def min_distances(docnums: np.ndarray, a: tuple, b: tuple) -> np.ndarray:
    """Per document of `docnums`, the smallest |x - y| for x a position of the first word, y of the second
    (-1 where either is missing): in the merged order of both position lists the closest pair is adjacent."""
    (docs_a, pos_a), (docs_b, pos_b) = a, b
    out = np.full(len(docnums), -1, dtype=np.int64)
    if not len(docs_a) or not len(docs_b):
        return out
    if _packable(docs_a, pos_a) and _packable(docs_b, pos_b):
        # one int64 per position, (document, position, side) in its bits: one sort orders them as the lexsort would
        keys = np.concatenate([(docs_a << 32) | (pos_a << 1), (docs_b << 32) | (pos_b << 1) | 1])
        keys.sort()
        docs, pos, side = keys >> 32, (keys & 0xFFFFFFFF) >> 1, keys & 1
    else:
        docs = np.concatenate([docs_a, docs_b])
        pos = np.concatenate([pos_a, pos_b])
        side = np.concatenate([np.zeros(len(docs_a), np.int8), np.ones(len(docs_b), np.int8)])
        order = np.lexsort((side, pos, docs))
        docs, pos, side = docs[order], pos[order], side[order]
    pair = (docs[1:] == docs[:-1]) & (side[1:] != side[:-1])
    if not pair.any():
        return out
    gaps = (pos[1:] - pos[:-1])[pair]
    at = np.searchsorted(docnums, docs[1:][pair])
    best = np.full(len(docnums), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, at, gaps)
    found = best != np.iinfo(np.int64).max
    out[found] = best[found]
    return out


def _packable(docs: np.ndarray, pos: np.ndarray) -> bool:
    """Whether document numbers fit 31 bits and positions 31 bits (both non-negative): a (document, position,
    side) key then fits one int64."""
    return not len(docs) or (int(docs[-1]) < (1 << 31) and int(docs[0]) >= 0 and int(pos.max()) < (1 << 31)
                             and int(pos.min()) >= 0)
