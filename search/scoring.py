"""BM25F over title and body, computed for every candidate at once with numpy, and the best k of them.

True BM25F (Robertson & Zaragoza): each field's term frequency is weighted and length-normalised, the fields
are summed, then saturated once. A query term's frequency `qtf` (how many times the query names it, or the
weight an example text gives it) multiplies its score outside that saturation, itself saturated by k3 as in
Okapi BM25 for long queries (Robertson et al., TREC-3): (k3 + 1) qtf / (k3 + qtf), so a word a description
repeats counts more than once but less than each time. The arithmetic is done in the same order as the
per-document version it replaced, so scores come out bit for bit the same.
"""
from __future__ import annotations

from collections import defaultdict
from math import inf, isinf, log

import numpy as np

from search import plan
from search.days import LAST_DAY
from search.storage.format import TEXT_FIELDS



def scoring_terms(q) -> dict[str, dict[str, float]]:
    """{stem: {field: weight}} for the positive text terms of a query (excluded words and filters don't score)."""
    return query_scoring(q)[0]


def query_scoring(q) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """({stem: {field: weight}}, {stem: qtf}) of a query: the weight of each stem in each field (the highest boost
    the query gives it there), and how many times the query asks for the stem (its query-term frequency: "oil
    prices oil" asks for oil twice; a plain word is a title term and a body term, one occurrence, not two).
    Excluded words and filters count for nothing."""
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    stack = [q]  # a loop, not a recursive closure: no reference cycle left for the garbage collector
    while stack:
        node = stack.pop()
        if isinstance(node, plan.Term) and node.field in TEXT_FIELDS:
            found = [(node.text, node.boost)]
        elif isinstance(node, plan.Phrase) and node.field in TEXT_FIELDS:
            found = [(word, node.boost) for word in node.words]
        else:
            if isinstance(node, (plan.And, plan.Or)):
                stack.extend(reversed(node.parts))  # in query order: the order the terms are summed in
            continue
        for stem, boost in found:
            weights[stem][node.field] = max(weights[stem].get(node.field, 0.0), boost)
            counts[(stem, node.field)] += 1
    qtf: dict[str, float] = {}
    for (stem, _field), n in counts.items():
        qtf[stem] = max(qtf.get(stem, 0.0), float(n))
    return dict(weights), qtf


def query_weight(qtf: float, k3: float = inf) -> float:
    """A query term's weight from its query-term frequency: (k3 + 1) qtf / (k3 + qtf); 1 for qtf 1 whatever k3,
    never above k3 + 1; k3 = 0 counts a repeated word once, k3 = inf each time (raw qtf, as Lucene and FTS5)."""
    if isinf(k3):
        return qtf
    return (k3 + 1) * qtf / (k3 + qtf) if qtf > 0 else 0.0


def bm25f(view, terms: dict[str, dict[str, float]], qtf: dict[str, float], candidates: np.ndarray, b: float,
          k1: float, postings=None, budget=None, k3: float = inf) -> np.ndarray:
    """BM25F score of each candidate (sorted document numbers; 0.0 where only filters matched it).

    `terms` is {stem: {field: weight}}, `qtf` {stem: query-term frequency} (missing = 1), as query_scoring()
    gives them for a query, or weights made from an example text. Each stem adds
    w * idf * tf (k1 + 1) / (k1 + tf), tf being its weighted, length-normalised frequency over the fields and
    w = query_weight(qtf, k3) its query weight, outside the saturation of tf.
    `postings(field, text)` gives a term's (docs, freqs), view.postings by default."""
    get = postings or view.postings
    scores = np.zeros(len(candidates), dtype=np.float64)
    if not len(candidates):
        return scores
    n = view.doc_count
    k1_plus_1 = k1 + 1
    # with k1 > 0 a candidate without the term adds idf * 0 / k1 = +-0.0, which leaves its score as it is: the
    # saturation can then run over every candidate, with no mask of those holding the term
    masked = not k1 > 0
    for text, weights in terms.items():
        df = view.doc_frequency("body", text) or view.doc_frequency("title", text)
        idf = query_weight(qtf.get(text, 1.0), k3) * log(1 + (n - df + 0.5) / (df + 0.5))
        pseudo = np.zeros(len(candidates), dtype=np.float64)  # weighted, length-normalised frequency
        touched = np.zeros(len(candidates), dtype=bool) if masked else None
        hit = False
        for field, weight in weights.items():
            docs, freqs = get(field, text)
            if budget is not None:
                budget.charge(min(len(docs), len(candidates)))
            at, tf = _locate(candidates, np.asarray(docs, dtype=np.int64), freqs)
            if not len(at):
                continue
            norms = view.norms(field, b)[candidates[at]]  # the length normalisation, made once per view
            pseudo[at] += weight * tf / norms  # the sum in field order, as 0.0 + first + second
            hit = True
            if masked:
                touched[at] = True
        if not hit:
            continue
        if masked:
            p = pseudo[touched]
            scores[touched] += idf * p * k1_plus_1 / (k1 + p)
        else:
            scores += idf * pseudo * k1_plus_1 / (k1 + pseudo)
    return scores


def _locate(candidates: np.ndarray, docs: np.ndarray, freqs) -> tuple[np.ndarray, np.ndarray]:
    """(indexes into candidates, term frequencies as float64) of the candidates that hold the term: a binary
    search of the shorter array into the longer."""
    if not len(docs):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(docs) <= len(candidates):
        at = np.searchsorted(candidates, docs)
        ok = at < len(candidates)
        ok[ok] = candidates[at[ok]] == docs[ok]
        return at[ok], np.asarray(freqs)[ok].astype(np.float64)
    at = np.searchsorted(docs, candidates)
    at[at == len(docs)] = len(docs) - 1
    ok = docs[at] == candidates
    return np.flatnonzero(ok), np.asarray(freqs)[at[ok]].astype(np.float64)


def top(docs: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The `limit` best (docnum, score), ties broken by document order so pages are stable."""
    if limit <= 0 or not len(docs):
        return []
    docs, scores = _best(docs, scores, limit)
    return list(zip(docs.tolist(), scores.tolist()))


def top_docs(docs: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """The documents of top(docs, scores, limit), ascending (int64)."""
    if limit <= 0 or not len(docs):
        return np.zeros(0, dtype=np.int64)
    return np.sort(_best(docs, scores, limit)[0]).astype(np.int64, copy=False)


def _best(docs: np.ndarray, scores: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    if len(docs) > limit:
        # only the documents scoring at least the limit-th best score can be in the answer: sort just those
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = np.flatnonzero(scores >= cut)
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:limit]
    return docs[order], scores[order]


def by_date(docs: np.ndarray, day: np.ndarray, limit: int, newest: bool) -> list[int]:
    """The first `limit` documents by date (newest or oldest first), unknown dates last, ties by document order."""
    if limit <= 0 or not len(docs):
        return []
    days = day[docs].astype(np.int64)
    unknown = days == 0
    order_key = np.where(unknown, 1 << 27, LAST_DAY - days if newest else days)
    key = (order_key << 32) | docs  # one unique int64 per document: (unknown, date order, docnum)
    if len(key) > limit:
        keep = np.argpartition(key, limit - 1)[:limit]
        key, docs = key[keep], docs[keep]
    return docs[np.argsort(key)].tolist()
