"""The query-time analysis imports no Whoosh, yet its tables and stemmer are Whoosh's own: the same index terms."""
from __future__ import annotations

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
