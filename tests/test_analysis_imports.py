"""The query-time analysis imports no Whoosh, yet its tables and stemmer are Whoosh's own: the same index terms."""
from __future__ import annotations

import itertools
import random
import subprocess
import sys

from search import analysis
from search.accents import ACCENT_MAP
from search.snowball_english import EnglishStemmer

# Words where stemmers that look alike disagree (Whoosh's port vs the Snowball C library or porter2), and ordinary ones.
WORDS = ("realization", "ionization", "irrationality", "sensationalism", "vibrationally", "resizer", "international",
         "internally", "interfered", "added", "adding", "egged", "erred", "evening", "evenings", "emergency",
         "emergence", "geologists", "biologist", "oil", "running", "ladies", "dying", "lying", "generously",
         "news", "skies", "'quoted", "cry", "cries", "succeeding", "proceed", "exceedingly", "communism", "arsenal",
         "gently", "idly", "y", "yes", "syria", "idlib", "erdogan", "trading", "traded", "banking", "profitable")


def test_the_stemmer_stems_every_word_as_whoosh_snowball_english_does():
    from whoosh.lang import stemmer_for_language
    whoosh_stem = stemmer_for_language("en")
    ours = EnglishStemmer().stem
    assert [ours(w) for w in WORDS] == [whoosh_stem(w) for w in WORDS]
    assert ours("realization") == "realize"  # Whoosh's own quirk, which the official C library does not share


def _stemmer_vocabulary() -> list[str]:
    """Words that take every road through the stemmer: short stems of vowels, 'y's, doubled and other consonants
    before every suffix a step removes (alone and stacked), the special words, and odd ones (apostrophes of every
    kind, capitals, non-ASCII letters, digits, the empty word)."""
    steps = EnglishStemmer._EnglishStemmer__step0_suffixes + EnglishStemmer._EnglishStemmer__step1a_suffixes
    steps += EnglishStemmer._EnglishStemmer__step1b_suffixes + EnglishStemmer._EnglishStemmer__step2_suffixes
    steps += EnglishStemmer._EnglishStemmer__step3_suffixes + EnglishStemmer._EnglishStemmer__step4_suffixes
    endings = ["", "y", "e", "l", "ll", "le", "ly", "ies", "ied", "yed", "ying", "ements", "ationally", "izations",
               "fulness", "ousli", "ogi", "logi", "alli", "icals", "ativeness", "ingly", "eedly", "sses", "ss"]
    endings += list(steps) + [a + b for a, b in itertools.product(("ation", "ic", "ful", "ness", "ive", "al"),
                                                                   ("al", "ly", "s", "ness", "ize", "ity"))]
    letters = "aeiybdlstx"
    # a stem, then what a step may leave at the end (a suffix step 1b restores an "e" after, a double consonant)
    stems = ["".join(p) for n in range(3) for p in itertools.product(letters, repeat=n)]
    middles = ("", "at", "bl", "iz", "bb", "ll", "tt", "y", "e", "ov", "wax")
    words = [s + m + e for s in stems for m in middles for e in endings]
    words += [s + e for s in ("gener", "commun", "arsen", "generat", "communic", "arsenal", "ski", "sky", "hopp",
                              "proceed", "exceed", "succeed", "inn", "herr", "earr", "can", "out", "sing")
              for e in endings]
    words += list(EnglishStemmer._EnglishStemmer__special_words)
    rng = random.Random(5)
    odd = ["'", "\u2019", "\u2018", "\u201b", "'s", "'s'", "\u2019s", "Y", "Ä", "é", "ß", "İ", "\u0301", "1", "_", "."]
    for _ in range(20_000):
        words.append("".join(rng.choice(odd + list("aeiouybcdlnrstgY")) for _ in range(rng.randint(0, 9))))
    words += [w.upper() for w in words[::97]] + [w.title() for w in words[::89]] + ["", "y", "yy", "ayyy", "yay"]
    return words


def test_the_stemmer_stems_a_vocabulary_of_every_step_and_odd_words_as_whoosh_does():
    from whoosh.lang.snowball.english import EnglishStemmer as WhooshEnglishStemmer
    words = _stemmer_vocabulary()
    assert len(words) > 50_000
    ours, whooshs = EnglishStemmer().stem, WhooshEnglishStemmer().stem
    assert [w for w in words if ours(w) != whooshs(w)] == []


def test_a_rebuilds_term_for_an_ascii_word_is_the_queries_term():
    # ascii_term skips the folding on the ground that it is lowercasing for ASCII: every ASCII character, then words
    assert [analysis.fold(chr(c)) for c in range(128)] == [chr(c).lower() for c in range(128)]
    rng = random.Random(7)
    words = [w for w in _stemmer_vocabulary() if w.isascii()][::7] + list(WORDS) + [w.upper() for w in WORDS]
    words += [w.upper() for w in analysis.STOP_WORDS] + ["U.S", "x" * 40, "x" * 41, "ab", "a", "A1", "__", "1987"]
    words += ["".join(rng.choice("aeiouyAEIOUYbcdsTZ019_.") for _ in range(rng.randint(1, 44))) for _ in range(5000)]
    assert [analysis.ascii_term(w.encode("ascii")) for w in words] == [(analysis.term_for(w) or "").encode()
                                                                        for w in words]


def test_the_accent_table_and_stop_words_are_whooshs():
    from whoosh.analysis.filters import STOP_WORDS
    from whoosh.support.charset import accent_map
    assert ACCENT_MAP == accent_map
    assert analysis.STOP_WORDS == frozenset(STOP_WORDS) and len(analysis.STOP_WORDS) == 34


def test_the_schema_analyzer_yields_the_terms_the_queries_use():
    from search.analyzer import ANALYZER
    text = "The Erdoğan realization: İDLİB's internationally traded Zan\u00adzibar oil, and U.S. banks."
    assert [t.text for t in ANALYZER(text)] == analysis.terms(text)
    assert analysis.terms(text) == ["erdogan", "realize", "idlib", "intern", "trade", "zanzibar", "oil", "u.", "bank"]


def test_importing_the_analysis_imports_no_whoosh():
    code = ("import sys, search.analysis, search.snippets; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('whoosh', 'email', 'http') or m == 'urllib.request'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
