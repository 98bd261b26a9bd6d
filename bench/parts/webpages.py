"""Part 6, webpages: saved news pages (../shared/corpora/html-news) read by search/webpage.py.

Main text: word-level F1 (bag of lowercased words, as the article-extraction-benchmark scores it) against the
human `articleBody` of 181 pages, for all of them, the 162 in English and the 19 not in English.
Date: share of the 70 htmldate pages whose date, as the engine reads the page (page metadata, then inference
from the text), is the true day. Time: seconds per page of the whole read (extraction + metadata).
Peers in the same run: every word of <body> (lxml text_content, no boilerplate removal) as the floor, and
trafilatura with its default options (precision/recall balance) to show what the chosen options change.
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter

from bench.metrics import percentile
from bench.report import ratio, table

NOT_ENGLISH_HOSTS = ("autoracing.com.br", "comoeducarseusfilhos.com.br", "mensagensreflexao.com.br",
                     "jaraguadosul.com.br", "wday.ru", "vse-diety.com", "gto-normativy.ru", "entermedia.co.kr",
                     "lhpat-tm.com", "note100yen.com", "kabarislamia.com", "blog.comwrap.com", "remember8090.it")
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter:
    """The bag of lowercased words of a text."""
    return Counter(w.lower() for w in _WORD.findall(text or ""))


def f1(predicted: str, truth: str) -> float:
    """Word-level F1 of two texts (bags of words); 0 when either is empty."""
    p, t = words(predicted), words(truth)
    common = sum((p & t).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def english(url: str) -> bool:
    host = re.sub(r"^https?://(?:www\.)?", "", url).split("/", 1)[0].lower()
    return not any(host == h or host.endswith("." + h) for h in NOT_ENGLISH_HOSTS)


def body_text(data: bytes) -> str:
    """The floor: every text node of <body>, scripts and styles dropped, no boilerplate removal."""
    import lxml.html
    tree = lxml.html.fromstring(data)
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    body = tree.find("body")
    return (body if body is not None else tree).text_content()


def trafilatura_default(data: bytes) -> str:
    import trafilatura
    return trafilatura.extract(data) or ""


def run(ctx) -> dict:
    from search import webpage
    from search.articles import SkippedFile

    folder = ctx.corpus("html-news")
    truth = [json.loads(line) for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    if ctx.quick:
        truth = [t for t in truth if "body" in t][:30] + [t for t in truth if "date" in t][:15]
    bodies = [t for t in truth if "body" in t]
    dated = [t for t in truth if "date" in t]
    systems = {"engine (search/webpage.py)": None, "trafilatura defaults": trafilatura_default,
               "all text of <body>": body_text}
    scores = {name: {"all": [], "en": [], "other": []} for name in systems}
    seconds: dict[str, list[float]] = {name: [] for name in systems}
    skipped = []
    right, dates_found, wrong = 0, 0, []
    for item in truth:
        data = (folder / item["file"]).read_bytes()
        for name, peer in systems.items():
            if "body" not in item and peer is not None:
                continue
            t = time.perf_counter()
            if peer is None:
                try:
                    article, _ = webpage.read_page(data, item["file"])
                    text, date = article.body, article.date
                except SkippedFile:
                    skipped.append(item["file"])
                    text, date = "", None
            else:
                text, date = peer(data), None
            seconds[name].append(time.perf_counter() - t)
            if "body" in item:
                score = f1(text, item["body"])
                scores[name]["all"].append(score)
                scores[name]["en" if english(item["url"]) else "other"].append(score)
            if peer is None and "date" in item:
                dates_found += date is not None
                if date == item["date"]:
                    right += 1
                else:
                    wrong.append((item["file"], item["date"], date))
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    floor = "all text of <body>"
    rows = []
    for name in systems:
        s = scores[name]
        rows.append([name, len(s["all"]), round(mean(s["all"]), 3), round(mean(s["en"]), 3),
                     round(mean(s["other"]), 3), round(ratio(mean(s["all"]), mean(scores[floor]["all"])), 2),
                     round(1000 * mean(seconds[name]), 1), round(1000 * percentile(seconds[name], 95), 1)])
    engine_times = seconds["engine (search/webpage.py)"]
    date_rows = [["engine (search/webpage.py)", len(dated), right, round(right / len(dated), 3) if dated else 0.0,
                  dates_found]]
    return {
        "pages_body": len(bodies), "pages_dated": len(dated), "skipped": skipped,
        "f1": {name: {k: mean(v) for k, v in s.items()} for name, s in scores.items()},
        "f1_counts": {k: len(v) for k, v in scores[floor].items()},
        "date_accuracy": right / len(dated) if dated else None, "dates_found": dates_found,
        "wrong_dates": wrong,
        "ms_per_page": {name: 1000 * mean(v) for name, v in seconds.items()},
        "engine_ms_p50": 1000 * percentile(engine_times, 50), "engine_ms_p95": 1000 * percentile(engine_times, 95),
        "tables": [
            table(["system", "pages", "F1 all", "F1 English", "F1 not English", "x floor F1", "ms/page",
                   "ms p95"], rows, "Main text: word-level F1 against the human article body"),
            table(["system", "pages", "right day", "accuracy", "a date found"], date_rows,
                  "Publication date against the htmldate labels"),
        ],
        "notes": [f"pages skipped as having no article text: {len(skipped)}",
                  f"engine time per page over all {len(engine_times)} pages: p50 "
                  f"{1000 * percentile(engine_times, 50):.0f} ms, p95 {1000 * percentile(engine_times, 95):.0f} ms"],
    }
