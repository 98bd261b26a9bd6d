"""Whether two or more git revisions of the engine give the same results pages on the query part's queries.

    python -m bench.samepages --index IDX REV [REV ...]

Each revision (its `search` package, exported with git archive and put first on PYTHONPATH) answers, in its own
process, the 200 reuters queries of the query part and the 10 warm-up ones: page 1 and page 2 by relevance, page 1
by date, and page 1 with every version. Every page is kept as the JSON of `search query --json` (hits, scores,
snippets, facets, more, suggestions). The pages of each revision are compared with the first's: the count of pages
that differ, and the first few differences. A speed change should show 0; a ranking change shows where it moved.
The index must be readable by every revision (the same format).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench import corpora
from bench.revisions import export, parser, run_module

VARIANTS = (("page 1", {}), ("page 2", {"page": 2}), ("by date", {"sort": "newest"}),
            ("all versions", {"all_versions": True}))


def pages(index: Path) -> dict[str, str]:
    """{query and variant: the page as JSON} for every query and variant, in this process."""
    from bench import querygen
    from search.render import results_payload
    from search.searcher import Engine
    docs = corpora.read_docs(corpora.materialize(corpora.DEFAULT_WORK, "reuters", limit=0))
    queries = querygen.generate(docs, 200) + querygen.generate(docs, 10, seed=7)
    out = {}
    with Engine(index) as engine:
        for q in queries:
            for name, extra in VARIANTS:
                kwargs = dict(sources=q.sources, since=q.since, until=q.until, sort="relevance", page=1,
                              per_page=10)
                kwargs.update(extra)
                try:
                    page = results_payload(engine.search(q.text, **kwargs))
                    page.pop("took_ms", None)  # the one field that is meant to change
                except Exception as e:  # a refusal is an answer too: it must stay the same
                    page = {"error": type(e).__name__, "message": str(e)}
                out[f"{q.text!r} {q.sources or ''} {q.since or ''}..{q.until or ''} / {name}"] = json.dumps(
                    page, sort_keys=True, default=str)
    return out


def main(argv=None) -> None:
    ap = parser("python -m bench.samepages", __doc__)
    ap.add_argument("--index", required=True, type=Path)
    ap.add_argument("--show", type=int, default=3, help="differences to print per revision")
    ap.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)  # the child's side
    args = ap.parse_args(argv)
    if args.one_pass:
        json.dump(pages(args.index), sys.stdout)
        return
    scratch = Path(tempfile.mkdtemp(prefix="samepages-"))
    try:
        answers = {}
        for i, rev in enumerate(args.revs):
            tree = export(rev, scratch / str(i), compiled=False)
            answers[rev] = json.loads(run_module(tree, "bench.samepages", ["--one-pass", "--index",
                                                                        str(args.index.resolve())], scratch, rev))
        base_rev, base = args.revs[0], answers[args.revs[0]]
        for rev in args.revs[1:]:
            other = answers[rev]
            differ = [k for k in base if base[k] != other.get(k)]
            print(f"{rev}: {len(differ)} of {len(base)} pages differ from {base_rev}")
            for k in differ[:args.show]:
                a, b = base[k], other.get(k, "")
                at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                print(f"  {k}, from character {at}:\n    {base_rev}: ...{a[max(0, at - 80):at + 300]}\n"
                      f"    {rev}: ...{b[max(0, at - 80):at + 300]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
