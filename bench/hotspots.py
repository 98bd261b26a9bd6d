"""Where the engine spends a query: cProfile over the reuters query set, results pages as in the query part.

    python -m bench.hotspots [--quick] [--top 25] [--sort tottime|cumulative] [--per-page 10]

Builds the engine's reuters index in bench/work (or reuses the one a previous hotspots run left there when
the article count matches), warms up, then profiles the same deterministic queries the query part times.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

from bench import corpora, querygen
from bench.context import FULL, QUICK
from bench.peers.engine import EngineSystem, build


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.hotspots", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    ap.add_argument("--per-page", type=int, default=10)
    ap.add_argument("--work", type=Path, default=corpora.DEFAULT_WORK)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the engine index even if one is there")
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    articles = corpora.materialize(args.work, "reuters", limit=sizes.reuters_limit)
    docs = corpora.read_docs(articles)
    index = args.work / "hotspots" / f"reuters-{len(docs)}"
    if args.rebuild or not index.is_dir():
        t = time.perf_counter()
        build(articles, index)
        print(f"built {index} in {time.perf_counter() - t:.1f} s")
    queries = querygen.generate(docs, sizes.queries)
    warmup = [q for q in querygen.generate(docs, 10, seed=7) if q not in set(queries)][:5]
    with EngineSystem(index) as engine:
        for q in warmup:
            engine.page(q, args.per_page)
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        for q in queries:
            engine.page(q, args.per_page)
        prof.disable()
        wall = time.perf_counter() - t
    print(f"{len(queries)} queries, {wall * 1000 / len(queries):.1f} ms each under the profiler")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
