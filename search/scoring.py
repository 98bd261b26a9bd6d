"""BM25F over title and body, computed for every candidate at once from whole postings blocks.

Whoosh scores through a tree of matchers, one document at a time in Python; here each query term's postings
are decoded a block at a time and combined with per-document field lengths cached per index snapshot. The
result is true BM25F (Robertson & Zaragoza: field frequencies weighted and length-normalised, then saturated
once), where Whoosh's BM25F adds up a separate BM25 per field.
"""
from __future__ import annotations

import heapq
from array import array
from collections import defaultdict
from math import log

from whoosh import query as wq

from search.facets import leaves

TEXT_FIELDS = ("title", "body")


class FieldLengths:
    """Length (in terms) of the title and body of every document, and their averages."""

    def __init__(self, reader):
        self.lengths: dict[str, array] = {}
        self.average: dict[str, float] = {}
        live = max(reader.doc_count(), 1)
        for field in TEXT_FIELDS:
            values = array("I")
            for leaf, _offset in leaves(reader):
                # Whoosh answers None, not the default, for a field of length 0 (an article with no body).
                values.extend(leaf.doc_field_length(d, field, 0) or 0 for d in range(leaf.doc_count_all()))
            self.lengths[field] = values
            self.average[field] = max(reader.field_length(field) / live, 1.0)
        self._norms: dict[tuple[str, float], array] = {}

    def norms(self, field: str, b: float) -> array:
        """BM25's length normalisation 1 - b + b * length / average of every document (computed once per b)."""
        key = (field, b)
        norms = self._norms.get(key)
        if norms is None:
            average = self.average[field]
            # the very expression bm25f used per posting, so the scores come out bit for bit the same
            norms = self._norms[key] = array("d", [1 - b + b * n / average for n in self.lengths[field]])
        return norms


def scoring_terms(q) -> dict[str, dict[str, float]]:
    """{stem: {field: weight}} for the positive text terms of a query (excluded words and filters don't score)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)

    def walk(node, boost=1.0):
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
            out[node.text][node.fieldname] = max(out[node.text].get(node.fieldname, 0.0), boost * node.boost)
        elif isinstance(node, wq.Phrase) and node.fieldname in TEXT_FIELDS:
            for word in node.words:
                out[word][node.fieldname] = max(out[word].get(node.fieldname, 0.0), boost * node.boost)
        elif isinstance(node, wq.AndMaybe):
            walk(node.a, boost)
            walk(node.b, boost)
        elif isinstance(node, (wq.And, wq.Or)):
            for sub in node.subqueries:
                walk(sub, boost * node.boost)

    walk(q)
    return dict(out)


def bm25f(postings, q, candidates: set[int], lengths: FieldLengths, b: float, k1: float) -> dict[int, float]:
    """{docnum: BM25F score} for every candidate (0.0 when only filters matched it)."""
    reader = postings.reader
    scores = dict.fromkeys(candidates, 0.0)
    n = reader.doc_count()
    k1_plus_1 = k1 + 1
    for text, weights in scoring_terms(q).items():
        df = reader.doc_frequency("body", text) or reader.doc_frequency("title", text)
        idf = log(1 + (n - df + 0.5) / (df + 0.5))
        pseudo: dict[int, float] | None = None  # weighted, length-normalised frequency over the fields
        for field, weight in weights.items():
            norms = lengths.norms(field, b)
            # only the candidates' postings (a few blocks of a frequent word when the candidates are few)
            part = {doc: weight * tf / norms[doc]
                    for doc, tf in postings.frequencies_in(field, text, candidates).items()}
            if pseudo is None:
                pseudo = part
            else:  # the sum in field order, as 0.0 + first + second
                pseudo.update({doc: pseudo[doc] + x if doc in pseudo else x for doc, x in part.items()})
        if pseudo:
            # comprehensions rather than loops of +=: the same arithmetic in the same order, less interpreter
            scores.update({doc: scores[doc] + idf * tf * k1_plus_1 / (k1 + tf) for doc, tf in pseudo.items()})
    return scores


def top(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The `limit` best (docnum, score), ties broken by document order so pages are stable."""
    if limit <= 0:
        return []
    if len(scores) > 4 * limit:
        # only the documents scoring at least the limit-th best score can be in the answer: sort just those
        cut = heapq.nlargest(limit, scores.values())[-1]
        best = sorted((-s, d) for d, s in scores.items() if s >= cut)
    else:
        best = sorted((-s, d) for d, s in scores.items())
    return [(d, -s) for s, d in best[:limit]]
