"""The application factory: configuration, the one Engine, blueprints, security headers and error pages."""
from __future__ import annotations

import os

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.config import resolve
from search.metafields import FacetSettings
from search.errors import SearchError
from search.searcher import Engine
from web.params import SearchParams

#: The Content-Security-Policy of issue 4. No script is served, so there is no script-src: 'none' applies.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
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
        SEARCH_FACETS=os.environ.get("SEARCH_FACETS", ""),  # metadata facets: "auto", "none" or field names
        SEARCH_FACET_MAX_VALUES=os.environ.get("SEARCH_FACET_MAX_VALUES", ""),  # "auto": fields with at most N
    )
    app.config.from_mapping(config)
    app.json.sort_keys = False  # keep the key order of DESIGN.md's object
    # One engine per app: it is thread-safe and reopens the index itself when another process syncs it.
    app.extensions["search_engine"] = Engine(app.config["SEARCH_INDEX"], facets=FacetSettings.parse(
        app.config["SEARCH_FACETS"], app.config["SEARCH_FACET_MAX_VALUES"]))

    from web import api, export, views
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(export.bp)

    app.after_request(_security_headers)
    app.register_error_handler(SearchError, _search_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)

    @app.context_processor
    def _page_context():
        # every page keeps the search box (and its filters) filled from the URL, error pages included
        return {"params": SearchParams.from_args(request.args), "site_title": app.config["SEARCH_TITLE"],
                "max_facet_values": 20}

    return app


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["search_engine"]


def wants_json() -> bool:
    """API and health-check requests get their errors as JSON objects, pages as HTML pages."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error_response(status: int, title: str, message: str, headers=()):
    if wants_json():
        response = jsonify(error=message)
    else:
        response = current_app.make_response(
            render_template("error.html", status=status, title=title, message=message))
    response.status_code = status
    for name, value in headers:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


_TITLES = {400: "That search cannot be run", 404: "Not found", 503: "The index is not available"}


def _search_error(exc: SearchError):
    """The engine's own errors: their message is written for the user."""
    return _error_response(exc.status, _TITLES.get(exc.status, "Error"), str(exc))


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
