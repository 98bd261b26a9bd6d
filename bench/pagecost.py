"""What each step of a results page costs: the query part's 200 reuters queries on the engine alone in this process,
with steps left out, p50 and mean of a whole page.

    python -m bench.pagecost --index bench/work/hotspots/reuters-19043 [--without passages,more,suggest,proximity]

Leaving a step out changes the page (no passages, no list of articles with some of the words, no did-you-mean, no
proximity re-ranking): the differences say what each step costs, not what a page without it would be worth.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bench import corpora, latency, querygen
from bench.peers.engine import EngineSystem

STEPS = ("passages", "more", "suggest", "proximity")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.pagecost", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="an engine index of the reuters corpus")
    ap.add_argument("--without", default="", help="comma-separated steps to leave out: " + ", ".join(STEPS))
    args = ap.parse_args(argv)
    without = {w.strip() for w in args.without.split(",") if w.strip()}
    unknown = without - set(STEPS)
    if unknown:
        ap.error(f"unknown steps: {', '.join(sorted(unknown))}")
    articles = corpora.materialize(corpora.DEFAULT_WORK, "reuters", limit=None)
    docs = corpora.read_docs(articles)
    queries = querygen.generate(docs, 200)
    warmup = [q for q in querygen.generate(docs, 10, seed=7) if q not in set(queries)][:5]
    import search.searcher as searcher
    from bench.peers.engine import ranking_of
    if "more" in without:
        searcher.Engine._more_when_few = lambda self, *a, **k: (0, [])
    if "suggest" in without:
        searcher.Engine._suggest = lambda self, *a, **k: None
    ranking = ranking_of(proximity_boost=0.0) if "proximity" in without else None
    with EngineSystem(args.index, ranking=ranking, passages="passages" not in without) as engine:
        raw = latency.measure([engine], queries, warmup)[engine.name]
    summary = latency.summary(raw)
    print(f"without {', '.join(sorted(without)) or 'nothing'}: p50 {summary['p50']:.3f} ms, "
          f"mean {summary['mean']:.3f} ms over {summary['n']} queries")


if __name__ == "__main__":
    main()
