"""One process's memory while it serves queries: `python -m bench.memchild INDEX QUERIES.json THREADS`.

Opens the engine, reads its RSS, answers every query (from THREADS threads at once, so the engine's pool holds
that many searchers), reads its RSS again. RSS is split as the kernel reports it: anonymous memory (the heap:
what the process itself holds) and file pages (the mapped index, shared with every other process through the
page cache). Prints one JSON object on the last line.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path


def memory() -> dict:
    """{"rss_mb", "anon_mb", "file_mb"} from /proc/self/status."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return {"rss_mb": out.get("VmRSS", 0.0), "anon_mb": out.get("RssAnon", 0.0), "file_mb": out.get("RssFile", 0.0),
            "peak_mb": out.get("VmHWM", 0.0)}


def main(argv: list[str]) -> None:
    index, queries_file, threads = Path(argv[0]), Path(argv[1]), int(argv[2])
    queries = json.loads(queries_file.read_text())
    before = memory()
    t = time.perf_counter()
    from search.searcher import Engine
    engine = Engine(index)
    engine.stats()  # opens the snapshot
    opened = memory()
    open_ms = (time.perf_counter() - t) * 1000
    errors = []

    def worker(chunk):
        for q in chunk:
            try:
                engine.search(q["text"], sources=q["sources"], since=q["since"], until=q["until"])
            except Exception as exc:  # counted: a failing query must not hide the memory figure
                errors.append(f"{type(exc).__name__}: {exc}")

    chunks = [queries[i::threads] for i in range(threads)]
    running = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for th in running:
        th.start()
    for th in running:
        th.join()
    after = memory()
    engine.close()
    print(json.dumps({"threads": threads, "queries": len(queries), "errors": len(errors), "open_ms": open_ms,
                      "before": before, "opened": opened, "after": after}))


if __name__ == "__main__":
    main(sys.argv[1:])
