"""Part 5, relevance: TIME and Cranfield with their judgments: MAP, nDCG@10, P@10, R@100 for the engine's
default search path (query text as typed), its readings before and after each change of issue 13 side by side
(query-term frequency, more when few match, the query read as an example text), and the peers; the engine at
the ranking defaults before the k3 retune; the sweep over Ranking(b, k1, title_boost) with lines through the
default in k3 and the proximity weight; and the time per query of a 2,000-word pasted text on reuters."""
from __future__ import annotations

import itertools
import time

from bench import corpora
from bench.metrics import evaluate, percentile
from bench.peers.fts5 import FTS5
from bench.peers.naive_whoosh import NaiveWhoosh
from bench.report import ratio, table

DEPTH = 100  # every system returns its top 100; MAP is computed over those, as are R@100 and nDCG@10
#: Issue 13's changes, each as (what, engine variant before it, engine variant with it): bench/peers/engine.py
CHANGES = (("query-term frequency", "engine-before", "engine-qtf"),
           ("more when few match", "engine-qtf", "engine"),
           ("query read as an example text", "engine", "engine-like"),
           ("ranking defaults b 0.9, k3 2, proximity 0.75", "engine-old-ranking", "engine"))
#: The ranking defaults before query-term frequency was saturated (k3 infinite: raw qtf) and b and the proximity
#: weight were chosen again: the engine-old-ranking reading
OLD_RANKING = {"b": 0.75, "k1": 2.0, "title_boost": 4.0, "k3": float("inf"), "proximity_boost": 1.0}
#: The ranking parameters the sweep varies (search.searcher.Ranking's fields), and those it varies alone
PARAMS = ("b", "k1", "title_boost", "k3", "proximity_boost")
LINES = ("k3", "proximity_boost")
PASTE_WORDS = 2_000  # the pasted texts of the timing: consecutive reuters articles up to this many words


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
            index = ctx.ensure(coll, articles, "engine")
            from bench.peers.engine import ranking_of
            systems += [EngineSystem(index, variant=v) for v in ("default", "before", "qtf", "like")]
            systems.append(EngineSystem(index, ranking=ranking_of(**OLD_RANKING)))
            systems[-1].name = "engine-old-ranking"
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
        if not ctx.engine_missing:
            tables.append(_changes_table(coll, scores))
        n_docs = len(corpora.list_files(articles))
        tables.append(table(["system", "MAP", "nDCG@10", "P@10", "R@100", f"MAP / {best_fts5}",
                             f"nDCG@10 / {best_fts5}", "failed queries"], rows,
                            f"Relevance: {coll} ({n_docs:,} articles, {len(queries)} queries, "
                            f"{scores['fts5']['queries']} judged)"))
        collections[coll] = {"articles": articles, "scores": scores, "best_fts5": best_fts5}

    sweep = []
    if not ctx.engine_missing:
        from bench.peers.engine import EngineSystem, default_ranking, ranking_of
        limit = ctx.sizes.sweep_queries
        default = default_ranking()
        for setting in sweep_settings(ctx.sizes.sweep, default):
            row = dict(setting, default=setting == {k: default[k] for k in PARAMS})
            for coll, info in collections.items():
                folder = ctx.corpus(coll)
                queries = corpora.read_queries(folder)[:limit or None]
                if row["default"] and not limit:  # measured above with ranking=None: not run twice
                    m = info["scores"]["engine"]
                else:
                    errors = []
                    with EngineSystem(ctx.ensure(coll, info["articles"], "engine"),
                                      ranking=ranking_of(**setting)) as s:
                        runs = rankings(s, queries, errors)
                    row.setdefault("errors", 0)
                    row["errors"] += len(errors)
                    qrels = corpora.read_qrels(folder)
                    m = evaluate(runs, {q: qrels[q] for q, _ in queries if q in qrels})
                row[coll] = {"map": m["map"], "ndcg@10": m["ndcg@10"], "r@100": m["r@100"]}
            # one number to choose by: MAP and nDCG@10 of every collection, equally weighted
            row["mean"] = sum(v["map"] + v["ndcg@10"] for k, v in row.items() if k in collections) / (
                2 * len(collections))
            sweep.append(row)
        sweep.sort(key=lambda r: -r["mean"])
        headers = ["b", "k1", "title boost", "k3", "proximity"] + [
            f"{c} {m}" for c in collections for m in ("MAP", "nDCG@10")] + ["mean", "default"]

        def cells(r):
            return [r[k] for k in PARAMS] + [r[c][m] for c in collections for m in ("map", "ndcg@10")] + [
                r["mean"], r["default"]]

        shown = sweep[:12] + [r for r in sweep[12:] if r["default"]]
        tables.append(table(headers, [cells(r) for r in shown],
            f"Ranking sweep: {len(sweep)} settings of Ranking(b, k1, title_boost, k3, proximity_boost), best first"
            f"{f', first {limit} queries of each collection only' if limit else ''} "
            f"(top 12{' and the default' if len(shown) > 12 else ''}; all in relevance.json)"))
        for name in LINES:
            line = sorted((r for r in sweep if all(r[k] == default[k] for k in PARAMS if k != name)),
                          key=lambda r: r[name])
            tables.append(table(headers, [cells(r) for r in line],
                                f"Ranking sweep: {name} alone, the other parameters at their defaults"))
        best = sweep[0]
        notes.append(f"engine default Ranking: {default}; best in this sweep: "
                     + " ".join(f"{k}={best[k]}" for k in PARAMS) + f" (mean of MAP and nDCG@10 {best['mean']:.4f})")
        for coll in collections:
            top = max(sweep, key=lambda r: r[coll]["map"])
            notes.append(f"best for {coll} alone by MAP: " + " ".join(f"{k}={top[k]}" for k in PARAMS)
                         + f" -> MAP {top[coll]['map']:.4f}, nDCG@10 {top[coll]['ndcg@10']:.4f}")
        targets = []
        for coll, info in collections.items():
            e, f = info["scores"]["engine"], info["scores"][info["best_fts5"]]
            targets.append((coll, e["map"] >= f["map"], e["ndcg@10"] >= f["ndcg@10"], ratio(e["ndcg@10"], f["ndcg@10"])))
        both = all(t[1] and t[2] for t in targets)
        plus5 = all(t[3] >= 1.05 for t in targets)
        notes.append("target MAP and nDCG@10 >= FTS5's (best of AND/OR) on every collection: "
                     f"{'met' if both else 'MISSED'}; nDCG@10 >= 1.05x on both: {'met' if plus5 else 'MISSED'} ("
                     + ", ".join(f"{c} nDCG ratio {r:.4f}" for c, _, _, r in targets) + ")")
        losses = [f"{coll} {what} {m}" for coll, info in collections.items() for what, old, new in CHANGES
                  if new != "engine-like"  # a reading for comparison, not a change of the default path
                  for m in ("map", "ndcg@10", "r@100") if info["scores"][new][m] < info["scores"][old][m]]
        refused = sum(info["scores"][name]["errors"] for info in collections.values() for name in info["scores"]
                      if name.startswith("engine"))
        notes.append(f"target no loss from qtf, more-when-few and the ranking defaults on either collection: "
                     f"{'met' if not losses else 'MISSED (' + ', '.join(losses) + ')'}; every query accepted by "
                     f"every engine reading: {'met' if not refused else f'MISSED ({refused} refused)'}")
    paste = {}
    if not ctx.engine_missing:
        paste = _paste_timing(ctx)
        tables.append(paste.pop("table"))
    for info in collections.values():
        info["articles"] = str(info["articles"])
    return {"collections": collections, "sweep": sweep, "depth": DEPTH, "paste": paste, "tables": tables,
            "notes": notes}


def sweep_settings(grid: dict, default: dict) -> list[dict]:
    """The sweep's settings, each a dict of PARAMS: the grid of b, k1 and title_boost at the default k3 and
    proximity weight, the lines through the default for k3 and proximity_boost, and the default itself."""
    base = {k: default[k] for k in PARAMS}
    settings = [dict(base, b=b, k1=k1, title_boost=tb)
                for b, k1, tb in itertools.product(grid["b"], grid["k1"], grid["title_boost"])]
    settings += [dict(base, **{name: v}) for name in LINES for v in grid.get(name, ())]
    settings.append(base)
    unique = {tuple(s[k] for k in PARAMS): s for s in settings}
    return [unique[key] for key in sorted(unique)]


def _changes_table(coll: str, scores: dict) -> str:
    """Each change of issue 13 as before -> after on MAP, nDCG@10 and R@100."""
    rows = []
    for what, old, new in CHANGES:
        a, b = scores[old], scores[new]
        rows.append([what, f"{old} -> {new}"] + [f"{a[m]:.4f} -> {b[m]:.4f}" for m in ("map", "ndcg@10", "r@100")]
                    + [ratio(b["ndcg@10"], a["ndcg@10"])])
    return table(["change", "systems", "MAP", "nDCG@10", "R@100", "nDCG@10 after / before"], rows,
                 f"Relevance: {coll}, each change old -> new (same run)")


def pasted_texts(articles, n: int, words: int = PASTE_WORDS) -> list[str]:
    """`n` texts of about `words` words, each consecutive articles of the folder (sorted by path) joined."""
    texts, current, count = [], [], 0
    for file in corpora.list_files(articles):
        doc = corpora.read_doc(articles, file)
        current.append(doc.title + "\n" + doc.body)
        count += len(doc.body.split()) + len(doc.title.split())
        if count >= words:
            texts.append("\n\n".join(current))
            current, count = [], 0
            if len(texts) == n:
                break
    return texts


def _paste_timing(ctx) -> dict:
    """Time per query of 2,000-word pasted texts on reuters: the engine reading them as example texts (a full
    results page), and FTS5 OR of the words the engine chose (FTS5 OR of every word of the text is timed in the
    quick mode only: on the whole of reuters one such query takes minutes)."""
    from bench.peers import Query
    from bench.peers.engine import EngineSystem
    from search.like import as_text
    articles = ctx.reuters()
    n = 5 if ctx.quick else 20
    texts = pasted_texts(articles, n)
    engine_index, db = ctx.ensure("reuters", articles, "engine"), ctx.ensure("reuters", articles, "fts5")
    times: dict[str, list[float]] = {"engine (like)": [], "fts5-or, engine's words": []}
    if ctx.quick:
        times["fts5-or, every word"] = []
    with EngineSystem(engine_index) as e, FTS5(db, mode="or") as f:
        e.page(Query(texts[-1]))  # warm-up: open the index, fill the columns
        for text in texts:
            t = time.perf_counter()
            res = e.engine.search(text, per_page=10)
            times["engine (like)"].append((time.perf_counter() - t) * 1000)
            chosen = as_text(res.like_words or [])
            for name, q in (("fts5-or, every word", text), ("fts5-or, engine's words", chosen)):
                if name not in times:
                    continue
                t = time.perf_counter()
                f.page(Query(q))
                times[name].append((time.perf_counter() - t) * 1000)
    words = sorted(len(t.split()) for t in texts)
    rows = [[name, len(ms), percentile(ms, 50), percentile(ms, 95), sum(ms) / len(ms),
             ratio(percentile(ms, 50), percentile(times["engine (like)"], 50))] for name, ms in times.items()]
    out = {name: {"p50": percentile(ms, 50), "p95": percentile(ms, 95)} for name, ms in times.items()}
    out["texts"], out["words_median"] = len(texts), words[len(words) // 2]
    out["table"] = table(["system", "texts", "p50 ms", "p95 ms", "mean ms", "p50 / engine p50"], rows,
                         f"Pasted texts on reuters: {len(texts)} texts of {words[0]:,}-{words[-1]:,} words "
                         "(consecutive articles joined), full results page (top 10, snippets, facets)")
    return out
