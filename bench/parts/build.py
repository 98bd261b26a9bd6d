"""Part 1, build: a full index of reuters by each system in its own process: docs/s, seconds, index MB, peak RSS.

The engine and FTS5 build in alternated rounds (one after the other, the order turned each round) and the ratio
is the median of the rounds' ratios: one round of each scatters by a tenth on a 2-core machine, which is the
size of the margin the target asks about. Naive Whoosh builds once (it takes ten times as long).
"""
from __future__ import annotations

from statistics import median

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
    results = {}
    for system in ctx.systems:
        if system in rounds:
            done = sorted(rounds[system], key=lambda r: r["seconds"])
            r = dict(done[(len(done) - 1) // 2], rounds=[x["seconds"] for x in rounds[system]])  # the median round
        else:
            r = ctx.build("reuters", articles, system)
        r["docs_per_s"] = r["docs"] / r["seconds"]
        results[system] = r
    rows = [[s, r["docs"], r["seconds"], r["docs_per_s"], r["index_mb"], r["peak_rss_mb"], r["baseline_rss_mb"]]
            for s, r in results.items()]
    n = len(next(iter(rounds.values()), []))
    tables = [table(["system", "docs", "seconds", "docs/s", "index MB", "peak RSS MB", "RSS before build MB"], rows,
                    f"Build: reuters, {written:,} articles, full index, each system in a fresh process "
                    f"(engine and FTS5: the median of {n} alternated rounds)")]
    ratios, notes = {}, []
    eng = results.get("engine")
    if eng:
        ratios = {
            "engine_vs_naive_docs_per_s": ratio(eng["docs_per_s"], results["naive-whoosh"]["docs_per_s"]),
            # the median of the rounds' ratios (each round's FTS5 seconds over the engine's)
            "engine_vs_fts5_docs_per_s": ratio(median(f["seconds"] / e["seconds"]
                                                      for e, f in zip(rounds["engine"], rounds["fts5"])), 1.0),
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
        per_round = [ratio(f["seconds"] / e["seconds"], 1.0) for e, f in zip(rounds["engine"], rounds["fts5"])]
        notes.append(f"engine / FTS5 docs/s per round: {', '.join(f'{x:.3f}' for x in per_round)}")
    for s, r in results.items():
        if r["docs"] != written:
            notes.append(f"{s} indexed {r['docs']} documents of {written} articles written")
    return {"articles_written": written, "results": results, "ratios": ratios, "tables": tables, "notes": notes}
