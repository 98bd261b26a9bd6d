"""`search serve`: the app under waitress with its request limits chosen, not inherited.

Waitress answers some requests itself before the app sees them (a header block too large, a malformed request
line, an unsupported transfer coding). Those answers get the same Content-Security-Policy and nosniff headers
as the app's own pages.
"""
from __future__ import annotations

from waitress.channel import HTTPChannel
from waitress.server import create_server as _waitress_server
from waitress.task import ErrorTask

from web.app import SECURITY_HEADERS

#: Every limit below is deliberate (README, "Serving"). The app answers GETs whose parameters fit in a URL, so a
#: request's head is small; the one body it reads is POST /like's text (search/like.py reads 100,000 characters
#: of it), sent as multipart form data: raw UTF-8, at most 4 bytes a character, plus the form's framing.
LIMITS = {
    "max_request_header_size": 32 * 1024,   # request line + headers; a 500-character query fits many times over
    "max_request_body_size": 512 * 1024,    # POST /like: 100,000 characters of UTF-8 and the form's framing
    "channel_timeout": 30,                  # seconds an idle or trickling connection is kept
    "connection_limit": 200,                # open connections before new ones wait in the backlog
    "cleanup_interval": 10,
    "expose_tracebacks": False,
    "ident": "article-search",
}


class _ErrorTask(ErrorTask):
    """Waitress's own 400/413/431/501 answers, with the app's security headers."""

    def execute(self):
        self.response_headers.extend(SECURITY_HEADERS.items())
        super().execute()


class _Channel(HTTPChannel):
    error_task_class = _ErrorTask


def create_server(app, host: str, port: int, threads: int):
    """A bound waitress server for `app` (raises OSError when the address cannot be listened on)."""
    server = _waitress_server(app, host=host, port=port, threads=threads, **LIMITS)
    # a host name may resolve to several addresses: waitress then keeps one listening server per address in its map
    for candidate in [server, *getattr(server, "map", {}).values()]:
        if hasattr(candidate, "channel_class"):
            candidate.channel_class = _Channel
    return server
