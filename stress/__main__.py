"""`python -m stress kill|load|fuzz`: the reliability harnesses by hand (the tests drive the same functions).

  python -m stress kill --kills 60 [--articles 800] [--seed 0] [--workdir DIR]
  python -m stress load --index DIR [--clients 8] [--duration 60] [--max-requests N]   (serves it on 127.0.0.1)
  python -m stress fuzz --index DIR [--count 20000] [--seed 0]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def _kill(args) -> int:
    from stress.kill import run_kills
    with tempfile.TemporaryDirectory(prefix="stress-kill-") as scratch:
        workdir = Path(args.workdir) if args.workdir else Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        report = run_kills(workdir, kills=args.kills, seed=args.seed, articles=args.articles,
                           max_seconds=args.max_seconds, log=print if args.verbose else None)
    print(report.summary())
    for failure in report.failures:
        print(f"FAILURE: {failure}")
    return 1 if report.failures else 0


def _load(args) -> int:
    from search.searcher import Engine
    from stress.load import run_load, search_paths
    from stress.server import running_server
    index = Path(args.index)
    with Engine(index) as engine:  # the query words come from the index's own articles
        hits = engine.search(sort="newest", per_page=100).hits
        words = sorted({w.strip(".,").lower() for h in hits for w in h.title.split() if len(w) > 3}) or ["news"]
    with running_server(index, threads=args.threads) as server:
        paths = search_paths(words)
        run_load(server.url, paths, clients=args.clients, duration=30, max_requests=100, seed=1)  # warm up
        time.sleep(0.5)
        fds_start = server.fds()
        report = run_load(server.url, paths, clients=args.clients, duration=args.duration,
                          max_requests=args.max_requests, seed=args.seed)
        time.sleep(0.5)
        fds_end = server.fds()
    print(f"{report.summary()}; server fds {fds_start} -> {fds_end}")
    for sample in report.error_samples:
        print(f"ERROR: {sample}")
    return 1 if report.errors else 0


def _fuzz(args) -> int:
    from search.searcher import Engine
    from stress.fuzz import fuzz_engine
    with Engine(args.index) as engine:
        report = fuzz_engine(engine, args.count, seed=args.seed, bound_ms=args.bound_ms)
    print(report.summary())
    for line in report.crashes + report.slow:
        print(f"FAILURE: {line}")
    return 1 if report.crashes or report.slow else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stress", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    kill = sub.add_parser("kill", help="SIGKILL `search index` at random moments and check the index each time")
    kill.add_argument("--kills", type=int, default=60)
    kill.add_argument("--articles", type=int, default=800)
    kill.add_argument("--seed", type=int, default=0)
    kill.add_argument("--max-seconds", type=float, default=1500)
    kill.add_argument("--workdir", help="keep the collection and index here (default: a temporary folder)")
    kill.add_argument("-v", "--verbose", action="store_true", help="print every kill")
    kill.set_defaults(run=_kill)
    load = sub.add_parser("load", help="serve an index on 127.0.0.1 and send it bounded concurrent searches")
    load.add_argument("--index", required=True)
    load.add_argument("--clients", type=int, default=8)
    load.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    load.add_argument("--duration", type=float, default=60)
    load.add_argument("--max-requests", type=int, default=1_000_000)
    load.add_argument("--seed", type=int, default=0)
    load.set_defaults(run=_load)
    fuzz = sub.add_parser("fuzz", help="run seeded fuzzed queries against an index")
    fuzz.add_argument("--index", required=True)
    fuzz.add_argument("--count", type=int, default=20_000)
    fuzz.add_argument("--seed", type=int, default=0)
    fuzz.add_argument("--bound-ms", type=float, default=2000)
    fuzz.set_defaults(run=_fuzz)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
