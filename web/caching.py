"""HTTP caching and compression: validators from the index's state, 304s before any work, gzip.

A page or API answer depends only on its URL, the index and this running code. So its ETag is the index's
version (generation and commit) plus a token of this process, and a conditional GET whose ETag still holds is
answered 304 before the engine searches anything.
"""
from __future__ import annotations

import gzip
import secrets
import time

from flask import current_app, g, request
from werkzeug.http import http_date, parse_date
from web.context import engine

#: Endpoints whose answer is a function of the URL and the index: they get validators and may answer 304.
CACHEABLE = {"pages.home", "pages.search", "pages.article", "pages.feed", "pages.opensearch", "pages.suggest",
             "api.search", "api.article"}
#: Types worth compressing; images (the SVG icon aside) and tiny answers are not.
COMPRESSIBLE = ("text/", "application/json", "application/atom+xml", "application/opensearchdescription+xml",
                "application/x-suggestions+json", "application/javascript", "image/svg+xml")
MIN_GZIP_BYTES = 512
GZIP_SUFFIX = "-gzip"


def install(app) -> None:
    """Register the hooks on `app`."""
    app.extensions["search_caching_token"] = secrets.token_hex(4)
    app.extensions["search_started"] = time.time()
    app.before_request(_before)
    app.after_request(_after)


def _index_version() -> tuple[str, float]:
    version, synced_at = engine().version()
    app = current_app
    return f'"{version}.{app.extensions["search_caching_token"]}"', max(synced_at, app.extensions["search_started"])


def _before():
    _strip_encoding_suffix()
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHEABLE:
        return None
    etag, modified = _index_version()  # an unavailable index raises here and gets its 503 page
    g.validators = (etag, modified)
    if _still_fresh(etag, modified):
        response = current_app.response_class(status=304)
        return response
    return None


def _strip_encoding_suffix():
    """An ETag we sent for the gzipped body names the same content: compare it as the plain one."""
    header = request.environ.get("HTTP_IF_NONE_MATCH")
    if header and GZIP_SUFFIX in header:
        request.environ["HTTP_IF_NONE_MATCH"] = header.replace(GZIP_SUFFIX + '"', '"')


def _still_fresh(etag: str, modified: float) -> bool:
    if request.if_none_match:  # when both are sent, If-None-Match decides (RFC 9110, 13.2.2)
        return request.if_none_match.contains_weak(etag.strip('"'))
    since = parse_date(request.headers.get("If-Modified-Since"))
    return since is not None and int(modified) <= since.timestamp()


def _after(response):
    validators = g.get("validators")
    if validators and response.status_code in (200, 304):
        etag, modified = validators
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(int(modified))
        # stored, but checked with the server every time: a sync changes every page
        response.headers["Cache-Control"] = "no-cache"
    elif request.endpoint == "static":
        response.headers["Cache-Control"] = "public, max-age=3600"
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    _compress(response)
    return response


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _compress(response) -> None:
    response.vary.add("Accept-Encoding")
    if not _accepts_gzip():
        return
    if response.status_code == 304:
        _suffix_etag(response)
        return
    if (response.status_code < 200 or response.status_code in (204, 206) or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith(COMPRESSIBLE)):
        return
    response.direct_passthrough = False  # static files: read the (small) file to compress it
    data = response.get_data()
    if len(data) < MIN_GZIP_BYTES:
        return
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    _suffix_etag(response)


def _suffix_etag(response) -> None:
    etag, weak = response.get_etag()
    if etag and not etag.endswith(GZIP_SUFFIX):
        response.set_etag(etag + GZIP_SUFFIX, weak)
