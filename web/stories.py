"""The stories pages: two versions of a story compared, as HTML and JSON. Thin: search/diff.py does the work."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from search.diff import compare_articles
from search import render
from web.context import engine

bp = Blueprint("stories", __name__)


@bp.get("/article/<article_id>/compare/<other_id>")
def compare(article_id, other_id):
    """What the version `other_id` adds, drops or changes against the article `article_id`."""
    base, other, comparison = compare_articles(engine(), article_id, other_id)
    return render_template("compare.html", base=base, other=other, comparison=comparison,
                           rows=[(p.kind, render.diff_html(p.spans)) for p in comparison.paragraphs],
                           versions=engine().versions(base.id))


@bp.get("/api/articles/<article_id>/compare/<other_id>")
def compare_json(article_id, other_id):
    """GET /api/articles/ID/compare/OTHER_ID: the comparison as paragraphs of spans."""
    base, other, comparison = compare_articles(engine(), article_id, other_id)
    return jsonify(render.comparison_payload(base, other, comparison))
