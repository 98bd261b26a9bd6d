"""The stories pages: two versions of a story compared, as HTML and JSON. Thin: search/diff.py does the work."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from search.diff import compare_articles
from web import payload
from web.app import engine
from web.views import article_id_or_404

bp = Blueprint("stories", __name__)


@bp.get("/article/<article_id>/compare/<other_id>")
def compare(article_id, other_id):
    """What the version `other_id` adds, drops or changes against the article `article_id`."""
    base, other, comparison = compare_articles(engine(), article_id_or_404(article_id), article_id_or_404(other_id))
    return render_template("compare.html", base=base, other=other, comparison=comparison,
                           rows=[(p.kind, payload.diff_html(p.spans)) for p in comparison.paragraphs],
                           versions=engine().versions(base.id))


@bp.get("/api/articles/<article_id>/compare/<other_id>")
def compare_json(article_id, other_id):
    """GET /api/articles/ID/compare/OTHER_ID: the comparison as paragraphs of spans."""
    base, other, comparison = compare_articles(engine(), article_id_or_404(article_id), article_id_or_404(other_id))
    return jsonify(payload.comparison_payload(base, other, comparison))
