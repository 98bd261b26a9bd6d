"""Stories: the signatures of every article as a table, and their grouping into stories of near-duplicate versions
(search/story_signatures.py signs an article, search/story_file.py keeps the table in each generation,
search/story_results.py collapses results by story).

Two articles are versions of one story when
  (a) their cleaned bodies have the same sequence of analysed words (a hash), or
  (b) both have at least MIN_SHINGLES shingles and the fraction of equal bins (an estimate of the Jaccard
      similarity of their shingle sets) is at least THRESHOLD,
and stories are the connected components of that relation. Candidate pairs for (b) come from LSH banding
(BANDS bands of ROWS bins), then every candidate is checked on the whole signature.

THRESHOLD is 0.5: a copy that lost its last paragraph of four or five keeps about three quarters of the shingles
(estimated Jaccard 0.6-0.8 after an edited sentence too), while two different articles on the same topic share
almost no 5-word run (Jaccard under 0.1 even with the same dateline and names); 0.5 sits between with the
estimate's spread at K = 128 (a standard deviation of 0.045 at 0.5) well inside both margins. A lower threshold
finds more short copies that lost a paragraph and had a sentence edited, but also groups different short notices
written from one template (two companies' dividends, every figure different); BENCHMARKS.md ("Stories") measures
precision and recall of this rule.

A story's label is the id of its version with the first path in sorted order (an article alone is its own
story, labelled with its own id), so it depends only on the set of articles and their texts: an incremental sync
and a full rebuild give the same labels. A full rebuild writes articles in path order, so the Grouper below knows
each article's label when it is written (the first version of a story comes first); only an article that joins two
stories already written makes the later one change its label, and those few are rewritten after the commit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search import npsets
from search.story_signatures import K, _signed_articles

#: LSH: BANDS bands of ROWS bins (ROWS == 2: a band is one 64-bit key); a pair with Jaccard 0.5 shares a band with
#: probability 1 - (1 - 0.5**2)**20 = 0.997, one with Jaccard 0.1 with 0.18 (then the whole signature says no).
#: The stories file records them: labels kept with another banding are worked out again at the next sync.
BANDS, ROWS = 20, 2
_BANDED = BANDS * ROWS  # the bins band keys are made of
#: Estimated Jaccard at or above which two articles are versions of one story (see the module docstring).
THRESHOLD = 0.5
#: Fewer shingles than this (about 15 words) is too little text to call near-duplicates; exact copies still group.
MIN_SHINGLES = 10
#: Within one LSH bucket each article is compared with at most this many others (a bounded cost for boilerplate).
BUCKET_CAP = 64


@dataclass
class Table:
    """The signatures of every indexed article, sorted by path: what the stories file holds."""

    ids: np.ndarray        # str: the article's id (labels are ids)
    paths: np.ndarray      # str, ascending: the article's path (what the indexer keys documents by)
    sync_sigs: np.ndarray  # str: the indexer's size:mtime:digest:sidecar signature the entry was made from
    sigs: np.ndarray       # uint32[n, K]
    counts: np.ndarray     # uint32[n]: shingles
    exact: np.ndarray      # uint64[n]: hash of the cleaned, analysed word sequence, 0 when there are no words
    labels: np.ndarray | None = None  # str: the story labels the index's documents carry (kept in the file)

    FIELDS = ("ids", "paths", "sync_sigs", "sigs", "counts", "exact")

    @classmethod
    def empty(cls) -> "Table":
        return cls(np.array([], dtype=str), np.array([], dtype=str), np.array([], dtype=str),
                   np.zeros((0, K), np.uint32), np.zeros(0, np.uint32), np.zeros(0, np.uint64))

    def __len__(self) -> int:
        return len(self.ids)

    def select(self, keep: np.ndarray) -> "Table":
        """The rows where `keep` is true (or at the given indices)."""
        return Table(*(getattr(self, f)[keep] for f in self.FIELDS),
                     labels=self.labels[keep] if self.labels is not None else None)

    def plus(self, other: "Table") -> "Table":
        """The union of two tables with distinct paths, sorted by path."""
        if len(self) and len(other) and _ascending(self.paths) and _ascending(other.paths):
            # a sync adds a few rows to a sorted table: insert them where they go, one copy of each column
            at = np.searchsorted(self.paths, other.paths)
            return Table(*(np.insert(_widened(getattr(self, f), getattr(other, f)), at, getattr(other, f), axis=0)
                           for f in self.FIELDS))
        parts = [np.concatenate([getattr(self, f), getattr(other, f)]) for f in self.FIELDS]
        parts[:3] = [p.astype(str) for p in parts[:3]]
        if _ascending(parts[1]):  # a rebuild's batches come in path order: nothing to move
            return Table(*parts)
        return Table(*parts).select(np.argsort(parts[1], kind="stable"))

    @classmethod
    def joined(cls, tables: list["Table"]) -> "Table":
        """The rows of several tables with distinct paths, as one table sorted by path."""
        if not tables:
            return cls.empty()
        whole = cls(*(np.concatenate([getattr(t, f) for t in tables]) for f in cls.FIELDS))
        return whole if _ascending(whole.paths) else cls.empty().plus(whole)  # a rebuild's batches come in order

    def labels_by_path(self) -> dict[str, str]:
        """{path: story label} of every row."""
        return dict(zip(self.paths.tolist(), labels(self).tolist()))


def _ascending(values: np.ndarray) -> bool:
    return bool((values[1:] >= values[:-1]).all()) if len(values) > 1 else True


def _widened(column: np.ndarray, added: np.ndarray) -> np.ndarray:
    """The column in a dtype that holds the added values too (str columns of longer values would be cut)."""
    wide = np.result_type(column, added)
    return column if wide == column.dtype else column.astype(wide)


def rows(entries: list[tuple[str, str, str, str, str]]) -> Table:
    """The rows of (id, path, sync signature, title, body) of articles, in the order given."""
    return _rows(*(list(column) for column in zip(*entries))) if entries else Table.empty()


def document_rows(docs: list[dict]) -> Table:
    """rows() of storage documents (dicts with id, path, sig, title, body)."""
    if not docs:
        return Table.empty()
    return _rows([d["id"] for d in docs], [d["path"] for d in docs], [d["sig"] for d in docs],
                 [d.get("title") or "" for d in docs], [d.get("body") or "" for d in docs])


#: rows() signs this many articles at a time (bounds the arrays of one step, however many a sync hands over).
ROWS_BATCH = 256


def _rows(ids: list[str], paths: list[str], sync_sigs: list[str], titles: list[str], bodies: list[str]) -> Table:
    parts = [_signed_articles(bodies[lo:lo + ROWS_BATCH], titles[lo:lo + ROWS_BATCH])
             for lo in range(0, len(bodies), ROWS_BATCH)]
    sigs, counts, exact = (np.concatenate([p[k] for p in parts]) for k in range(3))
    return Table(np.array(ids, dtype=str), np.array(paths, dtype=str), np.array(sync_sigs, dtype=str), sigs, counts,
                 exact)


def make_table(entries: list[tuple[str, str, str, str, str]]) -> Table:
    """A table from (id, path, sync signature, title, body) of articles, sorted by path."""
    return Table.empty().plus(rows(entries)) if entries else Table.empty()


def refresh(table: Table | None, indexed: dict[str, str], fresh: list[tuple[str, str, str, str, str]],
            stored) -> tuple[Table, np.ndarray, np.ndarray, set[str]]:
    """(table, old labels, fresh rows, gone labels) for an index whose documents are `indexed` ({path: sync
    signature}) after a sync.

    Rows of paths that are gone or whose signature changed are dropped (their labels are the gone ones), `fresh`
    entries (id, path, sync signature, title, body) are added, and any indexed path still missing (a table lost to
    a crash, say) is rebuilt from `stored(paths) -> entries`, so the table describes exactly the indexed documents.
    Old labels are "" for fresh rows, and for every row when the table kept none."""
    table = table if table is not None else Table.empty()
    fresh_paths = {e[1] for e in fresh}
    keep = np.array([indexed.get(p) == s and p not in fresh_paths
                     for p, s in zip(table.paths.tolist(), table.sync_sigs.tolist())], dtype=bool)
    known = table.labels is not None and len(table.labels) == len(table)
    gone = set(table.labels[~keep].tolist()) - {""} if known and len(table) else set()
    old_by_path = dict(zip(table.paths[keep].tolist(), table.labels[keep].tolist())) if known and len(table) else {}
    kept = table.select(keep) if len(table) else table
    have = set(kept.paths.tolist()) | fresh_paths
    missing = [p for p in indexed if p not in have]
    merged = kept.plus(make_table(list(fresh) + (list(stored(missing)) if missing else [])))
    old = np.array([old_by_path.get(p, "") for p in merged.paths.tolist()], dtype=str)
    return merged, old, old == "", gone


def band_keys(table: Table) -> tuple[np.ndarray, np.ndarray]:
    """(LSH band keys, their rows): BANDS keys for each row with at least MIN_SHINGLES shingles."""
    rich = np.flatnonzero(table.counts >= MIN_SHINGLES)
    sigs = table.sigs
    # the banded bins copied first, then the rich rows taken when not all are: a gather of whole rows would copy
    # every bin (signatures as the stories file keeps them, search/story_file.py, read only their banded bins)
    banded = sigs.banded() if hasattr(sigs, "banded") else np.array(sigs[:, :_BANDED], order="C")
    return _keyed(banded if len(rich) == len(banded) else banded[rich]), np.repeat(rich, BANDS)


def _band_keys(sigs: np.ndarray) -> np.ndarray:
    """The BANDS keys of each signature, row after row: a band's two bins side by side as one 64-bit key (no hash:
    the bins are hash values already), its top byte (the second bin's densification distance) xor the band's
    number, so that equal bins in different bands rarely make equal keys (and when they do the pair is only a
    candidate, checked on the whole signature)."""
    # a copy (np.array, not ascontiguousarray: a one-row slice is contiguous and would be changed in place)
    return _keyed(np.array(sigs[:, :BANDS * ROWS], order="C"))


def _keyed(banded: np.ndarray) -> np.ndarray:
    """_band_keys of the banded bins of each signature, a C-ordered copy that becomes the keys."""
    keys = banded.view(np.uint64)  # ROWS == 2: two uint32 bins a key
    keys ^= np.arange(BANDS, dtype=np.uint64) << np.uint64(56)
    return keys.reshape(-1)


def _among(values: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """np.isin(values, chosen) for hash values and a `chosen` far smaller than `values`: a table of chosen's low
    bits rules out almost every value with one gather, and only the few left are compared exactly (a sync asks
    this of every band key of the collection for the keys of the few articles it changed)."""
    if not len(chosen) or not len(values):
        return np.zeros(len(values), dtype=bool)
    bits = min(1 << 24, max(1 << 16, 1 << (16 * len(chosen)).bit_length()))
    mask = np.uint64(bits - 1)
    seen = np.zeros(bits, dtype=bool)
    seen[(chosen & mask).astype(np.intp)] = True
    maybe = np.flatnonzero(seen[(values & mask).astype(np.intp)])
    out = np.zeros(len(values), dtype=bool)
    out[maybe] = npsets.isin(values[maybe], chosen)
    return out


def similar_pairs(table: Table, only: np.ndarray | None = None,
                  keys: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) with i < j of every pair of table rows that are versions of one story (before transitivity).

    With `only` (bool per row), just the buckets that hold a key of one of those rows, whole: every pair involving
    them, found with the same candidates as for the whole table. `keys` are the table's band_keys() when known."""
    n = len(table)
    found_i, found_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    if n < 2:
        return found_i[0], found_j[0]
    # (a) identical cleaned text
    has_text = np.flatnonzero(table.exact != 0)
    if only is not None:
        has_text = has_text[_among(table.exact[has_text], table.exact[only & (table.exact != 0)])]
    _chain(table.exact[has_text], has_text, found_i, found_j, cap=1)
    # (b) near-duplicates: candidates from LSH bands, checked on the whole signature
    key, key_rows = keys if keys is not None else band_keys(table)
    if len(key) > BANDS:
        cand_i, cand_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        if only is not None:
            chosen = _among(key, key[only[key_rows]])
            key, key_rows = key[chosen], key_rows[chosen]
        _chain(key, key_rows, cand_i, cand_j, cap=BUCKET_CAP)
        ci, cj = np.concatenate(cand_i), np.concatenate(cand_j)
        if len(ci):
            pair = npsets.unique(np.minimum(ci, cj) * n + np.maximum(ci, cj))
            ci, cj = pair // n, pair % n
            agree = np.empty(len(ci))
            for lo in range(0, len(ci), 65536):  # bounded memory for many candidates
                hi = lo + 65536
                agree[lo:hi] = np.count_nonzero(table.sigs[ci[lo:hi]] == table.sigs[cj[lo:hi]], axis=1) / K
            ok = agree >= THRESHOLD
            found_i.append(ci[ok])
            found_j.append(cj[ok])
    return np.concatenate(found_i), np.concatenate(found_j)


def _chain(keys: np.ndarray, rows: np.ndarray, out_i: list, out_j: list, cap: int, ordered: bool = False) -> None:
    """Append pairs of rows with equal keys: each row with up to `cap` rows before it in its bucket; `ordered`
    says the pairs (key, row) are sorted already."""
    if not ordered:
        order = np.lexsort((rows, keys))
        keys, rows = keys[order], rows[order]
    for d in range(1, cap + 1):
        if d >= len(keys):
            break
        same = keys[d:] == keys[:-d]
        if not same.any():
            break
        out_i.append(rows[:-d][same])
        out_j.append(rows[d:][same])


def _stream_pairs(runs: list[tuple[np.ndarray, np.ndarray]], keys: np.ndarray, rows: np.ndarray, cap: int,
                  seen: np.ndarray | None = None):
    """(new rows, earlier rows): each new row paired with up to `cap` rows before it with its key, nearest first,
    among the earlier rows of this batch and those of earlier batches; `runs` (sorted (key, row) arrays, newest
    last) gains this batch. Runs of equal size are merged (as a binary counter), so the work stays O(n log n).
    `seen` (bool, a power of two long) marks the low bits of every key so far: only keys it marks are searched."""
    keys, rows = _sorted_pairs(keys, rows.astype(np.int32))
    asked = np.ones(len(keys), dtype=bool)
    if seen is not None:  # most keys were never met before: one gather rules them out
        slots = (keys & np.uint64(len(seen) - 1)).astype(np.intp)
        asked = seen[slots]
        seen[slots] = True
    out_i, out_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    _chain(keys, rows, out_j, out_i, cap, ordered=True)  # within the batch; _chain appends (earlier, later)
    # a row that already has j earlier rows of its key in the batch takes up to cap - j more, newest runs first
    first_of_run = np.ones(len(keys), dtype=bool)
    first_of_run[1:] = keys[1:] != keys[:-1]
    run_start = np.maximum.accumulate(np.where(first_of_run, np.arange(len(keys)), 0))
    room = cap - (np.arange(len(keys)) - run_start)
    for old_keys, old_rows in reversed(runs):
        ask = np.flatnonzero(asked & (room > 0))
        if not len(ask):
            break
        # most keys are in no earlier run: one search finds the few that are, a second their ends
        lo = np.searchsorted(old_keys, keys[ask])
        hit = old_keys[np.minimum(lo, len(old_keys) - 1)] == keys[ask]
        found, lo = ask[hit], lo[hit]
        if len(found):
            hi = np.searchsorted(old_keys, keys[found], side="right")
            take = np.minimum(hi - lo, room[found])
            total = int(take.sum())
            offsets = np.arange(total) - np.repeat(np.cumsum(take) - take, take)
            out_i.append(np.repeat(rows[found], take).astype(np.int64))
            out_j.append(old_rows[np.repeat(hi, take) - 1 - offsets].astype(np.int64))
            room[found] -= take
    if len(keys):  # a batch of short texts only has no keys: an empty run would end the search above early
        runs.append((keys, rows))
    while len(runs) > 1 and len(runs[-2][0]) <= 2 * len(runs[-1][0]):
        (k1, r1), (k2, r2) = runs[-2], runs.pop()
        runs[-1] = _merged(k1, r1, k2, r2)
    return (np.concatenate(out_i).astype(np.int64), np.concatenate(out_j).astype(np.int64))


def _sorted_pairs(keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (key, row) sorted by key, then row: an unstable sort of the keys (far faster than a stable one),
    then the few runs of equal keys put in row order."""
    order = np.argsort(keys)
    keys, rows = keys[order], rows[order]
    tie = np.flatnonzero(keys[1:] == keys[:-1])
    if len(tie):
        in_run = np.zeros(len(keys), dtype=bool)
        in_run[tie] = in_run[tie + 1] = True
        members = np.flatnonzero(in_run)  # ascending: each run of equal keys contiguous
        rows[members] = rows[members][np.lexsort((rows[members], keys[members]))]
    return keys, rows


def _merged(k1: np.ndarray, r1: np.ndarray, k2: np.ndarray, r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs as one, the newer run's (k2, r2) after the older one's rows of an equal key (its rows all
    come after the older run's)."""
    at = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
    older = np.ones(len(k1) + len(k2), dtype=bool)
    older[at] = False
    keys = np.empty(len(older), dtype=k1.dtype)
    rows = np.empty(len(older), dtype=r1.dtype)
    keys[at], rows[at] = k2, r2
    keys[older], rows[older] = k1, r1
    return keys, rows


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The connected component of each of n nodes given edges (i, j): the smallest node number in it."""
    label = np.arange(n)
    if not len(i):
        return label
    while True:
        low = np.minimum(label[i], label[j])
        before = label.copy()
        np.minimum.at(label, i, low)
        np.minimum.at(label, j, low)
        label = label[label]  # pointer jumping
        if np.array_equal(label, before):
            return label


def relabel(table: Table, old: np.ndarray, fresh: np.ndarray, gone: set[str]) -> np.ndarray:
    """The labels after a sync, recomputed only for the stories it touched: `old` is each row's label before (""
    for `fresh` rows, added or changed), `gone` the labels of stories that lost a version. The same labels as
    labels(table) gives: a story no fresh row joins and no version left keeps its pairs and so its label. The rule
    story_file.update() follows with row numbers for labels, kept here, on whole str columns, as the reference tests
    hold it to."""
    if not fresh.any() and not gone:
        return old.copy()
    keys = band_keys(table)  # both passes below look up the same keys
    i, j = similar_pairs(table, only=fresh, keys=keys)
    ends = np.concatenate([i, j])
    touched = (set(gone) | set(old[ends[~fresh[ends]]].tolist())) - {""}
    area = fresh | npsets.isin(old, np.array(sorted(touched), dtype=str))
    i, j = similar_pairs(table, only=area, keys=keys)
    inside = area[i] & area[j]
    root = components(len(table), i[inside], j[inside])  # rows are sorted by path: the root is the first path
    new = np.array(old.tolist(), dtype=object)  # fixed-width str arrays would cut longer labels
    new[area] = table.ids[root[area]]
    return np.array(new.tolist(), dtype=str)


def labels(table: Table) -> np.ndarray:
    """The story label of every row: the id of the story's version with the first path (its own id when alone)."""
    if len(table) < 2:
        return table.ids.copy()
    root = components(len(table), *similar_pairs(table))  # rows are sorted by path: the root is the first path
    return table.ids[root]


class Grouper:
    """Labels articles as a full rebuild writes them, in path order, a batch at a time (see the module docstring).

    Each batch is matched, with array work, against the LSH buckets and exact-text hashes of every article before
    it, with the same candidates (each article and up to BUCKET_CAP articles before it in a bucket) and the same
    check on the whole signature as similar_pairs() makes for a whole table, so both give the same stories."""

    def __init__(self):
        self._columns: list[tuple[bytes, bytes]] = []  # each batch's paths and sync signatures (_utf8 blobs)
        self._counts: list[np.ndarray] = []
        self._exacts: list[np.ndarray] = []
        self._sigs = np.empty((1024, K), np.uint32)
        self._ids: list[str] = []
        self._parent: list[int] = []
        self._members: dict[int, list[int]] = {}  # root -> rows, for stories of two articles or more
        self._bands: list = []  # sorted (key, row) runs of every band key so far
        self._seen = np.zeros(1 << 22, dtype=bool)  # the low bits of every band key so far
        self._exact: list = []
        self.moved: set[int] = set()  # rows written with a label that a later article changed
        self._batch_start = 0

    def add(self, entries: list[tuple[str, str, str, str, str]]) -> dict[str, str]:
        """{path: story label} of a batch of (id, path, sync signature, title, body), paths after the last batch's."""
        return self.add_table(make_table(entries))

    def add_table(self, table: Table) -> dict[str, str]:
        """{path: story label} of a batch given as a table sorted by path (paths after the last batch's)."""
        return dict(zip(table.paths.tolist(), self.add_rows(table).tolist()))

    def add_rows(self, table: Table) -> np.ndarray:
        """The story label of each row of a batch given as a table sorted by path (paths after the last batch's),
        as an object array in the table's row order (no dict by path: a rebuild sets them by position)."""
        if not len(table):
            return np.array([], dtype=object)
        start = self._batch_start = len(self._ids)
        n = len(table)
        if len(self._sigs) < start + n:
            grown = np.empty((max(2 * len(self._sigs), start + n), K), np.uint32)
            grown[:start] = self._sigs[:start]
            self._sigs = grown
        self._sigs[start:start + n] = table.sigs
        # sigs once (in _sigs); the text columns as UTF-8 blobs, a quarter of numpy's str, until table() is asked
        self._columns.append((_utf8(table.paths).tobytes(), _utf8(table.sync_sigs).tobytes()))
        self._counts.append(table.counts)
        self._exacts.append(table.exact)
        rows = np.arange(start, start + n)
        has_text = table.exact != 0
        ei, ej = _stream_pairs(self._exact, table.exact[has_text], rows[has_text], cap=1)
        rich = table.counts >= MIN_SHINGLES
        ci, cj = _stream_pairs(self._bands, _band_keys(table.sigs[rich]), np.repeat(rows[rich], BANDS),
                               cap=BUCKET_CAP, seen=self._seen)
        found_i, found_j = [ei], [ej]
        if len(ci):
            total = start + n
            pair = npsets.unique(ci * total + cj)
            ci, cj = pair // total, pair % total
            ok = np.empty(len(ci), dtype=bool)
            for lo in range(0, len(ci), 65536):
                hi = lo + 65536
                ok[lo:hi] = np.count_nonzero(self._sigs[ci[lo:hi]] == self._sigs[cj[lo:hi]], axis=1) / K >= THRESHOLD
            found_i.append(ci[ok])
            found_j.append(cj[ok])
        self._ids.extend(table.ids.tolist())
        self._parent.extend(range(start, start + n))
        for a, b in sorted(zip(np.concatenate(found_i).tolist(), np.concatenate(found_j).tolist())):
            self._union(a, b)
        # a root is the first row of its story, labelled with its own id: only the other rows are looked up
        labels = table.ids.astype(object)  # object: a label may be longer than this batch's ids
        for k in np.flatnonzero(np.array(self._parent[start:], dtype=np.int64) != rows).tolist():
            labels[k] = self._ids[self._find(start + k)]
        return labels

    def _paths(self) -> list[str]:
        return _text(np.frombuffer(b"".join(t[0] for t in self._columns), np.uint8)).tolist() if self._columns else []

    def labels(self) -> dict[str, str]:
        """{path: story label} of every article added so far."""
        return {p: self._ids[self._find(r)] for r, p in enumerate(self._paths())}

    def moved_paths(self) -> list[str]:
        """Paths of the articles written with a label that a later article changed (to be rewritten)."""
        if not self.moved:
            return []
        paths = self._paths()
        return [paths[r] for r in sorted(self.moved)]

    def _find(self, row: int) -> int:
        while self._parent[row] != row:
            self._parent[row] = self._parent[self._parent[row]]
            row = self._parent[row]
        return row

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        low, high = min(ra, rb), max(ra, rb)  # the first path names the story
        self._parent[high] = low
        moved = self._members.pop(high, [high])
        self.moved.update(m for m in moved if m < self._batch_start)  # this batch is not written yet
        self._members.setdefault(low, [low]).extend(moved)

    def table(self, with_labels: bool = False) -> Table:
        """Every signature added so far, as one table (with each row's story label if asked). A rebuild adds its
        batches in path order, so the rows are usually sorted already and are then not copied again."""
        if not self._columns:
            return Table.empty()
        n = len(self._ids)
        table = Table(np.array(self._ids, dtype=str),
                      *(_text(np.frombuffer(b"".join(t[k] for t in self._columns), np.uint8)) for k in range(2)),
                      self._sigs[:n], np.concatenate(self._counts), np.concatenate(self._exacts))
        if with_labels:
            table.labels = table.ids[self._roots()]
        return table if _ascending(table.paths) else table.select(np.argsort(table.paths, kind="stable"))

    def _roots(self) -> np.ndarray:
        """Every row's story root (what _find gives), by pointer jumping over the whole parent array at once."""
        parent = np.array(self._parent, dtype=np.int64)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                return parent
            parent = grand


def _utf8(values: np.ndarray) -> np.ndarray:
    """A str array as one blob of UTF-8 bytes, each value ended by a NUL (numpy's str arrays take four bytes a
    character); other arrays as they are."""
    if values.dtype.kind != "U":
        return values
    data = ("\0".join(values.tolist()) + "\0" if len(values) else "").encode("utf-8", "surrogatepass")
    return np.frombuffer(data, dtype=np.uint8)


def _text(values: np.ndarray) -> np.ndarray:
    """The str array _utf8 made (other arrays as they are)."""
    if values.dtype != np.uint8 or values.ndim != 1:
        return values
    return np.array(values.tobytes().decode("utf-8", "surrogatepass").split("\0")[:-1], dtype=str)
