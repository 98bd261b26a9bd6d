"""`python -m web.screenshot OUT.png`: a results page of the real app, shot in headless Chromium (docs/screenshot.png).

It indexes the project's seeds/ into a temporary folder, serves the app on a free port of 127.0.0.1 in a thread,
opens a search with facets and the timeline in Debian's Chromium through Playwright, and saves the picture.
The browser tests use `serve` and `launch_chromium` from here too.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@contextlib.contextmanager
def serve(app):
    """Serve a WSGI app on a free port of 127.0.0.1 in a daemon thread; yield its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="web-screenshot-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch_chromium(playwright):
    """Debian's Chromium, headless (Playwright's own browser downloads are never used)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def shoot(out: Path, articles: Path = SEEDS, query: str = "idlib", width: int = 1280, height: int = 900) -> Path:
    """Index `articles` into a temporary folder, open /search?q=`query` and save a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    from search.indexer import sync
    from web import create_app

    with tempfile.TemporaryDirectory(prefix="search-screenshot-") as tmp:
        sync(articles, Path(tmp) / "index")
        app = create_app({"SEARCH_INDEX": str(Path(tmp) / "index"), "SEARCH_ARTICLES": str(articles)})
        with serve(app) as base, sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{base}/search?{urlencode({'q': query})}", wait_until="load")
                page.wait_for_selector("ol.hits li")
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out), full_page=False)
            finally:
                browser.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the PNG, e.g. docs/screenshot.png")
    parser.add_argument("--articles", type=Path, default=SEEDS, help="articles folder to index (default: seeds/)")
    parser.add_argument("--query", default="idlib", help="the search to show (default: idlib)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing; install Debian's chromium (make browser)", file=sys.stderr)
        return 2
    print(shoot(args.out, args.articles, args.query, args.width, args.height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
