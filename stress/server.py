"""Serve the web app with waitress in a child process on 127.0.0.1, for the load and searching-while-indexing runs.

`python -m stress.server INDEX [ARTICLES]` binds a free port on 127.0.0.1 and prints `LISTENING <port>` once
it accepts connections. `running_server(...)` starts that child, yields its address and pid, and always
stops it (SIGTERM, then SIGKILL) when the block ends.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from search.storage.format import EXTS

HOST = "127.0.0.1"


@dataclass
class Server:
    """A running child server."""

    url: str
    host: str
    port: int
    pid: int
    proc: subprocess.Popen

    def fds(self) -> int:
        """Open file descriptors of the server process."""
        return open_fds(self.pid)

    def mapped_index_files(self) -> int:
        """Index segments the server has mapped into memory (each open segment's files are mapped)."""
        return mapped_index_files(self.pid)


def open_fds(pid: int | str = "self") -> int:
    """How many file descriptors the process has open (from /proc)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


#: A mapped segment file: the array storage's `MAIN_<id>.<part>` (search/storage/format.py), or a Whoosh `.seg`.
_SEGMENT_FILE = re.compile(r"/(?P<segment>[A-Za-z]+_[0-9a-z]+)\.(?:%s)(?: \(deleted\))?$|\.seg(?: \(deleted\))?$"
                           % "|".join(EXTS))


def mapped_index_files(pid: int | str = "self") -> int:
    """How many distinct index segments the process has mapped into memory (a segment's part files count once,
    per generation folder, so a segment still mapped from a replaced generation counts again)."""
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
            paths = {line.split(None, 5)[-1].strip() for line in f if len(line.split(None, 5)) == 6}
    except OSError:
        return 0
    segments = set()
    for path in paths:
        found = _SEGMENT_FILE.search(path)
        if found:
            segments.add((path.rsplit("/", 1)[0], found.group("segment") or path))
    return len(segments)


@contextlib.contextmanager
def running_server(index: Path, articles: Path | None = None, threads: int = 8, start_timeout: float = 30.0,
                   log: Path | None = None):
    """Start the app in a waitress child on a free 127.0.0.1 port; yield a Server; stop it afterwards."""
    cmd = [sys.executable, "-m", "stress.server", str(index), str(articles or ""), str(threads)]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    err = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    try:
        deadline = time.monotonic() + start_timeout
        line = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("LISTENING") or not line:
                break
        if not line.startswith("LISTENING"):
            raise RuntimeError(f"the server did not start (exit {proc.poll()})")
        port = int(line.split()[1])
        yield Server(f"http://{HOST}:{port}", HOST, port, proc.pid, proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()
        if log:
            err.close()


def main(argv: list[str]) -> None:
    import waitress

    from web import create_app

    index, articles = argv[0], (argv[1] if len(argv) > 1 and argv[1] else None)
    threads = int(argv[2]) if len(argv) > 2 else 8
    config = {"SEARCH_INDEX": index}
    if articles:
        config["SEARCH_ARTICLES"] = articles
    app = create_app(config)
    server = waitress.create_server(app, host=HOST, port=0, threads=threads, ident="article-search",
                                    connection_limit=200, channel_timeout=30)
    signal.signal(signal.SIGTERM, lambda *_: server.close() or sys.exit(0))
    print(f"LISTENING {server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    main(sys.argv[1:])
