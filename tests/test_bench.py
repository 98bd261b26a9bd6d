"""The benchmark suite: metric arithmetic checked by hand, the peers' query translation and results page, a --quick run."""
from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import corpora, querygen
from bench.metrics import average_precision, evaluate, ndcg, percentile, precision, recall
from bench.parts.relevance import PARAMS, sweep_settings
from bench.peers import Query
from bench.peers.fts5 import FTS5, build, expression

REPO = Path(__file__).resolve().parent.parent

# --- metrics, on rankings small enough to score on paper --------------------------------------------------

BINARY = {"a": 1, "c": 1, "f": 1}  # f is relevant but never retrieved
RUN = ["a", "b", "c", "d", "e"]


def test_average_precision_by_hand():
    # relevant at ranks 1 and 3: (1/1 + 2/3) / 3 relevant = 5/9
    assert average_precision(RUN, BINARY) == pytest.approx(5 / 9)
    assert average_precision(["f", "a", "c"], BINARY) == pytest.approx(1.0)
    assert average_precision([], BINARY) == 0.0
    assert average_precision(["b", "d"], BINARY) == 0.0


def test_ndcg_binary_by_hand():
    # DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3) + 1/log2(4)
    assert ndcg(RUN, BINARY, 10) == pytest.approx(1.5 / (1 + 1 / math.log2(3) + 0.5))
    assert ndcg(RUN, BINARY, 10) == pytest.approx(0.70392, abs=1e-5)
    assert ndcg(["a", "c", "f"], BINARY, 10) == pytest.approx(1.0)
    assert ndcg(["b"], BINARY, 10) == 0.0


def test_ndcg_graded_by_hand():
    qrels = {"x": 1, "y": 3, "w": 2}
    # DCG = 1/1 + 3/log2(3); ideal order 3, 2, 1 = 3 + 2/log2(3) + 1/2
    expected = (1 + 3 / math.log2(3)) / (3 + 2 / math.log2(3) + 0.5)
    assert ndcg(["x", "y", "z"], qrels, 10) == pytest.approx(expected)
    assert ndcg(["x", "y", "z"], qrels, 10) == pytest.approx(0.60749, abs=1e-5)
    # the cut-off applies to both the ranking and the ideal: at k=1 only "y" (3) is ideal
    assert ndcg(["x", "y"], qrels, 1) == pytest.approx(1 / 3)
    # AP ignores grades: relevant at ranks 1 and 2 of 3 relevant = (1 + 1) / 3
    assert average_precision(["x", "y", "z"], qrels) == pytest.approx(2 / 3)


def test_precision_and_recall_by_hand():
    assert precision(RUN, BINARY, 5) == pytest.approx(2 / 5)
    assert precision(RUN, BINARY, 10) == pytest.approx(2 / 10)  # a short list is not padded
    assert precision(RUN, BINARY, 1) == 1.0
    assert recall(RUN, BINARY, 100) == pytest.approx(2 / 3)
    assert recall(RUN, BINARY, 2) == pytest.approx(1 / 3)


def test_duplicates_count_once():
    assert average_precision(["a", "a", "c"], {"a": 1, "c": 1}) == pytest.approx(1.0)
    assert precision(["a", "a"], {"a": 1}, 2) == pytest.approx(0.5)


def test_evaluate_means_over_judged_queries():
    qrels = {"1": BINARY, "2": {"z": 2}, "3": {"q": 0}}  # query 3 has no relevant document: left out
    runs = {"1": RUN, "3": ["q"]}  # query 2 missing from the run: it scores zero
    m = evaluate(runs, qrels)
    assert m["queries"] == 2
    assert m["map"] == pytest.approx((5 / 9 + 0) / 2)
    assert m["p@10"] == pytest.approx((0.2 + 0) / 2)
    assert m["r@100"] == pytest.approx((2 / 3 + 0) / 2)
    assert m["ndcg@10"] == pytest.approx(0.70392 / 2, abs=1e-5)


def test_percentile_interpolates():
    assert percentile([4, 1, 3, 2], 50) == pytest.approx(2.5)
    assert percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert percentile([7], 99) == 7
    assert percentile(list(range(101)), 99) == pytest.approx(99)
    assert math.isnan(percentile([], 50))


# --- the peers: FTS5 and tantivy ----------------------------------------------------------------------------

def test_fts5_expression_quotes_every_token():
    assert expression("interest rates") == '"interest" "rates"'
    assert expression("interest rates", "or") == '"interest" OR "rates"'
    assert expression('"prime rate" cut') == '"prime rate" "cut"'
    assert expression('say "hi') == '"say" "hi"'  # an unbalanced quote is a word like any other
    assert expression("- ... ?") is None
    assert expression('a"b') == '"a b"'


def test_tantivy_expression_quotes_every_token():
    pytest.importorskip("tantivy", reason="tantivy is in the bench extra: pip install -e '.[bench]'")
    from bench.peers.tantivy_peer import expression as tantivy_expression
    assert tantivy_expression("interest rates") == '"interest" "rates"'
    assert tantivy_expression('"prime rate" cut') == '"prime rate" "cut"'
    assert tantivy_expression('say "hi') == '"say" "hi"'
    assert tantivy_expression("- ... ?") is None
    assert tantivy_expression('a\\"b') == '"a b"'


@pytest.mark.parametrize("text", ['NEAR(a b)', 'title:oil', 'oil*', '"oil', 'AND OR NOT', '^oil', "o'neil",
                                  'x + y', '(((', 'col:"a b"', '💥 ünïcode'])
def test_fts5_expression_is_always_valid(tmp_path, text):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
    conn.execute("INSERT INTO t VALUES ('oil prices', 'and or not near title')")
    expr = expression(text)
    if expr is not None:
        conn.execute("SELECT COUNT(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()


def _tiny_collection(folder: Path) -> None:
    folder.mkdir()
    (folder / "a.txt").write_text("---\ntitle: Oil prices rise\ndate: 1987-03-02\nsource: Reuters\n---\n"
                                  "Crude oil prices rose sharply on Monday.\n", encoding="utf-8")
    (folder / "b.txt").write_text("---\ntitle: Wheat exports\ndate: 1987-04-10\nsource: AFP\n---\n"
                                  "Wheat exports fell while oil stayed flat.\n", encoding="utf-8")
    (folder / "c.md").write_text("Plain title line\n\nNo front matter, no date, about wheat.\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("oil", encoding="utf-8")


def _peer(name: str):
    """The peer's class and build function; tantivy's test is skipped where the bench extra is not installed."""
    if name == "fts5":
        return FTS5, build
    pytest.importorskip("tantivy", reason="tantivy is in the bench extra: pip install -e '.[bench]'")
    from bench.peers.tantivy_peer import Tantivy
    from bench.peers.tantivy_peer import build as tantivy_build
    return Tantivy, tantivy_build


@pytest.mark.parametrize("name", ["fts5", "tantivy"])
def test_a_peer_page_does_the_whole_results_page(tmp_path, name):
    peer_class, peer_build = _peer(name)
    _tiny_collection(tmp_path / "arts")
    assert peer_build(tmp_path / "arts", tmp_path / "peer") == 3
    with peer_class(tmp_path / "peer") as peer:
        page = peer.page(Query("oil"))
        assert page.total == 2
        assert page.hits[0].path == "a.txt"  # the title match ranks first
        assert any(match for passage in page.hits[0].snippet for _, match in passage)
        assert dict(page.facets["source"]) == {"Reuters": 1, "AFP": 1}
        assert dict(page.facets["date"]) == {"1987-03": 1, "1987-04": 1}
        filtered = peer.page(Query("oil", sources=("AFP",)))
        assert filtered.total == 1 and filtered.hits[0].path == "b.txt"
        assert dict(filtered.facets["source"]) == {"Reuters": 1, "AFP": 1}  # a facet ignores its own filter
        assert peer.page(Query("oil", since="1987-04-01")).total == 1
        assert ("unknown", 1) in peer.page(Query("wheat")).facets["date"]
        assert peer.page(Query("oil wheat")).total == 1
        for text in ('NEAR(a b)', 'title:oil', 'oil*', 'AND OR NOT', '(((', '💥 ünïcode', "- ... ?"):
            peer.page(Query(text))  # any text is a valid query
        assert peer.ranking("crude wheat") == []
    if name == "fts5":
        with FTS5(tmp_path / "peer", mode="and-or") as fts:
            assert sorted(fts.ranking("crude wheat")) == ["a.txt", "b.txt", "c.md"]


def test_reading_docs_and_generating_queries_is_deterministic(tmp_path):
    _tiny_collection(tmp_path / "arts")
    docs = corpora.read_docs(tmp_path / "arts")
    assert [d.path for d in docs] == ["a.txt", "b.txt", "c.md"]
    assert (docs[0].title, docs[0].date, docs[0].source, docs[0].month) == ("Oil prices rise", "1987-03-02",
                                                                           "Reuters", "1987-03")
    assert (docs[2].title, docs[2].source, docs[2].month) == ("Plain title line", "", "unknown")
    words = ["oil", "wheat", "gold", "coffee", "sugar", "steel", "zinc", "tin", "rice", "corn", "cocoa", "lead",
             "nickel", "copper", "silver", "cotton", "barley", "soybean", "rubber", "palm"]
    w = lambda i: words[i % len(words)]  # noqa: E731 - every word in four articles
    many = [corpora.Doc(f"{i}.txt", f"{w(i)} {w(i + 1)} report", f"Traders said {w(i + 2)} {w(i + 3)} rose today",
                        "1987-03-02", "AFP") for i in range(len(words))]
    qs = querygen.generate(many, 8)
    assert qs == querygen.generate(many, 8) and len(set(qs)) == 8
    assert any(q.sources == ("AFP",) for q in qs) or any(q.since for q in qs)


# --- the stories part's truths ----------------------------------------------------------------------------

def test_the_corrected_truth_adds_edited_copies_by_word_ratio_and_scores_both_truths(tmp_path):
    from bench.parts import stories as part
    words = [f"word{i}" for i in range(80)]
    quote = "the minister said the talks would resume next week"  # shared by a different article: one run only
    texts = {"a.txt": " ".join(words) + " " + quote,
             "b.txt": " ".join(words[:40] + ["edited", "here"] + words[42:]) + " " + quote,  # an edited sentence
             "c.txt": " ".join(f"other{i}" for i in range(80)) + " " + quote,
             "d.txt": " ".join(words) + " " + quote}  # an exact copy of a
    for name, body in texts.items():
        (tmp_path / name).write_text(f"---\ntitle: T\n---\n{body}\n", encoding="utf-8")
    ratios = part.word_ratios(tmp_path)
    assert set(ratios) == {("a.txt", "b.txt"), ("a.txt", "d.txt"), ("b.txt", "d.txt")}
    assert ratios[("a.txt", "d.txt")] == 1.0 and 0.9 < ratios[("a.txt", "b.txt")] < 1.0
    exact = part._with_exact_duplicates(tmp_path, [])
    assert [sorted(g) for g in exact] == [["a.txt", "d.txt"]]
    # the engine grouped a, b and d (three pairs) and left c alone
    r = part.evaluate({"a.txt": "s", "b.txt": "s", "d.txt": "s", "c.txt": "c"}, exact, tmp_path)
    assert (r["true_pairs"], r["found_pairs"], r["correct_pairs"]) == (1, 3, 1)
    assert r["precision"] == pytest.approx(1 / 3) and r["recall"] == 1.0
    assert r["corrected"] == {"true_pairs": 3, "found_pairs": 3, "correct_pairs": 3, "precision": 1.0, "recall": 1.0}
    assert r["added_by_ratio"] == 2 and r["grouped_not_versions"] == r["versions_not_grouped"] == []
    # an engine that also grouped c is told so, with the pair's measures
    wrong = part.evaluate({"a.txt": "s", "b.txt": "s", "d.txt": "s", "c.txt": "s"}, exact, tmp_path)
    assert [(d["a"], d["b"]) for d in wrong["grouped_not_versions"]] == [("a.txt", "c.txt"), ("b.txt", "c.txt"),
                                                                          ("c.txt", "d.txt")]
    assert wrong["grouped_not_versions"][0]["word_ratio"] is None and wrong["corrected"]["precision"] == 0.5


def test_the_sweep_is_the_grid_and_lines_through_the_default_each_setting_once():
    default = {"b": 0.9, "k1": 2.0, "title_boost": 4.0, "k3": 2.0, "proximity_boost": 0.75}
    grid = {"b": (0.75, 0.9), "k1": (1.2, 2.0), "title_boost": (4.0,), "k3": (0.0, 2.0, 1000.0),
            "proximity_boost": (0.0, 0.75)}
    settings = sweep_settings(grid, default)
    keys = [tuple(s[k] for k in PARAMS) for s in settings]
    assert len(keys) == len(set(keys)) and all(set(s) == set(PARAMS) for s in settings)
    # 4 grid points (k3 and proximity at the default) + 2 new k3 values + 1 new proximity weight; the default is a
    # grid point
    assert len(settings) == 4 + 2 + 1 and default in settings
    # a line varies its parameter alone
    assert {s["k3"] for s in settings if s["k3"] != 2.0} == {0.0, 1000.0}
    assert all(s["b"] == 0.9 and s["k1"] == 2.0 for s in settings if s["k3"] != 2.0 or s["proximity_boost"] != 0.75)


# --- the whole suite, small ------------------------------------------------------------------------------

@pytest.mark.skipif(not corpora.available(), reason="../shared/corpora or ../shared/tools/corpus.py is absent")
def test_quick_benchmark_runs_and_writes_sane_results(tmp_path):
    out = tmp_path / "results"
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    parts = {p: json.loads((out / f"{p}.json").read_text()) for p in
             ("build", "incremental", "query", "memory", "cli", "scale", "relevance", "webpages", "watch", "stories")}
    for data in parts.values():
        assert data["quick"] is True
        assert data["engine_missing"] is None, data["engine_missing"]
        assert data["machine"]["python"] and data["machine"]["cores"] >= 1
        assert (out / f"{data['part']}.md").read_text().strip()

    build_ = parts["build"]
    assert set(build_["results"]) == {"engine", "fts5", "naive-whoosh"}
    for system, r in build_["results"].items():
        assert r["docs"] == build_["articles_written"] == 300, system
        assert r["seconds"] > 0 and r["index_mb"] > 0 and r["peak_rss_mb"] >= r["baseline_rss_mb"] > 0

    inc = parts["incremental"]
    for rnd in inc["rounds"]:
        assert rnd["checks_passed"] == rnd["checks"] > 0
        assert rnd["index_s"] > 0 and rnd["searchable_s"] >= rnd["index_s"]
    assert inc["fts5_docs"] == inc["articles_after"] == inc["articles"] + 10 - 5

    query = parts["query"]
    assert len(set(query["queries"])) == len(query["queries"]) == 20
    assert {"engine", "engine-no-passages", "fts5"} <= set(query["stats"])
    assert query["ratios"]["engine_no_passages_p50_vs_fts5"] > 0
    for system, s in query["stats"].items():
        assert s["n"] == 20 and s["errors"] == 0 and 0 < s["p50"] <= s["p95"] <= s["p99"] <= s["max"], system
        assert s["zero_results"] < 20, system

    memory = parts["memory"]
    assert [(r["corpus"], r["threads"]) for r in memory["results"]] == [
        ("reuters", 1), ("reuters", 4), ("synth-600-s1", 1), ("synth-600-s1", 4)]
    for r in memory["results"]:
        assert r["errors"] == 0 and r["queries"] == 20
        assert 0 < r["opened"]["rss_mb"] <= r["after"]["peak_mb"] and r["after"]["anon_mb"] > 0

    cli = parts["cli"]
    assert set(cli["points"]) == {"reuters", "synth-600-s1"}
    for point in cli["points"].values():
        assert point["engine"]["runs"] == point["sqlite3"]["runs"] > 0 and point["engine"]["p50"] > 0

    scale = parts["scale"]
    assert [p["n"] for p in scale["points"]] == [300, 600]
    for p in scale["points"]:
        for system in ("engine", "fts5"):
            assert p["build"][system]["docs"] == p["n"]
            assert p["query"][system]["n"] == 20 and p["query"][system]["p95"] > 0
    assert (out / "scale.png").stat().st_size > 10_000

    rel = parts["relevance"]
    scores = rel["collections"]["time"]["scores"]
    assert {"engine", "fts5", "fts5-or"} <= set(scores)
    for system, m in scores.items():
        assert m["queries"] == 83, system
        assert all(0 <= m[k] <= 1 for k in ("map", "ndcg@10", "p@10", "r@100")), system
    assert scores["fts5-or"]["map"] > 0.3  # TIME is easy for bm25: a broken translation would show here
    assert rel["sweep"] and any(r["default"] for r in rel["sweep"])

    web = parts["webpages"]
    assert web["pages_body"] == 30 and web["pages_dated"] == 15
    f1 = web["f1"]
    # main text extraction must beat taking every word of <body> by a wide margin, or it is broken
    assert f1["engine (search/webpage.py)"]["all"] > f1["all text of <body>"]["all"] + 0.1
    assert 0 <= web["date_accuracy"] <= 1

    watch = parts["watch"]
    assert [c["articles"] for c in watch["collections"]] == [300, 600]
    for c in watch["collections"]:
        assert len(c["latencies_s"]) == 50 and c["max_s"] >= c["p50_s"] > 0 and len(c["peer_s"]) == 5
        assert 0 <= c["idle_cpu_share"] < 1

    stories = parts["stories"]
    for name in ("bbc", "syndication"):
        r = stories["results"][name]
        assert 0 <= r["precision"] <= 1 and 0 <= r["recall"] <= 1 and r["correct_pairs"] <= r["found_pairs"], name
        assert r["corrected"]["true_pairs"] >= r["true_pairs"] and set(r["corrected_sweep"]) == {"0.60", "0.70",
                                                                                                 "0.80", "0.90"}
    assert stories["results"]["syndication"]["true_pairs"] > 40
    assert all(stories["build"]["cpu"][m] > 0 for m in ("with", "without"))
    steps = stories["incremental"]["steps"]
    assert list(steps) == ["add", "change", "delete", "move"] and steps["move"]["written"] == 1
    assert all(st["median"][m]["cpu"] > 0 for st in steps.values() for m in ("with", "without"))
    assert stories["latency"]["collapsed"]["n"] == stories["latency"]["all_versions"]["n"] == 20


def test_scale_notes_check_issue_10s_targets_at_their_sizes():
    from bench.parts.scale import target_notes

    def point(n, p95, engine_s, fts5_s):
        return {"n": n, "query": {"engine": {"p95": p95}},
                "build": {"engine": {"seconds": engine_s}, "fts5": {"seconds": fts5_s}}}

    notes = target_notes([point(10_000, 80.0, 20, 10), point(100_000, 49.0, 90, 30),
                          point(1_000_000, 151.0, 500, 100)])
    assert notes[0] == "target query p95 under 50 ms at 100,000: 49.0 ms (met)"
    assert notes[1] == "target query p95 under 150 ms at 1,000,000: 151.0 ms (MISSED)"
    assert notes[2].endswith("2.00x at 10,000, 3.00x at 100,000, 5.00x at 1,000,000 (MISSED)")
    assert target_notes([point(300, 500.0, 2, 1)])[-1].endswith("(met)")  # no p95 target at a quick run's sizes


def test_clicompare_exports_a_revision_and_answers_from_it(tmp_path):
    import os

    from bench.revisions import export
    from search.indexer import sync
    from tests.factory import write_collection
    folder = write_collection(tmp_path / "articles")
    sync(folder, tmp_path / "index")
    tree = export("HEAD", tmp_path / "tree", compiled=True)
    assert (tree / "search" / "cli.py").is_file() and (tree / "web").is_dir()
    assert any((tree / "search" / "__pycache__").glob("cli.*.pyc"))  # byte-compiled, as pip installs it
    code = "import search, sys; print(search.__file__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(tree)))
    assert done.stdout.strip() == str(tree / "search" / "__init__.py")  # the export is what runs, not the checkout


def test_buildcompare_rebuilds_at_each_revision_and_says_whether_the_indexes_agree(tmp_path, capsys):
    from bench import buildcompare
    from tests.factory import write_collection
    folder = write_collection(tmp_path / "articles")
    buildcompare.main(["--articles", str(folder), "--rounds", "1", "--jobs", "1", "HEAD", "HEAD"])
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if line.startswith("| HEAD |")]
    assert len(rows) == 2 and all(row.split("|")[2].strip() == "1" for row in rows)
    assert out[-1] == "HEAD: the same bytes as HEAD"
    measured = buildcompare.one_build(folder, tmp_path / "index", jobs=1)
    assert measured["docs"] == 9 and measured["wall"] > 0 and measured["cpu"] > 0 and measured["workers"] == 0


@pytest.mark.parametrize("walk", ["children", "scan"])
def test_the_build_memory_sampler_sums_the_process_tree_a_grandchild_included(walk, monkeypatch):
    from bench import child
    from bench.child import TreeRss
    if walk == "scan":  # a kernel without /proc/PID/task/TID/children
        monkeypatch.setattr(child, "_descendants", child._descendants_by_scan)
    before = child._rss_mb(os.getpid())
    hold = "x = bytearray(120 * 2 ** 20); import sys; sys.stdin.read()"  # 120 MB resident until stdin closes
    with TreeRss(every=0.01) as tree:
        # a shell between: the allocating process is a grandchild, as an indexer's workers sit below a fork server
        proc = subprocess.Popen(["sh", "-c", f"{sys.executable} -c '{hold}'"], stdin=subprocess.PIPE)
        try:
            deadline = 200
            while tree.peak_mb < before + 120 and deadline:
                time.sleep(0.02)
                deadline -= 1
        finally:
            proc.stdin.close()
            proc.wait()
    assert tree.peak_mb >= before + 120  # more than this process alone: the grandchild's 120 MB counted


def test_the_build_part_shows_the_round_of_the_median_ratio_and_its_ratio_is_that_rounds(tmp_path):
    from bench.parts import build as build_part
    articles = tmp_path / "reuters"
    articles.mkdir()
    for i in range(4):
        (articles / f"a{i}.txt").write_text("x")
    # seconds per round: the engine's ratios (fts5 s / engine s) are 0.50, 0.40, 0.45, 0.30, 0.60: median round 3
    script = {"engine": [10.0, 10.0, 10.0, 10.0, 10.0], "fts5": [5.0, 4.0, 4.5, 3.0, 6.0], "naive-whoosh": [40.0]}
    calls = []

    class Ctx:
        quick = False
        systems = ["engine", "fts5", "naive-whoosh"]

        def reuters(self):
            return articles

        def build(self, corpus, folder, system):
            calls.append(system)
            seconds = script[system][sum(1 for c in calls if c == system) - 1]
            return {"docs": 4, "seconds": seconds, "index_mb": seconds, "peak_rss_mb": seconds,
                    "baseline_rss_mb": 1.0}

    out = build_part.run(Ctx())
    assert calls[:4] == ["engine", "fts5", "fts5", "engine"]  # alternated: the order turns each round
    assert calls.count("naive-whoosh") == 1
    assert out["results"]["engine"]["seconds"] == 10.0 and out["results"]["fts5"]["seconds"] == 4.5
    assert out["ratios"]["engine_vs_fts5_docs_per_s"] == pytest.approx(0.45)
    assert out["ratios"]["engine_vs_fts5_index_mb"] == pytest.approx(10.0 / 4.5)  # the same round's records
    assert "round 3" in " ".join(out["notes"])


def test_the_engine_peer_without_passages_is_the_same_page_less_its_passages(tmp_path):
    from bench.peers.engine import EngineSystem
    from bench.peers.engine import build as engine_build
    _tiny_collection(tmp_path / "arts")
    engine_build(tmp_path / "arts", tmp_path / "idx")
    with EngineSystem(tmp_path / "idx") as full, EngineSystem(tmp_path / "idx", passages=False) as bare:
        assert (full.name, bare.name) == ("engine", "engine-no-passages")
        a, b = full.page(Query("oil")), bare.page(Query("oil"))
        assert [h.path for h in a.hits] == [h.path for h in b.hits] and a.total == b.total and a.facets == b.facets
        assert any(match for passage in a.hits[0].snippet for _, match in passage)
        assert all(not h.snippet for h in b.hits)
