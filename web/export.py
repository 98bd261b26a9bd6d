"""GET /export.jsonl and /export.csv: every match of a results page's search, streamed (search/export.py)."""
from __future__ import annotations

from flask import Blueprint, current_app, request, stream_with_context

from search.export import Export, lines
from web.context import engine
from web.params import SearchParams

bp = Blueprint("export", __name__)

_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def _stream(fmt: str):
    params = SearchParams.from_args(request.args)
    with_text = request.args.get("text", "") in ("1", "true", "yes", "on")
    # the matches are found before the response starts, so that a bad query is a 400 page, not a cut-off file
    export = Export(engine(), params.q, params.sources, params.since or None, params.until or None, params.sort,
                    with_text, dict(params.filters), all_versions=params.versions == "all")
    response = current_app.response_class(stream_with_context(lines(export, fmt)), content_type=_TYPES[fmt])
    response.call_on_close(export.close)  # a client that goes away mid-download gives the searcher back too
    response.headers["Content-Disposition"] = f'attachment; filename="articles.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.jsonl")
def export_jsonl():
    """Every match as JSON Lines: the parameters of /search (q, source, since, until, sort, versions) and text=1."""
    return _stream("jsonl")


@bp.get("/export.csv")
def export_csv():
    """Every match as CSV: the parameters of /search (q, source, since, until, sort, versions) and text=1."""
    return _stream("csv")
