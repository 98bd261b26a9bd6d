"""More when few match: after the few articles that have every word of a short query, those with most of them.

A query of 2 or 3 words (or "phrases") needs all of them. When that finds fewer articles than fill a page, the
page goes on with the articles that have some of the words, under a divider: those with the most words first,
then by BM25F. They are a separate list, so the total and the facets stay those of the query as typed.
"""
from __future__ import annotations

import heapq
from collections import Counter
from itertools import chain

from whoosh import query as wq


def applies(parsed, notice: str | None, total: int, per_page: int, long_query_words: int) -> bool:
    """True for a plain query of 2 or more words read as all-words (no notice) that fills less than a page."""
    if parsed is None or notice is not None or total >= per_page:
        return False
    return 2 <= len(parsed.clauses()) < long_query_words


def clauses(any_word_query) -> list:
    """The positive clauses (one per word or phrase) of a plain query's any-word reading."""
    q = any_word_query
    if isinstance(q, wq.And):  # Or(words) AND NOT excluded...
        q = q.subqueries[0]
    return list(q.subqueries) if isinstance(q, wq.Or) else [q]


def words_matched(clause_docs: list[set[int]], docs: set[int]) -> Counter:
    """{docnum: how many of the clauses it matches} for `docs`."""
    return Counter(chain.from_iterable(found & docs for found in clause_docs))


def rank(words: Counter, scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The `limit` best (docnum, score): most words first, then BM25F, then document order."""
    best = heapq.nsmallest(limit, scores, key=lambda d: (-words[d], -scores[d], d))
    return [(d, scores[d]) for d in best]
