"""Part 5, memory: RSS of one process that opens the index and answers the 200 queries, at reuters size and at the
largest synthetic size, with 1 and 4 threads (so 1 and 4 searchers in the engine's pool). The index is mapped,
not read into the heap: anonymous memory should stay flat in the collection's size and in the pool's size."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict

from bench import corpora, querygen
from bench.report import table

THREADS = (1, 4)


def measure(ctx, corpus: str, folder, queries) -> list[dict]:
    index = ctx.ensure(corpus, folder, "engine")
    qfile = ctx.run_dir / f"memory-{corpus}.json"
    qfile.parent.mkdir(parents=True, exist_ok=True)
    qfile.write_text(json.dumps([asdict(q) for q in queries]))
    out = []
    for threads in THREADS:
        proc = subprocess.run([sys.executable, "-m", "bench.memchild", str(index), str(qfile), str(threads)],
                              cwd=corpora.REPO, capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            raise RuntimeError(f"memory child failed:\n{proc.stderr[-3000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        r["corpus"], r["docs"] = corpus, ctx.builds[(corpus, "engine")]["docs"]
        out.append(r)
    return out


def run(ctx) -> dict:
    if ctx.engine_missing:
        return {"tables": [], "notes": ["engine missing: nothing to measure"]}
    results = []
    reuters = ctx.reuters()
    docs = corpora.read_docs(reuters)
    results += measure(ctx, "reuters", reuters, querygen.generate(docs, ctx.sizes.queries))
    n = ctx.sizes.memory_synth
    folder = ctx.corpus("synth", n=n)
    docs = corpora.read_docs(folder)
    results += measure(ctx, folder.name, folder, querygen.generate(docs, ctx.sizes.queries, seed=n))
    del docs
    rows = [[r["corpus"], r["docs"], r["threads"], r["open_ms"], r["before"]["rss_mb"], r["opened"]["rss_mb"],
             r["after"]["rss_mb"], r["after"]["anon_mb"], r["after"]["file_mb"], r["after"]["peak_mb"], r["errors"]]
            for r in results]
    tables = [table(["collection", "docs", "threads", "open ms", "RSS at start MB", "RSS opened MB",
                     "RSS after queries MB", "anon MB", "file-backed MB", "peak RSS MB", "errors"], rows,
                    f"Memory: one process, {ctx.sizes.queries} queries (file-backed = the mapped index, page cache)")]
    notes = []
    big = [r for r in results if r["corpus"] != "reuters"]
    if big:
        one, four = big[0]["after"], big[-1]["after"]
        notes.append(f"at {big[0]['docs']:,} articles: RSS {one['rss_mb']:.0f} MB with 1 thread, "
                     f"{four['rss_mb']:.0f} MB with 4 (target <= 1 GB at 300k, flat in the pool size: "
                     f"{'met' if max(one['rss_mb'], four['rss_mb']) <= 1024 else 'MISSED'})")
    return {"results": results, "tables": tables, "notes": notes}
