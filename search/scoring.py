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
    return query_scoring(q)[0]


def query_scoring(q) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """({stem: {field: weight}}, {stem: qtf}) of a query: the weight of each stem in each field, and how many
    times the query asks for the stem (its query-term frequency: "oil prices oil" asks for oil twice).

    A stem's weight in a field is the highest of its occurrences there; its qtf is the most occurrences it has
    in any one field (a plain word is a title term and a body term: one occurrence, not two). Excluded words
    and filters count for nothing."""
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    counts: dict[tuple[str, str], int] = defaultdict(int)

    def add(stem, fieldname, weight):
        weights[stem][fieldname] = max(weights[stem].get(fieldname, 0.0), weight)
        counts[stem, fieldname] += 1

    def walk(node, boost=1.0):
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
            add(node.text, node.fieldname, boost * node.boost)
        elif isinstance(node, wq.Phrase) and node.fieldname in TEXT_FIELDS:
            for word in node.words:
                add(word, node.fieldname, boost * node.boost)
        elif isinstance(node, wq.AndMaybe):
            walk(node.a, boost)
            walk(node.b, boost)
        elif isinstance(node, (wq.And, wq.Or)):
            for sub in node.subqueries:
                walk(sub, boost * node.boost)

    walk(q)
    qtf: dict[str, float] = defaultdict(float)
    for (stem, _field), n in counts.items():
        qtf[stem] = max(qtf[stem], float(n))
    return dict(weights), dict(qtf)


def bm25f(postings, terms: dict[str, dict[str, float]], qtf: dict[str, float], candidates: set[int],
          lengths: FieldLengths, b: float, k1: float) -> dict[int, float]:
    """{docnum: BM25F score} for every candidate (0.0 when only filters matched it).

    `terms` is {stem: {field: weight}}, `qtf` {stem: query-term frequency} (missing = 1), as query_scoring
    gives them for a query or like.py for an example text. Each stem adds qtf * idf * tf(k1 + 1) / (k1 + tf),
    tf being its weighted, length-normalised frequency over the fields: the qtf multiplies outside the
    saturation, as Lucene's and FTS5's sums over a query's repeated terms do."""
    reader = postings.reader
    scores = dict.fromkeys(candidates, 0.0)
    n = reader.doc_count()
    k1_plus_1 = k1 + 1
    for text, weights in terms.items():
        df = reader.doc_frequency("body", text) or reader.doc_frequency("title", text)
        idf = qtf.get(text, 1.0) * log(1 + (n - df + 0.5) / (df + 0.5))
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
