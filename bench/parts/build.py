"""Part 1, build: a full index of reuters by each system in its own process: docs/s, seconds, index MB, peak RSS."""
from __future__ import annotations

from bench import corpora
from bench.report import ratio, table


def run(ctx) -> dict:
    articles = ctx.reuters()
    written = len(corpora.list_files(articles))
    results = {}
    for system in ctx.systems:  # one after another: two cores, shared
        r = ctx.build("reuters", articles, system)
        r["docs_per_s"] = r["docs"] / r["seconds"]
        results[system] = r
    rows = [[s, r["docs"], r["seconds"], r["docs_per_s"], r["index_mb"], r["peak_rss_mb"], r["baseline_rss_mb"]]
            for s, r in results.items()]
    tables = [table(["system", "docs", "seconds", "docs/s", "index MB", "peak RSS MB", "RSS before build MB"], rows,
                    f"Build: reuters, {written:,} articles, full index, each system in a fresh process")]
    ratios, notes = {}, []
    eng = results.get("engine")
    if eng:
        ratios = {
            "engine_vs_naive_docs_per_s": ratio(eng["docs_per_s"], results["naive-whoosh"]["docs_per_s"]),
            "engine_vs_fts5_docs_per_s": ratio(eng["docs_per_s"], results["fts5"]["docs_per_s"]),
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
    for s, r in results.items():
        if r["docs"] != written:
            notes.append(f"{s} indexed {r['docs']} documents of {written} articles written")
    return {"articles_written": written, "results": results, "ratios": ratios, "tables": tables, "notes": notes}
