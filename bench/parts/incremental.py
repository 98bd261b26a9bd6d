"""Part 2, incremental: add 10 articles to the indexed reuters folder, change 5, delete 5, and time the whole
`search index` process (start-up included) until the changes are searchable; against `search index --full`
and against an FTS5 full rebuild of the same folder, each as a whole process too."""
from __future__ import annotations

import random
import shutil
import string
import subprocess
import sys
import time
from pathlib import Path

from bench import corpora
from bench.child import run_build
from bench.metrics import percentile
from bench.report import ratio, table

ADD, CHANGE, DELETE = 10, 5, 5


def token(kind: str, rnd: int, i: int) -> str:
    """A made-up word no article contains, letters only so every analyzer keeps it whole."""
    letters = string.ascii_lowercase
    return f"zq{kind}{letters[rnd % 26]}{letters[i // 26]}{letters[i % 26]}"


def search_cmd() -> list[str]:
    script = Path(sys.executable).parent / "search"  # the console script a user runs
    return [str(script)] if script.is_file() else [sys.executable, "-m", "search"]


def run_index(articles: Path, index: Path, full: bool = False) -> tuple[float, str]:
    """Wall seconds of one whole `search index` process, and its output."""
    cmd = search_cmd() + ["--articles", str(articles), "--index", str(index), "index"] + (["--full"] if full else [])
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=corpora.REPO, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    lines = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
    return wall, lines[-1] if lines else ""


def found(engine, word: str) -> list[str]:
    return [h.path for h in engine.search(word, per_page=20).hits]


def run(ctx) -> dict:
    base = ctx.reuters()
    root = ctx.run_dir / "incremental"
    shutil.rmtree(root, ignore_errors=True)
    articles, index = root / "articles", root / "index"
    shutil.copytree(base, articles, ignore=shutil.ignore_patterns(".complete"))
    files = corpora.list_files(articles)
    rng = random.Random(21578)
    rounds = ctx.sizes.incremental_rounds
    picked = rng.sample(files, (CHANGE + DELETE) * rounds)
    plan = []
    for r in range(rounds):
        chunk = picked[r * (CHANGE + DELETE):(r + 1) * (CHANGE + DELETE)]
        plan.append({"change": chunk[:CHANGE], "delete": chunk[CHANGE:]})
    # plant words in the files that will change or go, so a search can prove the index followed
    for r, p in enumerate(plan):
        for i, f in enumerate(p["change"]):
            f.write_text(f.read_text(encoding="utf-8") + f"\n{token('old', r, i)}\n", encoding="utf-8")
        for i, f in enumerate(p["delete"]):
            f.write_text(f.read_text(encoding="utf-8") + f"\n{token('del', r, i)}\n", encoding="utf-8")
    result = {"articles": len(files), "rounds": []}
    notes = []
    engine_ok = not ctx.engine_missing
    if engine_ok:
        from search.searcher import Engine
        result["first_index_s"], result["first_index_output"] = run_index(articles, index)
        result["noop_index_s"], result["noop_index_output"] = run_index(articles, index)
    donors = [f for f in files if f not in set(picked)]
    for r, p in enumerate(plan):
        for i in range(ADD):
            donor = corpora.read_doc(articles, rng.choice(donors))
            new = articles / f"bench-added-{r}-{i:02d}.txt"
            new.write_text(f"---\ntitle: Added {r}-{i} {donor.title}\ndate: 1987-10-20\nsource: Reuters\n---\n"
                           f"{donor.body.strip()}\n{token('add', r, i)}\n", encoding="utf-8")
        for i, f in enumerate(p["change"]):
            text = f.read_text(encoding="utf-8").replace(token("old", r, i), token("new", r, i))
            f.write_text(text + "Corrected later the same day.\n", encoding="utf-8")
        for f in p["delete"]:
            f.unlink()
        rec = {"round": r}
        if engine_ok:
            t = time.perf_counter()
            rec["index_s"], rec["output"] = run_index(articles, index)
            with Engine(index) as engine:  # a fresh reader, as a new CLI or web request would open
                first = found(engine, token("add", r, 0))
                rec["searchable_s"] = time.perf_counter() - t
                checks = []
                for i in range(ADD):
                    checks.append(found(engine, token("add", r, i)) == [f"bench-added-{r}-{i:02d}.txt"])
                for i, f in enumerate(p["change"]):
                    rel = f.relative_to(articles).as_posix()
                    checks.append(found(engine, token("new", r, i)) == [rel])
                    checks.append(found(engine, token("old", r, i)) == [])
                for i in range(DELETE):
                    checks.append(found(engine, token("del", r, i)) == [])
                rec["checks_passed"], rec["checks"] = sum(checks), len(checks)
                rec["first_add_found"] = bool(first)
        result["rounds"].append(rec)
    if engine_ok:
        result["full_index_s"], result["full_index_output"] = run_index(articles, index, full=True)
    fts = run_build("fts5", articles, root / "fts5.db")
    result["fts5_full_process_s"] = fts["process_seconds"]
    result["fts5_full_build_s"] = fts["seconds"]
    result["fts5_docs"] = fts["docs"]
    result["articles_after"] = len(corpora.list_files(articles))

    rows = []
    if engine_ok:
        rows.append(["engine: first `search index` (empty index)", result["first_index_s"], "", result["first_index_output"]])
        rows.append(["engine: `search index`, nothing changed", result["noop_index_s"], "", result["noop_index_output"]])
        for rec in result["rounds"]:
            rows.append([f"engine: `search index` after +{ADD} ~{CHANGE} -{DELETE} (round {rec['round'] + 1})",
                         rec["index_s"], rec["searchable_s"], f"{rec['output']} · checks {rec['checks_passed']}/{rec['checks']}"])
        rows.append(["engine: `search index --full`", result["full_index_s"], "", result["full_index_output"]])
    rows.append(["FTS5: full rebuild (process)", result["fts5_full_process_s"], "",
                 f"{result['fts5_docs']:,} docs, {result['fts5_full_build_s']:.2f} s inside the process"])
    tables = [table(["what (whole process, start-up included)", "wall s", "searchable after s", "output"], rows,
                    f"Incremental: reuters, {len(files):,} articles, {ADD} added + {CHANGE} changed + {DELETE} deleted")]
    ratios = {}
    if engine_ok:
        inc = [rec["index_s"] for rec in result["rounds"]]
        searchable = [rec["searchable_s"] for rec in result["rounds"]]
        result["median_index_s"] = percentile(inc, 50)
        result["median_searchable_s"] = percentile(searchable, 50)
        ratios = {"incremental_vs_full": ratio(result["median_index_s"], result["full_index_s"]),
                  "incremental_vs_fts5_rebuild": ratio(result["median_index_s"], result["fts5_full_process_s"]),
                  "searchable_vs_fts5_rebuild": ratio(result["median_searchable_s"], result["fts5_full_process_s"])}
        tables.append(table(["ratio (median round)", "value"], [[k, v] for k, v in ratios.items()],
                            "Incremental ratios (same run; below 1 means the incremental sync is faster)"))
        worst = max(searchable)
        ok = worst < 1.0 and ratios["searchable_vs_fts5_rebuild"] < 1
        passed = all(rec["checks_passed"] == rec["checks"] for rec in result["rounds"])
        notes.append(f"target searchable in < 1.0 s and faster than the FTS5 rebuild: "
                     f"{'met' if ok else 'MISSED'} "
                     f"(worst round {worst:.2f} s, median {result['median_searchable_s']:.2f} s; "
                     f"FTS5 rebuild {result['fts5_full_process_s']:.2f} s)")
        notes.append(f"every added/changed/deleted article searchable as expected: {'yes' if passed else 'NO'}")
    shutil.rmtree(root, ignore_errors=True)
    return {**result, "ratios": ratios, "tables": tables, "notes": notes}
