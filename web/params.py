"""The search parameters of a request, kept as the user typed them, and the links that change one of them.

Nothing here checks a value: the engine's `validate` does, so that the web and the CLI refuse the same things.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask import url_for

DEFAULT_SORT = "relevance"
# Control characters (NUL, ESC, C1) mean nothing in a search and must not be echoed into a page: a space each.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: f.section=sport: a value of a metadata field (repeat for several; any of them).
FILTER_PREFIX = "f."
#: At most this many metadata fields, and values of each, are read from a URL (the engine refuses more).
MAX_URL_FILTERS = 11
MAX_URL_VALUES = 51


def _filters(args) -> tuple[tuple[str, tuple[str, ...]], ...]:
    names = [k for k in args.keys() if k.startswith(FILTER_PREFIX) and len(k) > len(FILTER_PREFIX)]
    out = []
    for key in names[:MAX_URL_FILTERS]:
        cleaned = (_CONTROLS.sub(" ", v).strip() for v in args.getlist(key)[:MAX_URL_VALUES])
        values = tuple(dict.fromkeys(v for v in cleaned if v))
        if values:
            out.append((key[len(FILTER_PREFIX):], values))
    return tuple(out)


@dataclass(frozen=True)
class SearchParams:
    """q, source (repeated), since, until, sort, page and per_page of /search, /api/search and /search.atom;
    f.FIELD (repeated) chooses values of a metadata field (search/metafacets.py)."""

    q: str = ""
    sources: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    sort: str = DEFAULT_SORT
    page: str = "1"
    per_page: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    like: str = ""  # "1": read q as an example text (search/like.py), however short
    versions: str = ""  # "all": every version of a story, not each story once

    @classmethod
    def from_args(cls, args) -> "SearchParams":
        """Read the query string (a werkzeug MultiDict); repeated sources are kept once, in order."""
        def get(name: str) -> str:
            return _CONTROLS.sub(" ", args.get(name, "")).strip()
        sources = tuple(dict.fromkeys(s for s in (_CONTROLS.sub(" ", s).strip() for s in args.getlist("source")) if s))
        return cls(q=_CONTROLS.sub(" ", args.get("q", "")), sources=sources, since=get("since"), until=get("until"),
                   sort=get("sort") or DEFAULT_SORT, page=get("page") or "1", per_page=get("per_page"),
                   filters=_filters(args), like="1" if get("like") else "",
                   versions="all" if get("versions") == "all" else "")

    def bounded(self, chars: int = 600, sources: int = 50) -> "SearchParams":
        """The same parameters cut to a size a page may echo back (an error page for a 200 KB query)."""
        return replace(self, q=self.q[:chars], sources=tuple(s[:200] for s in self.sources[:sources]),
                       since=self.since[:40], until=self.until[:40], sort=self.sort[:40], page=self.page[:40],
                       per_page=self.per_page[:40],
                       filters=tuple((n[:40], tuple(v[:200] for v in values[:sources])) for n, values in self.filters))

    @property
    def filtered(self) -> bool:
        """True when a source or a date bound narrows the search."""
        return bool(self.sources or self.since or self.until or self.filters)

    def search_kwargs(self, default_per_page: int) -> dict:
        """Keyword arguments for Engine.search."""
        return {"text": self.q, "sources": self.sources, "since": self.since or None, "until": self.until or None,
                "sort": self.sort, "page": self.page, "per_page": self.per_page or default_per_page,
                "filters": dict(self.filters), "like": bool(self.like),
                "all_versions": self.versions == "all"}

    def pairs(self) -> list[tuple[str, str]]:
        """The parameters as query-string pairs, leaving out the defaults so that links stay short."""
        out = [("q", self.q)] if self.q else []
        out += [("like", "1")] if self.like else []
        out += [("source", s) for s in self.sources]
        out += [(name, value) for name, value in (("since", self.since), ("until", self.until)) if value]
        out += [(f"{FILTER_PREFIX}{name}", value) for name, values in self.filters for value in values]
        if self.sort != DEFAULT_SORT:
            out.append(("sort", self.sort))
        if self.per_page:
            out.append(("per_page", self.per_page))
        if self.versions:
            out.append(("versions", self.versions))
        if self.page != "1":
            out.append(("page", self.page))
        return out

    def link(self, endpoint: str = "pages.search", **changes) -> str:
        """The URL of `endpoint` with some parameters changed; any change but a page one goes back to page 1."""
        if "page" not in changes:
            changes["page"] = "1"
        changed = replace(self, **{k: str(v) if k == "page" else v for k, v in changes.items()})
        query = urlencode(changed.pairs())
        return url_for(endpoint) + (f"?{query}" if query else "")

    # Shorthands for the templates.
    def without_source(self, source: str) -> str:
        return self.link(sources=tuple(s for s in self.sources if s != source))

    @property
    def filter_values(self) -> int:
        """How many metadata values are chosen, over every field."""
        return sum(len(values) for _, values in self.filters)

    def chosen(self, name: str) -> tuple[str, ...]:
        """The values of a metadata field chosen in the URL."""
        return next((values for n, values in self.filters if n == name), ())

    def without_filter(self, name: str, value: str) -> str:
        kept = tuple((n, tuple(v for v in values if not (n == name and v == value))) for n, values in self.filters)
        return self.link(filters=tuple((n, values) for n, values in kept if values))

    def with_page(self, page: int) -> str:
        return self.link(page=page)

    def with_period(self, since: str, until: str) -> str:
        return self.link(since=since, until=until)
