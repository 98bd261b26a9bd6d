"""Part 6, command line: the wall time of a whole `search query WORD` process (start-up, imports, opening the
index, one results page printed), at reuters size and at the largest synthetic size, beside the sqlite3 shell
answering the same word from the FTS5 database (the same page: top 10 by bm25 with snippets, and the total).
`python -m bench.clicompare` compares revisions of the command line the same way, interleaved."""
from __future__ import annotations

import compileall
import shutil
import subprocess
import time

from bench import corpora
from bench.metrics import percentile
from bench.parts.incremental import search_cmd
from bench.report import ratio, table

WORDS = ("oil", "bank", "trade", "profit", "dollar")
RUNS = 3


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=corpora.REPO, capture_output=True, text=True, timeout=600)
    ms = (time.perf_counter() - t) * 1000
    if proc.returncode not in (0, 1):  # 1: no results, still a whole answer
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {proc.stderr[-1000:]}")
    return ms


def sqlite_cmd(db, word: str) -> list[str]:
    sql = (f"SELECT path, snippet(docs, 1, '[', ']', '...', 12) FROM docs WHERE docs MATCH '{word}' "
           f"ORDER BY rank LIMIT 10; SELECT count(*) FROM docs WHERE docs MATCH '{word}';")
    return ["sqlite3", str(db), sql]


def measure(ctx, corpus: str, folder) -> dict:
    index = ctx.ensure(corpus, folder, "engine")
    db = ctx.ensure(corpus, folder, "fts5")
    out = {"engine": [], "sqlite3": []}
    for word in WORDS:
        for _ in range(RUNS):
            out["engine"].append(wall(search_cmd() + ["--index", str(index), "query", word]))
            out["sqlite3"].append(wall(sqlite_cmd(db, word)))
    return {k: {"p50": percentile(v, 50), "max": max(v), "runs": len(v)} for k, v in out.items()}


def byte_compile() -> bool:
    """Byte-compile the project's packages, as pip does when it installs them: without it, an environment that sets
    PYTHONDONTWRITEBYTECODE compiles every module from source in every process, which no installed copy does."""
    return all(compileall.compile_dir(str(corpora.REPO / pkg), quiet=1) for pkg in ("search", "web"))


def run(ctx) -> dict:
    if ctx.engine_missing or not shutil.which("sqlite3"):
        return {"tables": [], "notes": ["engine or the sqlite3 shell missing: nothing to measure"]}
    compiled = byte_compile()
    points = {"reuters": measure(ctx, "reuters", ctx.reuters())}
    folder = ctx.corpus("synth", n=ctx.sizes.memory_synth)
    points[folder.name] = measure(ctx, folder.name, folder)
    rows = [[c, ctx.builds[(c, "engine")]["docs"], p["engine"]["p50"], p["engine"]["max"], p["sqlite3"]["p50"],
             p["sqlite3"]["max"], ratio(p["engine"]["p50"], p["sqlite3"]["p50"])] for c, p in points.items()]
    tables = [table(["collection", "docs", "search query p50 ms", "max ms", "sqlite3 p50 ms", "max ms",
                     "engine / sqlite3"], rows,
                    f"Command line: whole processes, words {', '.join(WORDS)}, {RUNS} runs each")]
    notes = [("the project's modules were byte-compiled first (__pycache__), as an installed package is"
              if compiled else "byte-compiling the project failed: the times include compiling its modules")]
    return {"points": points, "tables": tables, "notes": notes}
