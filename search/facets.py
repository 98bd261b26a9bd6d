"""Facet counts and facet filters over an IndexView's per-document columns, one numpy call each: one class per kind
of facet (source, date, story; metadata fields in search/metafacets.py), each with its filter and its counts, in
one registry, and the one function that filters and counts a search's facets."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search import story_results
from search.days import month_index, month_of, month_text, within

UNKNOWN = "unknown"
#: Dates are counted by month unless the matches span more months than this; then by year.
MAX_MONTH_BUCKETS = 36


@dataclass
class FacetValue:
    """One value of a facet and how many matching articles have it."""

    value: str
    count: int


def facet_column(view, name: str) -> tuple[np.ndarray, list[str]]:
    """(codes per document, values) of a facet; values[0] == "" is the unknown value."""
    if name == "source":
        return view.source, view.source_names
    return view.facet(name)


def allowed(values: list[str], wanted) -> np.ndarray:
    """bool per code: the values named in `wanted` (case-insensitive; "unknown" selects the empty value)."""
    lowered = {w.strip().lower() for w in wanted}
    return np.fromiter(((v.lower() if code else UNKNOWN) in lowered for code, v in enumerate(values)),
                       dtype=bool, count=len(values))


def facet_mask(view, name: str, docs: np.ndarray, wanted) -> np.ndarray:
    """bool per document of `docs`: its value of the facet is one of `wanted`."""
    codes, values = facet_column(view, name)
    return allowed(values, wanted)[codes[docs]]


def count_facet(view, name: str, docs: np.ndarray) -> list[FacetValue]:
    """A facet's counts over `docs`, most first (ties by name), "unknown" last."""
    codes, values = facet_column(view, name)
    counts = np.bincount(codes[docs], minlength=len(values)) if len(docs) else np.zeros(len(values), np.int64)
    present = np.flatnonzero(counts[1:]) + 1
    known = sorted(((values[c], int(counts[c])) for c in present.tolist()), key=lambda x: (-x[1], x[0].lower()))
    out = [FacetValue(value, n) for value, n in known]
    if counts[0]:
        out.append(FacetValue(UNKNOWN, int(counts[0])))
    return out


def count_sources(view, docs: np.ndarray) -> list[FacetValue]:
    """Source counts, most first (ties by name), "unknown" last."""
    return count_facet(view, "source", docs)


#: In the month column, the documents without a date.
_NO_MONTH = np.iinfo(np.int32).min


def _month_column(view) -> np.ndarray:
    """month_index of every document's day (int32), _NO_MONTH where it has none."""
    day = view.day
    out = np.full(len(day), _NO_MONTH, dtype=np.int32)
    known = day > 0
    out[known] = month_index(day[known].astype(np.int64))
    out.flags.writeable = False
    return out


def count_dates(view, docs: np.ndarray) -> tuple[str, list[FacetValue]]:
    """("month" or "year", counts in time order, "unknown" last): by month unless that makes too many bars."""
    months = view.derived("months", _month_column)[docs]  # the month of every document, made once per view
    index = months[months != _NO_MONTH]
    unknown = len(months) - len(index)
    out: list[FacetValue] = []
    unit = "month"
    if len(index):
        first = int(index.min())
        counts = np.bincount(index - first)
        present = np.flatnonzero(counts)
        if len(counts) - 1 >= MAX_MONTH_BUCKETS:
            unit = "year"
            years = (present + first) // 12
            starts = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
            totals = np.add.reduceat(counts[present], starts)
            out = [FacetValue(f"{y:04d}", int(n)) for y, n in zip(years[starts].tolist(), totals.tolist())]
        else:
            out = [FacetValue(month_text(m), int(counts[m - first]))
                   for m in (present + first).tolist()]
    if unknown:
        out.append(FacetValue(UNKNOWN, unknown))
    return unit, out


@dataclass
class Counted:
    """A facet's counts, the bucket they are counted by where the facet has one (the date's month or year), and
    how many distinct values the documents hold where that is what counts (the story facet's stories)."""

    values: list[FacetValue]
    unit: str | None = None
    distinct: int | None = None


class Facet:
    """One kind of facet, as Datasette's Facet classes: the filter a request sets on it and its counts. Results
    list the counts of the facets that are `listed`."""

    name = ""
    listed = True

    def mask(self, view, docs: np.ndarray, req) -> np.ndarray | None:
        """bool per document of `docs` that the request's filter on this facet keeps; None when it sets none."""
        raise NotImplementedError

    def counts(self, view, docs: np.ndarray) -> Counted:
        """The facet's counts over `docs`."""
        raise NotImplementedError


class SourceFacet(Facet):
    """The canonical source: any of the chosen ones."""

    name = "source"

    def mask(self, view, docs, req):
        return facet_mask(view, self.name, docs, req.sources) if req.sources else None

    def counts(self, view, docs):
        return Counted(count_sources(view, docs))


class DateFacet(Facet):
    """The article's date: from `since` to `until`, undated articles left out; counted by month or year."""

    name = "date"

    def mask(self, view, docs, req):
        if req.since is None and req.until is None:
            return None
        return within(view.day[docs], req.since, req.until)

    def counts(self, view, docs):
        unit, values = count_dates(view, docs)
        return Counted(values, unit)

    def buckets(self, first: str, last: str, unit: str) -> list[str]:
        """Every bucket its counts could have from `first` to `last`, empty ones included: months ("YYYY-MM")
        or years ("YYYY")."""
        if unit == "year":
            return [f"{y:04d}" for y in range(int(first[:4]), int(last[:4]) + 1)]
        return [month_text(n) for n in range(month_of(first), month_of(last) + 1)]

    def selected(self, bucket: str, since: str, until: str) -> bool:
        """Whether a bucket overlaps the filter's `since`/`until` as typed (YYYY, YYYY-MM or YYYY-MM-DD: strings
        of the same length compare as dates)."""
        if not since and not until:
            return False
        n = len(bucket)
        return (not since or bucket >= since[:n]) and (not until or bucket <= until[:n])


class StoryFacet(Facet):
    """The story an article is a version of (search/stories.py): a request never filters by it, results show each
    story once, so what it counts is how many stories the documents hold, not a list of values."""

    name = "story"
    listed = False

    def column(self, view) -> tuple[np.ndarray, list[str]]:
        """(story code per document, story labels); label "" is an article that is a story of its own."""
        return view.facet(self.name)

    def shared(self, view) -> np.ndarray:
        """story_results.shared_stories of the view's story codes, made once per view: counting and paging then look
        only at the documents of stories with several versions."""
        return view.derived("story_shared", lambda v: story_results.shared_stories(self.column(v)[0]))

    def members(self, view, docnum: int) -> np.ndarray:
        """The documents of this document's story (itself included)."""
        return story_results.members(self.column(view)[0], docnum)

    def mask(self, view, docs, req):
        return None

    def counts(self, view, docs):
        return Counted([], distinct=story_results.count_stories(self.column(view)[0], docs, self.shared(view)))


#: The facet kinds of the engine by name; metadata fields are MetaFacets, made per search (search/metafacets.py).
FACETS: dict[str, Facet] = {facet.name: facet for facet in (SourceFacet(), DateFacet(), StoryFacet())}
#: The engine's own facets of every search, in the order results list them (metadata fields follow).
ENGINE_FACETS: tuple[Facet, ...] = (FACETS["source"], FACETS["date"], FACETS["story"])
DATE: DateFacet = FACETS["date"]
STORY: StoryFacet = FACETS["story"]


def filter_and_count(view, facets, matched: np.ndarray, req, count: bool = True):
    """(the documents of `matched` every facet's filter keeps, {facet: Counted}): each facet of the registry
    `facets` is counted over the documents every other facet's filter keeps, so a choice can be widened
    (multi-select); with count=False only the documents."""
    masks = {}
    for facet in facets:
        mask = facet.mask(view, matched, req)
        if mask is not None:
            masks[facet.name] = mask

    def over(skip: str | None) -> np.ndarray:
        keep = None
        for name, mask in masks.items():
            if name != skip:
                keep = mask if keep is None else keep & mask
        return matched if keep is None else matched[keep]

    final = over(None)
    return final, ({facet.name: facet.counts(view, over(facet.name)) for facet in facets} if count else {})
