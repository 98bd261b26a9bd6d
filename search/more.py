"""More when few match: after the few articles that have every word of a short query, those with most of them.

A query of 2 or 3 words (or "phrases") needs all of them. When that finds fewer articles than fill a page, the
page goes on with the articles that have some of the words, under a divider: those with the most words first,
then by BM25F. They are a separate list, so the total and the facets stay those of the query as typed.
"""
from __future__ import annotations

import numpy as np

from search import plan
from search.npsets import in_sorted


def applies(parsed, notice: str | None, total: int, per_page: int, long_query_words: int) -> bool:
    """True for a plain query of 2 or more words read as all-words (no notice) that fills less than a page."""
    if parsed is None or notice is not None or total >= per_page:
        return False
    return 2 <= len(parsed.clauses()) < long_query_words


def clauses(any_word_query) -> list:
    """The positive clauses (one per word or phrase) of a plain query's any-word reading (a plan.py tree)."""
    q = any_word_query
    if isinstance(q, plan.And):  # Or(words) AND NOT excluded...
        q = q.parts[0]
    return list(q.parts) if isinstance(q, plan.Or) else [q]


def words_matched(clause_docs: list[np.ndarray], docs: np.ndarray) -> np.ndarray:
    """How many of the clauses each of `docs` (ascending) matches (clause_docs: each clause's docs, ascending)."""
    counts = np.zeros(len(docs), dtype=np.int64)
    for found in clause_docs:
        counts += in_sorted(docs, found)
    return counts


def contenders(words: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the documents that can be among the `limit` best by rank(): those with at least as many words
    as the limit-th most, so that only they need scoring."""
    if len(words) <= limit:
        return np.arange(len(words))
    least = np.partition(words, len(words) - limit)[len(words) - limit]
    return np.flatnonzero(words >= least)


def rank(docs: np.ndarray, words: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The `limit` best (docnum, score): most words first, then BM25F, then document order."""
    order = np.lexsort((docs, -scores, -words))[:limit]
    return list(zip(docs[order].tolist(), scores[order].astype(np.float64, copy=False).tolist()))
