"""The format seen through Whoosh's own interfaces: a Codec, its Segment (pickled in Whoosh's TOC) and readers.

With these, `whoosh.index.open_dir(generation_folder)` opens an index and Whoosh's searcher answers queries
over the arrays (one posting at a time in Python: the conformance path, not the engine's hot path). This module
and its package are the only code that touches Whoosh's internals; it is written against Whoosh-Reloaded 2.7.5.
"""
from __future__ import annotations

import os
import secrets
import weakref

import numpy as np
from whoosh import columns as wcolumns
from whoosh.codec import base
from whoosh.compat import dumps
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.matching import ListMatcher
from whoosh.reading import TermInfo, TermNotFound
from whoosh.system import pack_uint

from search import npsets
from search.storage.format import FIELDS, FIELD_NUMBER, FORMAT_VERSION, INDEX_NAME, TEXT_FIELDS, TOC_GENERATION
from search.storage.segment import SegmentFiles

_OPEN: "weakref.WeakValueDictionary[tuple, SegmentFiles]" = weakref.WeakValueDictionary()


def segment_files(folder: str, segment_id: str) -> SegmentFiles:
    """The mapped files of a segment, shared by every reader of that folder while any holds them."""
    key = (os.path.abspath(folder), segment_id)
    files = _OPEN.get(key)
    if files is None:
        files = _OPEN[key] = SegmentFiles(folder, segment_id)
    return files


class ArraySegment(base.Segment):
    """A segment of this format. Its state (pickled in the TOC) is plain data: format.SegmentState reads it."""

    def __init__(self, segid: str, doc_total: int, deleted: np.ndarray | None = None):
        self.indexname = INDEX_NAME
        self.segid = segid
        self.compound = False
        self.doc_total = doc_total
        self.format_version = FORMAT_VERSION
        self.deleted_bytes = b""
        if deleted is not None and len(deleted):
            self.deleted_bytes = npsets.unique(deleted).astype("<u4").tobytes()

    @staticmethod
    def new_id() -> str:
        # from the OS's entropy pool: a seeded global `random` (as Whoosh uses) could repeat a kept segment's name
        return secrets.token_hex(8)

    def codec(self):
        return ArrayCodec()

    def doc_count_all(self):
        return self.doc_total

    def deleted_array(self) -> np.ndarray:
        return np.frombuffer(self.deleted_bytes, dtype="<u4") if self.deleted_bytes else np.zeros(0, "<u4")

    def deleted_count(self):
        return len(self.deleted_bytes) // 4

    def deleted_docs(self):
        return iter(self.deleted_array().tolist())

    def delete_document(self, docnum, delete=True):
        raise NotImplementedError("segments are immutable: a sync writes a new generation")

    def is_deleted(self, docnum):
        d = self.deleted_array()
        i = int(np.searchsorted(d, docnum))
        return i < len(d) and int(d[i]) == docnum

    def should_assemble(self):
        return False


class ArrayCodec(base.Codec):
    """Reads ArraySegments; writing goes through search.storage (never Whoosh's per-posting writer)."""

    def terms_reader(self, storage, segment):
        return ArrayTermsReader(segment_files(storage.folder, segment.segment_id()))

    def per_document_reader(self, storage, segment):
        return ArrayPerDocReader(segment_files(storage.folder, segment.segment_id()), segment)

    def automata(self, storage, segment):
        return base.Automata()

    def new_segment(self, storage, indexname):
        return ArraySegment(ArraySegment.new_id(), 0)


def _split(key: bytes) -> tuple[str, bytes]:
    return FIELDS[key[0]], key[1:]


class _Cursor(base.FieldCursor):
    """Walks one field's terms in order (for Whoosh's fuzzy-term automaton)."""

    def __init__(self, files: SegmentFiles, fieldname: str):
        self._files, self._number = files, FIELD_NUMBER.get(fieldname, 255)
        self._lo = files.find(bytes((self._number,)))
        self._hi = files.find(bytes((self._number + 1,))) if self._number < 255 else self._lo
        self._i = self._lo

    def first(self):
        self._i = self._lo
        return self.text()

    def find(self, string):
        if isinstance(string, str):
            string = string.encode("utf-8")
        self._i = max(self._lo, min(self._hi, self._files.find(bytes((self._number,)) + string)))
        return self.text()

    def next(self):
        self._i = min(self._i + 1, self._hi)
        return self.text()

    def term(self):
        return None if self._i >= self._hi else self._files.key(self._i)[1:]

    def text(self):
        t = self.term()
        return None if t is None else t.decode("utf-8", "surrogatepass")

    def is_valid(self):
        return self._i < self._hi


class ArrayTermsReader(base.TermsReader):
    """Whoosh's TermsReader over the mapped dictionary and postings."""

    def __init__(self, files: SegmentFiles):
        self._files = files

    def _index(self, fieldname, text) -> int:
        if fieldname not in FIELD_NUMBER:
            return -1
        return self._files.term(bytes((FIELD_NUMBER[fieldname],)) + text)

    def __contains__(self, term):
        return self._index(*term) >= 0

    def cursor(self, fieldname, fieldobj):
        return _Cursor(self._files, fieldname)

    def _items(self, lo):
        files = self._files
        for t in range(lo, files.term_count):
            yield _split(files.key(t)), self._info(t)

    def terms(self):
        return (k for k, _ in self._items(0))

    def terms_from(self, fieldname, prefix):
        return (k for k, _ in self.items_from(fieldname, prefix))

    def items(self):
        return self._items(0)

    def items_from(self, fieldname, prefix):
        if fieldname not in FIELD_NUMBER:
            return iter(())
        return self._items(self._files.find(bytes((FIELD_NUMBER[fieldname],)) + prefix))

    def _info(self, t) -> TermInfo:
        files = self._files
        docs, freqs = files.postings(t)
        field = FIELDS[files.key(t)[0]]
        minlength = maxlength = 1
        if field in TEXT_FIELDS and len(docs):
            lengths = files.lengths[TEXT_FIELDS.index(field)][docs]
            minlength, maxlength = int(lengths.min()), int(lengths.max())
        return TermInfo(weight=float(freqs.sum(dtype=np.int64)), df=len(docs), minlength=minlength,
                        maxlength=maxlength,
                        maxweight=float(freqs.max()) if len(freqs) else 0.0,
                        minid=int(docs[0]) if len(docs) else None, maxid=int(docs[-1]) if len(docs) else 0)

    def term_info(self, fieldname, text):
        t = self._index(fieldname, text)
        if t < 0:
            raise TermNotFound(f"{fieldname}:{text!r}")
        return self._info(t)

    def frequency(self, fieldname, text):
        t = self._index(fieldname, text)
        return 0 if t < 0 else float(self._files.postings(t)[1].sum(dtype=np.int64))

    def doc_frequency(self, fieldname, text):
        t = self._index(fieldname, text)
        return 0 if t < 0 else int(self._files.tdoc[t + 1] - self._files.tdoc[t])

    def matcher(self, fieldname, text, format_, scorer=None):
        t = self._index(fieldname, text)
        if t < 0:
            raise TermNotFound(f"{fieldname}:{text!r}")
        docs, freqs = self._files.postings(t)
        values = None
        if format_ is not None and format_.supports("positions"):
            files = self._files
            values = [_positions_bytes(files.positions_of(t, i).tolist()) for i in range(len(docs))]
        return ListMatcher(docs.tolist(), freqs.astype(np.float64).tolist(), values, format=format_,
                           scorer=scorer, term=(fieldname, text), terminfo=self._info(t))

    def indexed_field_names(self):
        return [f for f in FIELDS if self._files.find(bytes((FIELD_NUMBER[f],))) <
                self._files.find(bytes((FIELD_NUMBER[f] + 1,)))]

    def close(self):
        pass


def _positions_bytes(poslist: list[int]) -> bytes:
    """whoosh.formats.Positions.encode: the count, then the pickled gaps."""
    deltas = [b - a for a, b in zip([0] + poslist, poslist)]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class _ArrayColumnReader(wcolumns.ColumnReader):
    def __init__(self, values):
        self._values = values

    def __len__(self):
        return len(self._values)

    def __getitem__(self, docnum):
        return self._values[docnum]

    def __iter__(self):
        return iter(self._values)

    def sort_key(self, docnum):
        return self._values[docnum]


class ArrayPerDocReader(base.PerDocumentReader):
    """Whoosh's PerDocumentReader over the mapped columns and stored fields."""

    #: Whoosh columns this reader can answer, from the format's own columns.
    COLUMNS = ("day", "source_name", "sig", "path")

    def __init__(self, files: SegmentFiles, segment):
        self._files, self._segment = files, segment

    def doc_count(self):
        return self._files.n - self._segment.deleted_count()

    def doc_count_all(self):
        return self._files.n

    def has_deletions(self):
        return self._segment.deleted_count() > 0

    def is_deleted(self, docnum):
        return self._segment.is_deleted(docnum)

    def deleted_docs(self):
        return self._segment.deleted_docs()

    def all_doc_ids(self):
        keep = np.ones(self._files.n, dtype=bool)
        keep[self._segment.deleted_array().astype(np.int64)] = False
        return iter(np.flatnonzero(keep).tolist())

    def supports_columns(self):
        return True

    def has_column(self, fieldname):
        return fieldname in self.COLUMNS

    def list_columns(self):
        return list(self.COLUMNS)

    def column_reader(self, fieldname, column):
        files = self._files
        if fieldname == "day":
            return _ArrayColumnReader(files.day.tolist())
        if fieldname == "source_name":
            if "source" in files.facet_names:
                values = [v.encode("utf-8") for v in files.meta["facets"]["source"]]
                codes = files.facet_codes[files.facet_names.index("source")].tolist()
                return _ArrayColumnReader([values[c] for c in codes])
            return _ArrayColumnReader([b""] * files.n)
        paths, sigs = files.signatures()
        if fieldname == "sig":
            return _ArrayColumnReader([s.encode("utf-8") for s in sigs])
        return _ArrayColumnReader(paths)

    def _field(self, fieldname):
        return TEXT_FIELDS.index(fieldname) if fieldname in TEXT_FIELDS else -1

    def doc_field_length(self, docnum, fieldname, default=0):
        i = self._field(fieldname)
        return default if i < 0 else int(self._files.lengths[i, docnum])

    def field_length(self, fieldname):
        i = self._field(fieldname)
        if i < 0:
            return 0
        lengths = self._files.lengths[i]
        deleted = self._segment.deleted_array().astype(np.int64)
        return int(lengths.sum(dtype=np.int64) - lengths[deleted].sum(dtype=np.int64))

    def min_field_length(self, fieldname):
        return self._files.meta["min_lengths"].get(fieldname, 0)

    def max_field_length(self, fieldname):
        return self._files.meta["max_lengths"].get(fieldname, 0)

    def has_vector(self, docnum, fieldname):
        return False

    def stored_fields(self, docnum):
        return {k: v for k, v in self._files.stored(docnum).items() if v is not None}

    def all_stored_fields(self):
        for docnum in self.all_doc_ids():
            yield self.stored_fields(docnum)

    def close(self):
        pass


class _DurableStorage(FileStorage):
    """FileStorage whose files are fsynced before close and whose renames are synced (the TOC's commit)."""

    def create_file(self, name, excl=False, mode="wb", **kwargs):
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        chained = f.onclose

        def sync_then_close(sf):
            if chained:
                chained(sf)
            sf.file.flush()
            os.fsync(sf.file.fileno())

        f.onclose = sync_then_close
        return f

    def rename_file(self, oldname, newname, safe=False):
        super().rename_file(oldname, newname, safe=safe)
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_toc(folder: str, schema, segments: list[ArraySegment]) -> None:
    """Write the generation's table of contents (fsynced, renamed into place, the folder synced)."""
    TOC(schema, segments, TOC_GENERATION).write(_DurableStorage(folder), INDEX_NAME)


def read_toc(folder: str, schema=None):
    """Whoosh's TOC of a generation folder."""
    return TOC.read(FileStorage(folder, readonly=True), INDEX_NAME, TOC_GENERATION, schema=schema)


def open_index(folder):
    """A generation as a read-only Whoosh FileIndex (what `whoosh.index.open_dir(folder)` gives)."""
    from whoosh.index import FileIndex
    from search.schema import make_schema
    read_toc(str(folder))  # raises now, not at the first search, when the generation is unreadable
    return FileIndex(FileStorage(str(folder), readonly=True), schema=make_schema(), indexname=INDEX_NAME)
