"""A Whoosh writer for full rebuilds: the same segment, byte for byte, as Whoosh's SegmentWriter, for less work.

Whoosh's writer turns every posting into a tuple, sorts all of them (spilling sorted runs to disk and merging
them back one tuple at a time), then hands them one by one to the postings writer, looking up the document's
field length on disk for each. Here, since a rebuild adds documents in docnum order into an empty index:

- title and body are analysed by `analysis.term_positions` (one findall, a per-word cache) instead of a
  Token per word through Whoosh's Positions format; the posting values are encoded the same way;
- postings are grouped by (field, term) as they arrive, already in docnum order, so nothing is sorted but each
  field's term list; when they outgrow the memory limit, a sorted run of whole posting lists goes to disk and
  the runs are merged list by list at the end;
- each posting list is written in one go (the same blocks, statistics and term info as Whoosh's postings
  writer makes), with the field lengths taken from memory instead of read back from disk per posting.

tests/test_bulkwriter.py checks that an index built this way has the same files as one built by Whoosh.
Only for a fresh, empty index: incremental syncs (deletes, merges with older segments) use Whoosh's writer.
"""
from __future__ import annotations

import heapq
import marshal
import zlib
from array import array
from itertools import groupby, repeat
from operator import sub

from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.compat import dumps
from whoosh.filedb.filetables import _lengths as _key_value_lengths
from whoosh.system import pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from search.analysis import ANALYZER, term_positions

# Rough bytes of memory per buffered posting (two array slots, a list slot, a bytes object) and per posting list
_POSTING_BYTES = 60
_LIST_BYTES = 400


def encode_positions(poslist: list[int]) -> bytes:
    """Whoosh's Positions.encode: the count, then the pickled position deltas."""
    if len(poslist) == 1:
        pos = poslist[0]
        # a new bytes object each time: pickle would write a shared one once per block and a reference after
        return _ONE + _SINGLE[pos] if pos < _SINGLES else _ONE + dumps(poslist, 2)
    return pack_uint(len(poslist)) + dumps([b - a for a, b in zip([0] + poslist, poslist)], 2)


# Most postings are a word's only occurrence in a field: the pickled [position] ready-made for the first positions
_ONE = pack_uint(1)
_SINGLES = 4096
_SINGLE = [dumps([pos], 2) for pos in range(_SINGLES)]


class GroupedPostings:
    """Postings grouped by field and term: {field: {term bytes: (docnums, weights, values)}}, spilling to disk."""

    def __init__(self, tempstore, limitmb: float):
        self.tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self.runs: list[str] = []

    def terms(self, fieldname: str) -> dict:
        """The live {term: posting list} of one field (the writer appends to it directly)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def add(self, fieldname: str, btext: bytes, docnum: int, weight: float, vbytes: bytes | None) -> None:
        """One posting of a document later than any added so far."""
        terms = self.terms(fieldname)
        plist = terms.get(btext)
        if plist is None:
            plist = terms[btext] = (array("I"), array("f"), [])
            self.size += _LIST_BYTES
        plist[0].append(docnum)
        plist[1].append(weight)
        plist[2].append(vbytes or b"")
        self.size += _POSTING_BYTES + len(vbytes or b"")

    def check_size(self) -> None:
        """Spill the buffered posting lists to a sorted run on disk when they exceed the memory limit."""
        if self.size > self.limit:
            self._spill()

    def _sorted(self):
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for btext in sorted(terms):
                docs, weights, values = terms[btext]
                yield fieldname, btext, docs, weights, values

    def _spill(self) -> None:
        name = f"bulk{len(self.runs)}.run"
        f = self.tempstore.create_file(name).raw_file()
        try:
            for fieldname, btext, docs, weights, values in self._sorted():
                marshal.dump((fieldname, btext, docs.tobytes(), weights.tobytes(), values), f)
        finally:
            f.close()
        self.runs.append(name)
        self.fields = {}
        self.size = 0

    def _read_run(self, name: str):
        f = self.tempstore.open_file(name).raw_file()
        try:
            while True:
                try:
                    fieldname, btext, docs, weights, values = marshal.load(f)
                except EOFError:
                    return
                yield fieldname, btext, array("I", docs), array("f", weights), values
        finally:
            f.close()

    def posting_lists(self):
        """Yield (field, term, docnums, weights, values) sorted by field and term, each list in docnum order."""
        if not self.runs:
            yield from self._sorted()
            return
        # runs hold earlier documents than later runs and than memory; heapq.merge keeps that order on ties
        streams = [self._read_run(name) for name in self.runs] + [self._sorted()]
        merged = heapq.merge(*streams, key=lambda p: (p[0], p[1]))
        for (fieldname, btext), parts in groupby(merged, key=lambda p: (p[0], p[1])):
            docs, weights, values = array("I"), array("f"), []
            for _, _, d, w, v in parts:
                docs.extend(d)
                weights.extend(w)
                values.extend(v)
            yield fieldname, btext, docs, weights, values

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.fields = {}


class BulkWriter(SegmentWriter):
    """SegmentWriter for filling a new, empty index with documents: see the module docstring."""

    def __init__(self, ix, limitmb: float = 128, codec=None):
        if not ix.is_empty():
            raise ValueError("BulkWriter only fills an empty index")
        super().__init__(ix, limitmb=limitmb, codec=codec)
        self.pool = GroupedPostings(self._tempstorage, limitmb)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"BulkWriter does not write vectors or spelling ({name})")
        # fields whose analysis term_positions does exactly: our analyzer, positions format
        self._fast = {name for name, field in self.schema.items()
                      if field.indexed and field.analyzer is ANALYZER and type(field.format) is formats.Positions}
        # {field: field length of each docnum as the lengths column gives it back, 0 for none}, for the blocks
        self._lengths: dict[str, array] = {}
        # {field: {value: field.index(value) items}} for fields whose values repeat (source, day) and whose
        # posting values are fixed-size (pickle must not see one bytes object shared by several postings)
        self._memo: dict[str, dict] = {name: {} for name, field in self.schema.items()
                                       if field.indexed and name not in self._fast and field.format
                                       and (field.format.fixed_value_size() is not None)
                                       and field.format.fixed_value_size() >= 0}
        self._memo_misses: dict[str, int] = {}

    def add_reader(self, reader):
        raise NotImplementedError("BulkWriter only adds documents")

    def add_document(self, **fields):
        """Whoosh's SegmentWriter.add_document, with the fast path for analysed text and grouped postings."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    if fieldname in self._fast and isinstance(value, str):
                        length = self._add_text(fieldname, field, value, docnum, fieldboost)
                    else:
                        for tbytes, freq, weight, vbytes in self._index(fieldname, field, value):
                            pool.add(fieldname, tbytes, docnum, weight * fieldboost, vbytes)
                            if scorable:
                                length += freq
                    if scorable and length:
                        lbyte = length_to_byte(length)
                        if lbyte:
                            lengths = self._lengths.setdefault(fieldname, array("I"))
                            lengths.extend(repeat(0, docnum - len(lengths)))
                            lengths.append(byte_to_length(lbyte))

                customval = fields.get("_stored_%s" % fieldname, value)
                sv = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, sv, length)

                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise

        perdocwriter.finish_doc()
        pool.check_size()
        self._added = True
        self.docnum += 1

    def _index(self, fieldname, field, value):
        # field.index(value), remembered while a field's values keep repeating
        memo = self._memo.get(fieldname)
        if memo is None or type(value) not in (str, int):
            return field.index(value)
        items = memo.get(value)
        if items is None:
            items = list(field.index(value))
            misses = self._memo_misses[fieldname] = self._memo_misses.get(fieldname, 0) + 1
            if misses > 1000 and misses * 2 > self.docnum:  # mostly new values (an id, a path): stop trying
                del self._memo[fieldname]
            elif len(memo) < 100_000:
                memo[value] = items
        return items

    def _add_text(self, fieldname, field, value: str, docnum: int, fieldboost: float) -> int:
        # what field.index() -> Positions.word_values() would give, without a Token per word
        boost = field.format.field_boost * fieldboost
        add = self.pool.add
        length = 0
        for btext, poslist in term_positions(value).items():
            freq = len(poslist)
            add(fieldname, btext, docnum, float(freq) * boost, encode_positions(poslist))
            length += freq
        return length

    def _flush_segment(self):
        """Write the grouped posting lists into Whoosh's postings file and term table, a whole term at a time."""
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        add_term = _TermTable(fieldwriter._tindex).add
        lastfn = None
        for fieldname, btext, docs, weights, values in self.pool.posting_lists():
            if fieldname != lastfn:
                if lastfn is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                pw = fieldwriter._postwriter
                if pw._inlinelimit > 1 or pw._byteids:
                    raise ValueError("BulkWriter writes no inlined postings")  # W3Codec's default inlinelimit is 1
                term = _TermWriter(fieldwriter._postfile, pw._blocklimit, pw._compression,
                                   self.schema[fieldname].format.fixed_value_size(), self._lengths.get(fieldname))
                prefix = pack_ushort(fieldwriter._fieldid)
                lastfn = fieldname
            add_term(prefix + btext, term.write(docs, weights, values).to_bytes())
        if lastfn is not None:
            fieldwriter.finish_field()
        fieldwriter.close()


class _TermTable:
    """OrderedHashWriter.add() without a tell() and three writes per term: the same file."""

    def __init__(self, tindex):
        self.tindex = tindex
        self.pos = tindex.dbfile.tell()

    def add(self, key: bytes, value: bytes) -> None:
        tindex = self.tindex
        if key <= tindex.lastkey:
            raise ValueError("Keys must increase: %r..%r" % (tindex.lastkey, key))
        pos = self.pos
        tindex.index.append(pos)
        data = _key_value_lengths.pack(len(key), len(value)) + key + value
        tindex.dbfile.write(data)
        h = tindex.hashfn(key)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = key
        self.pos = pos + len(data)


class _TermWriter:
    """Whoosh's W3PostingsWriter, one whole posting list at a time: the same blocks, statistics and bytes."""

    def __init__(self, postfile, blocklimit: int, compression: int, fixedsize, lengths: array | None):
        self.postfile = postfile
        self.offset = postfile.tell()
        self.blocklimit = blocklimit
        self.compression = compression
        self.fixedsize = fixedsize
        self.lengths = lengths

    def write(self, docs: array, weights: array, values: list) -> W3TermInfo:
        """Write one term's postings (docnum order) to the postings file; return its term info."""
        postfile, limit, comp, lengths = self.postfile, self.blocklimit, self.compression, self.lengths
        info = W3TermInfo()
        info._minid = docs[0]
        info._maxid = docs[-1]
        startoffset = self.offset
        out = [WHOOSH3_HEADER_MAGIC]
        n = len(docs)
        for start in range(0, n, limit):
            end = start + limit
            ids = docs[start:end]
            ws = weights[start:end]
            count = len(ids)
            # block statistics, as add_posting() gathers them and W3TermInfo.add_block() sums them
            maxweight = max(ws)
            if not maxweight > 0:
                maxweight = 0
            minlength, maxlength = None, 0
            if lengths:
                present = list(filter(None, map(lengths.__getitem__, ids)))
                if present:
                    minlength, maxlength = min(present), max(present)
            info._weight += sum(ws)
            info._df += count
            info._minlength = minlength if info._minlength is None else min(info._minlength, minlength)
            info._maxlength = max(info._maxlength, maxlength)
            info._maxweight = max(info._maxweight, maxweight)
            # the block: _mini_ids(), _mini_weights(), _mini_values() pickled, then the info tuple
            mini_ids = (ids[0],) + tuple(map(sub, ids[1:], ids[:-1])) if count > 1 else (ids[0],)
            if ws.count(1.0) == count:
                mini_weights = None
            elif ws.count(ws[0]) == count:
                mini_weights = ws[0]
            else:
                mini_weights = tuple(ws)
            block_values = [v for v in values[start:end] if v]
            fixedsize = self.fixedsize
            if fixedsize is None or fixedsize < 0:
                mini_values = tuple(block_values)
            elif fixedsize == 0:
                mini_values = None
            else:
                mini_values = b"".join(block_values)
            databytes = dumps((mini_ids, mini_weights, mini_values), 2)
            if comp:
                databytes = zlib.compress(databytes, comp)
            infobytes = dumps((count, ids[-1], maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength)), 2)
            blocklength = len(infobytes) + len(databytes)
            out.append(pack_int(-blocklength if end >= n else blocklength))
            out.append(infobytes)
            out.append(databytes)
        data = b"".join(out)
        postfile.write(data)
        self.offset += len(data)
        info.set_extent(startoffset, len(data))
        return info
