"""The on-disk format of one generation of the index (this docstring is its specification).

A generation folder holds Whoosh's table of contents `_MAIN_1.toc` (the schema and the list of segments, with each
segment's deleted documents) and, per segment `MAIN_<id>`, these files (raw little-endian arrays, mapped at open):

    MAIN_<id>.meta   JSON: format version, document count, the dtypes below, field totals, facet value tables
    MAIN_<id>.keys   term dictionary: every key (one field byte + the UTF-8 term), sorted, concatenated
    MAIN_<id>.koff   uint64[T+1]  where key t starts in .keys
    MAIN_<id>.tdoc   uint64[T+1]  where term t's postings start in .docs/.frqs (t+1 - t = its document frequency)
    MAIN_<id>.tpos   uint64[T+1]  where term t's positions start in .pos
    MAIN_<id>.docs   uint16 or uint32 [P]  local document numbers, ascending per term
    MAIN_<id>.frqs   uint8, uint16 or uint32 [P]  occurrences of the term in that document's field
    MAIN_<id>.pos    uint16 or uint32 [sum of frqs]  positions of each posting, in posting order (read only for
                     phrases, proximity and snippets); id, path, source and day terms have positions 0, 1...
    MAIN_<id>.lens   uint32[2, n]  terms in title and body of each document
    MAIN_<id>.day    uint32[n]  YYYYMMDD, 0 when unknown
    MAIN_<id>.fct    uint32[F, n]  one code column per facet named in meta (code 0 = no value)
    MAIN_<id>.sto    each document's stored fields (UTF-8 JSON), one after another
    MAIN_<id>.soff   uint64[n+1]
    MAIN_<id>.sig    per document "path\\0signature\\0" (what an incremental sync compares)
    MAIN_<id>.sgof   uint64[n+1]

Segment files never change once written; a sync writes a new generation whose folder hard-links the segments it
keeps, so deletions live in the table of contents and every generation is immutable.
"""
from __future__ import annotations

import io
import mmap
import os
import pickle
import struct

import numpy as np

#: Bump when anything above changes: `search index` then rebuilds in full (with SCHEMA_VERSION).
FORMAT_VERSION = 3
INDEX_NAME = "MAIN"
TOC_GENERATION = 1
#: Indexed fields, in key order: a key is bytes([field number]) + the term. `day` terms are Whoosh's numeric
#: encoding (a shift byte and 4 bytes, so a key of fixed length DAY_KEY_BYTES), for Whoosh's NumericRange.
FIELDS = ("id", "path", "title", "body", "source", "day")
DAY_KEY_BYTES = 6
FIELD_NUMBER = {name: i for i, name in enumerate(FIELDS)}
#: The fields of prose: analysed, scored, searched by a bare word.
TEXT_FIELDS = ("title", "body")
STORED = ("id", "path", "title", "body", "date", "extra")
#: Segments never exceed this many documents, so local document numbers fit in 16 bits when they are this small.
MAX_SEGMENT_DOCS = 1 << 16
#: At most this many facet columns per segment (each a uint32 per document): the built-in ones always, then the
#: names the most documents have, so that a collection naming thousands of metadata fields costs no more.
MAX_FACET_COLUMNS = 64
BUILT_IN_FACETS = ("source", "story")

EXTS = ("meta", "keys", "koff", "tdoc", "tpos", "docs", "frqs", "pos", "lens", "day", "fct", "sto", "soff", "sig",
        "sgof")


def capped_facet_names(counts: dict[str, int]) -> list[str]:
    """The facet names a segment keeps, sorted: {name: documents with it} -> the built-in names, then the most
    used ones (ties by name), MAX_FACET_COLUMNS in all."""
    keep = [n for n in counts if n in BUILT_IN_FACETS]
    rest = sorted((n for n in counts if n not in BUILT_IN_FACETS), key=lambda n: (-counts[n], n))
    return sorted(keep + rest[:max(MAX_FACET_COLUMNS - len(keep), 0)])


def key_for(field: str, text: str | bytes) -> bytes:
    """The dictionary key of a term."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    return bytes((FIELD_NUMBER[field],)) + text


def key_bytes(keys) -> list[bytes]:
    """Python bytes of a numpy bytes array of keys, with the trailing NUL bytes numpy strips from day keys."""
    out = keys.tolist()
    day = FIELD_NUMBER["day"]
    return [k.ljust(DAY_KEY_BYTES, b"\0") if k[0] == day else k for k in out] if len(out) else out


def smallest_uint(maximum: int, floor: int = 8) -> str:
    """The narrowest unsigned dtype name holding `maximum` (at least `floor` bits)."""
    for bits in (8, 16, 32, 64):
        if bits >= floor and maximum < (1 << bits):
            return f"uint{bits}"
    raise ValueError(maximum)


def _write(f, data) -> None:
    f.write(data)


def write_file(folder: str, name: str, data) -> None:
    """Write bytes or an array to folder/name and fsync it before returning (it may be named by a TOC next)."""
    path = os.path.join(folder, name)
    with open(path, "xb") as f:
        if isinstance(data, np.ndarray):
            data = np.ascontiguousarray(data)
            if data.dtype.byteorder == ">":
                data = data.astype(data.dtype.newbyteorder("<"))
            data = memoryview(data).cast("B") if data.size else b""
        _write(f, data)
        f.flush()
        os.fsync(f.fileno())


def map_file(path: str):
    """A read-only memory map of a file (b"" for an empty one: an empty file cannot be mapped)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if not size:
            return b""
        return mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ)


def array_of(buffer, dtype: str, shape=None) -> np.ndarray:
    """A read-only array over a mapped file, no copy."""
    arr = np.frombuffer(buffer, dtype=np.dtype(dtype).newbyteorder("<")) if len(buffer) else np.zeros(0, dtype)
    return arr.reshape(shape) if shape is not None else arr


# -- the table of contents, read without Whoosh --------------------------------------------------------------------

class SegmentState:
    """What the TOC says of a segment (the pickled state of codec.ArraySegment, read without importing Whoosh)."""

    indexname = INDEX_NAME
    segid = ""
    compound = False
    doc_total = 0
    deleted_bytes = b""
    format_version = 0

    def segment_id(self) -> str:
        return f"{self.indexname}_{self.segid}"

    def deleted_array(self) -> np.ndarray:
        return np.frombuffer(self.deleted_bytes, dtype="<u4") if self.deleted_bytes else np.zeros(0, "<u4")


class _TocUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "search.storage.codec" and name == "ArraySegment":
            return SegmentState
        if module == "copyreg" and name in ("_reconstructor", "__newobj__"):
            return super().find_class(module, name)
        if module == "builtins" and name in ("object", "set", "frozenset", "bytes", "list", "dict", "tuple"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in a table of contents")


def toc_name(generation: int = TOC_GENERATION) -> str:
    return f"_{INDEX_NAME}_{generation}.toc"


def _varint(f) -> int:
    shift = value = 0
    while True:
        byte = f.read(1)
        if not byte:
            raise EOFError("truncated table of contents")
        value |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return value
        shift += 7


def read_toc_segments(folder: str) -> list[SegmentState]:
    """The segments named by a generation's table of contents, without unpickling its schema."""
    with open(os.path.join(folder, toc_name()), "rb") as f:
        f = io.BytesIO(f.read())
    for _ in range(3):
        _varint(f)
    marker, _version = struct.unpack("!ii", f.read(8))
    if marker != -12345:
        raise ValueError("not a Whoosh table of contents")
    for _ in range(3):
        _varint(f)
    f.seek(_varint(f), io.SEEK_CUR)  # the pickled schema
    f.read(8)  # generation, unused
    return _TocUnpickler(f).load()
