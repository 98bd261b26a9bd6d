"""The results page over HTTP, as a browser gets it: its weight (HTML, gzipped, with CSS and script) and its
latency (p50, p95), for one or more checkouts of the project served side by side by `search serve`.

    python -m bench.pageweight --articles DIR --index-root TMP [--code NAME=PATH ...] [--requests 300]

Each checkout (default: this one) gets its own index of the same articles and its own waitress server; the
requests alternate between the servers, so that load from elsewhere on the machine hits them alike.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

QUERIES = ["football", "blair election", "oil prices", "music award", "mobile phone", "film", "economy growth",
           "england rugby", "court case", "internet"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """One checkout: its index of the articles and its running `search serve`."""

    def __init__(self, name: str, code: Path, articles: Path, index: Path):
        self.name, self.port = name, _free_port()
        env = dict(os.environ, PYTHONPATH=str(code))
        base = [sys.executable, "-m", "search", "--articles", str(articles), "--index", str(index)]
        subprocess.run(base + ["index"], env=env, cwd=code, check=True, capture_output=True)
        self.proc = subprocess.Popen(base + ["serve", "--port", str(self.port), "--threads", "4"], env=env,
                                     cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                self.get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path: str, headers=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()

    def timed(self, path: str, headers=None) -> tuple[float, int, dict, bytes]:
        t = time.perf_counter()
        status, head, body = self.get(path, headers, self.conn)
        return (time.perf_counter() - t) * 1000, status, head, body

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def weight(s: Served, path: str) -> dict:
    """Bytes of the page and of what it loads, plain and as sent to a client accepting gzip."""
    _, _, html = s.get(path)
    _, head, sent = s.get(path, {"Accept-Encoding": "gzip"})
    assets = [a for a in ("/static/style.css", "/static/filters.js") if s.get(a)[0] == 200]
    asset_plain = sum(len(s.get(a)[2]) for a in assets)
    asset_sent = sum(len(s.get(a, {"Accept-Encoding": "gzip"})[2]) for a in assets)
    return {"html": len(html), "html_sent": len(sent), "gzip": head.get("content-encoding") == "gzip",
            "assets": asset_plain, "assets_sent": asset_sent, "gzip_of_html": len(gzip.compress(html))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pageweight", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--index-root", type=Path, required=True, help="a scratch folder for the indexes")
    parser.add_argument("--code", action="append", default=[], metavar="NAME=PATH",
                        help="a checkout to serve (repeatable); default: this one, as 'this'")
    parser.add_argument("--requests", type=int, default=300, help="results pages per checkout")
    args = parser.parse_args(argv)
    codes = [c.split("=", 1) for c in args.code] or [["this", str(Path(__file__).resolve().parent.parent)]]
    served = [Served(name, Path(path).resolve(), args.articles.resolve(), args.index_root / name)
              for name, path in codes]
    try:
        paths = [f"/search?q={quote(q)}" for q in QUERIES]
        for s in served:  # warm: open the index, fill caches
            for p in paths:
                s.timed(p)
        ms = {s.name: [] for s in served}
        revalidated = {s.name: [] for s in served}
        for i in range(args.requests):
            path = paths[i % len(paths)]
            for s in (served if i % 2 == 0 else served[::-1]):
                elapsed, status, head, _ = s.timed(path, {"Accept-Encoding": "gzip"})
                assert status == 200, (s.name, path, status)
                ms[s.name].append(elapsed)
                if "etag" in head:
                    again, status, _, _ = s.timed(path, {"Accept-Encoding": "gzip", "If-None-Match": head["etag"]})
                    if status == 304:
                        revalidated[s.name].append(again)
        for s in served:
            w = weight(s, paths[0])
            p = sorted(ms[s.name])
            line = (f"{s.name}: results page {w['html']:,} B HTML, {w['html_sent']:,} B sent"
                    f"{' (gzip)' if w['gzip'] else ''}; CSS+JS {w['assets']:,} B, {w['assets_sent']:,} B sent; "
                    f"p50 {statistics.median(p):.1f} ms, p95 {p[int(len(p) * 0.95) - 1]:.1f} ms over {len(p)} "
                    f"requests")
            if revalidated[s.name]:
                line += f"; a 304 revalidation p50 {statistics.median(revalidated[s.name]):.1f} ms"
            print(line)
    finally:
        for s in served:
            s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
