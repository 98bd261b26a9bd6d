"""A segment in memory (`Part`: arrays for n documents) and on disk (`write_segment`, `SegmentFiles`)."""
from __future__ import annotations

import bisect
import json
import os
import sys
import threading
from dataclasses import dataclass, field

import numpy as np

from search.storage.format import (FORMAT_VERSION, TEXT_FIELDS, array_of, capped_facet_names, key_bytes, map_file,
                                   smallest_uint, write_file)


#: A stored record starts with its id (build.py writes compact JSON, "id" first); ids are short (articles.py).
_ID_START = b'{"id":"'
_ID_HEAD_BYTES = 1024


@dataclass
class Part:
    """Everything a segment holds for n documents, as arrays (a worker's batch, or a segment read back).

    keys: sorted unique dictionary keys (numpy bytes); df: postings per key; docs/freqs: postings in key order,
    documents ascending per key; positions: freqs[i] positions per posting, in posting order.
    """

    n: int
    keys: np.ndarray
    df: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray
    positions: np.ndarray
    lengths: np.ndarray                      # uint32[2, n]
    day: np.ndarray                          # uint32[n]
    facets: dict[str, tuple[np.ndarray, list[str]]]   # name -> (codes uint32[n], values; values[0] == "")
    stored: np.ndarray                       # uint8 blob
    stored_off: np.ndarray                   # int64[n+1]
    sig: np.ndarray                          # uint8 blob
    sig_off: np.ndarray                      # int64[n+1]
    totals: dict[str, int] = field(default_factory=dict)
    extra: object = None                     # what a rebuild's summarise(docs) made of the batch (not written)


def _starts(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=out[1:])
    return out


def gather_runs(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """values[starts[i]:starts[i]+counts[i]] for every i, concatenated (one fancy index, no Python loop)."""
    counts = counts.astype(np.int64, copy=False)
    total = int(counts.sum())
    if total == 0:
        return values[:0]
    idx = np.arange(total, dtype=np.int64)
    idx += np.repeat(starts.astype(np.int64, copy=False) - _starts(counts), counts)
    return values[idx]


def _gather_blob(blob: np.ndarray, off: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The byte ranges of the kept documents, copied run by run of consecutive kept documents."""
    sizes = np.diff(off)[keep]
    new_off = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=new_off[1:])
    edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).astype(np.int8)))
    pieces = [blob[off[a]:off[b]] for a, b in zip(edges[0::2], edges[1::2])]
    out = np.concatenate(pieces) if pieces else np.zeros(0, np.uint8)
    return out, new_off


def _compact_facet(codes: np.ndarray, values: list[str]) -> tuple[np.ndarray, list[str]]:
    used = np.unique(codes)
    if len(used) == len(values):
        return codes, values
    used = used[used != 0]
    remap = np.zeros(len(values), dtype=np.uint32)
    remap[used] = np.arange(1, len(used) + 1, dtype=np.uint32)
    return remap[codes], [""] + [values[i] for i in used.tolist()]


def filter_part(part: Part, keep: np.ndarray) -> Part:
    """The part without the documents where `keep` is False, renumbered densely."""
    if keep.all():
        return part
    newnum = np.cumsum(keep, dtype=np.int64) - 1
    term_of = np.repeat(np.arange(len(part.keys)), part.df)
    pk = keep[part.docs]
    df = np.bincount(term_of[pk], minlength=len(part.keys))
    has = df > 0
    freqs = part.freqs[pk]
    positions = part.positions[np.repeat(pk, part.freqs)]
    stored, stored_off = _gather_blob(part.stored, part.stored_off, keep)
    sig, sig_off = _gather_blob(part.sig, part.sig_off, keep)
    lengths = part.lengths[:, keep]
    return Part(int(keep.sum()), part.keys[has], df[has], newnum[part.docs[pk]], freqs, positions,
                lengths, part.day[keep],
                {name: _compact_facet(codes[keep], values) for name, (codes, values) in part.facets.items()},
                stored, stored_off, sig, sig_off,
                {f: int(lengths[i].sum(dtype=np.int64)) for i, f in enumerate(TEXT_FIELDS)})


def concat_parts(parts: list[Part]) -> Part:
    """One part holding the documents of `parts` one after another (their postings regrouped by key)."""
    if len(parts) == 1:
        return parts[0]
    counts = np.array([p.n for p in parts], dtype=np.int64)
    offsets = _starts(counts)
    keys, inverse = np.unique(np.concatenate([p.keys for p in parts]), return_inverse=True)
    key_starts = _starts(np.array([len(p.keys) for p in parts], dtype=np.int64))
    term_of = np.concatenate([np.repeat(inverse[s:s + len(p.keys)], p.df) for s, p in zip(key_starts, parts)])
    docs = np.concatenate([p.docs.astype(np.int64) + o for p, o in zip(parts, offsets)])
    freqs = np.concatenate([p.freqs for p in parts]).astype(np.int64)
    positions = np.concatenate([p.positions for p in parts])
    # parts come in document order and each lists a key's documents ascending: a stable sort by key keeps that
    order = np.argsort(term_of, kind="stable")
    new_positions = gather_runs(positions, _starts(freqs)[order], freqs[order])
    df = np.bincount(term_of, minlength=len(keys))
    facets = concat_facets(parts)
    stored, stored_off = _concat_blobs([(p.stored, p.stored_off) for p in parts])
    sig, sig_off = _concat_blobs([(p.sig, p.sig_off) for p in parts])
    return Part(int(counts.sum()), keys, df, docs[order], freqs[order], new_positions,
                np.concatenate([p.lengths for p in parts], axis=1), np.concatenate([p.day for p in parts]),
                facets, stored, stored_off, sig, sig_off,
                {f: sum(p.totals.get(f, 0) for p in parts) for f in TEXT_FIELDS})


def concat_facets(parts: list[Part]) -> dict[str, tuple[np.ndarray, list[str]]]:
    """The facet columns of `parts` one after another, each with one merged value table (capped in number)."""
    facets = {}
    used: dict[str, int] = {}
    for p in parts:
        for n, (codes, _) in p.facets.items():
            used[n] = used.get(n, 0) + int(np.count_nonzero(codes))
    for name in capped_facet_names(used):
        tables = [p.facets.get(name, (np.zeros(p.n, np.uint32), [""])) for p in parts]
        values, remaps = merged_values([vals for _, vals in tables])
        facets[name] = (np.concatenate([remap[codes] for (codes, _), remap in zip(tables, remaps)]), values)
    return facets


def merged_values(tables: list[list[str]]) -> tuple[list[str], list[np.ndarray]]:
    """One value table for several facet value tables ("" first, then the values sorted), and for each table the
    new number of each of its values (uint32: `remap[codes]` renumbers a column)."""
    # every writer sorts its tables: one sort of them all merges them as runs (a set would lose the runs)
    values = list(dict.fromkeys(sorted([v for t in tables for v in t])))
    if not values or values[0] != "":
        values.insert(0, "")
    number = dict(zip(values, range(len(values))))
    return values, [np.fromiter(map(number.__getitem__, t), dtype=np.uint32, count=len(t)) for t in tables]


#: Values new to an extended table are inserted one by one up to this many; more are merged by one sort.
INSERTED_VALUES = 256


def extended_values(earlier: tuple[list[str], dict[str, np.ndarray]], ids: list[str],
                    tables: list[list[str]]) -> tuple[list[str], list[np.ndarray]]:
    """merged_values of the tables of segments `ids`, where `earlier` ((values, {segment id: remap})) numbered
    some of them and every other segment it numbered is among them: the earlier values extended by the new ones
    and the earlier remaps shifted, with no look-up of the values already numbered (a sync adds a small segment
    to large ones)."""
    values, known = earlier
    new = [t for i, t in zip(ids, tables) if i not in known]
    fresh = sorted({v for t in new for v in t if not _holds(values, v)})
    shift = None
    if fresh:
        at = [bisect.bisect_left(values, v) for v in fresh]
        if len(fresh) <= INSERTED_VALUES:
            merged = list(values)
            for v, a in zip(reversed(fresh), reversed(at)):
                merged.insert(a, v)
        else:
            merged = sorted(values + fresh)
        # an earlier value moves up by the number of new values placed before it
        shift = np.searchsorted(np.array(at, dtype=np.int64), np.arange(len(values)), side="right")
        shift = (np.arange(len(values)) + shift).astype(np.uint32)
    else:
        merged = values
    remaps = []
    for i, t in zip(ids, tables):
        if i in known:
            remaps.append(known[i] if shift is None else shift[known[i]])
        else:
            remaps.append(np.fromiter((bisect.bisect_left(merged, v) for v in t), dtype=np.uint32, count=len(t)))
    return merged, remaps


def _holds(values: list[str], v: str) -> bool:
    at = bisect.bisect_left(values, v)
    return at < len(values) and values[at] == v


def _concat_blobs(blobs) -> tuple[np.ndarray, np.ndarray]:
    data = np.concatenate([b[int(o[0]):int(o[-1])] for b, o in blobs])
    sizes = np.concatenate([np.diff(o) for _, o in blobs])
    off = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=off[1:])
    return data, off


# -- on disk --------------------------------------------------------------------------------------------------------

def write_segment(folder: str, segment_id: str, part: Part) -> dict:
    """Write a part's files (each fsynced) as segment `segment_id`; returns its meta."""
    n = part.n
    keys = key_bytes(part.keys)
    key_lens = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    koff = np.zeros(len(part.keys) + 1, dtype=np.uint64)
    np.cumsum(key_lens, out=koff[1:])
    tdoc = np.zeros(len(part.keys) + 1, dtype=np.uint64)
    np.cumsum(part.df, out=tdoc[1:])
    per_term_positions = np.add.reduceat(part.freqs.astype(np.int64), tdoc[:-1].astype(np.int64)) \
        if len(part.keys) else np.zeros(0, np.int64)
    tpos = np.zeros(len(part.keys) + 1, dtype=np.uint64)
    np.cumsum(per_term_positions, out=tpos[1:])
    dtypes = {"docs": smallest_uint(max(n - 1, 0), 16),
              "frqs": smallest_uint(int(part.freqs.max()) if len(part.freqs) else 0),
              "pos": smallest_uint(int(part.positions.max()) if len(part.positions) else 0, 16)}
    names = sorted(part.facets)
    meta = {"format": FORMAT_VERSION, "doc_count": n, "terms": len(part.keys), "dtypes": dtypes,
            "totals": {f: int(part.lengths[i].sum(dtype=np.int64)) for i, f in enumerate(TEXT_FIELDS)},
            "max_lengths": {f: int(part.lengths[i].max()) if n else 0 for i, f in enumerate(TEXT_FIELDS)},
            "min_lengths": {f: int(part.lengths[i].min()) if n else 0 for i, f in enumerate(TEXT_FIELDS)},
            "facets": {name: part.facets[name][1] for name in names}}
    prefix = segment_id + "."
    write_file(folder, prefix + "keys", b"".join(keys))
    write_file(folder, prefix + "koff", koff)
    write_file(folder, prefix + "tdoc", tdoc)
    write_file(folder, prefix + "tpos", tpos)
    write_file(folder, prefix + "docs", part.docs.astype(dtypes["docs"]))
    write_file(folder, prefix + "frqs", part.freqs.astype(dtypes["frqs"]))
    write_file(folder, prefix + "pos", part.positions.astype(dtypes["pos"]))
    write_file(folder, prefix + "lens", part.lengths.astype(np.uint32))
    write_file(folder, prefix + "day", part.day.astype(np.uint32))
    fct = np.stack([part.facets[name][0] for name in names]) if names else np.zeros((0, n), np.uint32)
    write_file(folder, prefix + "fct", fct.astype(np.uint32))
    write_file(folder, prefix + "sto", part.stored.astype(np.uint8))
    write_file(folder, prefix + "soff", part.stored_off.astype(np.uint64))
    write_file(folder, prefix + "sig", part.sig.astype(np.uint8))
    write_file(folder, prefix + "sgof", part.sig_off.astype(np.uint64))
    write_file(folder, prefix + "meta", json.dumps(meta, ensure_ascii=False).encode("utf-8"))  # last: complete
    return meta


#: The term dictionary keeps every SAMPLE_EVERY-th key in memory to bisect before reading the mapped keys.
SAMPLE_EVERY = 64
#: A segment with at most this many keys (a small sync's) looks its terms up in a dict of them instead.
SMALL_DICTIONARY = 4096


def file_identity(st: os.stat_result) -> tuple[int, int, int, int]:
    """What tells one file from another: a segment's files are written once and hard-linked into later
    generations, so the same identity is the same bytes."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class SegmentFiles:
    """One segment's files, memory-mapped: arrays over the page cache, nothing copied. Thread-safe (read-only)."""

    def __init__(self, folder: str, segment_id: str):
        self.segment_id = segment_id
        path = os.path.join(folder, segment_id + ".")
        with open(path + "meta", "rb") as f:
            self.identity = file_identity(os.fstat(f.fileno()))
            self.meta = meta = json.loads(f.read().decode("utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"segment {segment_id} has format {meta.get('format')}, not {FORMAT_VERSION}")
        n, dtypes = meta["doc_count"], meta["dtypes"]
        self.n = n
        self.keys = map_file(path + "keys")
        self.koff = array_of(map_file(path + "koff"), "uint64")
        self.tdoc = array_of(map_file(path + "tdoc"), "uint64")
        self.tpos = array_of(map_file(path + "tpos"), "uint64")
        self.docs = array_of(map_file(path + "docs"), dtypes["docs"])
        self.freqs = array_of(map_file(path + "frqs"), dtypes["frqs"])
        self.pos = array_of(map_file(path + "pos"), dtypes["pos"])
        self.lengths = array_of(map_file(path + "lens"), "uint32", (len(TEXT_FIELDS), n))
        self.day = array_of(map_file(path + "day"), "uint32")
        self.facet_names = list(meta["facets"])
        self.facet_codes = array_of(map_file(path + "fct"), "uint32", (len(self.facet_names), n))
        self.stored_blob = map_file(path + "sto")
        self.stored_off = array_of(map_file(path + "soff"), "uint64")
        self.sig_blob = map_file(path + "sig")
        self.sig_off = array_of(map_file(path + "sgof"), "uint64")
        self.term_count = meta["terms"]
        self._lock = threading.Lock()
        # the offsets as a memoryview of Python ints (a numpy scalar per probe costs several times more)
        self._koff = (memoryview(self.koff).cast("B").cast("Q")
                      if sys.byteorder == "little" and len(self.koff) else self.koff)
        self._samples: list[bytes] | None = None
        self._small: dict[bytes, int] | None = None

    # -- term dictionary --
    def key(self, t: int) -> bytes:
        return self.keys[int(self.koff[t]):int(self.koff[t + 1])]

    def _sampled(self) -> list[bytes]:
        """Every SAMPLE_EVERY-th key, made on the first look-up (a dictionary's size / SAMPLE_EVERY keys)."""
        samples = self._samples
        if samples is None:
            with self._lock:
                if self._samples is None:
                    at = np.arange(0, self.term_count, SAMPLE_EVERY, dtype=np.int64)
                    starts, ends = self.koff[at].tolist(), self.koff[at + 1].tolist()
                    keys = self.keys
                    self._samples = [keys[a:b] for a, b in zip(starts, ends)]
                samples = self._samples
        return samples

    def find(self, key: bytes) -> int:
        """The index of the first key >= `key`: a bisection of the sampled keys (in C), then a binary search
        over at most SAMPLE_EVERY keys of the mapped dictionary."""
        j = bisect.bisect_left(self._sampled(), key)  # samples before j are < key, sample j is >= key
        lo, hi = max(0, (j - 1) * SAMPLE_EVERY + 1), min(self.term_count, j * SAMPLE_EVERY)
        koff, keys = self._koff, self.keys
        while lo < hi:
            mid = (lo + hi) >> 1
            if keys[koff[mid]:koff[mid + 1]] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def term(self, key: bytes) -> int:
        """The index of `key`, or -1 (a small segment's dictionary is a Python dict, made on its first look-up)."""
        if self.term_count <= SMALL_DICTIONARY:
            small = self._small
            if small is None:
                with self._lock:
                    if self._small is None:
                        self._small = {k: t for t, k in enumerate(self.keys_between(0, self.term_count))}
                    small = self._small
            return small.get(key, -1)
        t = self.find(key)
        return t if t < self.term_count and self.key(t) == key else -1

    def keys_between(self, lo: int, hi: int) -> list[bytes]:
        """Keys lo..hi-1, decoded in one slice of the mapped dictionary."""
        if hi <= lo:
            return []
        base = int(self.koff[lo])
        blob = self.keys[base:int(self.koff[hi])]
        ends = (self.koff[lo + 1:hi + 1].astype(np.int64) - base).tolist()
        starts = [0] + ends[:-1]
        return [blob[a:b] for a, b in zip(starts, ends)]

    def terms_between(self, lo: int, hi: int, field_char: str) -> list[str]:
        """The terms of keys lo..hi-1 (all of the field whose number is `field_char`), decoded in one piece: each key
        is that character and the term's UTF-8, so the piece splits at it (unless a term holds it: then key by key)."""
        if hi <= lo:
            return []
        text = self.keys[int(self.koff[lo]):int(self.koff[hi])].decode("utf-8", "surrogatepass")
        parts = text.split(field_char)
        if len(parts) == hi - lo + 1 and not parts[0]:
            del parts[0]
            return parts
        return [k[1:].decode("utf-8", "surrogatepass") for k in self.keys_between(lo, hi)]

    def postings_count(self, t: int) -> int:
        """How many postings term t has."""
        return int(self.tdoc[t + 1]) - int(self.tdoc[t])

    def postings(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(local docs, freqs) of term t: views of the mapped files."""
        a, b = int(self.tdoc[t]), int(self.tdoc[t + 1])
        return self.docs[a:b], self.freqs[a:b]

    def positions_of(self, t: int, index: int) -> np.ndarray:
        """Positions of the index-th posting of term t."""
        a = int(self.tdoc[t])
        freqs = self.freqs[a:a + index + 1]
        start = int(self.tpos[t]) + int(freqs[:index].sum(dtype=np.int64))
        return self.pos[start:start + int(freqs[index])]

    # -- documents --
    def stored(self, local: int) -> dict:
        a, b = int(self.stored_off[local]), int(self.stored_off[local + 1])
        return json.loads(self.stored_blob[a:b].decode("utf-8", "surrogatepass"))

    def stored_id(self, local: int) -> str:
        """A document's id, read from the start of its stored record: the record (body and all) is not decoded."""
        a, b = int(self.stored_off[local]), int(self.stored_off[local + 1])
        head = bytes(self.stored_blob[a:min(b, a + _ID_HEAD_BYTES)])
        end = head.find(b'"', len(_ID_START))
        if head.startswith(_ID_START) and end > 0 and b"\\" not in head[len(_ID_START):end]:
            return head[len(_ID_START):end].decode("utf-8", "surrogatepass")
        return self.stored(local)["id"]  # an id that needs JSON's escapes (never made by article_id)

    def signature(self, local: int) -> tuple[str, str]:
        """(path, signature) of one document."""
        a, b = int(self.sig_off[local]), int(self.sig_off[local + 1])
        path, sig = bytes(self.sig_blob[a:b]).decode("utf-8", "surrogateescape").split("\0")[:2]
        return path, sig

    def signatures(self) -> tuple[list[str], list[str]]:
        """(paths, signatures) of every document, deleted ones included."""
        if not self.n:
            return [], []
        parts = bytes(self.sig_blob[:int(self.sig_off[-1])]).decode("utf-8", "surrogateescape").split("\0")
        return parts[0:-1:2], parts[1::2]

    def read_part(self) -> Part:
        """The whole segment as a Part over the mapped arrays (for merging)."""
        m = self.meta
        nkeys = self.term_count
        keys = np.array(self.keys_between(0, nkeys), dtype=bytes) if nkeys else np.zeros(0, "S1")
        facets = {name: (self.facet_codes[i], m["facets"][name]) for i, name in enumerate(self.facet_names)}
        return Part(self.n, keys, np.diff(self.tdoc.astype(np.int64)), self.docs, self.freqs, self.pos,
                    self.lengths, self.day, facets, array_of(self.stored_blob, "uint8"),
                    self.stored_off.astype(np.int64), array_of(self.sig_blob, "uint8"),
                    self.sig_off.astype(np.int64), dict(m["totals"]))
