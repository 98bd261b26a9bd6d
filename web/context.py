"""The current app's engine and absolute URLs: a leaf module the blueprints import, so none imports web.app."""
from __future__ import annotations

from flask import current_app

from search.searcher import Engine


#: What a visitor reads when the index cannot be opened; the server's own message (with its paths) goes to the log.
UNAVAILABLE = ("The index is not available: it has not been built yet, or it cannot be read. "
               "Whoever runs this server can build it with `search index` (`search index --full` if it is damaged).")


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["search_engine"]


def external_url(path: str) -> str:
    """An absolute URL for a path of this app, from the configured base URL."""
    return current_app.config["SEARCH_BASE_URL"] + path
