"""Documents to segments: analysis of a batch into arrays (in worker processes for a rebuild), then segments.

A document handed to storage is a dict: id, path, title, body, date, extra (stored as given), sig (the signature
an incremental sync compares), day (YYYYMMDD int, 0 when unknown) and facets ({name: value}, "" when absent;
"source" at least). The source facet is also searchable as the lowercased, comma-separated `source` terms.
"""
from __future__ import annotations

import json
from collections import Counter
import os
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import numpy as np

from search.analysis import WORD_RE, term_for
from search.storage.format import FIELD_NUMBER, MAX_SEGMENT_DOCS, TEXT_FIELDS, capped_facet_names, key_for
from search.storage.segment import Part, _starts, concat_parts

#: Documents per batch handed to a worker.
BATCH_DOCS = 256
#: Below this many articles a rebuild runs in the indexer's own process: starting workers would cost more.
MIN_PARALLEL_ITEMS = 2_000
#: A rebuild writes a segment when its batches hold this many positions (bounds the parent's memory).
SEGMENT_POSITIONS = 24_000_000


class _Vocabulary:
    """This process's dictionary keys, each numbered once: a batch's tokens become integers (sorted and grouped by
    numpy as ints), and only the batch's distinct keys are sorted as bytes."""

    def __init__(self):
        self.numbers: dict[bytes, int] = {}
        self.keys: list[bytes] = [b""]  # number 0: a word the analyzer drops

    def number(self, key: bytes) -> int:
        found = self.numbers.get(key)
        if found is None:
            found = self.numbers[key] = len(self.keys)
            self.keys.append(key)
        return found


_VOCABULARY = _Vocabulary()


def _word_numberer(field: str):
    prefix = bytes((FIELD_NUMBER[field],))

    @lru_cache(maxsize=500_000)
    def number(word: str) -> int:
        term = term_for(word)
        return _VOCABULARY.number(prefix + term.encode("utf-8")) if term else 0
    return number


_TITLE, _BODY = _word_numberer("title"), _word_numberer("body")


@lru_cache(maxsize=100_000)
def _day_keys(day: int) -> tuple[int, ...]:
    """The keys of Whoosh's NUMERIC(bits=32, unsigned) terms for a day, as its NumericRange looks them up."""
    prefix = bytes((FIELD_NUMBER["day"],))
    return tuple(_VOCABULARY.number(prefix + term) for term, *_ in _DAY_FIELD.index(day)) if day else ()


def _day_field():
    from whoosh.fields import NUMERIC
    return NUMERIC(int, bits=32, signed=False, sortable=True)


_DAY_FIELD = _day_field()


def _stored_bytes(doc: dict) -> bytes:
    record = {name: doc.get(name) for name in ("id", "path", "title", "body", "date", "extra")}
    # not compressed: zlib took a ninth of a rebuild's CPU, for a store that is still smaller than FTS5's
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def analyse(docs: list[dict]) -> Part:
    """A batch of documents as one Part: every term's postings grouped with numpy, documents numbered 0..n-1."""
    n = len(docs)
    tokens: list[int] = []
    number = _VOCABULARY.number
    group_counts: list[int] = []
    lengths = np.zeros((len(TEXT_FIELDS), n), dtype=np.uint32)
    day = np.zeros(n, dtype=np.uint32)
    stored, sigs = [], []
    findall, extend, counts = WORD_RE.findall, tokens.extend, group_counts.append
    for i, doc in enumerate(docs):
        before = len(tokens)
        extend(filter(None, map(_TITLE, findall(doc.get("title") or ""))))
        title_end = len(tokens)
        extend(filter(None, map(_BODY, findall(doc.get("body") or ""))))
        body_end = len(tokens)
        lengths[0, i], lengths[1, i] = title_end - before, body_end - title_end
        tokens.append(number(key_for("id", doc["id"])))
        tokens.append(number(key_for("path", doc["path"])))
        facets = doc.get("facets") or {}
        source_terms = [s.strip().lower() for s in (facets.get("source") or "").split(",") if s.strip()]
        extend(number(key_for("source", s)) for s in source_terms)
        day[i] = doc.get("day") or 0
        day_keys = _day_keys(int(day[i]))
        extend(day_keys)
        counts(title_end - before), counts(body_end - title_end), counts(1), counts(1), counts(len(source_terms))
        counts(len(day_keys))
        stored.append(_stored_bytes(doc))
        sigs.append(f"{doc['path']}\0{doc['sig']}\0".encode("utf-8", "surrogateescape"))
    names = capped_facet_names(Counter(name for doc in docs for name in (doc.get("facets") or {})))
    facet_values = {name: [(doc.get("facets") or {}).get(name) or "" for doc in docs] for name in names}
    return _part(n, tokens, np.array(group_counts, dtype=np.int64), lengths, day, facet_values, stored, sigs)


def _blob(pieces: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    off = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)), out=off[1:])
    return np.frombuffer(b"".join(pieces), dtype=np.uint8), off


def _part(n, tokens, group_counts, lengths, day, facet_values, stored, sigs) -> Part:
    groups_per_doc = 6
    docs_of_token = np.repeat(np.repeat(np.arange(n, dtype=np.int64), groups_per_doc), group_counts)
    positions = np.arange(len(tokens), dtype=np.int64) - np.repeat(_starts(group_counts), group_counts)
    numbers, inverse = np.unique(np.array(tokens, dtype=np.int64), return_inverse=True)
    keys = np.array([_VOCABULARY.keys[k] for k in numbers.tolist()], dtype=bytes) if len(numbers) else np.zeros(0, "S1")
    by_bytes = np.argsort(keys, kind="stable")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[by_bytes] = np.arange(len(keys))
    keys, inverse = keys[by_bytes], rank[inverse.reshape(-1)]
    order = np.argsort(inverse, kind="stable")  # tokens come in document order, positions ascending
    term_s, docs_s = inverse[order], docs_of_token[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (term_s[1:] != term_s[:-1]) | (docs_s[1:] != docs_s[:-1])
    starts = np.flatnonzero(new)
    freqs = np.diff(np.append(starts, len(order)))
    df = np.bincount(term_s[starts], minlength=len(keys))
    facets = {}
    for name, values in facet_values.items():
        table = [""] + sorted(set(values) - {""})
        code = {v: i for i, v in enumerate(table)}
        facets[name] = (np.fromiter(map(code.__getitem__, values), dtype=np.uint32, count=len(values)), table)
    sto, sto_off = _blob(stored)
    sig, sig_off = _blob(sigs)
    return Part(n, keys, df, docs_s[starts].astype(np.uint32), freqs.astype(np.uint32),
                positions[order].astype(np.uint32), lengths, day, facets, sto, sto_off, sig, sig_off,
                {f: int(lengths[i].sum(dtype=np.int64)) for i, f in enumerate(TEXT_FIELDS)})


def segments_from(batches: Iterable[Part]) -> Iterator[Part]:
    """Batches regrouped into segment-sized parts (at most MAX_SEGMENT_DOCS documents, bounded positions)."""
    pending: list[Part] = []
    docs = positions = 0
    for part in batches:
        if pending and (docs + part.n > MAX_SEGMENT_DOCS or positions + len(part.positions) > SEGMENT_POSITIONS):
            yield concat_parts(pending)
            pending, docs, positions = [], 0, 0
        pending.append(part)
        docs += part.n
        positions += len(part.positions)
    if pending:
        yield concat_parts(pending)


Prepare = Callable[[object], "tuple[dict | None, object]"]
Summarise = Callable[[list], object]


def _work(args) -> tuple[Part | None, list]:
    prepare, items, summarise = args
    docs, notes = [], []
    for item in items:
        doc, note = prepare(item)
        notes.append(note)
        if doc is not None:
            docs.append(doc)
    if not docs:
        return None, notes
    part = analyse(docs)
    if summarise is not None:
        part.extra = summarise(docs)
    return part, notes


def analysed_batches(items: list, prepare: Prepare, jobs: int, on_batch: Callable[[list], None],
                     summarise: Summarise | None = None) -> Iterator[Part]:
    """Parts of `items` in order: `prepare(item)` -> (document or None, a note handed to on_batch), then analysed;
    with jobs > 1 both run in worker processes, batches of BATCH_DOCS, results kept in order. `summarise(docs)`,
    a module-level function when given, also runs there on each batch's documents; its result is the part's
    `extra` (work per document that the parent would otherwise do serially)."""
    chunks = [(prepare, items[i:i + BATCH_DOCS], summarise) for i in range(0, len(items), BATCH_DOCS)]
    if jobs <= 1 or len(items) < MIN_PARALLEL_ITEMS:
        for chunk in chunks:
            part, notes = _work(chunk)
            on_batch(notes)
            if part is not None:
                yield part
        return
    import multiprocessing
    # forkserver, not fork: a forked worker would inherit the writer lock's descriptor and, outliving a killed
    # indexer, keep the index locked
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([prepare.__module__, __name__]
                                       + ([summarise.__module__] if summarise is not None else []))
    else:
        context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_die_with_parent) as pool:
        for part, notes in pool.imap(_work, chunks):
            on_batch(notes)
            if part is not None:
                yield part


def _die_with_parent() -> None:
    """A worker ends when the process that forked it does (Linux), so a killed indexer leaves no worker behind."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def default_jobs() -> int:
    """Worker processes for a rebuild: the machine's cores."""
    return os.cpu_count() or 1
