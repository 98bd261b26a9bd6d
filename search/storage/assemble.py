"""One segment written from several parts (a rebuild's batches, or segments being merged) a range of keys at a time.

The files are the ones write_segment makes of concat_parts(parts), byte for byte, but the postings and positions
are regrouped and appended one slice of the dictionary at a time: the memory a segment costs beyond its inputs is
bounded by CHUNK_POSTINGS, not by the segment's size (concatenating a full segment's positions needed several
int64 arrays of its whole length at once).
"""
from __future__ import annotations

import json
import os

import numpy as np

from search.npsets import distinct_sorted
from search.storage import format as storage_format
from search.storage.format import FORMAT_VERSION, TEXT_FIELDS, key_bytes, smallest_uint, write_file
from search.storage.segment import Part, _starts, concat_facets, gather_runs

#: Postings regrouped at a time (each costs a few int64 temporaries, and its positions a few more).
CHUNK_POSTINGS = 1 << 20


class _Appender:
    """A new file written piece by piece, fsynced when closed (write_file's guarantee for a whole array)."""

    def __init__(self, folder: str, name: str, dtype: str | None = None):
        self.file = open(os.path.join(folder, name), "xb")
        self.dtype = dtype

    def add(self, data) -> None:
        if isinstance(data, np.ndarray):
            data = np.ascontiguousarray(data.astype(np.dtype(self.dtype).newbyteorder("<"), copy=False)
                                        if self.dtype else data)
            if not data.size:
                return
            data = memoryview(data).cast("B")
        storage_format._write(self.file, data)  # the one seam of segment writes (a full disk is tested there)

    def close(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()


def _per_key_positions(part: Part) -> np.ndarray:
    """Where each key's positions start in part.positions (int64[keys + 1])."""
    tdoc = np.zeros(len(part.keys) + 1, dtype=np.int64)
    np.cumsum(part.df, out=tdoc[1:])
    out = np.zeros(len(part.keys) + 1, dtype=np.int64)
    if len(part.keys):
        np.cumsum(np.add.reduceat(part.freqs.astype(np.int64), tdoc[:-1]) * (part.df > 0), out=out[1:])
    return tdoc, out


def union_keys(sorted_keys: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """(the sorted distinct keys of several sorted arrays of keys, each array's positions in it (int64)): one
    stable sort of them all, which merges the sorted runs, instead of a unique and a search per array."""
    if not sorted_keys:
        return np.zeros(0, "S1"), []
    together = np.concatenate(sorted_keys)
    order = np.argsort(together, kind="stable")
    ordered = together[order]
    new = np.ones(len(ordered), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    inverse = np.empty(len(ordered), dtype=np.int64)
    inverse[order] = np.cumsum(new, dtype=np.int64) - 1
    return ordered[new], np.split(inverse, np.cumsum([len(k) for k in sorted_keys])[:-1])


def write_parts(folder: str, segment_id: str, parts: list[Part]) -> dict:
    """Write the documents of `parts`, one after another, as segment `segment_id`; returns its meta."""
    parts = [p for p in parts if p.n]
    counts = np.array([p.n for p in parts], dtype=np.int64)
    doc_base = _starts(counts)
    n = int(counts.sum())
    keys, inverses = union_keys([p.keys for p in parts])
    offsets = [_per_key_positions(p) for p in parts]
    df = np.zeros(len(keys), dtype=np.int64)
    npos = np.zeros(len(keys), dtype=np.int64)
    for p, inv, (_tdoc_p, tpos_p) in zip(parts, inverses, offsets):
        df[inv] += p.df
        npos[inv] += np.diff(tpos_p)
    tdoc = np.zeros(len(keys) + 1, dtype=np.uint64)
    np.cumsum(df, out=tdoc[1:])
    tpos = np.zeros(len(keys) + 1, dtype=np.uint64)
    np.cumsum(npos, out=tpos[1:])
    lengths = np.concatenate([p.lengths for p in parts], axis=1) if parts else np.zeros((len(TEXT_FIELDS), 0),
                                                                                          np.uint32)
    freq_max = max((int(p.freqs.max()) for p in parts if len(p.freqs)), default=0)
    pos_max = max((int(p.positions.max()) for p in parts if len(p.positions)), default=0)
    dtypes = {"docs": smallest_uint(max(n - 1, 0), 16), "frqs": smallest_uint(freq_max),
              "pos": smallest_uint(pos_max, 16)}
    facets = concat_facets(parts)
    names = sorted(facets)
    meta = {"format": FORMAT_VERSION, "doc_count": n, "terms": len(keys), "dtypes": dtypes,
            "totals": {f: int(lengths[i].sum(dtype=np.int64)) for i, f in enumerate(TEXT_FIELDS)},
            "max_lengths": {f: int(lengths[i].max()) if n else 0 for i, f in enumerate(TEXT_FIELDS)},
            "min_lengths": {f: int(lengths[i].min()) if n else 0 for i, f in enumerate(TEXT_FIELDS)},
            "facets": {name: facets[name][1] for name in names}}
    prefix = segment_id + "."
    raw = key_bytes(keys)
    koff = np.zeros(len(keys) + 1, dtype=np.uint64)
    np.cumsum(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)), out=koff[1:])
    write_file(folder, prefix + "keys", b"".join(raw))
    del raw
    write_file(folder, prefix + "koff", koff)
    write_file(folder, prefix + "tdoc", tdoc)
    write_file(folder, prefix + "tpos", tpos)
    _write_postings(folder, prefix, parts, keys, inverses, offsets, doc_base, tdoc, dtypes)
    write_file(folder, prefix + "lens", lengths.astype(np.uint32))
    write_file(folder, prefix + "day", np.concatenate([p.day for p in parts]).astype(np.uint32) if parts
               else np.zeros(0, np.uint32))
    fct = np.stack([facets[name][0] for name in names]) if names else np.zeros((0, n), np.uint32)
    write_file(folder, prefix + "fct", fct.astype(np.uint32))
    for blob, off, ext, off_ext in (("stored", "stored_off", "sto", "soff"), ("sig", "sig_off", "sig", "sgof")):
        _write_blobs(folder, prefix + ext, prefix + off_ext, [(getattr(p, blob), getattr(p, off)) for p in parts])
    write_file(folder, prefix + "meta", json.dumps(meta, ensure_ascii=False).encode("utf-8"))  # last: complete
    return meta


def _write_postings(folder, prefix, parts, keys, inverses, offsets, doc_base, tdoc, dtypes) -> None:
    """.docs, .frqs and .pos: the postings of each slice of keys holding about CHUNK_POSTINGS, regrouped."""
    docs_out = _Appender(folder, prefix + "docs", dtypes["docs"])
    freqs_out = _Appender(folder, prefix + "frqs", dtypes["frqs"])
    pos_out = _Appender(folder, prefix + "pos", dtypes["pos"])
    try:
        total = int(tdoc[-1])
        cuts = distinct_sorted(np.concatenate((  # ascending: np.unique's sort is not needed
            [0], np.searchsorted(tdoc[1:], np.arange(CHUNK_POSTINGS, total, CHUNK_POSTINGS), side="left") + 1,
            [len(keys)])))
        for k0, k1 in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            terms, docs, freqs, positions, pos_starts = [], [], [], [], []
            seen = 0
            for p, inv, (tdoc_p, tpos_p), base in zip(parts, inverses, offsets, doc_base.tolist()):
                a, b = np.searchsorted(inv, k0), np.searchsorted(inv, k1)
                if a == b:
                    continue
                lo, hi = int(tdoc_p[a]), int(tdoc_p[b])
                terms.append(np.repeat(inv[a:b], p.df[a:b]))
                docs.append(p.docs[lo:hi].astype(np.int64) + base)
                f = p.freqs[lo:hi].astype(np.int64)
                freqs.append(f)
                plo, phi = int(tpos_p[a]), int(tpos_p[b])
                positions.append(p.positions[plo:phi])
                pos_starts.append(_starts(f) + seen)
                seen += phi - plo
            if not terms:
                continue
            terms, docs, freqs = np.concatenate(terms), np.concatenate(docs), np.concatenate(freqs)
            positions, pos_starts = np.concatenate(positions), np.concatenate(pos_starts)
            # parts come in document order and list a key's documents ascending: a stable sort by key keeps that
            order = np.argsort(terms, kind="stable")
            docs_out.add(docs[order])
            freqs_out.add(freqs[order])
            pos_out.add(gather_runs(positions, pos_starts[order], freqs[order]))
    finally:
        for out in (docs_out, freqs_out, pos_out):
            out.close()


def _write_blobs(folder: str, name: str, off_name: str, blobs) -> None:
    """One blob file (each part's bytes in turn) and its offsets."""
    out = _Appender(folder, name)
    sizes = []
    try:
        for blob, off in blobs:
            a, b = int(off[0]), int(off[-1])
            out.add(memoryview(np.ascontiguousarray(blob[a:b])).cast("B") if b > a else b"")
            sizes.append(np.diff(np.asarray(off, dtype=np.int64)))
    finally:
        out.close()
    off = np.zeros(sum(map(len, sizes)) + 1, dtype=np.uint64)
    if sizes:
        np.cumsum(np.concatenate(sizes), out=off[1:])
    write_file(folder, off_name, off)
