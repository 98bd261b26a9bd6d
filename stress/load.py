"""A bounded load generator: N client threads send GET requests to one 127.0.0.1 server and time them.

Standard library only (http.client over keep-alive connections). Bounded twice: it stops at `duration`
seconds or after `max_requests` requests, whichever comes first, and refuses any host but the loopback.
"""
from __future__ import annotations

import http.client
import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlencode, urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class LoadReport:
    """What a load run measured."""

    requests: int = 0
    errors: int = 0                      # a status outside `ok`, a refused connection, a timeout
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    clients: int = 0
    error_samples: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    def summary(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        mean = statistics.fmean(self.latencies_ms) if self.latencies_ms else 0.0
        return (f"{self.requests:,} requests by {self.clients} clients in {self.seconds:.1f} s ({rate:.0f}/s), "
                f"{self.errors} errors; latency p50 {self.p50:.1f} ms, p95 {self.p95:.1f} ms, "
                f"mean {mean:.1f} ms, max {max(self.latencies_ms, default=0):.0f} ms; "
                f"statuses {dict(sorted(self.statuses.items()))}")


def search_paths(words: list[str], everywhere: str | None = None) -> Callable[[random.Random], str]:
    """A maker of varied /search and /api/search URLs from `words` (the query language's common shapes).

    `everywhere`, a word every article holds, is the query of the page-2 requests (so a page 2 exists).
    """
    shapes = (
        lambda r: r.choice(words),
        lambda r: f"{r.choice(words)} {r.choice(words)}",
        lambda r: f'"{r.choice(words)} {r.choice(words)}"',
        lambda r: f"{r.choice(words)} OR {r.choice(words)}",
        lambda r: f"{r.choice(words)} -{r.choice(words)}",
        lambda r: f"title:{r.choice(words)}",
        lambda r: f"{r.choice(words)[:3]}*",
        lambda r: f"{r.choice(words)}~",
        lambda r: f"{r.choice(words)} date:[2016 TO 2018]",
    )

    def make(rng: random.Random) -> str:
        deep = everywhere is not None and rng.random() < 0.1
        params = [("q", everywhere if deep else rng.choice(shapes)(rng))]
        if rng.random() < 0.2:
            params.append(("source", rng.choice(["Reuters", "AFP", "BBC"])))
        if rng.random() < 0.2:
            params.append(("sort", rng.choice(["newest", "oldest"])))
        if deep:
            params.append(("page", "2"))
        path = "/api/search" if rng.random() < 0.5 else "/search"
        return f"{path}?{urlencode(params)}"

    return make


def run_load(url: str, make_path: Callable[[random.Random], str], clients: int = 8, duration: float = 60.0,
             max_requests: int = 1_000_000, seed: int = 0, ok: tuple[int, ...] = (200,), timeout: float = 30.0,
             stop: threading.Event | None = None, on_response: Callable[[str, int, bytes], None] | None = None
             ) -> LoadReport:
    """Send requests from `clients` threads until `duration` s pass, `max_requests` are sent, or `stop` is set."""
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"the load generator only targets the loopback address, not {parts.hostname}")
    report = LoadReport(clients=clients)
    lock = threading.Lock()
    budget = [max_requests]
    stop = stop or threading.Event()
    started = time.monotonic()
    deadline = started + duration

    def take() -> bool:
        with lock:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            return True

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        latencies, statuses, errors, samples = [], Counter(), 0, []
        try:
            while time.monotonic() < deadline and not stop.is_set() and take():
                path = make_path(rng)
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Connection": "keep-alive"})
                    response = conn.getresponse()
                    body = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    status, body = 0, b""
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
                    if len(samples) < 5:
                        samples.append(f"{path}: {type(exc).__name__}: {exc}")
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[status] += 1
                if status not in ok:
                    errors += 1
                    if status and len(samples) < 5:
                        samples.append(f"{path}: HTTP {status}: {body[:200]!r}")
                if on_response is not None:
                    on_response(path, status, body)
        finally:
            conn.close()
            with lock:
                report.latencies_ms.extend(latencies)
                report.statuses.update(statuses)
                report.errors += errors
                report.requests += len(latencies)
                report.error_samples.extend(samples[: max(0, 10 - len(report.error_samples))])

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 5)
    report.seconds = time.monotonic() - started
    return report


@dataclass
class SteadyLoad:
    """A measured load after a warm-up, with the server's open files and mapped segments before and after it."""

    warm: LoadReport
    load: LoadReport
    fds: tuple[int, int]
    mapped: tuple[int, int]


def steady_load(server, make_path: Callable[[random.Random], str], warm: tuple[float, int],
                measured: tuple[float, int], clients: int = 8, settle: float = 0.3) -> SteadyLoad:
    """A warm-up of (seconds, at most requests) that fills the server's pools, then the measured load: growth of
    its open files or mapped segments across the measured part would be a leak."""
    warm_report = run_load(server.url, make_path, clients=clients, duration=warm[0], max_requests=warm[1], seed=1)
    time.sleep(settle)
    fds_start, maps_start = server.fds(), server.mapped_index_files()
    load = run_load(server.url, make_path, clients=clients, duration=measured[0], max_requests=measured[1], seed=2)
    time.sleep(settle)
    return SteadyLoad(warm_report, load, (fds_start, server.fds()), (maps_start, server.mapped_index_files()))
