"""The rebuild's fast path writes exactly what Whoosh's own analysis and writer would: same terms, positions, bytes."""
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

import search.indexer as indexer
from search.analysis import ANALYZER, MAX_TOKEN_CHARS, term_positions
from search.bulkwriter import BulkWriter, encode_positions
from search.schema import make_schema
from search.store import IndexStore
from tests.factory import write_article

TEXTS = [
    "",
    "   \n\t ",
    "The fate of Idlib is at stake, and the negotiations continued.",
    "Erdoğan met Putin; ERDOGAN, erdogan and Erdoğan's aides — Ünal, Çavuşoğlu, Şahin, İstanbul, ı.",
    "Syria's president, the U.S. envoy and the U.N.'s O'Brien don't agree: rock'n'roll isn't dead.",
    "Numbers: 1, 12, 1.5, 3,000, 2018-09-17, 10:32, 4th, 1980s, 0.25pct, v2.0.1, $5bn, 1,000,000.",
    "a I s t of the and to in is it be as at so we he by or on do if me my up an go no us am",
    "to be or not to be that is the question whether tis nobler",
    "x" * (MAX_TOKEN_CHARS - 1) + " " + "y" * MAX_TOKEN_CHARS + " " + "z" * (MAX_TOKEN_CHARS + 1) + " ab",
    "long " + "w" * 5000 + " word " + "ẅ" * 39 + " " + "é" * 41,
    unicodedata.normalize("NFD", "Café, naïve résumé, Erdoğan, Ångström, São Paulo, Zürich, Kraków"),
    unicodedata.normalize("NFKD", "ﬁnance ﬂight Æsir Œuvre straße STRASSE ǅemal"),
    "北京欢迎你 東京タワー 서울 مرحبا بالعالم Привет мир Γειά σου κόσμε שלום",
    "emoji 🙂 in text, snake_case_name, __dunder__, tab\tseparated, hy-phen-ated, slash/joined, a.b.c.d",
    "running runs ran runner generously generous generation general conditional conditionally",
    "repeat repeat repeat Repeat REPEAT repeated repeating the repeat",
    "dotted..words ...leading trailing... mid.dle U.S.A. e.g. i.e. 3.14.15 .net node.js",
    "ﬀ ŉ ǰ ΐ İ ß ẞ ﬅ",  # characters whose lowercase or folding changes length
    "\u200bzero\u200bwidth\u00a0nbsp\u2009thin\u3000ideographic space",
    "Ⅻ ½ ² ③ ⑽ ⒈ ٣٤٥ ௰",  # numeric characters outside 0-9
    " ".join(f"w{i % 4500} of the" for i in range(6000)),  # positions past the ready-made encodings
]


def reference(text):
    """{term bytes: positions} as Whoosh's Positions format collects ANALYZER's tokens."""
    out = {}
    for token in ANALYZER(text, positions=True, mode="index"):
        out.setdefault(token.text.encode("utf-8"), []).append(token.pos)
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_term_positions_match_the_analyzer(text):
    assert term_positions(text) == reference(text)
    assert list(term_positions(text)) == list(reference(text))  # and in the same first-seen order


@pytest.mark.parametrize("text", TEXTS)
def test_fast_postings_match_whoosh_field_index(text):
    field = make_schema()["body"]
    expected = sorted(field.index(text))
    fast = sorted((term, len(poses), float(len(poses)), encode_positions(poses))
                  for term, poses in term_positions(text).items())
    assert fast == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_term_positions_match_the_analyzer_on_any_text(text):
    assert term_positions(text) == reference(text)


_PIECES = ["the", "of", "Erdoğan", "erdog\u0306an", "U.S.", "'s", "don't", "-", ".", "..", " ", "  ", "\n", "1", "3.5",
           "a", "ß", "İ", "ﬁ", "北京", "_", "x" * 39, "y" * 41, "running", "Café", "cafe\u0301", "é", "\u0301", "Ⅻ"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_term_positions_match_the_analyzer_on_wordlike_text(text):
    assert term_positions(text) == reference(text)


def test_term_positions_from_a_cold_and_a_warm_cache_agree():
    import search.analysis as analysis
    text = " ".join(TEXTS)
    warm = term_positions(text)
    analysis._term_bytes.cache_clear()
    assert term_positions(text) == warm == reference(text)


def _segment_files(index):
    """{file kind: bytes} of the one segment of the live generation (names carry a random segment id)."""
    gen = index / IndexStore(index).pointer().generation
    seg = [f.name for f in gen.iterdir() if f.suffix == ".seg"]
    assert len(seg) == 1
    cs = CompoundStorage(FileStorage(str(gen)).open_file(seg[0]), use_mmap=False)
    return {name.split(".", 1)[1]: cs.open_file(name).read() for name in cs.list()}


def _collection(folder, n=300):
    # enough documents for terms with several postings blocks (128 postings a block), varied text and metadata
    for i in range(n):
        body = " ".join(TEXTS[(i + k) % (len(TEXTS) - 1)] for k in range(3)) + f" common word{i % 7} unique{i}"
        write_article(folder, f"d/{i:04d}.txt", f"Title {i} of Erdoğan's {TEXTS[i % len(TEXTS)][:40]}",
                      f"20{i % 20 + 1:02d}-0{i % 9 + 1}-1{i % 9}" if i % 5 else None,
                      ("Reuters", "AFP", None, "BBC News")[i % 4], body)
    (folder / "empty-body.txt").write_text("---\ntitle: Only a title\n---\n", encoding="utf-8")
    (folder / "no-title.txt").write_text("of the and\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("limitmb", [256, 0.02])  # 0.02 MB: the bulk writer spills many runs and merges them
def test_a_rebuild_writes_the_same_segment_as_whoosh_writer(tmp_path, monkeypatch, limitmb):
    folder = _collection(tmp_path / "articles")
    # stories: this collection's bodies repeat, and relabelling its versions would add a second segment
    monkeypatch.setattr(indexer.stories, "THRESHOLD", 1.01)
    monkeypatch.setattr(indexer, "_bulk_writer",
                        lambda ix: BulkWriter(ix, limitmb=limitmb, codec=W3Codec(compression=0)))
    indexer.sync(folder, tmp_path / "bulk", full=True)
    monkeypatch.setattr(indexer, "_bulk_writer", indexer._writer)
    indexer.sync(folder, tmp_path / "whoosh", full=True)
    bulk, whoosh = _segment_files(tmp_path / "bulk"), _segment_files(tmp_path / "whoosh")
    assert sorted(bulk) == sorted(whoosh)
    for kind in whoosh:
        assert bulk[kind] == whoosh[kind], kind


def test_bulk_writer_refuses_an_index_with_documents(tmp_path):
    folder = _collection(tmp_path / "articles", n=3)
    indexer.sync(folder, tmp_path / "index")
    store = IndexStore(tmp_path / "index")
    ix = store.open_for_writing(store.pointer().generation)
    with pytest.raises(ValueError):
        BulkWriter(ix)
