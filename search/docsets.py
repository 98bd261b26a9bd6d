"""Which documents match a compiled query (plan.py), as sorted arrays of document numbers, over an IndexView.

Facets and totals need every matching document, not just the best ten. A set of documents is a sorted int64
array; each operation is one or two numpy calls over the postings it touches, so a query's cost grows with
its postings in C. An AND starts from its rarest part and looks the others up only for those documents
(a binary search of each frequent word's postings: a rare word and a frequent one touch a few pages of the
frequent one's postings, never all of them). Phrases are checked from positions, read only for the documents
that hold every word. Deleted documents are in the postings; the live mask is applied once, at the end.
"""
from __future__ import annotations

import numpy as np

from search import days, plan
from search.npsets import distinct_sorted, in_sorted
from search.budget import Budget

EMPTY = np.zeros(0, dtype=np.int64)


def union(parts: list[np.ndarray], n: int) -> np.ndarray:
    """The sorted union of sorted arrays of document numbers below n: through a mask of the n documents when
    the parts are large against n, else by sorting them together."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    total = sum(len(p) for p in parts)
    if total * 16 >= n:
        mask = np.zeros(n, dtype=bool)
        for p in parts:
            mask[p] = True
        return np.flatnonzero(mask).astype(np.int64, copy=False)
    return distinct_sorted(np.sort(np.concatenate(parts)))


class Matcher:
    """Matching for one search over one IndexView: each term is looked up in the dictionary once per search
    (document frequency, postings), its work charged to the search's budget. Stands in for the view when a
    query is compiled and scored (other attributes are the view's)."""

    def __init__(self, view, budget: Budget | None = None):
        self.view = view
        self.budget = budget or Budget()
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._df: dict[tuple[str, str], int] = {}
        # the documents of an Or asked of every document, and the work they were charged, this search
        self._whole: dict[object, tuple[np.ndarray, int]] = {}
        # what scoring reads of the view on every term, as plain attributes: __getattr__ is a slow path
        self.doc_count, self.doc_count_all = view.doc_count, view.doc_count_all
        self.lengths, self.field_total, self.norms = view.lengths, view.field_total, view.norms

    def __getattr__(self, name):
        return getattr(self.view, name)

    def doc_frequency(self, field: str, text: str) -> int:
        """How many postings the term has, deleted documents included (looked up once per search)."""
        key = (field, text)
        found = self._df.get(key)
        if found is None:
            known = self._postings.get(key)
            found = self._df[key] = len(known[0]) if known is not None else self.view.doc_frequency(field, text)
        return found

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docs int64, freqs) of a term, deleted documents included."""
        key = (field, text)
        found = self._postings.get(key)
        if found is None:
            docs, freqs = self.view.postings(field, text)
            found = self._postings[key] = (np.asarray(docs, dtype=np.int64), freqs)
        return found

    def count(self, field: str, text: str) -> int:
        """How many postings the term has (its document frequency: nothing read to know it)."""
        return self.doc_frequency(field, text)

    # -- the matching documents ------------------------------------------------------------------------
    def docs(self, q) -> np.ndarray:
        """The live document numbers matching q, ascending."""
        found = self._docs(q, None)
        return found[self.view.live[found]] if len(found) else EMPTY

    def _term(self, field: str, text: str, within: np.ndarray | None) -> np.ndarray:
        docs = self.postings(field, text)[0]
        if within is None:
            self.budget.charge(len(docs))
            return docs
        self.budget.charge(min(len(within), len(docs)))
        if len(docs) < len(within):  # look the term's few documents up among the many wanted
            return docs[in_sorted(docs, within)]
        return within[in_sorted(within, docs)]

    def size(self, q) -> int:
        """About how many documents q matches, from postings counts: an AND computes its cheapest part first."""
        if isinstance(q, plan.Term):
            return self.count(q.field, q.text)
        if isinstance(q, plan.Or):
            return sum(self.size(s) for s in q.parts)
        if isinstance(q, plan.And):
            return min((self.size(s) for s in q.parts if not isinstance(s, plan.Not)),
                       default=self.view.doc_count_all)
        if isinstance(q, plan.Phrase):
            return min((self.count(q.field, w) for w in q.words), default=0)
        if isinstance(q, plan.Nothing):
            return 0
        return self.view.doc_count_all

    def _docs(self, q, within: np.ndarray | None) -> np.ndarray:
        """The documents matching q (deleted ones included), only among `within` when it is given."""
        if isinstance(q, plan.Term):
            return self._term(q.field, q.text, within)
        if isinstance(q, plan.Or):
            if within is None:  # a word's title-or-body documents: an AND, "more when few" and "did you mean" ask
                known = self._whole.get(q)
                if known is not None:  # charged again: the budget counts the same work whether remembered or not
                    self.budget.charge(known[1])
                    return known[0]
                spent = self.budget.spent
                found = union([self._docs(s, None) for s in q.parts], self.view.doc_count_all)
                self._whole[q] = (found, self.budget.spent - spent)
                return found
            return union([self._docs(s, within) for s in q.parts], self.view.doc_count_all)
        if isinstance(q, plan.And):
            positive = sorted((s for s in q.parts if not isinstance(s, plan.Not)), key=self.size)
            negative = [s.part for s in q.parts if isinstance(s, plan.Not)]
            if positive:
                out = self._docs(positive[0], within)
                for sub in positive[1:]:
                    if not len(out):
                        return EMPTY
                    out = self._docs(sub, out)
            else:
                out = self._every(within)
            for sub in negative:
                if not len(out):
                    break
                out = out[~in_sorted(out, self._docs(sub, out))]
            return out
        if isinstance(q, plan.Phrase):
            return self._phrase(q.field, q.words, within)
        if isinstance(q, plan.Every):
            return self._every(within)
        if isinstance(q, plan.DayRange):
            return self._where(self.view.day, within, lambda day: days.within(day, q.low, q.high))
        if isinstance(q, plan.FacetIs):
            codes, values = self.view.facet(q.name)
            allowed = np.fromiter(((v.lower() in q.values) for v in values), dtype=bool, count=len(values))
            return self._where(codes, within, lambda c: allowed[c])
        if isinstance(q, plan.Nothing):
            return EMPTY
        raise TypeError(f"cannot match {q!r}")

    def _every(self, within: np.ndarray | None) -> np.ndarray:
        if within is None:
            self.budget.charge(self.view.doc_count_all)
            return np.flatnonzero(self.view.live).astype(np.int64)
        return within[self.view.live[within]]

    def _where(self, column: np.ndarray, within, test) -> np.ndarray:
        """The documents (of `within`, else of the live ones) whose column value passes `test` (vectorized)."""
        if within is None:
            self.budget.charge(self.view.doc_count_all)
            return np.flatnonzero(test(column) & self.view.live).astype(np.int64)
        self.budget.charge(len(within))
        return within[test(column[within])]

    def _phrase(self, field: str, words: tuple[str, ...], within: np.ndarray | None) -> np.ndarray:
        """Documents where the words stand one after another: the documents holding every word (rarest first),
        then their positions, word i shifted back by i, intersected as (document, start) keys."""
        if not words:
            return EMPTY
        candidates = within
        for word in sorted(dict.fromkeys(words), key=lambda w: self.count(field, w)):
            candidates = self._term(field, word, candidates)
            if not len(candidates):
                return EMPTY
        if len(words) == 1:
            return candidates
        keys = None
        for i, word in enumerate(words):
            lengths, flat = self.view.positions_flat(field, word, candidates)
            self.budget.charge(len(flat))
            mine = np.repeat(candidates, lengths) * (1 << 32) + (flat.astype(np.int64) - i)
            keys = mine if keys is None else np.intersect1d(keys, mine, assume_unique=True)
            if not len(keys):
                return EMPTY
            # only the documents still in the running are read for the next word
            candidates = distinct_sorted(keys >> 32)  # keys are sorted: so are their documents
        return candidates
