"""The wall time of whole `search query WORD` processes for two or more git revisions, interleaved, beside sqlite3.

    python -m bench.clicompare --index IDX [--db FTS5.db] [--rounds 6] [--compiled] REV [REV ...]

Each revision's `search` and `web` packages are exported (git archive) to a scratch folder and run by this
virtualenv's `search` console script with PYTHONPATH pointing there, from a neutral working folder, so every
revision answers from the same index with the same interpreter and libraries. Runs rotate through the revisions
word by word, so machine load falls on all of them alike; the result is each one's median and its ratio to the
first revision. `--compiled` byte-compiles each export first, as pip does when it installs a package (an
environment with PYTHONDONTWRITEBYTECODE set otherwise compiles every module from source on every run); both
rows are printed with `--both`.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.parts.cli import WORDS, sqlite_cmd
from bench.revisions import export, parser


def wall(cmd: list[str], env: dict, cwd: str) -> float:
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    ms = (time.perf_counter() - t) * 1000
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {done.returncode}: {done.stderr[-500:]!r}")
    return ms


def main(argv=None) -> None:
    ap = parser("python -m bench.clicompare", __doc__)
    ap.add_argument("--index", required=True, type=Path, help="an index folder every revision can read")
    ap.add_argument("--db", type=Path, help="an FTS5 database of the same articles, for the sqlite3 shell")
    ap.add_argument("--rounds", type=int, default=6, help="runs of each word per revision")
    ap.add_argument("--compiled", action="store_true", help="byte-compile each export first")
    ap.add_argument("--both", action="store_true", help="each revision from source and byte-compiled")
    args = ap.parse_args(argv)
    script = Path(sys.executable).parent / "search"
    runner = [str(script)] if script.is_file() else [sys.executable, "-m", "search"]
    scratch = Path(tempfile.mkdtemp(prefix="clicompare-"))
    try:
        variants = {}
        for rev in args.revs:
            for compiled in ((False, True) if args.both else (args.compiled,)):
                name = f"{rev}{' compiled' if compiled else ''}"
                variants[name] = export(rev, scratch / f"{len(variants)}", compiled)
        times: dict[str, list[float]] = {name: [] for name in variants}
        times["sqlite3"] = []
        loads = []
        names = list(variants)
        for r in range(args.rounds):
            for i, word in enumerate(WORDS):
                k = (r * len(WORDS) + i) % len(names)
                for name in names[k:] + names[:k]:
                    env = dict(os.environ, PYTHONPATH=str(variants[name]))
                    cmd = runner + ["--index", str(args.index.resolve()), "query", word]
                    times[name].append(wall(cmd, env, str(scratch)))
                if args.db and shutil.which("sqlite3"):
                    times["sqlite3"].append(wall(sqlite_cmd(args.db.resolve(), word), dict(os.environ),
                                                 str(scratch)))
            loads.append(os.getloadavg()[0])
        first = statistics.median(times[names[0]])
        print(f"| variant | runs | p50 ms | min ms | max ms | p50 / {names[0]} |")
        print("|---|---|---|---|---|---|")
        for name, values in times.items():
            if values:
                p50 = statistics.median(values)
                print(f"| {name} | {len(values)} | {p50:.0f} | {min(values):.0f} | {max(values):.0f} | "
                      f"{p50 / first:.2f} |")
        print(f"1-minute load after each round: {', '.join(f'{x:.1f}' for x in loads)}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
