"""Part 5, relevance: TIME and Cranfield with their judgments: MAP, nDCG@10, P@10, R@100 for the engine's
default search path (query text as typed) and the peers, plus the sweep over Ranking(b, k1, title_boost)."""
from __future__ import annotations

import itertools

from bench import corpora
from bench.metrics import evaluate
from bench.peers.fts5 import FTS5
from bench.peers.naive_whoosh import NaiveWhoosh
from bench.report import ratio, table

DEPTH = 100  # every system returns its top 100; MAP is computed over those, as are R@100 and nDCG@10


def rankings(system, queries, errors: list | None = None) -> dict[str, list[str]]:
    """{qid: ranked paths}; a query the system fails on ranks nothing and is recorded in `errors`."""
    runs = {}
    for qid, text in queries:
        try:
            runs[qid] = system.ranking(text, DEPTH)
        except Exception as exc:  # counted and shown: an engine bug must not hide the other figures
            runs[qid] = []
            if errors is not None:
                errors.append(f"{system.name} q{qid} {text[:40]!r}: {type(exc).__name__}: {exc}")
    return runs


def run(ctx) -> dict:
    collections, tables, notes = {}, [], []
    for coll in ctx.sizes.collections:
        folder = ctx.corpus(coll)
        articles = corpora.articles_dir(folder)
        queries, qrels = corpora.read_queries(folder), corpora.read_qrels(folder)
        scores, failures = {}, {}
        db = ctx.ensure(coll, articles, "fts5")
        naive = ctx.ensure(coll, articles, "naive-whoosh")
        systems = []
        if not ctx.engine_missing:
            from bench.peers.engine import EngineSystem
            systems.append(EngineSystem(ctx.ensure(coll, articles, "engine")))
        systems += [FTS5(db), FTS5(db, mode="or"), FTS5(db, mode="and-or"), NaiveWhoosh(naive),
                    NaiveWhoosh(naive, mode="or")]
        for s in systems:
            errors = []
            with s:
                scores[s.name] = evaluate(rankings(s, queries, errors), qrels)
            scores[s.name]["errors"] = failures[s.name] = len(errors)
            notes.extend(f"{coll}: {e}" for e in errors[:3])
            if len(errors) > 3:
                notes.append(f"{coll}: ... {s.name} failed on {len(errors)} of {len(queries)} queries")
        best_fts5 = max(("fts5", "fts5-or", "fts5-and-or"), key=lambda n: scores[n]["map"])
        rows = [[name, m["map"], m["ndcg@10"], m["p@10"], m["r@100"], ratio(m["map"], scores[best_fts5]["map"]),
                 ratio(m["ndcg@10"], scores[best_fts5]["ndcg@10"]), m["errors"]] for name, m in scores.items()]
        n_docs = len(corpora.list_files(articles))
        tables.append(table(["system", "MAP", "nDCG@10", "P@10", "R@100", f"MAP / {best_fts5}",
                             f"nDCG@10 / {best_fts5}", "failed queries"], rows,
                            f"Relevance: {coll} ({n_docs:,} articles, {len(queries)} queries, "
                            f"{scores['fts5']['queries']} judged)"))
        collections[coll] = {"articles": articles, "scores": scores, "best_fts5": best_fts5}

    sweep = []
    if not ctx.engine_missing:
        from bench.peers.engine import EngineSystem, default_ranking, ranking_of
        grid = ctx.sizes.sweep
        limit = ctx.sizes.sweep_queries
        default = default_ranking()
        combos = set(itertools.product(grid["b"], grid["k1"], grid["title_boost"]))
        combos.add((default["b"], default["k1"], default["title_boost"]))
        for b, k1, tb in sorted(combos):
            row = {"b": b, "k1": k1, "title_boost": tb,
                   "default": (b, k1, tb) == (default["b"], default["k1"], default["title_boost"])}
            for coll, info in collections.items():
                folder = ctx.corpus(coll)
                queries = corpora.read_queries(folder)[:limit or None]
                if row["default"] and not limit:  # measured above with ranking=None: not run twice
                    m = info["scores"]["engine"]
                else:
                    errors = []
                    with EngineSystem(ctx.ensure(coll, info["articles"], "engine"),
                                      ranking=ranking_of(b, k1, tb)) as s:
                        runs = rankings(s, queries, errors)
                    row.setdefault("errors", 0)
                    row["errors"] += len(errors)
                    qrels = corpora.read_qrels(folder)
                    m = evaluate(runs, {q: qrels[q] for q, _ in queries if q in qrels})
                row[coll] = {"map": m["map"], "ndcg@10": m["ndcg@10"]}
            # one number to choose by: MAP and nDCG@10 of every collection, equally weighted
            row["mean"] = sum(v["map"] + v["ndcg@10"] for k, v in row.items() if k in collections) / (
                2 * len(collections))
            sweep.append(row)
        sweep.sort(key=lambda r: -r["mean"])
        headers = ["b", "k1", "title boost"] + [f"{c} {m}" for c in collections for m in ("MAP", "nDCG@10")] + [
            "mean", "default"]
        shown = sweep[:12] + [r for r in sweep[12:] if r["default"]]
        tables.append(table(headers, [[r["b"], r["k1"], r["title_boost"]] + [
            r[c][m] for c in collections for m in ("map", "ndcg@10")] + [r["mean"], r["default"]] for r in shown],
            f"Ranking sweep: {len(sweep)} settings of Ranking(b, k1, title_boost), best first"
            f"{f', first {limit} queries of each collection only' if limit else ''} "
            f"(top 12{' and the default' if len(shown) > 12 else ''}; all in relevance.json)"))
        best = sweep[0]
        notes.append(f"engine default Ranking: {default}; best in this sweep: b={best['b']} k1={best['k1']} "
                     f"title_boost={best['title_boost']} (mean of MAP and nDCG@10 {best['mean']:.4f})")
        for coll in collections:
            top = max(sweep, key=lambda r: r[coll]["map"])
            notes.append(f"best for {coll} alone by MAP: b={top['b']} k1={top['k1']} title_boost={top['title_boost']}"
                         f" -> MAP {top[coll]['map']:.4f}, nDCG@10 {top[coll]['ndcg@10']:.4f}")
        targets = []
        for coll, info in collections.items():
            e, f = info["scores"]["engine"], info["scores"][info["best_fts5"]]
            targets.append((coll, e["map"] >= f["map"], e["ndcg@10"] >= f["ndcg@10"], ratio(e["ndcg@10"], f["ndcg@10"])))
        both = all(t[1] and t[2] for t in targets)
        plus5 = any(t[3] >= 1.05 for t in targets)
        notes.append("target MAP and nDCG@10 >= FTS5's (best of AND/OR) on every collection: "
                     f"{'met' if both else 'MISSED'}; nDCG@10 >= 1.05x on one: {'met' if plus5 else 'MISSED'} ("
                     + ", ".join(f"{c} nDCG ratio {r:.3f}" for c, _, _, r in targets) + ")")
    for info in collections.values():
        info["articles"] = str(info["articles"])
    return {"collections": collections, "sweep": sweep, "depth": DEPTH, "tables": tables, "notes": notes}
