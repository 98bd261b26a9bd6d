"""The HTML pages, the Atom feed, the OpenSearch description and the health check. Thin: the engine does the work."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from search import like as example_text
from search import snippets
from search.articles import is_article_id
from search.errors import ArticleNotFound, QueryError, SearchError
from web import payload, timeline
from web.app import engine
from web.params import SearchParams

bp = Blueprint("pages", __name__)

#: The query language, shown on the home page: (query, what it finds).
EXAMPLES = [
    ("idlib putin", "articles with both words, best first"),
    ("what did erdogan and putin agree on idlib", "4 or more words: articles with any of them, those with the most "
     "first (join words with AND to require them all)"),
    ('"fate of idlib"', "the exact phrase"),
    ("erdogan OR putin", "either word"),
    ("idlib -russia", "without a word"),
    ("title:idlib", "the word in the title"),
    ("source:Reuters", "one outlet (source:unknown for articles without one)"),
    ("date:2018-09", "a year, month or day; date:[2018-09-01 TO 2018-09-30] for a range"),
    ("idl*", "words starting with idl"),
    ("erdgan~", "words spelt nearly like this"),
]


def article_id_or_404(article_id: str) -> str:
    """Refuse anything that is not shaped like an article id before it reaches the index."""
    if not is_article_id(article_id):
        raise ArticleNotFound(f"{article_id!r} is not an article id.")
    return article_id


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
    return render_template("home.html", stats=engine().stats(), examples=EXAMPLES)


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
    return render_template("search.html", results=results, payload=payload, params=params,
                           timeline=timeline.build(results.facets["date"], results.date_unit, params))


@bp.get("/article/<article_id>")
def article(article_id):
    article_id = article_id_or_404(article_id)
    found = engine().get(article_id)
    related = engine().related(article_id, current_app.config["SEARCH_RELATED"])
    q = request.args.get("q", "")
    terms, phrases = marks_for(q)
    return render_template("article.html", article=found, related=related, q=q,
                           title_html=payload.marked_html(found.title, terms, phrases),
                           paragraphs=payload.paragraphs_html(found.body, terms, phrases))


@bp.get("/search.atom")
def feed():
    """The newest matches of a search as an Atom feed, to follow a story in a feed reader."""
    params = SearchParams.from_args(request.args)
    kwargs = params.search_kwargs(current_app.config["SEARCH_FEED_SIZE"])
    kwargs.update(sort="newest", page=1, per_page=current_app.config["SEARCH_FEED_SIZE"])
    results = engine().search(**kwargs)
    synced = _rfc3339(engine().synced_at())
    entries = [(hit, f"{hit.date}T00:00:00Z" if hit.date else synced) for hit in results.hits]
    updated = max([synced] + [stamp for _, stamp in entries])
    body = render_template("atom.xml", results=results, entries=entries, updated=updated, plain=snippets.plain,
                           html_url=_external(params.link()), feed_url=_external(params.link("pages.feed")))
    return current_app.response_class(body, mimetype="application/atom+xml")


@bp.get("/opensearch.xml")
def opensearch():
    """The OpenSearch description that lets a browser add this engine to its address bar."""
    body = render_template("opensearch.xml", search_url=url_for("pages.search", _external=True),
                           feed_url=url_for("pages.feed", _external=True))
    return current_app.response_class(body, mimetype="application/opensearchdescription+xml")


@bp.get("/healthz")
def healthz():
    """200 with the article count when the index opens; 503 with the reason otherwise."""
    try:
        count = engine().stats().articles
    except SearchError as exc:
        return jsonify(status="unavailable", error=str(exc)), 503
    except Exception as exc:  # a damaged index can fail inside Whoosh: still "cannot open", not a crash
        current_app.logger.exception("health check failed")
        return jsonify(status="unavailable", error=f"The index cannot be opened ({type(exc).__name__})."), 503
    return jsonify(status="ok", articles=count)


# Characters XML 1.0 cannot carry at all, even escaped; a query typed with one must still give a valid feed.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@bp.app_template_filter("xml_text")
def xml_text(value) -> str:
    """Text with the characters XML forbids removed (autoescaping still escapes the rest)."""
    return _NOT_XML.sub("", str(value))


def _rfc3339(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _external(path: str) -> str:
    return request.host_url.rstrip("/") + path
