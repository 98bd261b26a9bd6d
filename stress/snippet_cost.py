"""`python -m stress.snippet_cost [OLD.py]`: time passages() on hostile texts, against an older snippets.py if given.

    git show debbe0b:search/snippets.py > /tmp/old_snippets.py && python -m stress.snippet_cost /tmp/old_snippets.py

Best of 3 runs each, in one process; the old module is skipped on texts where it would take minutes.
"""
from __future__ import annotations

import importlib.util
import sys
import time

from search import snippets

TEXTS = [("oil x 4,000 (16 KB)", "oil " * 4000, True), ("oil x 16,000 (64 KB)", "oil " * 16000, True),
         ("'Oil price rose. ' x 65,536 (1 MiB)", "Oil price rose. " * 65536, True),
         ("oil x 262,144 (1 MiB)", "oil " * 262144, False)]


def best_of(module, text: str, runs: int = 3) -> float:
    """The fastest of `runs` calls of module.passages(text, {"oil"}), in ms."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        module.passages(text, {"oil"})
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main(argv: list[str]) -> int:
    old = None
    if argv:
        spec = importlib.util.spec_from_file_location("old_snippets", argv[0])
        old = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(old)
    for label, text, old_too in TEXTS:
        before = f"old {best_of(old, text):,.1f} ms, " if old and old_too else ""
        print(f"{label}: {before}new {best_of(snippets, text):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
