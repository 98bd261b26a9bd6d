"""The one HTML renderer (spans -> escaped text with <mark>) and the JSON objects of the API and `--json`.

Both faces use it, so `GET /api/search` and `search query --json` return the same object by construction. nh3 and
markupsafe are imported on the first HTML rendered, so that a plain-text search never loads them.
"""
from __future__ import annotations

from html import escape

from search import snippets

# A second line of defence behind escaping: whatever reaches a page as HTML may contain <mark> and nothing else.
_ALLOWED_TAGS = {"mark"}
# ... and a comparison of versions <ins> and <del> and nothing else.
_DIFF_TAGS = {"ins", "del"}


def spans_html(spans):
    """Escape every text span and wrap matched spans in <mark>; then let nh3 keep only <mark> (a Markup)."""
    import nh3
    from markupsafe import Markup

    html = "".join(f"<mark>{escape(text)}</mark>" if is_match else escape(text) for text, is_match in spans)
    return Markup(nh3.clean(html, tags=_ALLOWED_TAGS, attributes={}, strip_comments=True))


def passages_html(passages):
    """Several passages as one HTML snippet (a mark of the cut between them and where one starts mid-sentence)."""
    return spans_html(snippets.joined(passages))


def marked_html(text: str, terms=(), phrases=()):
    """A whole text (a title, a paragraph) as HTML with every word of the query marked."""
    return spans_html(snippets.highlight(text, terms, phrases))


def paragraphs_html(text: str, terms=(), phrases=()) -> list:
    """An article's text as a list of HTML paragraphs (one per non-blank line; bounded, see snippets.paragraphs)."""
    return [spans_html(p) for p in snippets.paragraphs(text, terms, phrases)]


def diff_html(spans):
    """A paragraph of a comparison (search/diff.py spans) as HTML: every span escaped, "ins" and "del" spans wrapped
    in <ins> and <del>; then nh3 keeps only those two tags (a Markup)."""
    import nh3
    from markupsafe import Markup

    html = "".join(f"<{kind}>{escape(text)}</{kind}>" if kind in _DIFF_TAGS else escape(text) for text, kind in spans)
    return Markup(nh3.clean(html, tags=_DIFF_TAGS, attributes={}, strip_comments=True))


def hit_payload(hit) -> dict:
    """One hit as JSON: `story` names its story, `versions` the story's other matching articles."""
    return {"id": hit.id, "title": hit.title, "date": hit.date, "source": hit.source, "path": hit.path,
            "score": hit.score, "snippet": snippets.plain(hit.snippet), "snippet_html": str(passages_html(hit.snippet)),
            "story": hit.story, "versions": {"count": hit.version_count, "ids": list(hit.versions)}}


def results_payload(results) -> dict:
    """The object `GET /api/search` and `search query --json` both return."""
    return {
        "query": results.query, "total": results.total, "page": results.page, "per_page": results.per_page,
        "took_ms": results.took_ms, "suggestion": results.suggestion, "notice": results.notice,
        "fallback_query": results.fallback_query, "sort": results.sort,
        "hits": [hit_payload(h) for h in results.hits],
        "facets": {name: [{"value": v.value, "count": v.count} for v in values]
                   for name, values in results.facets.items()},
        "date_unit": results.date_unit,
        # an example text's words (None for a query); more when few match: a separate list and its count
        "like_words": None if results.like_words is None else [
            {"word": w.surface, "count": w.tf} for w in results.like_words],
        "more_total": results.more_total,
        "more": [hit_payload(h) for h in results.more],
        "articles": results.articles, "stories": results.stories, "all_versions": results.all_versions,
    }


def article_payload(article, related=(), versions=()) -> dict:
    """One article as JSON (`GET /api/articles/<id>` and `search show --json`), with its story's other versions."""
    return {"id": article.id, "title": article.title, "date": article.date, "source": article.source,
            "path": article.path, "extra": article.extra, "text": article.body,
            "related": [{"id": h.id, "title": h.title, "date": h.date, "source": h.source} for h in related],
            "versions": [version_payload(v) for v in versions]}


def version_payload(version) -> dict:
    """One version of a story as JSON."""
    return {"id": version.id, "title": version.title, "date": version.date, "source": version.source,
            "path": version.path}


def comparison_payload(base, other, comparison) -> dict:
    """A comparison of two versions as JSON: paragraphs of [text, kind] spans (kind "", "ins" or "del")."""
    return {"base": version_payload(base), "other": version_payload(other),
            "added_words": comparison.added_words, "dropped_words": comparison.dropped_words,
            "truncated": comparison.truncated,
            "paragraphs": [{"kind": p.kind, "spans": [[t, k] for t, k in p.spans]} for p in comparison.paragraphs]}
