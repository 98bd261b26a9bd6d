"""Run one build in a fresh process so its peak RSS is its own: `python -m bench.child SYSTEM ARTICLES INDEX`.

Prints one JSON object on the last line of stdout: docs, seconds, index_mb, baseline and peak RSS.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.corpora import REPO, folder_mb

REPORT_FIELDS = ("added", "updated", "removed", "unchanged", "skipped", "total", "seconds")


def _max_rss_mb() -> float:
    """This process's peak RSS in MB, and its children's if an indexer forks workers.

    VmHWM, not getrusage(RUSAGE_SELF): Linux carries ru_maxrss across fork/vfork + exec, so a child
    started by a big parent would report the parent's peak as its own.
    """
    own = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024  # kB
    except OSError:  # not Linux: fall back to getrusage (KiB on Linux, bytes on macOS)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 ** 2)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, kids)


class TreeRss:
    """Samples the summed RSS of this process and all its descendants (an indexer's worker processes are
    children of a fork server, whose peaks getrusage never sees); `peak_mb` is the largest sum seen."""

    def __init__(self, every: float = 0.05):
        import threading
        self.peak_mb, self._every, self._stop = 0.0, every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        me = os.getpid()
        while not self._stop.wait(self._every):
            self.peak_mb = max(self.peak_mb, sum(map(_rss_mb, _descendants(me))))


def _descendants(pid: int) -> list[int]:
    """pid and every process below it, walked through /proc/PID/task/TID/children: a few small reads, where a
    scan of every process on the machine would take the measured process's interpreter for milliseconds (the scan
    is the way only on a kernel without those files)."""
    if not os.path.exists(f"/proc/{pid}/task/{pid}/children"):
        return _descendants_by_scan(pid)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:  # it ended meanwhile
            continue
        for task in tasks:
            try:
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(map(int, f.read().split()))
            except OSError:  # that thread ended meanwhile: the others' children still count
                continue
    return out


def _descendants_by_scan(pid: int) -> list[int]:
    """pid and every process below it, from every process's parent in /proc/*/stat."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])  # the name may hold spaces
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in tree and p not in tree}
        tree |= more
        grew = bool(more)
    return sorted(tree)


def _rss_mb(pid: int) -> float:
    """A process's resident set in MB (statm's second field, in pages); 0 when it has ended."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2 ** 20
    except (OSError, IndexError, ValueError):
        return 0.0


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def build(system: str, articles: Path, index: Path) -> dict:
    if system == "engine":
        import search.indexer  # noqa: F401  (imported before the baseline, as the peers' libraries are)
        from bench.peers import engine as mod
    elif system == "fts5":
        from bench.peers import fts5 as mod
    elif system == "naive-whoosh":
        from bench.peers import naive_whoosh as mod
    elif system == "tantivy":
        from bench.peers import tantivy_peer as mod
    else:
        raise SystemExit(f"unknown system {system!r}")
    baseline = _max_rss_mb()  # the interpreter plus the system's imports, before any article is read
    t = time.perf_counter()
    with TreeRss() as tree:
        result = mod.build(articles, index)
    seconds = time.perf_counter() - t
    out = {"system": system, "seconds": seconds, "peak_rss_mb": max(_max_rss_mb(), tree.peak_mb),
           "process_peak_rss_mb": _max_rss_mb(), "tree_peak_rss_mb": tree.peak_mb, "baseline_rss_mb": baseline,
           "index_mb": folder_mb(index)}
    if isinstance(result, int):  # the peers return a document count
        out["docs"] = result
    else:  # the engine's SyncReport
        out["report"] = {k: getattr(result, k, None) for k in REPORT_FIELDS}
        out["docs"] = int(result.total)
    return out


def run_build(system: str, articles: Path, index: Path, timeout: float = 7200) -> dict:
    """Parent side: run the build in a child process and return its JSON, plus the child's wall time."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.child", system, str(articles), str(index)],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{system} build failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_seconds"] = wall
    return out


def main(argv: list[str]) -> None:
    system, articles, index = argv
    print(json.dumps(build(system, Path(articles), Path(index))))


if __name__ == "__main__":
    main(sys.argv[1:])
