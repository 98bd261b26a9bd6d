"""Part 4, scale: synthetic collections of growing size: build time, index size, peak RSS, query p50/p95,
for the engine and FTS5, as a table and a plot of how each cost grows."""
from __future__ import annotations

from contextlib import ExitStack

from bench import corpora, latency, querygen
from bench.peers.fts5 import FTS5
from bench.report import ratio, table

SYSTEMS = ("engine", "fts5")


def run(ctx) -> dict:
    systems = [s for s in SYSTEMS if s in ctx.systems]
    points = []
    for n in ctx.sizes.synth:
        folder = ctx.corpus("synth", n=n)
        name = folder.name
        docs = corpora.read_docs(folder)
        queries = querygen.generate(docs, ctx.sizes.scale_queries, seed=n)
        warmup = [q for q in querygen.generate(docs, 10, seed=n + 1) if q not in set(queries)][:5]
        del docs
        point = {"n": n, "build": {}, "query": {}}
        for s in systems:  # the memory and command-line parts may have built this size already in this run
            point["build"][s] = ctx.builds.get((name, s)) or ctx.build(name, folder, s)
        with ExitStack() as stack:
            opened = []
            if "engine" in systems:
                from bench.peers.engine import EngineSystem
                opened.append(stack.enter_context(EngineSystem(ctx.ensure(name, folder, "engine"))))
            opened.append(stack.enter_context(FTS5(ctx.ensure(name, folder, "fts5"))))
            raw = latency.measure(opened, queries, warmup)
        point["query"] = {s: latency.summary(rec) for s, rec in raw.items()}
        point["queries"] = [q.label() for q in queries]
        point["raw_ms"] = {s: rec["ms"] for s, rec in raw.items()}
        points.append(point)
        ctx.drop(name)  # hundreds of MB at 100k: not worth keeping
        print(f"  scale {n:,}: " + ", ".join(
            f"{s} build {point['build'][s]['seconds']:.1f} s, p50 {point['query'][s]['p50']:.1f} ms" for s in systems),
            flush=True)

    rows = []
    for p in points:
        for s in systems:
            b, q = p["build"][s], p["query"][s]
            rows.append([p["n"], s, b["docs"], b["seconds"], b["docs"] / b["seconds"], b["index_mb"],
                         b["peak_rss_mb"], q["p50"], q["p95"], q["zero_results"]])
    tables = [table(["articles", "system", "docs", "build s", "docs/s", "index MB", "peak RSS MB", "query p50 ms",
                     "query p95 ms", "no results"], rows,
                    f"Scale: synthetic collections, {ctx.sizes.scale_queries} distinct queries each")]
    notes = []
    if "engine" in systems:
        rrows = []
        for p in points:
            e, f = p["query"]["engine"], p["query"]["fts5"]
            be, bf = p["build"]["engine"], p["build"]["fts5"]
            rrows.append([p["n"], ratio(be["seconds"], bf["seconds"]), ratio(be["index_mb"], bf["index_mb"]),
                          ratio(be["peak_rss_mb"], bf["peak_rss_mb"]), ratio(e["p50"], f["p50"]),
                          ratio(e["p95"], f["p95"])])
        tables.append(table(["articles", "build time", "index size", "peak RSS", "query p50", "query p95"], rrows,
                            "Scale ratios, engine / FTS5 (same run)"))
        notes.extend(target_notes(points))
    plot(points, systems, ctx.plot)
    try:
        shown = ctx.plot.relative_to(corpora.REPO)
    except ValueError:
        shown = ctx.plot
    notes.append(f"plot: {shown}")
    return {"points": points, "tables": tables, "notes": notes, "plot": str(ctx.plot)}


#: Issue 10's targets: query p95 (ms) under these at these sizes, and build time at most BUILD_RATIO x FTS5's at
#: every size.
P95_TARGETS = {100_000: 50.0, 1_000_000: 150.0}
BUILD_RATIO = 3.0


def target_notes(points: list[dict]) -> list[str]:
    """One line per target of issue 10 that this run measured: met or MISSED, with the figures."""
    notes = []
    for p in points:
        if p["n"] in P95_TARGETS:
            p95, limit = p["query"]["engine"]["p95"], P95_TARGETS[p["n"]]
            notes.append(f"target query p95 under {limit:g} ms at {p['n']:,}: {p95:.1f} ms "
                         f"({'met' if p95 < limit else 'MISSED'})")
    ratios = [(p["n"], p["build"]["engine"]["seconds"] / p["build"]["fts5"]["seconds"]) for p in points]
    if ratios:
        worst = max(r for _, r in ratios)
        notes.append(f"target build time <= {BUILD_RATIO:g}x FTS5's at every size: "
                     + ", ".join(f"{r:.2f}x at {n:,}" for n, r in ratios)
                     + f" ({'met' if worst <= BUILD_RATIO else 'MISSED'})")
    return notes


def plot(points: list[dict], systems: list[str], path) -> None:
    """Four panels against collection size: build seconds, index MB, peak RSS MB, query p50 and p95."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    ns = [p["n"] for p in points]
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))
    colors = {"engine": "tab:blue", "fts5": "tab:orange"}
    panels = [("build time (s)", lambda p, s: p["build"][s]["seconds"]),
              ("index size (MB)", lambda p, s: p["build"][s]["index_mb"]),
              ("peak RSS while building (MB)", lambda p, s: p["build"][s]["peak_rss_mb"])]
    for ax, (title, get) in zip(axes, panels):
        for s in systems:
            ax.plot(ns, [get(p, s) for p in points], "o-", color=colors[s], label=s)
        ax.set_title(title)
    ax = axes[3]
    for s in systems:
        ax.plot(ns, [p["query"][s]["p50"] for p in points], "o-", color=colors[s], label=f"{s} p50")
        ax.plot(ns, [p["query"][s]["p95"] for p in points], "s--", color=colors[s], label=f"{s} p95")
    for n, limit in P95_TARGETS.items():
        if n in ns:
            ax.plot([n], [limit], "v", color="grey", label=f"p95 target at {n // 1000}k")
    ax.set_title("query latency, full page (ms)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(ns)
        ax.set_xticklabels([f"{n // 1000}k" if n >= 1000 else str(n) for n in ns])
        ax.xaxis.set_minor_locator(NullLocator())
        # 1-2-5 labels on the log y axis, so that a narrow range still shows numbers
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("articles")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("How each cost grows with the collection (synthetic news, corpus.py synth)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":  # redraw the plot from a results file: python -m bench.parts.scale RESULTS.json OUT.png
    import json
    import sys
    from pathlib import Path

    data = json.loads(Path(sys.argv[1]).read_text())
    plot(data["points"], [s for s in SYSTEMS if s in data["points"][0]["build"]], Path(sys.argv[2]))
