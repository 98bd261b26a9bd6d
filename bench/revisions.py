"""Git revisions of the engine side by side: each exported to a folder and run in its own process.

The compare tools (bench.clicompare, bench.querycompare, bench.buildcompare, bench.samepages) share this: a
revision's `search` and `web` packages come from `git archive`, and a child process sees them first on its path,
with this checkout's `bench` package after them, so every revision runs with the same interpreter, libraries and
bench code.
"""
from __future__ import annotations

import argparse
import compileall
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

from bench import corpora


def parser(prog: str, doc: str) -> argparse.ArgumentParser:
    """The argument parser of a compare tool: its docstring as help, then the revisions to compare."""
    ap = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("revs", nargs="*", help="git revisions, the first is the baseline")
    return ap


def export(rev: str, into: Path, compiled: bool) -> Path:
    """The revision's search/ and web/ packages under `into`, byte-compiled when asked."""
    into.mkdir(parents=True)
    data = subprocess.run(["git", "archive", rev, "search", "web"], cwd=corpora.REPO, capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    if compiled:
        compileall.compile_dir(str(into), quiet=1)
    return into


def run_module(tree: Path, module: str, args: list[str], cwd: Path, rev: str, timeout: float = 3600) -> str:
    """The standard output of `python -m module args` run with the revision exported at `tree` first on its path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree), str(corpora.REPO)]))
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode:
        raise SystemExit(f"{rev}: {done.stderr[-2000:]}")
    return done.stdout
