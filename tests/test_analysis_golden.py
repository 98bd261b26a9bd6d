"""The analyzer's output is pinned: a change of analysis without a schema version bump fails here.

An index's terms are the analyzer's output. If analysis changes (a new fold, another stop list, a stemmer
update) while SCHEMA_VERSION stays, old indexes keep terms a query can no longer produce and `search index`
would sync incrementally instead of rebuilding. So: bump SCHEMA_VERSION, then regenerate the golden file with
`.venv/bin/python -m tests.test_analysis_golden`.
"""
from __future__ import annotations

import json
from pathlib import Path

from search.analysis import PIPELINE, term_positions, terms
from search.analyzer import ANALYZER
from search.indexer import sync
from search.schema import SCHEMA_VERSION
from search.store import CURRENT
from tests.factory import write_article

GOLDEN = Path(__file__).resolve().parent / "golden" / "analysis.json"

#: Every step of PIPELINE at work: Turkish capitals, accents, invisible characters, dotted abbreviations,
#: apostrophes and hyphens, stop words, too-short and too-long tokens, digits, stems, other scripts.
SAMPLE = (
    "İDLİB and Erdoğan's talks: the U.S. envoy met Zan\u00adzibar's A.F.P. reporters in São Paulo. "
    "Running runners ran; they'd run again. Oil-price rises of 3% in 2018-09-17, 1,000 barrels. "
    "Café naïve ÉCOLE Straße façade coöperation. x I a is of the to be "
    + "w" * 41 + " " + "y" * 40 + " "
    "Москва заявила; 北京 said; القاهرة. organisations organization generously generous happiness"
)


def analysed() -> dict:
    """What the golden file records: the pipeline's names and its output on SAMPLE."""
    return {"schema_version": SCHEMA_VERSION, "pipeline": list(PIPELINE), "terms": terms(SAMPLE)}


def test_analysis_matches_the_golden_output_of_this_schema_version():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = analysed()
    if golden["schema_version"] == SCHEMA_VERSION:
        assert now["terms"] == golden["terms"], "analysis changed: bump SCHEMA_VERSION and regenerate the golden file"
        assert now["pipeline"] == golden["pipeline"], "the pipeline's names changed: bump SCHEMA_VERSION"
    else:
        raise AssertionError(f"SCHEMA_VERSION is {SCHEMA_VERSION}, the golden file's {golden['schema_version']}: "
                             "regenerate it (python -m tests.test_analysis_golden)")


def test_the_three_ways_of_analysing_agree_on_the_sample():
    """Queries (terms), the indexer's fast path (term_positions) and Whoosh's tokenizer give the same terms."""
    tokens = [t.text for t in ANALYZER(SAMPLE, positions=True)]
    assert tokens == terms(SAMPLE)
    positions = term_positions(SAMPLE)
    flat = sorted((p, t.decode("utf-8")) for t, ps in positions.items() for p in ps)
    assert [t for _, t in flat] == tokens


def test_an_index_records_how_it_was_analysed(tmp_path):
    articles, index = tmp_path / "articles", tmp_path / "index"
    write_article(articles, "a.txt", "Oil", "2018-09-17", "Reuters", "Oil prices rose.")
    sync(articles, index)
    assert json.loads((index / CURRENT).read_text(encoding="utf-8"))["analysis"] == list(PIPELINE)


def test_an_index_analysed_another_way_is_rebuilt_in_full(tmp_path):
    articles, index = tmp_path / "articles", tmp_path / "index"
    write_article(articles, "a.txt", "Oil", "2018-09-17", "Reuters", "Oil prices rose.")
    sync(articles, index)
    assert not sync(articles, index).full
    current = json.loads((index / CURRENT).read_text(encoding="utf-8"))
    current["analysis"] = ["words:whitespace", "stem:none"]
    (index / CURRENT).write_text(json.dumps(current), encoding="utf-8")
    assert sync(articles, index).full


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(analysed(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
