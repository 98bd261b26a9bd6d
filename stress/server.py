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
        """Index segments the server has mapped (each segment's files are mapped while a snapshot uses it)."""
        return mapped_index_files(self.pid)


def open_fds(pid: int | str = "self") -> int:
    """How many file descriptors the process has open (from /proc)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


_SEGMENT_FILE = re.compile(r"/gen-[0-9]+/(MAIN_[0-9a-z]+)\.[a-z]+$")


def mapped_index_files(pid: int | str = "self") -> int:
    """How many distinct index segments (of any generation) the process has mapped into memory."""
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
            return len({m.group(0).rsplit(".", 1)[0] for line in f if (m := _SEGMENT_FILE.search(line.strip()))})
    except OSError:
        return 0


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
