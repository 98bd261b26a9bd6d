"""The JSON API: the same objects as `search query --json` and `search show --json` (search/render.py)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from web.context import engine
from web.params import SearchParams
from search.render import article_payload, results_payload

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    """GET /api/search?q=...&source=...&since=...&until=...&sort=...&page=...&per_page=..."""
    params = SearchParams.from_args(request.args)
    results = engine().search(**params.search_kwargs(current_app.config["SEARCH_PER_PAGE"]))
    return jsonify(results_payload(results))


@bp.get("/articles/<article_id>")
def article(article_id):
    """GET /api/articles/ID: metadata, text, related articles and the other versions of its story."""
    found = engine().get(article_id)
    return jsonify(article_payload(found, engine().related(article_id, current_app.config["SEARCH_RELATED"]),
                                   engine().versions(article_id)))
