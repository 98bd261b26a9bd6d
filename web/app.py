"""The application factory: configuration, the one Engine, blueprints, security headers and error pages."""
from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.config import resolve
from search.errors import IndexMissing, SearchError
from search.facets import FACETS
from search.metafields import FacetSettings
from search.searcher import Engine
from web import api, caching, export, stories, views
from web.context import UNAVAILABLE, external_url
from web.params import SearchParams
from search.limits import MAX_MESSAGE

#: One same-origin script (web/static/filters.js) and one stylesheet; no inline code of either kind.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(config=None) -> Flask:
    """Build the app; `config` overrides the defaults (SEARCH_INDEX else $SEARCH_INDEX else ./index, ...)."""
    app = Flask(__name__)
    config = dict(config or {})
    folders = resolve(config.pop("SEARCH_ARTICLES", None), config.pop("SEARCH_INDEX", None))
    app.config.from_mapping(
        SEARCH_INDEX=str(folders.index),
        SEARCH_ARTICLES=str(folders.articles),
        SEARCH_PER_PAGE=10,      # hits per page when the request does not say
        SEARCH_FEED_SIZE=20,     # entries of /search.atom
        SEARCH_RELATED=5,        # related articles on an article page
        SEARCH_TITLE="Article search",
        # Absolute links (feed, OpenSearch) start with this, never with the request's Host header.
        SEARCH_BASE_URL=DEFAULT_BASE_URL,
        SEARCH_FACETS=os.environ.get("SEARCH_FACETS", ""),  # metadata facets: "auto", "none" or field names
        SEARCH_FACET_MAX_VALUES=os.environ.get("SEARCH_FACET_MAX_VALUES", ""),  # "auto": fields with at most N
    )
    app.config.from_mapping(config)
    app.config["SEARCH_BASE_URL"] = check_base_url(app.config["SEARCH_BASE_URL"])
    app.json.sort_keys = False  # keep the key order of the documented JSON object (README, "HTTP API")
    # One engine per app: it is thread-safe and reopens the index itself when another process syncs it.
    app.extensions["search_engine"] = Engine(app.config["SEARCH_INDEX"], facets=FacetSettings.parse(
        app.config["SEARCH_FACETS"], app.config["SEARCH_FACET_MAX_VALUES"]))

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(stories.bp)

    caching.install(app)
    app.after_request(_security_headers)  # registered last, so it runs first: on every response
    app.register_error_handler(SearchError, _search_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)

    @app.context_processor
    def _page_context():
        # every page keeps the search box (and its filters) filled from the URL, error pages included
        return {"params": SearchParams.from_args(request.args).bounded(), "site_title": app.config["SEARCH_TITLE"],
                "max_facet_values": 20, "engine_facets": tuple(FACETS)}

    return app


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def check_base_url(url: str) -> str:
    """`http[s]://host[:port]` without a trailing slash; ValueError with what is wrong otherwise."""
    parts = urlsplit(str(url).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the base URL must look like http://host:port or https://host, not {str(url)[:80]!r}")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("the base URL must be only a scheme, a host and a port (no path, query or user)")
    try:
        _ = parts.port  # reading the property is what validates it
    except ValueError:
        raise ValueError("the base URL's port is not a number between 0 and 65535") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def base_url_from_bind(host: str, port: int) -> str:
    """The base URL a server bound to host:port is reached at (the local name for a wildcard address)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return check_base_url(f"http://{host}:{port}")
    if address.is_unspecified:  # 0.0.0.0 or :: listens everywhere: the loopback name works on this machine
        return f"http://{'[::1]' if address.version == 6 else '127.0.0.1'}:{port}"
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


def wants_json() -> bool:
    """API and health-check requests get their errors as JSON objects, pages as HTML pages."""
    return request.path.startswith("/api/") or request.path in ("/healthz", "/suggest")


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    location = response.headers.get("Location")
    if location:  # werkzeug builds a redirect's absolute URL from the Host header; keep only its path
        parts = urlsplit(location)
        if parts.netloc:
            target = external_url((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
            response.headers["Location"] = target
            # the redirect's own page repeats the URL it was built with: replace it too
            response.direct_passthrough = False
            response.set_data(f"Redirecting to {target}\n")
            response.mimetype = "text/plain"
    return response




def _bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _error_response(status: int, title: str, message: str, headers=()):
    message = _bounded(message)
    if wants_json():
        response = jsonify(error=message)
    elif request.path == "/search.atom":  # a feed reader shows text, not a page
        response = current_app.response_class(f"{status} {title}: {message}\n", mimetype="text/plain")
    else:
        response = current_app.make_response(render_template(
            "error.html", status=status, title=title, message=message,
            params=SearchParams.from_args(request.args).bounded()))
    response.status_code = status
    for name, value in headers:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


_TITLES = {400: "That search cannot be run", 404: "Not found", 503: "The index is not available"}


def public_message(exc: SearchError) -> str:
    """The message of an engine error as a web visitor may read it: no path of the server's disk."""
    if isinstance(exc, IndexMissing) or exc.status == 503:
        current_app.logger.warning("index unavailable: %s", exc)
        return UNAVAILABLE
    return str(exc)


def _search_error(exc: SearchError):
    """The engine's own errors: their message is written for the user."""
    return _error_response(exc.status, _TITLES.get(exc.status, "Error"), public_message(exc))


def _http_error(exc: HTTPException):
    """404, 405 and the like from routing, with the same look as every other page."""
    return _error_response(exc.code or 500, exc.name, exc.description or exc.name, exc.get_headers())


_PLAIN_500 = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Server error</title></head>
<body><main><h1>Something went wrong</h1>
<p>The server hit an unexpected error. It has been logged; please try again, or go back to the
<a href="/">search page</a>.</p></main></body></html>
"""


def _server_error(exc: InternalServerError):
    """A bug. Flask has already logged the traceback (Flask.log_exception); the user gets a fixed page without it.

    The page is a constant, not a template, so that a fault in the templates cannot break the error page too.
    """
    if wants_json():
        return jsonify(error="The server hit an unexpected error. It has been logged."), 500
    return _PLAIN_500, 500, {"Content-Type": "text/html; charset=utf-8"}
