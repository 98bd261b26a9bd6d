"""Part 3, query: distinct reuters queries doing a whole results page (top 10, snippets, source and month
facets, total) on the engine, FTS5 (AND and OR of the tokens), tantivy (the compiled reference, when installed:
the bench extra) and naive Whoosh, interleaved in one process."""
from __future__ import annotations

from contextlib import ExitStack

from bench import corpora, latency, querygen
from bench.metrics import percentile
from bench.peers.fts5 import FTS5
from bench.peers.naive_whoosh import NaiveWhoosh
from bench.report import ratio, table

#: The targets set for the query part: the engine's p50 at most FTS5's (AND), its p95 at most half of FTS5's.
TARGET_P50_VS_FTS5, TARGET_P95_VS_FTS5 = 1.0, 0.5


def tantivy_missing() -> str | None:
    """None when the tantivy peer imports (pip install -e '.[bench]'); else why not."""
    try:
        import tantivy  # noqa: F401
    except ImportError as exc:
        return str(exc)
    return None


def open_systems(ctx, stack: ExitStack, corpus: str, articles, naive: bool = True, floor: bool = False) -> list:
    """The systems a query part times (floor: also the engine's pages without passages)."""
    systems = []
    if not ctx.engine_missing:
        from bench.peers.engine import EngineSystem
        systems.append(stack.enter_context(EngineSystem(ctx.ensure(corpus, articles, "engine"))))
        if floor:
            systems.append(stack.enter_context(EngineSystem(ctx.ensure(corpus, articles, "engine"), passages=False)))
    db = ctx.ensure(corpus, articles, "fts5")
    systems.append(stack.enter_context(FTS5(db)))
    systems.append(stack.enter_context(FTS5(db, mode="or")))
    if not tantivy_missing():
        from bench.peers.tantivy_peer import Tantivy
        systems.append(stack.enter_context(Tantivy(ctx.ensure(corpus, articles, "tantivy"))))
    if naive:
        systems.append(stack.enter_context(NaiveWhoosh(ctx.ensure(corpus, articles, "naive-whoosh"))))
    return systems


def run(ctx) -> dict:
    articles = ctx.reuters()
    docs = corpora.read_docs(articles)
    queries = querygen.generate(docs, ctx.sizes.queries)
    warmup = [q for q in querygen.generate(docs, 10, seed=7) if q not in set(queries)][:5]
    with ExitStack() as stack:
        systems = open_systems(ctx, stack, "reuters", articles, floor=True)
        raw = latency.measure(systems, queries, warmup)
    stats = {name: latency.summary(rec) for name, rec in raw.items()}
    rows = [[name, s["p50"], s["p95"], s["p99"], s["mean"], s["max"], s["zero_results"], s["errors"]]
            for name, s in stats.items()]
    tables = [table(["system", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms", "no results", "errors"], rows,
                    f"Query: {len(queries)} distinct reuters queries ({len(docs):,} articles), full results page")]

    # per kind of query, p50 of each system
    kinds = [querygen.kind_of(q) for q in queries]
    by_kind = []
    for kind in sorted(set(kinds)):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        by_kind.append([kind, len(idx)] + [percentile([raw[n]["ms"][i] for i in idx], 50) for n in raw])
    tables.append(table(["kind", "n"] + [f"{n} p50 ms" for n in raw], by_kind, "Query p50 by kind of query"))

    ratios, notes = {}, []
    if "engine" in stats:
        e, f, w = stats["engine"], stats["fts5"], stats["naive-whoosh"]
        ratios = {
            "engine_p50_vs_fts5": ratio(e["p50"], f["p50"]), "engine_p95_vs_fts5": ratio(e["p95"], f["p95"]),
            "engine_p99_vs_fts5": ratio(e["p99"], f["p99"]),
            "engine_p50_vs_fts5_or": ratio(e["p50"], stats["fts5-or"]["p50"]),
            "engine_p95_vs_fts5_or": ratio(e["p95"], stats["fts5-or"]["p95"]),
            "naive_p50_vs_engine": ratio(w["p50"], e["p50"]), "naive_p95_vs_engine": ratio(w["p95"], e["p95"]),
        }
        if "engine-no-passages" in stats:
            ratios["engine_no_passages_p50_vs_fts5"] = ratio(stats["engine-no-passages"]["p50"], f["p50"])
        if "tantivy" in stats:
            t = stats["tantivy"]
            ratios.update({"engine_p50_vs_tantivy": ratio(e["p50"], t["p50"]),
                           "engine_p95_vs_tantivy": ratio(e["p95"], t["p95"]),
                           "tantivy_p50_vs_fts5": ratio(t["p50"], f["p50"])})
        tables.append(table(["ratio", "value"], [[k, v] for k, v in ratios.items()],
                            "Query ratios (same run; engine/peer below 1 means the engine is faster)"))
        ok_p50 = ratios["engine_p50_vs_fts5"] <= TARGET_P50_VS_FTS5
        ok_p95 = ratios["engine_p95_vs_fts5"] <= TARGET_P95_VS_FTS5
        ok_naive = ratios["naive_p50_vs_engine"] >= 20 and ratios["naive_p95_vs_engine"] >= 20
        notes.append(f"target p50 <= {TARGET_P50_VS_FTS5}x FTS5 (AND): {'met' if ok_p50 else 'MISSED'}; "
                     f"target p95 <= {TARGET_P95_VS_FTS5}x FTS5 (AND): {'met' if ok_p95 else 'MISSED'}; "
                     f"target >= 20x faster than naive Whoosh (p50 and p95): {'met' if ok_naive else 'MISSED'}")
        if "tantivy" in stats:
            notes.append(f"engine / tantivy: p50 {ratios['engine_p50_vs_tantivy']}x, p95 "
                         f"{ratios['engine_p95_vs_tantivy']}x (the aim beyond the targets: within 3x)")
        else:
            notes.append(f"tantivy not measured ({tantivy_missing()}): pip install -e '.[bench]'")
        same = sum(1 for a, b in zip(raw["engine"]["totals"], raw["fts5"]["totals"]) if a == b)
        notes.append(f"engine and FTS5 (AND) report the same total on {same} of {len(queries)} queries "
                     "(analyzers differ: stop words, stemmers, tokenization of numbers)")
    for name, rec in raw.items():
        for err in rec["errors"][:5]:
            notes.append(f"{name} failed: {err}")
    return {"articles": len(docs), "queries": [q.label() for q in queries], "kinds": kinds, "stats": stats,
            "ratios": ratios, "raw": raw, "tables": tables, "notes": notes}
