"""Part 7, watch: `search serve --watch` on a copy of reuters and of the synthetic collection the memory part
measures; from a file written into the folder to the article being found by GET /api/search on the running server,
p50 and max over 50 files written one after another; the server's CPU while idle (nothing changing) from /proc;
against the peer of running `search index` by hand after each write (the whole process, as a user or a cron job
would), in the same run."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.metrics import percentile
from bench.parts.incremental import run_index, search_cmd, token
from bench.report import ratio, table

FILES = 50
PEER_FILES = 5
POLL_S = 0.01
TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def total(port: int, word: str) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={word}", timeout=10) as r:
        return json.load(r)["total"]


def wait_until_found(port: int, word: str) -> float:
    """Seconds until the word is found, polling every POLL_S."""
    t = time.perf_counter()
    while time.perf_counter() - t < TIMEOUT_S:
        try:
            if total(port, word):
                return time.perf_counter() - t
        except OSError:
            pass
        time.sleep(POLL_S)
    raise RuntimeError(f"{word} not searchable after {TIMEOUT_S} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write(folder: Path, name: str, word: str) -> None:
    (folder / name).write_text(f"---\ntitle: Watch test {word}\n---\nA new article about {word} arrives.\n",
                               encoding="utf-8")


def run(ctx) -> dict:
    """The watch measure on reuters, then on the synthetic collection the memory part measures."""
    results = [measure(ctx, ctx.reuters(), "reuters", FILES)]
    big = ctx.corpus("synth", n=ctx.sizes.memory_synth)
    results.append(measure(ctx, big, big.name, FILES))
    rows, notes = [], []
    for r in results:
        rows.append([f"{r['articles']:,}", "serve --watch: written -> found by /api/search", FILES,
                     round(1000 * r["p50_s"]), round(1000 * r["max_s"]), round(ratio(r["p50_s"], r["peer_p50_s"]), 3)])
        rows.append([f"{r['articles']:,}", "peer: `search index` by hand after the write", PEER_FILES,
                     round(1000 * r["peer_p50_s"]), round(1000 * max(r["peer_s"])), 1.0])
        notes.append(f"{r['articles']:,} articles: idle CPU of the serving and watching process "
                     f"{100 * r['idle_cpu_share']:.2f}% of one core over {r['idle_seconds']} s (not counting "
                     "the whole comparison the watcher makes every 10 minutes: about the peer's time)")
    first = results[0]
    return {**first, "collections": results,
            "tables": [table(["articles", "system", "files", "p50 ms", "max ms", "x peer p50"], rows,
                             "From a file written to searchable")],
            "notes": notes}


def measure(ctx, base: Path, name: str, files: int) -> dict:
    """serve --watch over a copy of `base`: written -> searchable for
    `files` files one after another, idle CPU, and the peer of `search index` by hand after a write."""
    root = ctx.run_dir / "watch" / name
    shutil.rmtree(root, ignore_errors=True)
    articles, index = root / "articles", root / "index"
    # copies, not hard links: the watcher compares the whole folder while article files have other names
    shutil.copytree(base, articles, ignore=shutil.ignore_patterns(".complete"))
    count = sum(1 for _ in articles.rglob("*.txt"))
    run_index(articles, index)
    port = free_port()
    server = subprocess.Popen(search_cmd() + ["--articles", str(articles), "--index", str(index), "serve",
                                              "--port", str(port), "--watch"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.perf_counter() + TIMEOUT_S
        while True:
            try:
                total(port, "oil")
                break
            except OSError:
                if time.perf_counter() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        settle(port, articles)
        latencies = []
        for i in range(files):
            word = token("w", 7, i)
            write(articles, f"watch-{i:03d}.txt", word)
            latencies.append(wait_until_found(port, word))
        idle_s = 5 if ctx.quick else 30
        time.sleep(2)
        before, t = cpu_seconds(server.pid), time.perf_counter()
        time.sleep(idle_s)
        idle_cpu = (cpu_seconds(server.pid) - before) / (time.perf_counter() - t)
    finally:
        server.terminate()
        server.wait(timeout=30)
    peer = []
    for i in range(PEER_FILES):
        word = token("m", 11, i)
        write(articles, f"manual-{i:03d}.txt", word)
        wall, _ = run_index(articles, index)
        peer.append(wall)
    shutil.rmtree(root, ignore_errors=True)
    return {"articles": count, "latencies_s": latencies, "p50_s": percentile(latencies, 50), "max_s": max(latencies),
            "peer_s": peer, "peer_p50_s": percentile(peer, 50), "idle_cpu_share": idle_cpu, "idle_seconds": idle_s}


def settle(port: int, articles: Path) -> None:
    """Wait, untimed, until the watcher's start-up syncs are over (they compare the whole folder): a file written
    now is found once they are."""
    word = token("s", 3, 0)
    write(articles, "watch-settle.txt", word)
    wait_until_found(port, word)
    time.sleep(1)
