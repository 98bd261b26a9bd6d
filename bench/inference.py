"""How well does metadata inference (search.metadata) recover the truth?

    .venv/bin/python -m bench.inference [--corpus bbc|reuters|all] [--limit N] [--json PATH] [--show N]

Each corpus is materialized twice into a temporary directory by ../shared/tools/corpus.py (run with this same
python): once with a front-matter block (the truth: title, date, source) and once --plain (the bare text).
infer_title / infer_date / infer_source run on the plain text and are compared with the front matter:

  title   exact match after whitespace collapse, and the same ignoring case;
  date    coverage = share of articles with an inferred date; precision = share of inferred dates that equal
          the true date, over articles whose front matter has one;
  source  coverage and precision the same way (the truth passed through canonical_source()).

Nothing is copied into the project; the temporary directory is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from search.metadata import canonical_source, infer_date, infer_source, infer_title

ROOT = Path(__file__).resolve().parent.parent
CORPUS_TOOL = ROOT.parent / "shared" / "tools" / "corpus.py"
CORPORA = ("bbc", "reuters")


def collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def front_matter(text: str) -> dict[str, str]:
    """The `---` / `key: value` / `---` block at the top of a file, as a dict."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    meta = {}
    for line in lines[1:]:
        if line.strip() == "---":
            break
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
    return meta


def materialize(tool: Path, corpus: str, out: Path, plain: bool, limit: int | None) -> None:
    cmd = [sys.executable, str(tool), corpus, str(out)]
    if plain:
        cmd.append("--plain")
    if limit:
        cmd += ["--limit", str(limit)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def measure(corpus: str, tool: Path, limit: int | None, show: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"inference-{corpus}-") as tmp:
        truth_dir, plain_dir = Path(tmp) / "front", Path(tmp) / "plain"
        truth_dir.mkdir()
        plain_dir.mkdir()
        materialize(tool, corpus, truth_dir, False, limit)
        materialize(tool, corpus, plain_dir, True, limit)

        n = title_exact = title_ci = 0
        date_truth = date_inferred = date_checked = date_right = 0
        source_truth = source_inferred = source_checked = source_right = 0
        misses: list[tuple[str, str, str]] = []
        wrong: list[tuple[str, str, str, str]] = []
        seconds = 0.0
        for truth_file in sorted(truth_dir.iterdir()):
            plain_file = plain_dir / truth_file.name
            if not plain_file.exists():
                continue
            meta = front_matter(read(truth_file))
            text = read(plain_file)
            started = time.perf_counter()
            title, date, source = infer_title(text), infer_date(text), infer_source(text)
            seconds += time.perf_counter() - started
            n += 1

            true_title = collapse(meta.get("title"))
            if collapse(title) == true_title:
                title_exact += 1
            elif len(misses) < show:
                misses.append((truth_file.name, true_title, collapse(title)))
            if collapse(title).casefold() == true_title.casefold():
                title_ci += 1

            true_date = meta.get("date") or None
            date_truth += bool(true_date)
            if date:
                date_inferred += 1
                if true_date:
                    date_checked += 1
                    date_right += date == true_date
                    if date != true_date and len(wrong) < show:
                        wrong.append((truth_file.name, "date", true_date, date))

            true_source = canonical_source(meta["source"]) if meta.get("source") else None
            source_truth += bool(true_source)
            if source:
                source_inferred += 1
                if true_source:
                    source_checked += 1
                    source_right += source == true_source
                    if source != true_source and len(wrong) < show:
                        wrong.append((truth_file.name, "source", true_source, source))

    return {
        "corpus": corpus,
        "articles": n,
        "title_exact": ratio(title_exact, n),
        "title_case_insensitive": ratio(title_ci, n),
        "date_truth": date_truth,
        "date_inferred": date_inferred,
        "date_coverage": ratio(date_inferred, n),
        "date_precision": ratio(date_right, date_checked),
        "source_truth": source_truth,
        "source_inferred": source_inferred,
        "source_coverage": ratio(source_inferred, n),
        "source_precision": ratio(source_right, source_checked),
        "ms_per_article": 1000 * seconds / n if n else None,
        "title_misses": misses,
        "wrong": wrong,
    }


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table(results: list[dict]) -> str:
    rows = [
        ("articles", lambda r: f"{r['articles']:,}"),
        ("title exact", lambda r: pct(r["title_exact"])),
        ("title case-insensitive", lambda r: pct(r["title_case_insensitive"])),
        ("date: truth in front matter", lambda r: f"{r['date_truth']:,}"),
        ("date coverage (inferred)", lambda r: f"{pct(r['date_coverage'])} ({r['date_inferred']:,})"),
        ("date precision", lambda r: pct(r["date_precision"])),
        ("source: truth in front matter", lambda r: f"{r['source_truth']:,}"),
        ("source coverage (inferred)", lambda r: f"{pct(r['source_coverage'])} ({r['source_inferred']:,})"),
        ("source precision", lambda r: pct(r["source_precision"])),
        ("ms per article (3 rules)", lambda r: f"{r['ms_per_article']:.3f}" if r["ms_per_article"] else "n/a"),
    ]
    head = ["", *(r["corpus"] for r in results)]
    body = [[label, *(fmt(r) for r in results)] for label, fmt in rows]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(head), "  ".join("-" * w for w in widths), *(line(row) for row in body)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inference", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=[*CORPORA, "all"], default="all")
    parser.add_argument("--limit", type=int, default=None, help="at most N articles per corpus")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print up to N title misses and wrong values")
    parser.add_argument("--tool", type=Path, default=CORPUS_TOOL, help=f"corpus.py (default {CORPUS_TOOL})")
    args = parser.parse_args(argv)
    if not args.tool.exists():
        parser.error(f"corpus tool not found: {args.tool}")

    corpora = CORPORA if args.corpus == "all" else (args.corpus,)
    results = [measure(c, args.tool, args.limit, args.show) for c in corpora]
    print(table(results))
    for r in results:
        for name, true, got in r["title_misses"]:
            print(f"[{r['corpus']}] title {name}: want {true!r} got {got!r}")
        for name, field, true, got in r["wrong"]:
            print(f"[{r['corpus']}] {field} {name}: want {true!r} got {got!r}")
    if args.json:
        figures = [{k: v for k, v in r.items() if k not in ("title_misses", "wrong")} for r in results]
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
