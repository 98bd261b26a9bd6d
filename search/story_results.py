"""Search results collapsed by story: each story shown once as its best version, counted once, and its other
versions listed (the story codes are the index's "story" facet; search/stories.py labels the stories)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search import npsets

#: A hit lists at most this many of its story's other versions by id (its count is always whole); the article page
#: and `search versions` list at most MAX_VERSIONS of them, oldest first.
MAX_VERSION_IDS = 20
MAX_VERSIONS = 200


def story_keys(codes: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """A key per document: its story code, or a key of its own (negative) when it is a story of its own."""
    docs = np.asarray(docs, dtype=np.int64)
    c = np.asarray(codes)[docs].astype(np.int64)
    return np.where(c > 0, c, -1 - docs)


def shared_stories(codes: np.ndarray) -> np.ndarray:
    """bool per document: its story has another document (deleted ones included). Most documents are a story of
    their own: the collapsing below then works on the few that are not, not on every match."""
    codes = np.asarray(codes)
    if not len(codes):
        return np.zeros(0, dtype=bool)
    return (codes > 0) & (np.bincount(codes)[codes] > 1)


def count_stories(codes: np.ndarray, docs: np.ndarray, shared: np.ndarray | None = None) -> int:
    """How many stories a set of matching documents holds (`shared`: shared_stories(codes), to skip the rest)."""
    if not len(docs):
        return 0
    if shared is not None:
        docs = np.asarray(docs, dtype=np.int64)
        grouped = np.sort(np.asarray(codes)[docs[shared[docs]]])  # the codes of the stories of several
        distinct = int(np.count_nonzero(grouped[1:] != grouped[:-1])) + 1 if len(grouped) else 0
        return int(len(docs) - len(grouped) + distinct)  # a story of its own is one story
    return int(len(np.unique(story_keys(codes, docs))))


def best_of_each(codes: np.ndarray, docs: np.ndarray, merit: np.ndarray,
                 shared: np.ndarray | None = None) -> np.ndarray:
    """A mask of `docs`: the one document of each story with the highest `merit` (ties: the lower number);
    with `shared` (shared_stories(codes)) only the documents of shared stories are sorted."""
    docs = np.asarray(docs, dtype=np.int64)
    if not len(docs):
        return np.zeros(0, dtype=bool)
    if shared is not None:
        grouped = np.flatnonzero(shared[docs])
        mask = np.ones(len(docs), dtype=bool)
        if len(grouped):
            mask[grouped] = best_of_each(codes, docs[grouped], np.asarray(merit)[grouped])
        return mask
    keys = story_keys(codes, docs)
    order = np.lexsort((docs, -np.asarray(merit, dtype=np.float64), keys))
    first = np.ones(len(order), dtype=bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    mask = np.zeros(len(docs), dtype=bool)
    mask[order[first]] = True
    return mask


#: A shown document's other versions when it has none (shared, read-only).
_NO_OTHERS = np.zeros(0, dtype=np.int64)
_NO_OTHERS.flags.writeable = False


@dataclass
class Page:
    """One page of results: documents in rank order and, for each, the other matching versions of its story."""

    docs: np.ndarray            # int64
    scores: np.ndarray          # float64
    others: list[np.ndarray]    # for each document, its story's other matching documents: ranked ones first


def page(ranked_docs, ranked_scores, codes: np.ndarray, matched, first: int, count: int,
         collapse: bool = True, shared: np.ndarray | None = None, distinct: bool = False) -> Page:
    """The page [first, first + count) of a ranking, each story once as its best-ranked version if `collapse`.

    `ranked_docs` must be ranked deep enough to hold first + count stories; `matched` is the
    whole matching set, whose members of a shown story are listed as its other versions. `shared`
    (shared_stories(codes)) lets a page of stories of their own skip the grouping; `distinct` says the ranking holds
    one document per story already (ranked with best_of_each), so collapsing keeps every one of them."""
    docs = np.asarray(ranked_docs, dtype=np.int64)
    scores = np.asarray(ranked_scores, dtype=np.float64)
    if shared is not None and not shared[docs].any():
        keep = np.arange(first, min(first + count, len(docs)))  # every ranked document a story of its own
        shown = docs[keep]
        return Page(shown, scores[keep], [_NO_OTHERS] * len(shown))
    if collapse and len(docs) and not distinct:
        _, firsts = np.unique(story_keys(codes, docs), return_index=True)
        keep = np.sort(firsts)[first:first + count]
    else:
        keep = np.arange(first, min(first + count, len(docs)))
    shown = docs[keep]
    return Page(shown, scores[keep], _others(codes, np.asarray(matched, dtype=np.int64), shown, docs))


def _others(codes: np.ndarray, matched: np.ndarray, shown: np.ndarray, ranked: np.ndarray) -> list[np.ndarray]:
    """For each shown document, the other matched documents with its story code: in rank order, then by number."""
    codes = np.asarray(codes)
    others = [_NO_OTHERS] * len(shown)
    shown_codes = codes[shown].astype(np.int64) if len(shown) else np.zeros(0, np.int64)
    grouped = np.flatnonzero(shown_codes > 0)
    if not len(grouped) or not len(matched):
        return others
    members = matched[npsets.isin(codes[matched], shown_codes[grouped])]
    rank = np.zeros(len(members), np.int64)
    if len(ranked):
        by_doc = np.argsort(ranked, kind="stable")
        at = np.minimum(np.searchsorted(ranked[by_doc], members), len(ranked) - 1)
        rank = np.where(ranked[by_doc][at] == members, by_doc[at], len(ranked))
    members = members[np.lexsort((members, rank))]
    member_codes = codes[members].astype(np.int64)
    # the members grouped by story (a stable sort keeps each story's rank order), each story's run found by bisection
    by_code = np.argsort(member_codes, kind="stable")
    members, member_codes = members[by_code], member_codes[by_code]
    wanted = shown_codes[grouped]
    starts = np.searchsorted(member_codes, wanted, side="left").tolist()
    ends = np.searchsorted(member_codes, wanted, side="right").tolist()
    shown_ids = shown.tolist()
    for k, a, b in zip(grouped.tolist(), starts, ends):  # at most one page of stories
        run = members[a:b]
        others[k] = run[run != shown_ids[k]]
    return others


def members(codes: np.ndarray, docnum: int) -> np.ndarray:
    """The other documents (live or not) with the story code of `docnum`: none when it is a story of its own."""
    code = int(np.asarray(codes)[docnum])
    if not code:
        return np.zeros(0, np.int64)
    found = np.flatnonzero(np.asarray(codes) == code)
    return found[found != docnum]


def labels_of(view) -> dict[str, str]:
    """{path: story label} of an IndexView's live documents (for checks and benchmarks: it reads every record)."""
    codes, values = view.facet("story")
    return {view.stored(d)["path"]: values[int(codes[d])] for d in np.flatnonzero(view.live).tolist()}
