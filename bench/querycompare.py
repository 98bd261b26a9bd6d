"""The query part's results pages for two or more git revisions of the engine, each beside FTS5 in its own process.

    python -m bench.querycompare --index IDX --db FTS5.db [--passes 3] [--kinds] REV [REV ...]

One pass is a fresh process that opens the engine (the revision's `search` package, exported with git archive
and put first on PYTHONPATH) and FTS5 (AND), warms both up as the query part does, then runs the 200 reuters
queries once each, the two systems alternating. Passes rotate through the revisions, so machine load falls on all
alike. For each revision it prints the median over its passes of the engine's p50 and p95, of FTS5's in the same
processes, and of their ratios, in wall time and in CPU time (process time: what the query costs, less what
other processes took while it ran). The index must be readable by every revision (the same format).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import corpora
from bench.revisions import export, parser, run_module
from bench.metrics import percentile


def one_pass(index: Path, db: Path) -> dict:
    """{system: [ms per query]} for the engine and FTS5 (wall and CPU), interleaved, in this process."""
    from bench import querygen
    from bench.peers.engine import EngineSystem
    from bench.peers.fts5 import FTS5
    docs = corpora.read_docs(corpora.materialize(corpora.DEFAULT_WORK, "reuters", limit=0))
    queries = querygen.generate(docs, 200)
    warmup = [q for q in querygen.generate(docs, 10, seed=7) if q not in set(queries)][:5]
    out = {"engine": [], "fts5": [], "engine cpu": [], "fts5 cpu": []}
    with EngineSystem(index) as engine, FTS5(db) as fts5:
        systems = [("engine", engine), ("fts5", fts5)]
        for _, system in systems:
            for q in warmup:
                system.page(q)
        for i, q in enumerate(queries):
            for name, system in systems if i % 2 else systems[::-1]:
                cpu, wall = time.process_time(), time.perf_counter()
                system.page(q)
                out[name].append((time.perf_counter() - wall) * 1000)
                out[name + " cpu"].append((time.process_time() - cpu) * 1000)
    return out


def _print_kinds(runs: dict[str, list[dict]]) -> None:
    """Per kind of query (querygen.kind_of), the median over passes of the engine's and FTS5's CPU p50 (ms)."""
    from bench import querygen
    docs = corpora.read_docs(corpora.materialize(corpora.DEFAULT_WORK, "reuters", limit=0))
    kinds = [querygen.kind_of(q) for q in querygen.generate(docs, 200)]
    names = list(dict.fromkeys(kinds))
    print("\n| revision | " + " | ".join(f"{k} (n={kinds.count(k)})" for k in names) + " |")
    print("|---|" + "---|" * len(names))
    for rev, passes in runs.items():
        cells = []
        for k in names:
            at = [i for i, x in enumerate(kinds) if x == k]
            e = statistics.median(_p([r["engine cpu"][i] for i in at], 50) for r in passes)
            f = statistics.median(_p([r["fts5 cpu"][i] for i in at], 50) for r in passes)
            cells.append(f"{e:.2f} / {f:.2f}")
        print(f"| {rev} | " + " | ".join(cells) + " |")
    print("cells: engine / FTS5 CPU p50 ms, median over passes")


def _p(values: list[float], q: int) -> float:
    return percentile(values, q)


def main(argv=None) -> None:
    ap = parser("python -m bench.querycompare", __doc__)
    ap.add_argument("--index", required=True, type=Path)
    ap.add_argument("--db", required=True, type=Path, help="the FTS5 database of the same articles")
    ap.add_argument("--passes", type=int, default=3, help="processes per revision")
    ap.add_argument("--kinds", action="store_true", help="also the CPU p50 of each kind of query, per revision")
    ap.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)  # the child's side
    args = ap.parse_args(argv)
    if args.one_pass:
        print(json.dumps(one_pass(args.index, args.db)))
        return
    scratch = Path(tempfile.mkdtemp(prefix="querycompare-"))
    try:
        trees = {rev: export(rev, scratch / str(i), compiled=True) for i, rev in enumerate(args.revs)}
        runs: dict[str, list[dict]] = {rev: [] for rev in trees}
        loads = []
        for p in range(args.passes):
            for rev in args.revs[p % len(args.revs):] + args.revs[:p % len(args.revs)]:
                out = run_module(trees[rev], "bench.querycompare", ["--one-pass", "--index",
                                 str(args.index.resolve()), "--db", str(args.db.resolve())], scratch, rev)
                runs[rev].append(json.loads(out.splitlines()[-1]))
            loads.append(os.getloadavg()[0])
        print("| revision | engine p50 / p95 ms | FTS5 p50 / p95 ms | p50 ratio | p95 ratio | CPU p50 ratio |")
        print("|---|---|---|---|---|---|")
        for rev, passes in runs.items():
            med = {k: statistics.median(_p(r[k], 50) for r in passes) for k in passes[0]}
            p95 = {k: statistics.median(_p(r[k], 95) for r in passes) for k in passes[0]}
            ratio = statistics.median(_p(r["engine"], 50) / _p(r["fts5"], 50) for r in passes)
            ratio95 = statistics.median(_p(r["engine"], 95) / _p(r["fts5"], 95) for r in passes)
            cpu = statistics.median(_p(r["engine cpu"], 50) / _p(r["fts5 cpu"], 50) for r in passes)
            print(f"| {rev} | {med['engine']:.2f} / {p95['engine']:.1f} | {med['fts5']:.2f} / {p95['fts5']:.1f} | "
                  f"{ratio:.2f} | {ratio95:.2f} | {cpu:.2f} |")
        print(f"{args.passes} passes each; 1-minute load after each round: {', '.join(f'{x:.1f}' for x in loads)}")
        if args.kinds:
            _print_kinds(runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
