"""`python -m bench [--quick] [--million] [--parts build,incremental,query,memory,cli,scale,relevance,stories] [--out DIR]`.

Each part prints its tables and writes DIR/<part>.json and DIR/<part>.md. Parts run one after another,
never in parallel, so they do not compete for the machine's cores.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from bench import context, corpora, report

PARTS = ("build", "incremental", "query", "memory", "cli", "scale", "relevance", "webpages", "watch", "stories")


def parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small subsets of every part, well under a minute")
    ap.add_argument("--million", action="store_true",
                    help="the scale part also builds and queries 1,000,000 synthetic articles (long: run once)")
    ap.add_argument("--parts", default=",".join(PARTS), help="comma-separated subset of " + ",".join(PARTS))
    ap.add_argument("--out", type=Path, help="results folder (default bench/results, bench/results/quick with --quick)")
    ap.add_argument("--work", type=Path, default=corpora.DEFAULT_WORK,
                    help="ignored folder for materialized corpora and indexes (default bench/work)")
    args = ap.parse_args(argv)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    if args.out is None:
        args.out = corpora.REPO / "bench" / "results" / ("quick" if args.quick else "")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if not corpora.available():
        print(f"bench: the shared corpora are missing ({corpora.CORPUS_TOOL} and {corpora.CORPORA});"
              " nothing to measure", file=sys.stderr)
        return 2
    plot = args.out / "scale.png" if args.quick else corpora.REPO / "docs" / "scale.png"
    ctx = context.make(args.quick, args.work.resolve(), args.out.resolve(), plot, million=args.million)
    machine = report.machine()
    print(f"# python -m bench{' --quick' if args.quick else ''} --parts {','.join(args.parts)}")
    print(report.machine_line(machine))
    if ctx.engine_missing:
        print(f"\nWARNING: the engine is not benchmarked ({ctx.engine_missing}); peers only.", file=sys.stderr)
    failed = []
    try:
        for part in args.parts:
            print(f"\n## {part}\n", flush=True)
            t = time.perf_counter()
            try:
                data = importlib.import_module(f"bench.parts.{part}").run(ctx)
            except Exception:  # one broken part must not hide the others' figures
                traceback.print_exc()
                failed.append(part)
                continue
            data = {"part": part, "quick": args.quick, "machine": machine, "engine_missing": ctx.engine_missing,
                    "part_seconds": time.perf_counter() - t, **data}
            for tbl in data.get("tables", []):
                print(tbl, end="\n\n")
            for note in data.get("notes", []):
                print("- " + note)
            path = report.write(ctx.out, part, data)
            print(f"\n({part}: {data['part_seconds']:.1f} s, results in {path})", flush=True)
    finally:
        ctx.cleanup()
    if failed:
        print(f"\nparts that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
