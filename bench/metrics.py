"""Relevance and latency figures: MAP, nDCG@k, P@k, R@k over ranked lists, and percentiles.

Conventions follow trec_eval: only judged-relevant documents (rel > 0) count; AP divides by all relevant
documents of the query, retrieved or not; nDCG uses linear gains rel / log2(rank + 1) and the ideal ordering
of every judged document; queries without any relevant document are left out of the means.
"""
from __future__ import annotations

import math
from statistics import mean
from typing import Mapping, Sequence


def average_precision(ranked: Sequence[str], qrels: Mapping[str, int]) -> float:
    """AP of one ranking: the mean of P@rank over the ranks of relevant documents, over all relevant ones."""
    relevant = sum(1 for r in qrels.values() if r > 0)
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for rank, doc in enumerate(_unique(ranked), 1):
        if qrels.get(doc, 0) > 0:
            found += 1
            total += found / rank
    return total / relevant


def ndcg(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains: DCG of the top k over DCG of the best possible top k."""
    dcg = sum(qrels.get(doc, 0) / math.log2(rank + 1)
              for rank, doc in enumerate(_unique(ranked)[:k], 1) if qrels.get(doc, 0) > 0)
    ideal = sorted((r for r in qrels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(rank + 1) for rank, r in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def precision(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """P@k: relevant documents in the top k, over k (a short ranking is not padded: missing ranks count as misses)."""
    return sum(1 for doc in _unique(ranked)[:k] if qrels.get(doc, 0) > 0) / k


def recall(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 100) -> float:
    """R@k: relevant documents in the top k, over all relevant documents of the query."""
    relevant = sum(1 for r in qrels.values() if r > 0)
    if not relevant:
        return 0.0
    return sum(1 for doc in _unique(ranked)[:k] if qrels.get(doc, 0) > 0) / relevant


def evaluate(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> dict:
    """Mean MAP, nDCG@10, P@10, R@100 of {qid: ranking} over the queries that have relevant documents."""
    judged = [q for q, rels in qrels.items() if any(r > 0 for r in rels.values())]
    if not judged:
        return {"queries": 0, "map": 0.0, "ndcg@10": 0.0, "p@10": 0.0, "r@100": 0.0}
    per = {q: runs.get(q, []) for q in judged}
    return {
        "queries": len(judged),
        "map": mean(average_precision(per[q], qrels[q]) for q in judged),
        "ndcg@10": mean(ndcg(per[q], qrels[q], 10) for q in judged),
        "p@10": mean(precision(per[q], qrels[q], 10) for q in judged),
        "r@100": mean(recall(per[q], qrels[q], 100) for q in judged),
    }


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks, like numpy's default."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _unique(ranked: Sequence[str]) -> list[str]:
    # a document retrieved twice counts once, at its first rank
    seen: set[str] = set()
    return [d for d in ranked if not (d in seen or seen.add(d))]
