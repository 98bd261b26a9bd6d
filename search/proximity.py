"""How close the words of a query stand in an article: a bonus for re-ranking the best BM25F matches.

Scoring a sloppy phrase for every candidate (Whoosh's span queries) cost 5x the whole search; decoding the
positions of the query's words for just the top documents, from postings blocks the search has already read,
costs about a millisecond.
"""
from __future__ import annotations


def proximity(postings, docnums: list[int], words: list[str]) -> dict[int, float]:
    """{docnum: bonus}: for each pair of consecutive query words, 1 / (smallest distance between them)."""
    bonus: dict[int, float] = {}
    for docnum in docnums:
        found = [postings.positions("body", word, docnum) for word in words]
        score = sum(1.0 / max(1, _min_distance(a, b)) for a, b in zip(found, found[1:]) if a and b)
        if score:
            bonus[docnum] = score
    return bonus


def _min_distance(a, b) -> int:
    """Smallest |x - y| for x in a, y in b (both sorted): a linear merge."""
    i = j = 0
    best = 1 << 30
    while i < len(a) and j < len(b):
        diff = a[i] - b[j]
        best = min(best, abs(diff))
        if diff < 0:
            i += 1
        else:
            j += 1
    return best
