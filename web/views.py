"""The HTML pages, the Atom feed, the OpenSearch description and the health check. Thin: the engine does the work."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import replace

from flask import Blueprint, current_app, jsonify, render_template, request

from search import like as example_text
from search import snippets
from search import render
from search.articles import extra_label
from search.errors import QueryError, SearchError
from search.limits import MAX_QUERY_ECHO
from web import timeline
from web.context import UNAVAILABLE, engine, external_url
from web.examples import examples_for
from web.params import SearchParams

bp = Blueprint("pages", __name__)

def marks_for(q: str) -> tuple[set, list]:
    """The stems and phrases to mark on an article page reached from the search `q` (none for a bad query)."""
    if not q.strip():
        return set(), []
    try:
        return engine().marks(q)
    except SearchError:
        return set(), []


@bp.get("/")
def home():
    stats = engine().stats()
    placeholder, examples = examples_for(engine(), stats, current_app.extensions.setdefault("search_examples", {}))
    return render_template("home.html", stats=stats, examples=examples, placeholder=placeholder)


@bp.get("/search")
def search():
    params = SearchParams.from_args(request.args)
    results = engine().search(**params.search_kwargs(current_app.config["SEARCH_PER_PAGE"]))
    return _results_page(results, params)


@bp.post("/like")
def like():
    """The "Find articles like this text" box: a pasted text (posted, as it may be long) read as an example."""
    params = replace(SearchParams.from_args(request.form), q=request.form.get("text", ""), like="1")
    if not params.q.strip():
        raise QueryError("Paste or type a text to find articles like it.")
    results = engine().search(**params.search_kwargs(current_app.config["SEARCH_PER_PAGE"]))
    return _results_page(results, params)


def _results_page(results, params: SearchParams):
    """The results page. An example text's links carry its chosen words (like.as_text), not the whole text:
    they find the same articles, and a page of links to a 100 KB text would weigh megabytes."""
    if results.like_words is not None:
        params = replace(params, q=example_text.as_text(results.like_words), like="1")
    return render_template("search.html", results=results, payload=render, params=params, stats=engine().stats(),
                           timeline=timeline.build(results.facets["date"], results.date_unit, params))


@bp.get("/article/<article_id>")
def article(article_id):
    found = engine().get(article_id)
    related = engine().related(article_id, current_app.config["SEARCH_RELATED"])
    q = request.args.get("q", "")[:MAX_QUERY_ECHO]  # echoed in the back link: bounded like every echo
    terms, phrases = marks_for(q)
    return render_template("article.html", article=found, related=related, q=q, versions=engine().versions(article_id),
                           title_html=render.marked_html(found.title, terms, phrases),
                           paragraphs=render.paragraphs_html(found.body, terms, phrases))


@bp.get("/search.atom")
def feed():
    """The newest matches of a search as an Atom feed, to follow a story in a feed reader."""
    params = SearchParams.from_args(request.args)
    kwargs = params.search_kwargs(current_app.config["SEARCH_FEED_SIZE"])
    kwargs.update(sort="newest", page=1, per_page=current_app.config["SEARCH_FEED_SIZE"])
    results = engine().search(**kwargs)
    entries = [(hit, f"{hit.date}T00:00:00Z" if hit.date else _file_changed(hit.path)) for hit in results.hits]
    updated = max([stamp for _, stamp in entries], default=_rfc3339(engine().synced_at()))
    body = render_template("atom.xml", results=results, entries=entries, updated=updated, plain=snippets.plain,
                           feed_title=feed_title(params), external_url=external_url,
                           html_url=external_url(params.link()), feed_url=external_url(params.link("pages.feed")))
    return current_app.response_class(body, mimetype="application/atom+xml")


def feed_title(params: SearchParams) -> str:
    """What the feed follows, filters included: "idlib · Reuters or AFP · from 2018-09"."""
    parts = [params.q.strip() or "newest articles"]
    if params.sources:
        parts.append(" or ".join(params.sources))
    if params.since and params.until:
        parts.append(f"{params.since} to {params.until}")
    elif params.since or params.until:
        parts.append(f"from {params.since}" if params.since else f"until {params.until}")
    return " · ".join(parts)


def _file_changed(path: str) -> str:
    """An undated article's <updated>: when its file last changed (stable across syncs), else the epoch."""
    folder = current_app.config["SEARCH_ARTICLES"]
    try:
        return _rfc3339(os.stat(os.path.join(folder, path), follow_symlinks=False).st_mtime)
    except (OSError, ValueError):
        return "1970-01-01T00:00:00Z"


@bp.get("/opensearch.xml")
def opensearch():
    """The OpenSearch description that lets a browser add this engine to its address bar."""
    body = render_template("opensearch.xml", external_url=external_url,
                           base_url=current_app.config["SEARCH_BASE_URL"])
    return current_app.response_class(body, mimetype="application/opensearchdescription+xml")


@bp.get("/suggest")
def suggest():
    """OpenSearch suggestions: ["typed", ["completion", ...]] from the index's titles, as the address bar asks."""
    typed = request.args.get("q", "")
    body = json.dumps([typed[:200], engine().suggest(typed)], ensure_ascii=False)
    return current_app.response_class(body, mimetype="application/x-suggestions+json")


@bp.get("/healthz")
def healthz():
    """200 with the article count when the index opens; 503 with the reason otherwise."""
    try:
        count = engine().stats().articles
    except SearchError as exc:
        current_app.logger.warning("health check: %s", exc)  # the server's paths stay in the log
        return jsonify(status="unavailable", error=UNAVAILABLE), 503
    except Exception:  # a damaged index can fail inside Whoosh: still "cannot open", not a crash
        current_app.logger.exception("health check failed")
        return jsonify(status="unavailable", error=UNAVAILABLE), 503
    return jsonify(status="ok", articles=count)


# Characters XML 1.0 cannot carry at all, even escaped; a query typed with one must still give a valid feed.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


bp.app_template_filter("extra_label")(extra_label)  # "photo_credit" -> "Photo credit"; "ISBN" as written


@bp.app_template_filter("xml_text")
def xml_text(value) -> str:
    """Text with the characters XML forbids removed (autoescaping still escapes the rest)."""
    return _NOT_XML.sub("", str(value))


def _rfc3339(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

