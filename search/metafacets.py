"""Metadata fields as filters and facets at search time, over an IndexView's facet columns (STORAGE.md):
which fields and values exist, the documents with chosen values, and multi-select counts (a facet's counts
ignore its own filter, so a choice can be widened). One numpy call per field; values that differ only in case
("Business", "business") count as one, shown as the most frequent spelling.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search import metafields
from search.errors import QueryError
from search.facets import ENGINE_FACETS, UNKNOWN, Counted, Facet, FacetValue
from search.limits import MAX_FIELDS, MAX_FILTER_FIELDS, MAX_FILTER_VALUES

#: Facet columns with a meaning of their own: not metadata fields.
BUILT_IN = ("source", "story")


@dataclass
class Filters:
    """Validated metadata filters: {field: value keys}; OR within a field, AND across fields."""

    by_field: dict[str, tuple[str, ...]]

    def __bool__(self) -> bool:
        return bool(self.by_field)


def validate_filters(filters, known) -> Filters:
    """{field: [values]} (or (field, values) pairs) as typed -> Filters; QueryError for what cannot be filtered."""
    items = list(filters.items()) if isinstance(filters, dict) else list(filters or ())
    if len(items) > MAX_FILTER_FIELDS:
        raise QueryError(f"At most {MAX_FILTER_FIELDS} metadata fields can be filtered at once.")
    out: dict[str, tuple[str, ...]] = {}
    for name, values in items:
        values = [values] if isinstance(values, str) else list(values or ())
        values = tuple(dict.fromkeys(metafields.value_key(str(v)) for v in values if str(v).strip()))
        if not values:
            continue
        if len(values) > MAX_FILTER_VALUES:
            raise QueryError(f"At most {MAX_FILTER_VALUES} values of {name} can be chosen at once.")
        key = metafields.field_name(str(name))
        if key is None or key not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise QueryError(f"No article has a metadata field {str(name)[:40]!r}; the fields are: {listed}.")
        out[key] = tuple(dict.fromkeys(out.get(key, ()) + values))
    return Filters(out)


class MetaColumns:
    """The metadata fields of one IndexView (computed once per snapshot, columns read lazily)."""

    def __init__(self, view):
        self.view = view
        # segments keep at most MAX_FACET_COLUMNS each; their union is bounded here too (bounded work per search)
        self._names = [n for n in view.facet_names() if n not in BUILT_IN][:MAX_FIELDS]
        self._groups: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._shares: dict[str, float] | None = None
        self._offered: dict[metafields.FacetSettings, list[str]] = {}

    def names(self) -> list[str]:
        """The metadata fields some article has."""
        return list(self._names)

    def _grouped(self, name: str) -> tuple[np.ndarray, list[str]]:
        """(group per code, key per group): codes whose values differ only in case share a group; group 0 and
        key "" are the articles without the field."""
        found = self._groups.get(name)
        if found is None:
            _codes, values = self.view.facet(name)
            keys: dict[str, int] = {"": 0}
            group = np.fromiter((keys.setdefault(metafields.value_key(v), len(keys)) if v else 0 for v in values),
                                dtype=np.int64, count=len(values))
            found = self._groups[name] = (group, list(keys))
        return found

    def offered(self, settings: metafields.FacetSettings) -> list[str]:
        """metafields.offered for these fields and `settings` (remembered per snapshot: its fields never change)."""
        try:
            found = self._offered.get(settings)
        except TypeError:  # settings made with a list of fields: not hashable, not remembered
            return metafields.offered(self.sizes(), settings, self.shares())
        if found is None:
            if len(self._offered) >= 16:  # a few settings per process at most
                self._offered.clear()
            found = self._offered[settings] = metafields.offered(self.sizes(), settings, self.shares())
        return list(found)

    def sizes(self) -> dict[str, int]:
        """{field: how many distinct values (case aside)}."""
        return {name: len(self._grouped(name)[1]) - 1 for name in self._names}

    def shares(self) -> dict[str, float]:
        """{field: the share of the live articles that have a value} (computed once per snapshot)."""
        if self._shares is None:
            live = self.view.live
            total = max(int(np.count_nonzero(live)), 1)
            self._shares = {name: int(np.count_nonzero(self.view.facet(name)[0][live])) / total
                            for name in self._names}
        return self._shares

    def mask(self, name: str, keys, docs: np.ndarray) -> np.ndarray:
        """bool per document of `docs`: its value of the field is one of the keys ("unknown": no value)."""
        codes, _ = self.view.facet(name)
        group, group_keys = self._grouped(name)
        wanted = {"" if k == UNKNOWN else k for k in keys}
        allowed = np.fromiter((k in wanted for k in group_keys), dtype=bool, count=len(group_keys))
        return allowed[group[codes[docs]]]

    def counts(self, name: str, docs: np.ndarray) -> list[FacetValue]:
        """The field's counts over `docs`, most first (ties by value), "unknown" last."""
        codes, values = self.view.facet(name)
        group, group_keys = self._grouped(name)
        per_code = np.bincount(codes[docs], minlength=len(values)) if len(docs) else np.zeros(len(values), np.int64)
        per_group = np.bincount(group, weights=per_code, minlength=len(group_keys)).astype(np.int64)
        shown: dict[int, tuple[int, str]] = {}  # group -> (count of its most frequent spelling, that spelling)
        for code in np.flatnonzero(per_code).tolist():
            g = int(group[code])
            if g and (g not in shown or per_code[code] > shown[g][0]):
                shown[g] = (int(per_code[code]), values[code])
        known = sorted(((shown[g][1], int(per_group[g])) for g in shown), key=lambda x: (-x[1], x[0].lower()))
        out = [FacetValue(value, n) for value, n in known]
        if per_group[0]:
            out.append(FacetValue(UNKNOWN, int(per_group[0])))
        return out


class MetaFacet(Facet):
    """A metadata field: any of the chosen values (case aside, "unknown" for articles without the field)."""

    def __init__(self, meta: MetaColumns, name: str, keys: tuple[str, ...] = ()):
        self.meta, self.name, self.keys = meta, name, keys

    def mask(self, view, docs, req):
        return self.meta.mask(self.name, self.keys, docs) if self.keys else None

    def counts(self, view, docs):
        return Counted(self.meta.counts(self.name, docs))


def registry(meta: MetaColumns, filters: Filters, offered: list[str] = ()) -> list[Facet]:
    """The facets of one search, in the order results list them: the engine's own (source, date, story), then a
    MetaFacet for each metadata field offered or filtered."""
    names = list(offered) + [n for n in filters.by_field if n not in offered]
    return [*ENGINE_FACETS, *(MetaFacet(meta, n, filters.by_field.get(n, ())) for n in names)]


def offered_names(meta: MetaColumns, settings: metafields.FacetSettings, filters: Filters) -> list[str]:
    """The metadata facets a results page shows: the settings' choice, and any field being filtered."""
    names = meta.offered(settings)
    return names + [n for n in filters.by_field if n not in names]
