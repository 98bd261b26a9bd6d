"""Timing results pages of several systems on the same queries, interleaved so drift hits all of them alike."""
from __future__ import annotations

import time
from typing import Sequence

from bench.metrics import percentile
from bench.peers import Query


def measure(systems: Sequence, queries: Sequence[Query], warmup: Sequence[Query] = ()) -> dict:
    """Run every query once on every system (order rotated per query); per system: ms list, totals, errors.

    Warm-up queries (distinct from the measured ones) open files and fill the OS cache first; each measured
    query runs once per system, so no result cache of any system is ever hit.
    """
    for q in warmup:
        for s in systems:
            try:
                s.page(q)
            except Exception:  # a warm-up failure shows again, and is counted, in the measured run
                pass
    out = {s.name: {"ms": [], "totals": [], "errors": []} for s in systems}
    for i, q in enumerate(queries):
        k = i % len(systems)
        for s in list(systems[k:]) + list(systems[:k]):
            rec = out[s.name]
            t = time.perf_counter()
            try:
                page = s.page(q)
            except Exception as exc:  # recorded, not fatal: the table shows how many queries failed
                rec["ms"].append((time.perf_counter() - t) * 1000)
                rec["totals"].append(None)
                rec["errors"].append(f"{q.label()}: {type(exc).__name__}: {exc}")
                continue
            rec["ms"].append((time.perf_counter() - t) * 1000)
            rec["totals"].append(page.total)
    return out


def summary(rec: dict) -> dict:
    """p50/p95/p99/mean/max of one system's timings, with its zero-result and error counts."""
    ms = rec["ms"]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "mean": sum(ms) / len(ms) if ms else float("nan"), "max": max(ms) if ms else float("nan"),
            "zero_results": sum(1 for t in rec["totals"] if t == 0), "errors": len(rec["errors"])}
