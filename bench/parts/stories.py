"""Part 6, stories: how well near-duplicate grouping finds the versions of a story, and what it costs.

(a) BBC: the truth is its exact duplicates, found by a hash of each body's normalised text (lowercased, spaces
    collapsed); the engine's grouping is scored on pairs of articles.
(b) a syndication set made from reuters with a fixed seed (make_syndication below): originals of four paragraphs
    or more, each with one to three copies as another outlet ran them (its chrome lines added, the headline
    rewritten, and the last paragraph cut and/or a sentence edited), beside, for each original, a different reuters
    article on the same topic from the same place that must not be grouped with it.
Cost: a full build of reuters with and without signatures (same process, alternating), and query p50/p95 with
collapsing on and off (the same queries, alternating).
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import random
import re
import shutil
import statistics
import time
from collections import defaultdict
from pathlib import Path

from bench import corpora, querygen
from bench.metrics import percentile
from bench.report import ratio, table

SEED = 14
OUTLETS = ["The Daily Ledger", "Metro Business Wire", "Global Markets Today", "Evening Courier", "Harbour Times"]
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_PARA = re.compile(r"\n(?=[ \t]+\S)|\n[ \t]*\n")


def _front(text: str) -> tuple[dict, str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    meta = dict(line.split(": ", 1) for line in m.group(1).splitlines() if ": " in line)
    return meta, text[m.end():]


def _norm(body: str) -> str:
    return hashlib.sha1(" ".join(body.lower().split()).encode("utf-8")).hexdigest()


def _write(folder: Path, name: str, title: str, date: str, source: str, body: str) -> None:
    (folder / name).write_text(f"---\ntitle: {title}\ndate: {date}\nsource: {source}\n---\n{body}\n", encoding="utf-8")


def _rewrite_headline(title: str, rng: random.Random) -> str:
    words = title.split()
    rng.shuffle(words)
    return rng.choice(["UPDATE 1-", "Analysis: ", "", "WRAPUP - "]) + " ".join(words).capitalize()


def _edit_sentence(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Replace two words and drop one in a paragraph after the first (an editor's touch)."""
    out = list(paragraphs)
    k = rng.randrange(1, len(out))
    words = out[k].split()
    if len(words) > 6:
        for _ in range(2):
            words[rng.randrange(len(words))] = rng.choice(["reportedly", "about", "nearly", "officials", "sharply"])
        del words[rng.randrange(len(words))]
    out[k] = "    " + " ".join(words)
    return out


def _copy(meta: dict, paragraphs: list[str], outlet: str, rng: random.Random) -> tuple[str, str]:
    """(headline, body) of a copy of an article as another outlet ran it."""
    cut = len(paragraphs) >= 4 and rng.random() < 0.6
    edit = rng.random() < 0.7 or not cut
    paras = paragraphs[:-1] if cut else list(paragraphs)
    if edit:
        paras = _edit_sentence(paras, rng)
    title = _rewrite_headline(meta.get("title", ""), rng)
    head = [title] if rng.random() < 0.5 else []  # some copies also carry the headline as the first line
    chrome_top = [f"{outlet} | Business | Markets", "Advertisement", f"Published by the {outlet} news desk"]
    chrome_end = [f"Follow {outlet} on Twitter for more news.", "Share this story",
                  f"Copyright 1987 {outlet}. All rights reserved."]
    body = "\n".join(head + rng.sample(chrome_top, 2) + [p.rstrip() for p in paras] + rng.sample(chrome_end, 2))
    return title, body


def make_syndication(reuters: Path, out: Path, originals: int, seed: int = SEED) -> dict[str, list[str]]:
    """Write the syndication set into `out`; return its truth: {group name: [file names of one story]}."""
    rng = random.Random(seed)
    docs = []
    for f in corpora.list_files(reuters):
        meta, body = _front(f.read_text(encoding="utf-8"))
        paragraphs = [p for p in _PARA.split(body.strip("\n")) if p.strip()]
        docs.append((f.name, meta, body, paragraphs))
    by_topic = defaultdict(list)
    for d in docs:
        key = (d[1].get("topics", "").split(",")[0].strip(), d[1].get("place", "").split(",")[0].strip())
        if key[0] and key[1]:
            by_topic[key].append(d)
    candidates = [d for d in docs if len(d[3]) >= 4 and len(d[2].split()) >= 120
                  and d[1].get("topics") and d[1].get("place")]
    chosen = rng.sample(candidates, min(originals, len(candidates)))
    used = {d[0] for d in chosen}
    out.mkdir(parents=True, exist_ok=True)
    truth: dict[str, list[str]] = {}
    for d in chosen:
        name, meta, body, paragraphs = d
        _write(out, name, meta.get("title", ""), meta.get("date", ""), "Reuters", body)
        group = [name]
        for c in range(rng.randint(1, 3)):
            outlet = rng.choice(OUTLETS)
            title, text = _copy(meta, paragraphs, outlet, rng)
            copy_name = f"{name[:-4]}-copy{c}.txt"
            _write(out, copy_name, title, meta.get("date", ""), outlet, text)
            group.append(copy_name)
        truth[name] = group
        key = (meta["topics"].split(",")[0].strip(), meta["place"].split(",")[0].strip())
        others = [o for o in by_topic.get(key, []) if o[0] not in used]
        if others:
            o = rng.choice(others)
            used.add(o[0])
            _write(out, o[0], o[1].get("title", ""), o[1].get("date", ""), "Reuters", o[2])
            truth[o[0]] = [o[0]]
    return truth


def _pairs(groups) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for g in groups for p in itertools.combinations(sorted(set(g)), 2)}


def _with_exact_duplicates(folder: Path, truth_groups: list[list[str]]) -> list[list[str]]:
    """Truth groups joined with the files whose normalised bodies are identical (real duplicates in a corpus)."""
    by_hash = defaultdict(list)
    for f in corpora.list_files(folder):
        by_hash[_norm(_front(f.read_text(encoding="utf-8"))[1])].append(str(f.relative_to(folder)))
    return truth_groups + [g for g in by_hash.values() if len(g) > 1]


# -- the corrected truth: edited copies confirmed by a measure independent of the engine --------------------------
#: Two files are also versions of one story, in the corrected truth, when difflib's ratio of their bodies' lowercase
#: word sequences (2 x matched words / all words; SequenceMatcher without its autojunk heuristic, the pair in path
#: order) is at least this. A copy that lost the last of three paragraphs scores 0.8, one that lost the last of four
#: about 0.86, an edited sentence on top a few hundredths less: 0.7 keeps a margin below the edits the issue names.
VERSION_RATIO = 0.7
#: The same truth at other ratios, to show how the figures depend on the choice.
SWEEP = (0.6, 0.7, 0.8, 0.9)
#: Pairs are proposed for difflib when they share a run of RUN words (exact, lowercased); a run found in more than
#: RUN_FILES files is boilerplate (a chrome line) and proposes nothing. Two bodies with a ratio of 0.6 or more share
#: runs far longer than 8 words unless their words were shuffled, so this loses no pair the ratio would confirm.
RUN, RUN_FILES = 8, 50


def _words(folder: Path, path: str) -> list[str]:
    return _front((folder / path).read_text(encoding="utf-8"))[1].lower().split()


def word_ratios(folder: Path, floor: float = min(SWEEP)) -> dict[tuple[str, str], float]:
    """{(a, b): difflib ratio} of every pair of files (a < b) sharing a RUN-word run whose ratio is >= floor."""
    import difflib
    words = {str(f.relative_to(folder)): _words(folder, str(f.relative_to(folder))) for f in corpora.list_files(folder)}
    runs = defaultdict(set)
    for path, w in words.items():
        for i in range(len(w) - RUN + 1):
            runs[tuple(w[i:i + RUN])].add(path)
    candidates = set()
    for paths in runs.values():
        if 1 < len(paths) <= RUN_FILES:
            candidates.update(itertools.combinations(sorted(paths), 2))
    out = {}
    for a, b in sorted(candidates):
        m = difflib.SequenceMatcher(None, words[a], words[b], autojunk=False)
        if m.real_quick_ratio() >= floor and m.quick_ratio() >= floor:  # upper bounds first: cheap
            r = m.ratio()
            if r >= floor:
                out[(a, b)] = round(r, 4)
    return out


def _closure(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair joined through a chain of the given pairs (the engine's stories are connected groups too)."""
    parent: dict[str, str] = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x
    for a, b in pairs:
        parent[find(a)] = find(b)
    groups = defaultdict(list)
    for x in {p for pair in pairs for p in pair}:
        groups[find(x)].append(x)
    return _pairs(groups.values())


def _jaccard5(folder: Path, a: str, b: str) -> float:
    """The exact Jaccard similarity of the 5-shingle sets (of the kept lines' index terms) that the engine's
    signatures estimate (a diagnostic)."""
    from search import story_signatures
    sets = []
    for path in (a, b):
        meta, body = _front((folder / path).read_text(encoding="utf-8"))
        w = story_signatures.signature_terms(body, meta.get("title", ""))
        shingle = story_signatures.SHINGLE
        sets.append({tuple(w[i:i + shingle]) for i in range(len(w) - shingle + 1)})
    return round(len(sets[0] & sets[1]) / max(1, len(sets[0] | sets[1])), 3)


def _score(got: set[tuple[str, str]], want: set[tuple[str, str]]) -> dict:
    hit = got & want
    return {"true_pairs": len(want), "found_pairs": len(got), "correct_pairs": len(hit),
            "precision": len(hit) / len(got) if got else 1.0, "recall": len(hit) / len(want) if want else 1.0}


def evaluate(labels: dict[str, str], truth_groups: list[list[str]], folder: Path) -> dict:
    """Pairs the engine grouped against (1) the truth given (exact duplicates, and the generated copies) and (2) the
    corrected truth: that truth joined with the pairs whose word ratio is >= VERSION_RATIO; with every disagreement
    with (2) listed, and (2) at each ratio of SWEEP."""
    by_label = defaultdict(list)
    for path, label in labels.items():
        by_label[label].append(path)
    predicted = [paths for paths in by_label.values() if len(paths) > 1]
    got = _pairs(predicted)
    given = _pairs(truth_groups)
    ratios = word_ratios(folder)
    out = _score(got, _closure(given))
    out.update(grouped_articles=sum(len(g) for g in predicted), stories_of_2_or_more=len(predicted))
    def confirmed(threshold):
        return _closure(given | {p for p, r in ratios.items() if r >= threshold})
    corrected = confirmed(VERSION_RATIO)
    out["corrected"] = _score(got, corrected)
    out["corrected_sweep"] = {f"{t:.2f}": _score(got, confirmed(t)) for t in SWEEP}

    def row(a, b):
        return {"a": a, "b": b, "word_ratio": ratios.get((a, b)), "jaccard5": _jaccard5(folder, a, b)}
    out["grouped_not_versions"] = [row(a, b) for a, b in sorted(got - corrected)[:100]]
    out["versions_not_grouped"] = [row(a, b) for a, b in sorted(corrected - got)[:100]]
    out["added_by_ratio"] = len(corrected - _closure(given))
    return out


def _labels(index: Path) -> dict[str, str]:
    """{path: story label} of the index's live documents."""
    from search.story_results import labels_of
    from search.storage.view import IndexView
    from search.store import IndexStore
    view = IndexView(index / IndexStore(index).pointer().generation)
    try:
        return labels_of(view)
    finally:
        view.close()


@contextlib.contextmanager
def _without_stories():
    """The indexer with signatures and labels switched off (the build as it was before stories)."""
    from search import indexer
    saved = indexer._labelled, indexer._finish_stories, indexer._sync_stories, indexer._story_rows
    indexer._story_rows = None
    indexer._labelled = lambda parts, grouper: parts
    indexer._finish_stories = lambda store, generation, grouper: generation
    indexer._sync_stories = lambda folder, removed, writes: ([], None)
    try:
        yield
    finally:
        indexer._labelled, indexer._finish_stories, indexer._sync_stories, indexer._story_rows = saved


@contextlib.contextmanager
def _story_clock(spent: list, in_workers: bool):
    """Adds to spent[0] the CPU time of this process's story work (signatures, grouping, relabelling, the file);
    with `in_workers` the signatures are the workers' (sent to them, so left unclocked)."""
    from search import indexer, stories
    saved = stories.Grouper.add_rows, indexer._part_entries, indexer._finish_stories, indexer._story_rows

    def clocked(f):
        def g(*a, **k):
            c = time.process_time()
            try:
                return f(*a, **k)
            finally:
                spent[0] += time.process_time() - c
        return g
    (stories.Grouper.add_rows, indexer._part_entries, indexer._finish_stories,
     indexer._story_rows) = (clocked(f) if f is not saved[3] or not in_workers else f for f in saved)
    try:
        yield
    finally:
        stories.Grouper.add_rows, indexer._part_entries, indexer._finish_stories, indexer._story_rows = saved


def child_build(articles: str, index: str, mode: str, jobs: int = 1) -> dict:
    """One full build in this (fresh) process: wall and CPU seconds of this process, and its story work's CPU
    seconds. With jobs 1 all the build's work is this process's; with more, the CPU is the parent's only (the
    workers' is not counted), so the wall time and the parent's CPU (the serial part) are the figures."""
    from search.indexer import sync
    spent = [0.0]
    with _without_stories() if mode == "without" else _story_clock(spent, in_workers=jobs > 1):
        t, c = time.perf_counter(), time.process_time()
        sync(articles, index, full=True, jobs=jobs)
        return {"wall": time.perf_counter() - t, "cpu": time.process_time() - c, "story_cpu": spent[0]}


def _build_times(articles: Path, root: Path, rounds: int, jobs: int = 1) -> dict:
    """Full builds with and without signatures, alternating, each in a fresh process (as `search index --full`)."""
    import json
    import subprocess
    import sys
    wall = {"with": [], "without": []}
    cpu = {"with": [], "without": []}
    share = []
    for r in range(rounds):
        for mode in (("with", "without") if r % 2 == 0 else ("without", "with")):
            index = root / f"build-{mode}-{r}"
            shutil.rmtree(index, ignore_errors=True)
            code = ("import json, sys; from bench.parts.stories import child_build; "
                    "print(json.dumps(child_build(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))))")
            proc = subprocess.run([sys.executable, "-c", code, str(articles), str(index), mode, str(jobs)],
                                  cwd=corpora.REPO,
                                  capture_output=True, text=True, check=True, timeout=3600)
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            wall[mode].append(got["wall"])
            cpu[mode].append(got["cpu"])
            if mode == "with":
                share.append(got["story_cpu"] / (got["cpu"] - got["story_cpu"]))
            shutil.rmtree(index, ignore_errors=True)
    return {"wall": {m: statistics.median(v) for m, v in wall.items()},
            "cpu": {m: statistics.median(v) for m, v in cpu.items()}, "runs": {"wall": wall, "cpu": cpu},
            "story_share": statistics.median(share)}


#: The incremental steps, in order, each followed by one timed `search index` (sync) of the whole folder.
INCREMENTAL_STEPS = ("add", "change", "delete", "move")
#: Articles each of add, change and delete touches (move rewrites one article).
INCREMENTAL_FILES = 50


def _incremental_step(articles: Path, step: int, rng: random.Random) -> None:
    """Change the articles folder as step `step` of INCREMENTAL_STEPS does (seeded: both modes get the same bytes).

    add: half the new files are another outlet's copies of existing articles (they join those stories), half new
    texts (an article's words reversed: a story of its own); change: a sentence appended to existing articles;
    delete: articles removed, among them copies added before (stories lose a version and some change label);
    move: one article rewritten as a copy of another story's article (it leaves its story for that one)."""
    files = sorted(p for p in corpora.list_files(articles) if not p.name.startswith("new-"))
    kind = INCREMENTAL_STEPS[step]
    if kind == "add":
        for k, src in enumerate(rng.sample(files, INCREMENTAL_FILES)):
            meta, body = _front(src.read_text(encoding="utf-8"))
            text = (f"{rng.choice(OUTLETS)} | Business\nShare this story\n{body}" if k % 2 == 0
                    else " ".join(reversed(body.split())))
            _write(articles, f"new-{k:03d}.txt", meta.get("title", ""), meta.get("date", ""), "Wire", text)
    elif kind == "change":
        for src in rng.sample(files, INCREMENTAL_FILES):
            src.write_text(src.read_text(encoding="utf-8") + "\nThe company declined to comment further.\n",
                           encoding="utf-8")
    elif kind == "delete":
        added = sorted(articles.glob("new-*.txt"))
        for path in rng.sample(files, INCREMENTAL_FILES - len(added) // 2) + added[::2]:
            path.unlink()
    else:
        mover, target = rng.sample(files, 2)
        meta, body = _front(target.read_text(encoding="utf-8"))
        _write(articles, mover.name, meta.get("title", ""), meta.get("date", ""), "Wire", body)


def child_incremental(articles: str, index: str, mode: str, seed: int) -> dict:
    """In this (fresh) process: a full build of `articles` (a private copy, changed here) on one job, not timed,
    then each step of INCREMENTAL_STEPS and one timed incremental sync after it: {step: {wall, cpu, written}}."""
    from search.indexer import sync
    rng = random.Random(seed)
    out = {}
    with _without_stories() if mode == "without" else contextlib.nullcontext():
        sync(articles, index, full=True, jobs=1)
        for step, kind in enumerate(INCREMENTAL_STEPS):
            _incremental_step(Path(articles), step, rng)
            t, c = time.perf_counter(), time.process_time()
            report = sync(articles, index)
            out[kind] = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c,
                         "written": report.added + report.updated + report.removed}
    return out


def _incremental_times(base: Path, root: Path, rounds: int) -> dict:
    """The incremental steps with and without stories, alternating, each round in fresh processes on a fresh copy
    of `base`: per step the median wall and CPU seconds of each mode and their ratio."""
    import json
    import subprocess
    import sys
    runs = {m: {k: [] for k in INCREMENTAL_STEPS} for m in ("with", "without")}
    for r in range(rounds):
        for mode in (("with", "without") if r % 2 == 0 else ("without", "with")):
            articles, index = root / f"inc-articles-{mode}-{r}", root / f"inc-index-{mode}-{r}"
            shutil.rmtree(articles, ignore_errors=True)
            shutil.rmtree(index, ignore_errors=True)
            shutil.copytree(base, articles, ignore=shutil.ignore_patterns(".complete"))
            code = ("import json, sys; from bench.parts.stories import child_incremental; "
                    "print(json.dumps(child_incremental(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))))")
            proc = subprocess.run([sys.executable, "-c", code, str(articles), str(index), mode, str(SEED + r)],
                                  cwd=corpora.REPO, capture_output=True, text=True, check=True, timeout=3600)
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            for kind in INCREMENTAL_STEPS:
                runs[mode][kind].append(got[kind])
            shutil.rmtree(articles, ignore_errors=True)
            shutil.rmtree(index, ignore_errors=True)
    steps = {}
    for kind in INCREMENTAL_STEPS:
        med = {m: {k: statistics.median(x[k] for x in runs[m][kind]) for k in ("wall", "cpu")} for m in runs}
        steps[kind] = {"median": med, "cpu_ratio": ratio(med["with"]["cpu"], med["without"]["cpu"]),
                       "wall_ratio": ratio(med["with"]["wall"], med["without"]["wall"]),
                       "written": runs["with"][kind][0]["written"]}
    return {"steps": steps, "runs": runs}


def _query_times(index: Path, queries) -> dict:
    from search.errors import SearchError
    from search.searcher import Engine
    out = {"collapsed": [], "all_versions": []}
    with Engine(index) as engine:
        for q in queries[:5]:  # warm-up
            engine.search(q.text, sources=q.sources, since=q.since, until=q.until)
        for i, q in enumerate(queries):
            for mode in (("collapsed", "all_versions") if i % 2 == 0 else ("all_versions", "collapsed")):
                t = time.perf_counter()
                try:
                    engine.search(q.text, sources=q.sources, since=q.since, until=q.until,
                                  all_versions=mode == "all_versions")
                except SearchError:
                    pass
                out[mode].append((time.perf_counter() - t) * 1000)
    return {m: {"p50": percentile(v, 50), "p95": percentile(v, 95), "n": len(v)} for m, v in out.items()}


def quality(bbc: Path, reuters: Path, root: Path, originals: int = 400) -> dict:
    """The grouping's precision and recall: {"bbc": evaluate(...), "syndication": evaluate(...)}, indexes under root."""
    from search.indexer import sync
    results: dict = {}
    # (a) BBC
    sync(bbc, root / "bbc-index", full=True)
    results["bbc"] = evaluate(_labels(root / "bbc-index"), _with_exact_duplicates(bbc, []), bbc)
    # (b) the syndication set
    synd = root / "syndication"
    truth = make_syndication(reuters, synd, originals=originals)
    sync(synd, root / "synd-index", full=True)
    results["syndication"] = evaluate(_labels(root / "synd-index"),
                                      _with_exact_duplicates(synd, list(truth.values())), synd)
    results["syndication"]["articles"] = sum(len(g) for g in truth.values())
    results["syndication"]["originals"] = sum(1 for g in truth.values() if len(g) > 1)
    return results


def run(ctx) -> dict:
    from search.indexer import sync
    root = ctx.run_dir / "stories"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    quick = ctx.quick
    results = quality(corpora.articles_dir(ctx.corpus("bbc", limit=300 if quick else 0)),
                      ctx.reuters() if not quick else ctx.corpus("reuters", limit=2000), root,
                      originals=40 if quick else 400)

    # cost: build with and without signatures, queries with collapsing on and off
    reuters = ctx.reuters()
    from search.storage.build import default_jobs
    builds = _build_times(reuters, root, rounds=1 if quick else 3)
    many = default_jobs()
    builds_many = _build_times(reuters, root, rounds=1 if quick else 3, jobs=many) if many > 1 else None
    incremental = _incremental_times(reuters, root, rounds=1 if quick else 3)
    sync(reuters, root / "reuters-index", full=True)
    queries = querygen.generate(corpora.read_docs(reuters), ctx.sizes.queries)
    latency = _query_times(root / "reuters-index", queries)
    shutil.rmtree(root, ignore_errors=True)

    sets = (("BBC", results["bbc"]), ("reuters syndication set", results["syndication"]))
    rows = []
    for name, r in sets:
        rows.append([name, "exact duplicates" + (" + generated copies" if r is results["syndication"] else ""),
                     r["true_pairs"], r["found_pairs"], r["correct_pairs"], f"{r['precision']:.4f}",
                     f"{r['recall']:.4f}"])
        c = r["corrected"]
        rows.append([name, f"corrected: + word ratio >= {VERSION_RATIO} ({r['added_by_ratio']} pairs added)",
                     c["true_pairs"], c["found_pairs"], c["correct_pairs"], f"{c['precision']:.4f}",
                     f"{c['recall']:.4f}"])
    sweep = [[name, t, c["true_pairs"], c["correct_pairs"], f"{c['precision']:.4f}", f"{c['recall']:.4f}"]
             for name, r in sets for t, c in r["corrected_sweep"].items()]
    disagreements = [[name, kind, d["a"], d["b"], d["word_ratio"] if d["word_ratio"] is not None else f"< {min(SWEEP)}",
                      d["jaccard5"]]
                     for name, r in sets for kind in ("grouped_not_versions", "versions_not_grouped")
                     for d in r[kind]]
    tables = [
        table(["set", "truth", "true pairs", "pairs grouped", "correct", "precision", "recall"], rows,
              "Grouping versions of a story (pairs of articles)"),
        table(["set", "word ratio at least", "true pairs", "correct", "precision", "recall"], sweep,
              "The corrected truth at other ratios"),
        table(["set", "disagreement with the corrected truth", "a", "b", "word ratio", "5-shingle Jaccard"],
              disagreements or [["-", "none", "", "", "", ""]], "Every disagreement (at most 100 a kind and set)"),
        table(["full build of reuters, one process each, --jobs 1", "wall s (median)", "CPU s (median)", "CPU ratio"],
              [["without signatures", f"{builds['wall']['without']:.2f}", f"{builds['cpu']['without']:.2f}", "1.000"],
               ["with signatures and labels", f"{builds['wall']['with']:.2f}", f"{builds['cpu']['with']:.2f}",
                f"{ratio(builds['cpu']['with'], builds['cpu']['without']):.3f}"]],
              "Build cost (CPU time is the figure: the machine is shared)"),
        *([table([f"full build of reuters, one process each, --jobs {many} (the default)", "wall s (median)",
                  "wall ratio", "parent CPU s (median)", "parent CPU ratio"],
                 [["without signatures", f"{builds_many['wall']['without']:.2f}", "1.000",
                   f"{builds_many['cpu']['without']:.2f}", "1.000"],
                  ["with signatures and labels", f"{builds_many['wall']['with']:.2f}",
                   f"{ratio(builds_many['wall']['with'], builds_many['wall']['without']):.3f}",
                   f"{builds_many['cpu']['with']:.2f}",
                   f"{ratio(builds_many['cpu']['with'], builds_many['cpu']['without']):.3f}"]],
                 "Build cost on the default jobs (the workers' CPU is not in the parent's)")] if builds_many else []),
        table(["incremental sync of reuters after", "articles written", "CPU s without", "CPU s with", "CPU ratio",
               "wall s without", "wall s with", "wall ratio"],
              [[kind, st["written"], f"{st['median']['without']['cpu']:.2f}", f"{st['median']['with']['cpu']:.2f}",
                f"{st['cpu_ratio']:.3f}", f"{st['median']['without']['wall']:.2f}",
                f"{st['median']['with']['wall']:.2f}", f"{st['wall_ratio']:.3f}"]
               for kind, st in incremental["steps"].items()],
              "Incremental syncs with and without stories (medians; fresh processes, alternating)"),
        table(["story work in the build with signatures", "CPU s / the rest of the build's CPU s (median)"],
              [["signatures, grouping, relabelling, stories files", f"{builds['story_share']:.3f}"]],
              "Build cost, measured inside the same builds"),
        table(["queries", "p50 ms", "p95 ms"],
              [[m, f"{v['p50']:.2f}", f"{v['p95']:.2f}"] for m, v in latency.items()],
              f"Query latency with collapsing on and off ({len(queries)} queries, reuters)"),
    ]
    notes = [f"syndication set: {results['syndication']['articles']} articles, "
             f"{results['syndication']['originals']} originals with copies, seed {SEED}"]
    return {"results": results, "build": builds, "build_default_jobs": builds_many, "incremental": incremental,
            "latency": latency, "queries": len(queries),
            "tables": tables, "notes": notes}
