"""The query path's shortcuts give the same answers as the slow ways they replace, and never outlive a sync."""
from __future__ import annotations

import random

import pytest
from whoosh.filedb.filestore import FileStorage

from search.analysis import ANALYZER
from search.schema import make_schema
from search.spelling import Vocabulary, levenshtein
from whoosh.support.levenshtein import levenshtein as whoosh_levenshtein

WORDS = ("idlib idlibs idle idol idler sarakeb saraqeb saraqib sochi socks erdogan erdogn erdgoan putin putn "
         "puting pudding negotiation negotiations negotiate nation notion ñandu nandu étoile etoile "
         "market markets marker makret marlet marketing 1987 1988 19877 u.s usa us teh the").split()


def _index(tmp_path, segments: int):
    """A bare Whoosh index of the engine's schema holding WORDS, in `segments` segments (merge=False)."""
    ix = FileStorage(str(tmp_path)).create_index(make_schema())
    rng = random.Random(3)
    for part in range(segments):
        writer = ix.writer()
        for n in range(12):
            words = rng.sample(WORDS, 6)
            writer.add_document(id=f"d{part}-{n}", path=f"{part}/{n}.txt", title=words[0], body=" ".join(words))
        writer.commit(merge=False)
    return ix


def test_levenshtein_agrees_with_whoosh():
    rng = random.Random(1)
    for _ in range(20_000):
        a = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 9)))
        assert levenshtein(a, b) == whoosh_levenshtein(a, b)


@pytest.mark.parametrize("segments", [1, 3])
def test_vocabulary_finds_what_terms_within_finds(tmp_path, segments):
    ix = _index(tmp_path, segments)
    with ix.reader() as reader:
        assert reader.is_atomic() == (segments == 1)
        vocabulary = Vocabulary(reader.is_atomic())
        probes = {t.text for w in WORDS for t in ANALYZER(w)} | {"makret", "erdgoan", "sarakeb", "nadnu", "xyz"}
        for word in sorted(probes):
            for distance in (1, 2):
                expected = [t.decode() if isinstance(t, bytes) else t
                            for t in reader.terms_within("body", word, distance, prefix=1)]
                found = vocabulary.within(reader, word, distance)
                assert [t for t, _ in found] == expected, (word, distance)
                assert [df for _, df in found] == [reader.doc_frequency("body", t) for t in expected]
