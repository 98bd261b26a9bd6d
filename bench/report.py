"""Tables, JSON files and the machine description that every part's results carry."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench.corpora import REPO


def table(headers: list[str], rows: list[list], title: str = "") -> str:
    """A GitHub markdown table (numbers formatted), with an optional bold title line above it."""
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"  # noqa: E731
    out = [f"**{title}**", ""] if title else []
    out.append(line(headers))
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def fmt(value) -> str:
    """Numbers to short readable text: 3 significant decimals for small, thousands separators for large."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "–"}[value]
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3f}"
    return str(value)


def ratio(a: float, b: float) -> float:
    """a / b, or NaN when b is zero or missing."""
    return a / b if a is not None and b else float("nan")


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict:
    """Where and with what the figures were measured."""
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        mem_gb = None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "load_avg_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "memory_gb": round(mem_gb, 1) if mem_gb else None,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "whoosh": _version("Whoosh-Reloaded") or _version("Whoosh"),
        "matplotlib": _version("matplotlib"),
        "repo_commit": _git("rev-parse", "--short", "HEAD"),
        "engine_commit": _git("log", "-1", "--format=%h", "--", "search"),  # the last commit that changed search/
        "engine_dirty": bool(_git("status", "--porcelain", "--", "search")),
    }


def machine_line(m: dict) -> str:
    return (f"{m['date']} · {m['cpu']} · {m['cores']} cores ({m['usable_cores']} usable, load {m['load_avg_1m']:.2f}) · "
            f"{m['memory_gb']} GB · Python {m['python']} · SQLite {m['sqlite']} · Whoosh {m['whoosh']} · "
            f"search/ at {m['engine_commit']}{' (with uncommitted changes)' if m['engine_dirty'] else ''}")


def write(out: Path, part: str, data: dict) -> Path:
    """Write one part's results as out/<part>.json and its tables as out/<part>.md."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{part}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    (out / f"{part}.md").write_text(markdown(data), encoding="utf-8")
    return path


def markdown(data: dict) -> str:
    """One part's tables and notes as markdown."""
    text = "\n\n".join(data.get("tables", []))
    notes = data.get("notes", [])
    if notes:
        text += "\n\n" + "\n".join("- " + n for n in notes)
    return text + "\n"


if __name__ == "__main__":  # python -m bench.report [RESULTS_DIR]: every part's tables, in order, with the machine
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "bench" / "results"
    for part in ("build", "incremental", "query", "scale", "relevance"):
        f = folder / f"{part}.json"
        if f.is_file():
            d = json.loads(f.read_text())
            print(f"### {part}\n\n{machine_line(d['machine'])} · part took {d['part_seconds']:.0f} s\n")
            print(markdown(d))
