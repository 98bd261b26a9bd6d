"""The long variants of the reliability tests, marked slow: `make stress` (pytest -m slow) runs them.

Each prints one summary line of what it measured (shown by `pytest -rA` or `-s`), and when STRESS_RESULTS
names a folder, also writes it there as JSON; stress/RESULTS.md records a run of these.
"""
from __future__ import annotations

import errno
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from search.articles import article_id
from search.indexer import sync
from search.searcher import Engine
from stress.corpus import MARKER, Collection
from stress.fuzz import fuzz_engine, queries, web_query
from stress.kill import indexed, run_kills
from stress.load import run_load, search_paths, steady_load
from stress.server import running_server
from tests.test_reliability import api_total, collection, http_get, run_cli, wait_for

pytestmark = pytest.mark.slow


def record(name: str, summary: str, **figures) -> None:
    """Print the measured summary; also write it as JSON under $STRESS_RESULTS when that is set."""
    print(f"\n[{name}] {summary}")
    folder = os.environ.get("STRESS_RESULTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        data = {"test": name, "summary": summary, "date": time.strftime("%Y-%m-%d %H:%M:%S %z"), **figures}
        (Path(folder) / f"{name}.json").write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


def test_kill_the_indexer_60_times(tmp_path):
    report = run_kills(tmp_path, kills=60, seed=2026, articles=800, words=80, change=(40, 30, 40),
                       max_seconds=1500, log=print)
    record("kill", report.summary(), kills=report.kills, kills_incremental=report.kills_incremental,
           kills_full=report.kills_full, kills_locked=report.kills_locked, left_old=report.left_old,
           left_new=report.left_new, recoveries=report.recoveries, failures=report.failures,
           stray_generations_cleaned=report.stray_generations_cleaned, finished_first=report.finished_first,
           durations=report.durations, seconds=round(report.seconds))
    assert not report.failures, report.failures
    assert report.kills >= 50 and report.kills_full >= 25 and report.kills_incremental >= 25, report.summary()
    assert report.recoveries == report.kills


def test_load_8_clients_for_60_seconds(tmp_path):
    col, _ = collection(tmp_path, 2000, seed=55, words=120)
    paths = search_paths(col.vocab[:1500], everywhere=MARKER)
    with running_server(tmp_path / "index", col.folder, threads=8) as server:
        run = steady_load(server, paths, warm=(30, 200), measured=(60, 1_000_000), settle=0.5)
    assert run.warm.errors == 0, run.warm.error_samples
    load, (fds_start, fds_end), (maps_start, maps_end) = run.load, run.fds, run.mapped
    record("load", f"{load.summary()}; server fds {fds_start} -> {fds_end}, mapped segments {maps_start} -> "
                   f"{maps_end}; 2,000 articles", requests=load.requests, errors=load.errors,
           p50_ms=round(load.p50, 1), p95_ms=round(load.p95, 1), seconds=round(load.seconds, 1),
           statuses=dict(load.statuses), fds_start=fds_start, fds_end=fds_end, maps_start=maps_start,
           maps_end=maps_end, error_samples=load.error_samples)
    assert load.errors == 0, load.error_samples
    assert load.seconds >= 59 and load.requests > 100
    assert fds_end <= fds_start + 2 and maps_end <= maps_start + 1


def test_searching_while_indexing_for_many_syncs(tmp_path):
    col, index = collection(tmp_path, 800, seed=56, words=80)
    counts = {len(col.expected)}
    totals: list[int] = []
    marker_path = "/api/search?" + urlencode({"q": MARKER, "per_page": 1})
    other = search_paths(col.vocab[:800], everywhere=MARKER)
    syncs = {"incremental": 0, "full": 0}

    def make(rng):
        return marker_path if rng.random() < 0.3 else other(rng)

    def seen(path, status, body):
        if path == marker_path and status == 200:
            totals.append(json.loads(body)["total"])

    with running_server(index, col.folder) as server:
        stop, result = threading.Event(), {}
        loader = threading.Thread(target=lambda: result.setdefault("load", run_load(
            server.url, make, clients=4, duration=900, stop=stop, on_response=seen)))
        loader.start()
        try:
            wait_for(lambda: len(totals) >= 20, 60, "the first searches")
            fds_start = server.fds()  # with the engine open and the clients connected
            for step in range(12):
                new = col.add(40, f"v{step + 1}")
                col.update(20, f"v{step + 1}")
                col.remove(20)
                counts.add(len(col.expected))
                full = step % 4 == 3
                done = run_cli("--articles", str(col.folder), "--index", str(index), "index",
                               *(["--full"] if full else []))
                assert done.returncode == 0, done.stderr
                syncs["full" if full else "incremental"] += 1
                wait_for(lambda: api_total(server, MARKER) == len(col.expected), 10, "the new count")
                kept = next(rel for rel in new if rel in col.expected)
                assert http_get(server, f"/api/articles/{article_id(kept)}")[0] == 200
            fds_end = server.fds()
        finally:
            stop.set()
            loader.join(120)
    load = result["load"]
    record("searching_while_indexing",
           f"{load.summary()}; during {syncs['incremental']} incremental syncs and {syncs['full']} full rebuilds; "
           f"every count seen was a published one: {set(totals) <= counts}; server fds {fds_start} -> {fds_end}",
           requests=load.requests, errors=load.errors, p50_ms=round(load.p50, 1), p95_ms=round(load.p95, 1),
           syncs=syncs, counts_seen=sorted(set(totals)), counts_published=sorted(counts),
           error_samples=load.error_samples)
    assert load.errors == 0, load.error_samples
    assert totals and set(totals) <= counts, set(totals) - counts


@pytest.fixture(scope="module")
def fuzz_collection(tmp_path_factory):
    return collection(tmp_path_factory.mktemp("fuzz"), 1000, seed=57, words=80)


def test_fuzz_20000_queries_against_the_engine(fuzz_collection):
    col, index = fuzz_collection
    with Engine(index) as engine:
        report = fuzz_engine(engine, 20_000, seed=2026, vocab=tuple(col.vocab[:1000]), bound_ms=2000,
                             max_seconds=1200)
    record("fuzz_engine", report.summary(), tried=report.tried, answered=report.answered, refused=report.refused,
           crashes=report.crashes[:10], slow=report.slow[:10], max_ms=round(report.max_ms),
           error_types=dict(report.error_types))
    assert report.tried == 20_000
    assert not report.crashes, report.crashes[:5]
    assert not report.slow, report.slow[:5]


def test_fuzz_20000_queries_through_the_web(fuzz_collection):
    from web import create_app
    col, index = fuzz_collection
    client = create_app({"SEARCH_INDEX": str(index)}).test_client()
    statuses: dict[int, int] = {}
    bad, slowest, started = [], 0.0, time.monotonic()
    endpoints = ("/search?", "/api/search?", "/search.atom?")
    for n, (text, params) in zip(range(20_000), queries(2027, tuple(col.vocab[:1000]))):
        path = endpoints[n % 3] + urlencode(web_query(text, params))
        t0 = time.perf_counter()
        response = client.get(path)
        slowest = max(slowest, time.perf_counter() - t0)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code not in (200, 400) and len(bad) < 20:
            bad.append((path[:200], response.status_code, response.get_data()[:200]))
    tried = sum(statuses.values())
    record("fuzz_web", f"{tried:,} fuzzed requests to /search, /api/search and /search.atom: statuses "
                       f"{dict(sorted(statuses.items()))}; slowest {slowest * 1000:.0f} ms; "
                       f"{time.monotonic() - started:.0f} s", tried=tried, statuses=statuses,
           slowest_ms=round(slowest * 1000), bad=bad)
    assert tried == 20_000
    assert not bad, bad[:5]


def test_content_dos_results_pages_stay_within_their_work_budget(tmp_path):
    """100 hostile articles up to 1 MiB (stress/content.py): a results page of 100 hits within its work budget,
    over HTTP with 4 such pages at once beside /healthz."""
    from stress import content
    folder, index = tmp_path / "articles", tmp_path / "index"
    content.write_collection(folder, files=100)
    started = time.monotonic()
    sync(folder, index)
    build_seconds = time.monotonic() - started
    with Engine(index) as engine:
        work = content.page_work(engine, "oil", per_page=100)
    assert work.hits == 100 and work.within(), work
    page = "/search?" + urlencode({"q": "oil", "per_page": 100, "versions": "all"})  # every hostile copy
    article = f"/article/{article_id('lines-001.txt')}?q=oil"
    with running_server(index, folder, threads=8) as server:
        http_get(server, page)  # warm: the first page opens the index
        timings, sizes = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            status, _, body = http_get(server, page)
            timings.append((time.perf_counter() - t0) * 1000)
            assert status == 200
            sizes.append(len(body))
        t0 = time.perf_counter()
        status, _, body = http_get(server, article)
        article_ms, article_bytes = (time.perf_counter() - t0) * 1000, len(body)
        assert status == 200
        health, stop = [], threading.Event()

        def heavy():
            while not stop.is_set():
                http_get(server, page)

        clients = [threading.Thread(target=heavy) for _ in range(4)]
        for c in clients:
            c.start()
        try:
            for _ in range(10):
                t0 = time.perf_counter()
                assert http_get(server, "/healthz")[0] == 200
                health.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.2)
        finally:
            stop.set()
            for c in clients:
                c.join(120)
    timings.sort()
    health.sort()
    record("content_dos", f"100 hostile articles up to 1 MiB (built in {build_seconds:.0f} s): a page of 100 hits "
                          f"for `oil` p50 {timings[2]:.0f} ms, max {timings[-1]:.0f} ms, {sizes[0]:,} bytes; "
                          f"snippet work {work.words_examined:,} words stemmed, {work.sentence_chars:,} sentence "
                          f"characters, {work.pieces_probed} text pieces probed; article page of 260k short lines "
                          f"{article_ms:.0f} ms, {article_bytes:,} bytes; /healthz beside 4 such pages p50 "
                          f"{health[len(health) // 2]:.0f} ms, max {health[-1]:.0f} ms",
           page_p50_ms=round(timings[2]), page_max_ms=round(timings[-1]), page_bytes=sizes[0],
           words_examined=work.words_examined, sentence_chars=work.sentence_chars, pieces=work.pieces_probed,
           article_ms=round(article_ms), article_bytes=article_bytes, health_p50_ms=round(health[len(health) // 2]),
           health_max_ms=round(health[-1]), build_seconds=round(build_seconds))
    assert sizes[0] < 1_000_000


def test_the_costliest_accepted_query_beside_8_ordinary_clients(tmp_path):
    """One client sends, again and again, the costliest query the engine still accepts (stress/costly.py: grown
    to the edge of the whole-query bounds), 100 hits a page, while 8 ordinary clients search; every answer must
    be a 200 or a 400, and the ordinary clients' p95 is recorded beside their p95 without the heavy client."""
    from stress import costly
    from stress.corpus import _COMMON
    col, _ = collection(tmp_path, 2000, seed=55, words=120)
    with Engine(tmp_path / "index") as engine:
        found = costly.candidates(engine, col.vocab, list(_COMMON))
    heavy = found.costliest
    assert heavy.total > 0 and heavy.words > 1
    heavy_path = "/search?" + urlencode({"q": heavy.text, "per_page": costly.PER_PAGE})
    paths = search_paths(col.vocab[:1500], everywhere=MARKER)
    with running_server(tmp_path / "index", col.folder, threads=8) as server:
        assert http_get(server, heavy_path)[0] == 200  # accepted over HTTP too
        warm = run_load(server.url, paths, clients=8, duration=30, max_requests=200, seed=3)
        assert warm.errors == 0, warm.error_samples
        alone = run_load(server.url, paths, clients=8, duration=30, seed=4, ok=(200, 400))
        stop, result = threading.Event(), {}
        heavy_thread = threading.Thread(target=lambda: result.setdefault("heavy", run_load(
            server.url, lambda rng: heavy_path, clients=1, duration=120, stop=stop, ok=(200,))))
        heavy_thread.start()
        try:
            beside = run_load(server.url, paths, clients=8, duration=60, seed=5, ok=(200, 400))
        finally:
            stop.set()
            heavy_thread.join(150)
        fds = server.fds()
    hv = result["heavy"]
    record("costly_query", f"heaviest accepted query ({heavy.shape}, {heavy.words} parts, {len(heavy.text)} "
                           f"characters, {heavy.total:,} matches, {heavy.work:,} work units, {heavy.ms:.0f} ms in "
                           f"process at 100 hits) sent {hv.requests} times, p50 {hv.p50:.0f} ms, p95 "
                           f"{hv.p95:.0f} ms, statuses {dict(hv.statuses)}; 8 ordinary clients beside it: "
                           f"{beside.summary()}; the same 8 alone: p50 {alone.p50:.1f} ms, p95 {alone.p95:.1f} ms; "
                           f"2,000 articles; server fds after {fds}",
           query=heavy.text, shape=heavy.shape, parts=heavy.words, chars=len(heavy.text), matches=heavy.total,
           work_units=heavy.work, in_process_ms=round(heavy.ms, 1), refused_parts=found.refused_parts,
           candidates=[vars(c) for c in found.candidates], heavy_requests=hv.requests,
           heavy_p50_ms=round(hv.p50, 1), heavy_p95_ms=round(hv.p95, 1), heavy_statuses=dict(hv.statuses),
           requests=beside.requests, p50_ms=round(beside.p50, 1), p95_ms=round(beside.p95, 1),
           statuses=dict(beside.statuses), alone_requests=alone.requests, alone_p50_ms=round(alone.p50, 1),
           alone_p95_ms=round(alone.p95, 1), error_samples=beside.error_samples + hv.error_samples)
    assert hv.requests >= 5 and hv.errors == 0, hv.error_samples
    assert beside.errors == 0 and alone.errors == 0, beside.error_samples + alone.error_samples
    assert set(beside.statuses) <= {200, 400} and beside.requests > 100


def _listing(folder: Path) -> dict[str, int]:
    """{relative path: size} of every file under the index folder but the lock file (it stays, by design)."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "write.lock"}


def _fill(disk: Path, leave: int) -> Path:
    """Fill the disk with a ballast file until writing fails, then give back `leave` bytes of it. Unbuffered: a
    buffered file would keep the bytes the disk refused and fail again when it is closed."""
    ballast = disk / "ballast"
    with open(ballast, "wb", buffering=0) as f:
        chunk = b"\0" * 65536
        try:
            while True:
                f.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
            f.truncate(max(0, f.tell() - leave))
    return ballast


def test_full_disk_then_space_freed_over_many_syncs(tmp_path):
    """A real full tmpfs (mounting needs root; skipped with the reason where the sandbox refuses it): over 8
    cycles the disk is filled to within 0-256 KB, syncs and rebuilds of a changed folder fail cleanly (old index
    whole, the index folder's files exactly as before the run, no lock), then space is freed and the next
    `search index` succeeds and leaves one generation."""
    import shutil
    from search.store import IndexStore
    from stress.kill import check_clean, check_index, lock_is_held
    from tests.test_reliability import mounted
    articles = tmp_path / "articles"
    col = Collection(articles, seed=58, words=300)
    col.add(100)
    cycles, failed, succeeded_anyway, recovered = 8, 0, 0, 0
    with mounted(tmp_path / "small", "-t", "tmpfs", "-o", "size=24m", "tmpfs") as disk:
        index = disk / "index"
        done = run_cli("--articles", str(articles), "--index", str(index), "index")
        assert done.returncode == 0, done.stderr
        for cycle in range(cycles):
            col.add(40, f"c{cycle}")
            col.update(10, f"c{cycle}")
            col.remove(10)
            ballast = _fill(disk, leave=(0, 4096, 65536, 262144)[cycle % 4])
            for args in (["index"], ["index"], ["index", "--full"], ["index"]):
                old, before = indexed(index), _listing(index)
                done = run_cli("--articles", str(articles), "--index", str(index), *args)
                if done.returncode == 0:  # the space left was enough for this run
                    succeeded_anyway += 1
                    check_index(index, [col.snapshot()])
                    check_clean(index)
                    continue
                failed += 1
                assert done.returncode == 2, (done.stdout, done.stderr)
                assert "is full" in done.stderr and "Traceback" not in done.stderr, done.stderr
                check_index(index, [old])
                assert not lock_is_held(index)
                assert _listing(index) == before, f"cycle {cycle} {args} left {set(_listing(index)) - set(before)}"
            ballast.unlink()  # space is back
            done = run_cli("--articles", str(articles), "--index", str(index), "index")
            assert done.returncode == 0, done.stderr
            check_index(index, [col.snapshot()])
            check_clean(index)
            recovered += 1
            live = IndexStore(index).pointer().generation
            assert all(name.split("/")[0] in (live, "CURRENT") for name in _listing(index)), _listing(index)
        usage = shutil.disk_usage(disk)
    record("full_disk", f"{cycles} cycles on a real 24 MB tmpfs filled to within 0-256 KB: {failed} runs failed "
                        f"with the one-line 'is full' (exit 2) leaving the old index whole and the index folder "
                        f"exactly as before, {succeeded_anyway} completed in the space left; after freeing space "
                        f"the next `search index` succeeded {recovered} of {cycles} times with one generation "
                        f"left; {len(col.expected)} articles at the end, index using {usage.used:,} bytes",
           cycles=cycles, failed=failed, succeeded_anyway=succeeded_anyway, recovered=recovered,
           articles=len(col.expected), used_bytes=usage.used)
    assert recovered == cycles and failed >= cycles * 2


def test_injected_enospc_over_repeated_syncs_then_space_back(tmp_path, monkeypatch):
    """Where no tmpfs can be mounted this still runs: 40 rounds of a changed folder whose sync (incremental, or
    every fourth a rebuild) runs out of disk after a seeded 0-400 KB of writes; a failed run leaves the index
    folder's files exactly as they were and the old index whole, and the next run with space back succeeds."""
    import random
    from search.errors import IndexUnwritable
    from stress.kill import check_clean, check_index, lock_is_held
    from tests.test_reliability import FullDisk
    col = Collection(tmp_path / "articles", seed=59, words=200)
    col.add(150)
    index = tmp_path / "index"
    sync(col.folder, index)
    rng = random.Random(2026)
    rounds, failed, succeeded_anyway = 40, 0, 0
    for step in range(rounds):
        col.add(15, f"r{step}")
        col.update(5, f"r{step}")
        col.remove(5)
        old, before, full = indexed(index), _listing(index), step % 4 == 3
        with monkeypatch.context() as patch:
            FullDisk(patch, rng.randrange(0, 400_000))
            try:
                sync(col.folder, index, full=full)
            except IndexUnwritable as exc:
                failed += 1
                assert "is full" in str(exc)
            else:
                succeeded_anyway += 1
        if indexed(index) == old:
            check_index(index, [old])
            assert _listing(index) == before, f"round {step} left {set(_listing(index)) - set(before)}"
        else:  # the budget sufficed: the run completed
            check_index(index, [col.snapshot()])
        assert not lock_is_held(index)
        sync(col.folder, index, wait=0)  # space is back
        check_index(index, [col.snapshot()])
        check_clean(index)
    record("enospc_injected", f"{rounds} rounds of ENOSPC injected after a seeded 0-400 KB of writes: {failed} "
                              f"syncs failed leaving the old index and the index folder's files exactly as before, "
                              f"{succeeded_anyway} completed within the budget; the next run succeeded "
                              f"{rounds} of {rounds} times with one generation left",
           rounds=rounds, failed=failed, succeeded_anyway=succeeded_anyway)
    assert failed >= rounds // 2
