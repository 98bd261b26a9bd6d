"""What a full rebuild costs at two or more git revisions, alternated: wall, the indexer's CPU and its workers'.

    python -m bench.buildcompare --articles DIR [--jobs N] [--rounds 3] REV [REV ...]

Each revision's search/ package (git archive, first on PYTHONPATH) rebuilds the articles into a fresh index in a
child process, round after round, the revisions alternated so that a shared machine's load weighs on each alike.
The CPU of the indexer's descendants (the workers' fork server and the workers) is sampled from /proc every 0.1 s.
Printed per revision: the best and the median round (wall s, indexer CPU s, descendants' CPU s, CPU microseconds
per article) and the load average; then whether each revision's last index holds the same bytes as the first's.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.revisions import export, parser, run_module
from bench.sameindex import differences

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _descendants_cpu(me: int, seen: dict[int, float]) -> None:
    """Each descendant's CPU seconds so far (utime + stime from /proc), kept at its highest in `seen`."""
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            procs[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    tree, grew = {me}, True
    while grew:
        more = {pid for pid, (ppid, _) in procs.items() if ppid in tree and pid not in tree}
        tree |= more
        grew = bool(more)
    for pid in tree - {me}:
        seen[pid] = max(seen.get(pid, 0.0), procs[pid][1])


def one_build(articles: Path, index: Path, jobs: int | None) -> dict:
    """A full rebuild in this process: wall, this process's CPU, its descendants' CPU, documents, load."""
    from search.indexer import sync
    seen: dict[int, float] = {}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            _descendants_cpu(os.getpid(), seen)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    load = os.getloadavg()[0]
    sampler.start()
    t, cpu = time.perf_counter(), time.process_time()
    report = sync(articles, index, full=True, jobs=jobs)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    stop.set()
    sampler.join()
    return {"docs": report.total, "wall": wall, "cpu": cpu, "workers": sum(seen.values()), "load": load}


def main(argv=None) -> None:
    ap = parser("python -m bench.buildcompare", __doc__)
    ap.add_argument("--articles", required=True, type=Path)
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: the engine's, one per core)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one-build", type=Path, help=argparse.SUPPRESS)  # the child's side: the index to write
    args = ap.parse_args(argv)
    if args.one_build:
        json.dump(one_build(args.articles, args.one_build, args.jobs), sys.stdout)
        return
    scratch = Path(tempfile.mkdtemp(prefix="buildcompare-"))
    try:
        trees = [export(rev, scratch / f"tree-{i}", compiled=False) for i, rev in enumerate(args.revs)]
        runs: list[list[dict]] = [[] for _ in args.revs]
        for _ in range(args.rounds):
            for i, rev in enumerate(args.revs):
                index = scratch / f"index-{i}"
                shutil.rmtree(index, ignore_errors=True)
                child = ["--articles", str(args.articles.resolve()), "--one-build", str(index)]
                child += ["--jobs", str(args.jobs)] if args.jobs else []
                runs[i].append(json.loads(run_module(trees[i], "bench.buildcompare", child, scratch, rev,
                                                     timeout=7200)))
        print("| revision | rounds | wall s (best, median) | indexer CPU s | descendants' CPU s | "
              "CPU us/article (best, median) | load |")
        print("|---|---|---|---|---|---|---|")
        for rev, rs in zip(args.revs, runs):
            per = [(r["cpu"] + r["workers"]) / max(r["docs"], 1) * 1e6 for r in rs]
            print(f"| {rev} | {len(rs)} | {min(r['wall'] for r in rs):.2f}, "
                  f"{statistics.median(r['wall'] for r in rs):.2f} | "
                  f"{statistics.median(r['cpu'] for r in rs):.2f} | "
                  f"{statistics.median(r['workers'] for r in rs):.2f} | {min(per):.0f}, "
                  f"{statistics.median(per):.0f} | {min(r['load'] for r in rs):.1f}-{max(r['load'] for r in rs):.1f} |")
        for i, rev in enumerate(args.revs[1:], start=1):
            found = differences(scratch / "index-0", scratch / f"index-{i}")
            print(f"{rev}: " + ("the same bytes as " + args.revs[0] if not found
                                else "differs from " + args.revs[0] + ": " + "; ".join(found[:5])))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
