"""How close the words of a query stand in an article: a bonus for re-ranking the best BM25F matches.

Scoring a sloppy phrase for every candidate (Whoosh's span queries) cost 5x the whole search; reading the
positions of the query's words for just the top documents, as a rescore window, costs a few milliseconds.
"""
from __future__ import annotations


def proximity(reader, docnums: list[int], words: list[str]) -> dict[int, float]:
    """{docnum: bonus}: for each pair of consecutive query words, 1 / (smallest distance between them)."""
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    positions: dict[int, list] = {d: [()] * len(words) for d in docnums}
    for leaf, offset in leaves:
        end = offset + leaf.doc_count_all()
        local = sorted(d - offset for d in docnums if offset <= d < end)
        if not local:
            continue
        for i, word in enumerate(words):
            if ("body", word) not in leaf:
                continue
            matcher = leaf.postings("body", word)  # one pass per word, skipping forward
            for doc in local:
                if not matcher.is_active():
                    break
                if matcher.id() < doc:
                    matcher.skip_to(doc)
                if matcher.is_active() and matcher.id() == doc:
                    positions[doc + offset][i] = matcher.value_as("positions")
    bonus: dict[int, float] = {}
    for docnum, found in positions.items():
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
