"""ADAPTER (storage-query), until IndexView offers it: a word's positions for many documents in one numpy pass.

IndexView.positions() answers a list with one array per document, built by a Python loop over the documents;
phrases over frequent words need the positions of thousands of documents. This reads the same segment arrays
(term -> postings range `tdoc`, positions start `tpos`, per-posting `freqs`, concatenated `pos`) with numpy
gathers instead. It reaches into search/storage's segment attributes, so it is only used when they are there
(docsets.flat_positions falls back to positions() otherwise); it belongs in IndexView as `positions_flat`.
"""
from __future__ import annotations

import numpy as np

_EMPTY = np.zeros(0, dtype=np.int64)


def supported(view) -> bool:
    """Whether the view has the segment arrays this reads."""
    segments = getattr(view, "segments", None)
    return (hasattr(view, "_hits") and hasattr(view, "offsets") and segments is not None
            and all(hasattr(s, a) for s in segments for a in ("tdoc", "tpos", "docs", "freqs", "pos")))


def positions_flat(view, field: str, text: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(number of positions of each of `docs` (ascending), every position concatenated in that order); a document
    without the term has none."""
    docs = np.asarray(docs, dtype=np.int64)
    lengths = np.zeros(len(docs), dtype=np.int64)
    starts = np.zeros(len(docs), dtype=np.int64)
    sources: dict[int, np.ndarray] = {}
    which = np.searchsorted(view.offsets, docs, side="right") - 1
    for i, s, t in view._hits(field, text):  # per segment holding the term, never per document
        mine = np.flatnonzero(which == i)
        if not len(mine):
            continue
        a, b = int(s.tdoc[t]), int(s.tdoc[t + 1])
        if a == b:
            continue
        term_docs = s.docs[a:b]
        freqs = s.freqs[a:b].astype(np.int64)
        local = docs[mine] - int(view.offsets[i])
        at = np.minimum(np.searchsorted(term_docs, local), b - a - 1)
        ok = term_docs[at] == local
        mine, at = mine[ok], at[ok]
        ends = np.cumsum(freqs)
        lengths[mine] = freqs[at]
        starts[mine] = ends[at] - freqs[at] + int(s.tpos[t])
        sources[i] = mine
    total = int(lengths.sum())
    if not total:
        return lengths, _EMPTY
    flat = np.empty(total, dtype=np.int64)
    out_start = np.cumsum(lengths) - lengths
    for i, mine in sources.items():
        s = view.segments[i]
        n = lengths[mine]
        if not n.sum():
            continue
        # positions of the wanted postings: each posting's range [start, start + n) laid end to end
        within = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        source = np.repeat(starts[mine], n) + within
        target = np.repeat(out_start[mine], n) + within
        flat[target] = s.pos[source]
    return lengths, flat
