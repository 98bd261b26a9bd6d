"""Documents to segments: analysis of a batch into arrays (in worker processes for a rebuild), then segments.

A document handed to storage is a dict: id, path, title, body, date, extra (stored as given), sig (the signature
an incremental sync compares), day (YYYYMMDD int, 0 when unknown) and facets ({name: value}, "" when absent;
"source" at least). The source facet is also searchable as the lowercased, comma-separated `source` terms.
"""
from __future__ import annotations

import json
import os
from collections import Counter, deque
from itertools import chain, islice
from typing import Callable, Iterable, Iterator

import numpy as np

from search.analysis import ASCII_WORD_RE, WORD_RE, ascii_term, term_for
from search.storage.format import FIELD_NUMBER, MAX_SEGMENT_DOCS, TEXT_FIELDS, capped_facet_names, key_for
from search.storage.segment import Part, _starts

#: Documents per batch handed to a worker.
BATCH_DOCS = 256
#: Below this many articles a rebuild runs in the indexer's own process: starting workers would cost more.
MIN_PARALLEL_ITEMS = 2_000
#: A rebuild writes a segment when its batches hold this many positions (bounds the parent's memory).
SEGMENT_POSITIONS = 24_000_000
#: Batches handed to each worker ahead of the one the parent is waiting for.
IN_FLIGHT = 3


class _WordNumbers(dict):
    """One field's raw words (str, or bytes for a word found in an ASCII text) -> their numbers; a word met for
    the first time is analysed (ascii_term or term_for) and numbered by __missing__, so a batch's look-ups are one
    map() in C. A word the analysis drops gets a negative number from `dropped` where it is given (the body: a
    rebuild's story signatures tell "day 1" from "day 2", search/story_words.py), else 0; analyse indexes only
    the positive ones."""

    __slots__ = ("prefix", "number", "dropped")

    def __init__(self, prefix: bytes, number: Callable[[bytes], int], dropped: Callable[[str], int] | None = None):
        super().__init__()
        self.prefix, self.number, self.dropped = prefix, number, dropped

    def __missing__(self, word: str | bytes) -> int:
        term = ascii_term(word) if isinstance(word, bytes) else (term_for(word) or "").encode("utf-8")
        if term:
            found = self.number(self.prefix + term)
        elif self.dropped is not None:
            found = self.dropped(word if isinstance(word, str) else word.decode("ascii"))
        else:
            found = 0
        self[word] = found
        return found


class _Vocabulary:
    """This process's dictionary keys, each numbered once: a batch's tokens become integers (sorted and grouped by
    numpy as ints), and only the batch's distinct keys are sorted as bytes. Numbers only live within one batch
    (analyse turns them back into keys), so the vocabulary is dropped whenever it outgrows MAX_WORDS: a worker's
    memory stays bounded however many distinct words a collection has."""

    MAX_WORDS = 400_000

    def __init__(self):
        self.numbers: dict[bytes, int] = {}
        self.keys: list[bytes] = [b""]  # number 0: never given (a word the analyzer drops has a negative one)
        self.dropped_words: list[str] = []  # number -1 - k: the k-th raw word the analyzer drops
        self._dropped_numbers: dict[str, int] = {}
        # raw word -> number, per field
        self.words = {field: _WordNumbers(bytes((FIELD_NUMBER[field],)), self.number,
                                          self.dropped if field == "body" else None)
                      for field in TEXT_FIELDS}

    def number(self, key: bytes) -> int:
        found = self.numbers.get(key)
        if found is None:
            found = self.numbers[key] = len(self.keys)
            self.keys.append(key)
        return found

    def dropped(self, word: str) -> int:
        found = self._dropped_numbers.get(word)
        if found is None:
            found = self._dropped_numbers[word] = -1 - len(self.dropped_words)
            self.dropped_words.append(word)
        return found

    def reset_if_full(self) -> None:
        if len(self.keys) > self.MAX_WORDS or sum(map(len, self.words.values())) > 2 * self.MAX_WORDS:
            self.__init__()

    def word_numbers(self, field: str, per_doc: list[list], total: int) -> np.ndarray:
        """The numbers of a field's raw words, document after document (negative for a word the analyzer drops):
        dictionary look-ups, and the analysis (term_for) only for words this process has not met in that field."""
        return np.fromiter(map(self.words[field].__getitem__, chain.from_iterable(per_doc)), dtype=np.int64,
                           count=total)


_VOCABULARY = _Vocabulary()

_DAY_KEYS: dict[int, tuple[bytes, ...]] = {}


def _day_keys(day: int) -> tuple[bytes, ...]:
    """The keys of Whoosh's NUMERIC(bits=32, unsigned) terms for a day, as its NumericRange looks them up."""
    found = _DAY_KEYS.get(day)
    if found is None:
        prefix = bytes((FIELD_NUMBER["day"],))
        found = tuple(prefix + term for term, *_ in _DAY_FIELD.index(day)) if day else ()
        if len(_DAY_KEYS) < 100_000:
            _DAY_KEYS[day] = found
    return found


def _day_field():
    from whoosh.fields import NUMERIC
    return NUMERIC(int, bits=32, signed=False, sortable=True)


_DAY_FIELD = _day_field()


#: json.dumps with these options would make a new encoder for every document.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _stored_bytes(doc: dict) -> bytes:
    record = {name: doc.get(name) for name in ("id", "path", "title", "body", "date", "extra")}
    # not compressed: zlib took a ninth of a rebuild's CPU, for a store that is still smaller than FTS5's
    return _JSON.encode(record).encode("utf-8", "surrogatepass")


def _runs(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, index within its run) of every element of consecutive runs of the given lengths."""
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return owner, np.arange(len(owner), dtype=np.int64) - np.repeat(_starts(counts), counts)


def analyse(docs: list[dict], body_words: list | None = None) -> Part:
    """A batch of documents as one Part: every term's postings grouped with numpy, documents numbered 0..n-1.

    Tokens are laid out field by field (every title, then every body, ...): a key belongs to one field, so a
    stable sort by key still lists each key's documents ascending and their positions ascending. `body_words`,
    when given, receives the bodies' words as found here: (their numbers, document after document, negative for
    a word the analysis drops; the words of each body; the vocabulary's keys, by number; the raw words it drops, by -1 -
    number)."""
    vocabulary = _VOCABULARY
    vocabulary.reset_if_full()
    n = len(docs)
    findall, findall_ascii = WORD_RE.findall, ASCII_WORD_RE.findall
    lengths = np.zeros((len(TEXT_FIELDS), n), dtype=np.uint32)
    groups_tokens, groups_counts = [], []
    for f, field in enumerate(TEXT_FIELDS):
        texts = [doc.get(field) or "" for doc in docs]
        per_doc = [findall_ascii(text.encode("ascii")) if text.isascii() else findall(text) for text in texts]
        counts = np.fromiter(map(len, per_doc), dtype=np.int64, count=n)
        numbers = vocabulary.word_numbers(field, per_doc, int(counts.sum()))
        # a rebuild's stories sign these words (search/story_signatures.py)
        if field == "body" and body_words is not None:
            body_words[:] = numbers, counts, vocabulary.keys, vocabulary.dropped_words
        kept = numbers > 0
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        kept_before = np.concatenate(([0], np.cumsum(kept, dtype=np.int64)))
        counts = kept_before[bounds[1:]] - kept_before[bounds[:-1]]
        lengths[f] = counts
        groups_tokens.append(numbers[kept])
        groups_counts.append(counts)
    # ids and paths are one of a kind: numbered for this batch only, never kept in the vocabulary
    local: dict[bytes, int] = {}  # numbered -1, -2, ...
    for field in ("id", "path"):
        nums = [local.setdefault(key_for(field, doc[field]), -1 - len(local)) for doc in docs]
        groups_tokens.append(np.array(nums, dtype=np.int64))
        groups_counts.append(np.ones(n, dtype=np.int64))
    number = vocabulary.number
    day = np.fromiter((doc.get("day") or 0 for doc in docs), dtype=np.uint32, count=n)
    source_tokens, source_counts, day_tokens, day_counts = [], [], [], []
    # a batch's documents share a few sources and days: each one's terms numbered once
    by_source: dict[str, list[int]] = {}
    by_day: dict[int, list[int]] = {}
    for doc, d in zip(docs, day.tolist()):
        source = (doc.get("facets") or {}).get("source") or ""
        found = by_source.get(source)
        if found is None:
            terms = [s.strip().lower() for s in source.split(",") if s.strip()]
            found = by_source[source] = [number(key_for("source", s)) for s in terms]
        source_tokens += found
        source_counts.append(len(found))
        found = by_day.get(d)
        if found is None:
            found = by_day[d] = list(map(number, _day_keys(d)))
        day_tokens += found
        day_counts.append(len(found))
    groups_tokens += [np.array(source_tokens, dtype=np.int64), np.array(day_tokens, dtype=np.int64)]
    groups_counts += [np.array(source_counts, dtype=np.int64), np.array(day_counts, dtype=np.int64)]
    stored = [_stored_bytes(doc) for doc in docs]
    sigs = [f"{doc['path']}\0{doc['sig']}\0".encode("utf-8", "surrogateescape") for doc in docs]
    names = capped_facet_names(Counter(name for doc in docs for name in (doc.get("facets") or {})))
    facet_values = {name: [(doc.get("facets") or {}).get(name) or "" for doc in docs] for name in names}
    owners, positions = zip(*map(_runs, groups_counts))
    return _part(n, np.concatenate(groups_tokens), np.concatenate(owners), np.concatenate(positions),
                 vocabulary.keys, list(local), lengths, day, facet_values, stored, sigs)


def _blob(pieces: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    off = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)), out=off[1:])
    return np.frombuffer(b"".join(pieces), dtype=np.uint8), off


def _part(n, tokens, docs_of_token, positions, words, local, lengths, day, facet_values, stored, sigs) -> Part:
    # the batch's distinct numbers by marking a table (numbers are small: the vocabulary, and the batch's -1, -2...)
    shifted = tokens + len(local)
    present = np.zeros(len(words) + len(local), dtype=bool)
    present[shifted] = True
    numbers = np.flatnonzero(present)
    slot = np.cumsum(present, dtype=np.int64) - 1
    inverse = slot[shifted]
    numbers -= len(local)
    keys = (np.array([words[k] if k >= 0 else local[-1 - k] for k in numbers.tolist()], dtype=bytes)
            if len(numbers) else np.zeros(0, "S1"))
    by_bytes = np.argsort(keys, kind="stable")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[by_bytes] = np.arange(len(keys))
    keys, inverse = keys[by_bytes], rank[inverse]
    # tokens come field by field in document order, positions ascending: a stable sort by key keeps that (numpy
    # sorts 16-bit keys stably by radix, so the common batch of fewer than 65,536 keys takes that road)
    order = np.argsort(inverse.astype(np.uint16) if len(keys) <= 1 << 16 else inverse, kind="stable")
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


def segment_groups(batches: Iterable[Part]) -> Iterator[list[Part]]:
    """Batches grouped into the parts of one segment each (at most MAX_SEGMENT_DOCS documents and about
    SEGMENT_POSITIONS positions): each group is written by assemble.write_parts and then let go, so a rebuild
    holds one segment's batches at a time, whatever the collection's size."""
    pending: list[Part] = []
    docs = positions = 0
    for part in batches:
        if pending and (docs + part.n > MAX_SEGMENT_DOCS or positions + len(part.positions) > SEGMENT_POSITIONS):
            yield pending
            pending, docs, positions = [], 0, 0
        pending.append(part)
        docs += part.n
        positions += len(part.positions)
    if pending:
        yield pending


Prepare = Callable[[object], "tuple[dict | None, object]"]
Summarise = Callable[..., object]


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
    words: list | None = [] if summarise is not None else None
    part = analyse(docs, words)
    if summarise is not None:
        part.extra = summarise(docs, *words)
    return part, notes


def analysed_batches(items: list, prepare: Prepare, jobs: int, on_batch: Callable[[list], None],
                     summarise: Summarise | None = None) -> Iterator[Part]:
    """Parts of `items` in order: `prepare(item)` -> (document or None, a note handed to on_batch), then analysed;
    with jobs > 1 both run in worker processes, batches of BATCH_DOCS, results
    kept in order. `summarise(docs, numbers, counts, keys, dropped)`, a module-level function when given, also runs
    there on each batch's documents and the words analyse found in their bodies (its `body_words`); its result is
    the part's `extra` (work per document that the parent would otherwise do serially)."""
    chunks = ((prepare, items[i:i + BATCH_DOCS], summarise) for i in range(0, len(items), BATCH_DOCS))
    if jobs <= 1 or len(items) < MIN_PARALLEL_ITEMS:
        for chunk in chunks:
            part, notes = _work(chunk)
            on_batch(notes)
            if part is not None:
                yield part
        return
    context = _context([prepare.__module__] + ([summarise.__module__] if summarise is not None else []))
    with context.Pool(jobs, initializer=_die_with_parent) as pool:
        # a window of batches handed out, not all of them (as imap would): a batch the parent has not taken yet
        # waits in the parent's memory, so at most IN_FLIGHT per worker ever do, however large the collection
        window = deque(pool.apply_async(_work, (chunk,)) for chunk in islice(chunks, IN_FLIGHT * jobs))
        while window:
            part, notes = window.popleft().get()
            following = next(chunks, None)
            if following is not None:
                window.append(pool.apply_async(_work, (following,)))
            on_batch(notes)
            if part is not None:
                yield part


def _context(modules: list[str]):
    import multiprocessing
    # forkserver, not fork: a forked worker would inherit the writer lock's descriptor and, outliving a killed
    # indexer, keep the index locked
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(dict.fromkeys(modules + [__name__])))
    return context


def start_workers_early(modules: list[str]) -> None:
    """Start the server that forks a rebuild's workers now, importing `modules` (those of analysed_batches'
    prepare and summarise): its interpreter starts and imports while the caller lists the articles folder, instead
    of when the first batch is handed out. Nothing to do where workers are spawned, not forked from a server."""
    context = _context(modules)
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver
        forkserver.ensure_running()


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
