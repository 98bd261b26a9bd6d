"""Part 1, build: a full index of reuters by each system in its own process: docs/s, seconds, index MB, peak RSS.

The engine and FTS5 build in alternated rounds (one after the other, the order turned each round) and the table
shows the round whose engine / FTS5 docs/s ratio is the median: on a shared 2-core machine one round of each
scatters about as much as the margin the target asks about (BENCHMARKS.md). Naive Whoosh, much slower, builds once.
"""
from __future__ import annotations

from bench import corpora
from bench.report import ratio, table

#: Alternated rounds of the engine and FTS5 in a full run (a --quick run does one).
ROUNDS = 5


def run(ctx) -> dict:
    articles = ctx.reuters()
    written = len(corpora.list_files(articles))
    paired = [s for s in ctx.systems if s in ("engine", "fts5")]
    rounds = {s: [] for s in paired}
    for i in range(1 if ctx.quick else ROUNDS):
        for system in paired if i % 2 == 0 else paired[::-1]:  # one after another: two cores, shared
            rounds[system].append(ctx.build("reuters", articles, system))
    chosen = _median_round(rounds)
    results = {}
    for system in ctx.systems:
        if system in rounds:
            r = dict(rounds[system][chosen], rounds=[x["seconds"] for x in rounds[system]])
        else:
            r = ctx.build("reuters", articles, system)
        r["docs_per_s"] = r["docs"] / r["seconds"]
        results[system] = r
    rows = [[s, r["docs"], r["seconds"], r["docs_per_s"], r["index_mb"], r["peak_rss_mb"], r["baseline_rss_mb"]]
            for s, r in results.items()]
    n = len(next(iter(rounds.values()), []))
    tables = [table(["system", "docs", "seconds", "docs/s", "index MB", "peak RSS MB", "RSS before build MB"], rows,
                    f"Build: reuters, {written:,} articles, full index, each system in a fresh process"
                    + (f" (engine and FTS5: the round of the median ratio, of {n} alternated)" if n > 1 else ""))]
    ratios, notes = {}, []
    eng = results.get("engine")
    if eng:
        ratios = {
            "engine_vs_naive_docs_per_s": ratio(eng["docs_per_s"], results["naive-whoosh"]["docs_per_s"]),
            "engine_vs_fts5_docs_per_s": ratio(eng["docs_per_s"], results["fts5"]["docs_per_s"]),  # the median round
            "engine_vs_fts5_peak_rss": ratio(eng["peak_rss_mb"], results["fts5"]["peak_rss_mb"]),
            "engine_vs_naive_peak_rss": ratio(eng["peak_rss_mb"], results["naive-whoosh"]["peak_rss_mb"]),
            "engine_vs_fts5_index_mb": ratio(eng["index_mb"], results["fts5"]["index_mb"]),
        }
        tables.append(table(["ratio", "value"], [[k, v] for k, v in ratios.items()], "Build ratios (same run)"))
        fast = ratios["engine_vs_fts5_docs_per_s"] >= 0.4
        small = ratios["engine_vs_fts5_index_mb"] <= 1.5
        notes.append(f"target build >= 0.4x FTS5's docs/s: {ratios['engine_vs_fts5_docs_per_s']:.2f}x "
                     f"({'met' if fast else 'MISSED'}); index <= 1.5x FTS5's: "
                     f"{ratios['engine_vs_fts5_index_mb']:.2f}x ({'met' if small else 'MISSED'}); engine peak RSS "
                     f"{eng['peak_rss_mb']:.0f} MB (the indexer and its worker processes together)")
        per_round = ", ".join(f"{x:.3f}" for x in _round_ratios(rounds))
        notes.append(f"engine / FTS5 docs/s per round: {per_round} (the table shows round {chosen + 1})")
    for s, r in results.items():
        if r["docs"] != written:
            notes.append(f"{s} indexed {r['docs']} documents of {written} articles written")
    return {"articles_written": written, "results": results, "ratios": ratios, "tables": tables, "notes": notes}


def _round_ratios(rounds: dict[str, list[dict]]) -> list[float]:
    """Each round's engine docs/s over FTS5's (empty unless both built)."""
    if not rounds.get("engine") or not rounds.get("fts5"):
        return []
    return [(e["docs"] / e["seconds"]) / (f["docs"] / f["seconds"]) for e, f in zip(rounds["engine"], rounds["fts5"])]


def _median_round(rounds: dict[str, list[dict]]) -> int:
    """The round to show: the one whose engine / FTS5 ratio is the median (the lower one of an even count), else the
    one whose own time is; 0 when nothing was built in rounds."""
    by = _round_ratios(rounds)
    if not by:
        only = next((r for r in rounds.values() if r), [])
        by = [r["seconds"] for r in only]
    if not by:
        return 0
    return sorted(range(len(by)), key=by.__getitem__)[(len(by) - 1) // 2]
