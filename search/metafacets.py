"""Metadata fields as filters and facets at search time: each field's values in the index, the documents that
have a value, and multi-select counts (a facet's counts ignore its own filter, so a choice can be widened).

`MetaColumns` reads one index snapshot once: which fields and values exist (from the term list of the `meta`
field, nothing per document), and, only for a field that is counted or filtered, which documents hold each value.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from search import metafields
from search.errors import QueryError
from search.facets import UNKNOWN, FacetValue

META_FIELD = "meta"
#: At most this many metadata fields may be filtered at once, with at most this many values each.
MAX_FILTER_FIELDS = 10
MAX_FILTER_VALUES = 50


def meta_terms(extra: dict[str, str]) -> list[str]:
    """The `meta` field's terms of an article: "name=value" per facet column (value lowercased)."""
    return [f"{name}={_term_value(value)}" for name, value in metafields.facet_values(extra).items()]


def meta_text(extra: dict[str, str]) -> str:
    """meta_terms joined for Whoosh's comma-separated KEYWORD field."""
    return ",".join(meta_terms(extra))


def term_for(name: str, value: str) -> str:
    """The `meta` term that a typed `name:value` looks up."""
    return f"{name}={_term_value(value)}"


def _term_value(value: str) -> str:
    # the KEYWORD field splits on commas: a comma inside a value is kept as a semicolon
    return metafields.value_key(value).replace(",", ";")


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
    """The metadata fields of one snapshot (a Whoosh reader with its Postings)."""

    def __init__(self, reader, postings):
        self._postings = postings
        self.values: dict[str, list[str]] = {}  # field -> value keys (as in the terms), in term order
        if META_FIELD in reader.schema:
            for term in reader.lexicon(META_FIELD):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                name, _, value = text.partition("=")
                self.values.setdefault(name, []).append(value)
        self._docs: dict[str, dict[str, frozenset[int]]] = {}
        self._display: dict[str, dict[str, str]] = {}

    def names(self) -> list[str]:
        """The metadata fields some article has."""
        return sorted(self.values)

    def sizes(self) -> dict[str, int]:
        """{field: how many distinct values}."""
        return {name: len(values) for name, values in self.values.items()}

    def docs(self, name: str) -> dict[str, frozenset[int]]:
        """{value key: documents with it} for one field (read once per snapshot)."""
        found = self._docs.get(name)
        if found is None:
            found = {v: frozenset(self._postings.frequencies(META_FIELD, f"{name}={v}"))
                     for v in self.values.get(name, ())}
            self._docs[name] = found
        return found

    def matching(self, name: str, keys) -> set[int]:
        """Documents whose field `name` has one of the value keys ("unknown": no value), deleted ones included."""
        by_value = self.docs(name)
        out: set[int] = set()
        for key in keys:
            key = key.replace(",", ";")
            if key == UNKNOWN and key not in by_value:
                out |= self._without(name)
            else:
                out |= by_value.get(key, frozenset())
        return out

    def _without(self, name: str) -> set[int]:
        having = set().union(*self.docs(name).values()) if self.values.get(name) else set()
        return set(range(self._postings.reader.doc_count_all())) - having

    def display(self, name: str, key: str, stored_fields) -> str:
        """A value as the articles write it ("Middle East" for the key "middle east"), read from one article."""
        shown = self._display.setdefault(name, {})
        if key not in shown:
            having = self.docs(name).get(key)
            value = key
            if having:
                extra = stored_fields(min(having)).get("extra") or {}
                value = next((v for k, v in metafields.facet_values(extra).items()
                              if k == name and _term_value(v) == key), key)
            shown[key] = value
        return shown[key]

    def counts(self, name: str, docs, display) -> list[FacetValue]:
        """The field's counts over `docs`, most first (ties by value), "unknown" last; `display(name, key)` gives
        a value as the articles write it."""
        docs = docs if isinstance(docs, (set, frozenset)) else set(docs)
        counts = Counter({key: len(docs & having) for key, having in self.docs(name).items()})
        known = sorted(((display(name, k), n) for k, n in counts.items() if n), key=lambda x: (-x[1], x[0].lower()))
        out = [FacetValue(value, n) for value, n in known]
        missing = len(docs) - sum(counts.values())
        if missing > 0:
            out.append(FacetValue(UNKNOWN, missing))
        return out


def narrowed(matched: set[int], base: dict[str, set[int]], meta: MetaColumns, filters: Filters):
    """(final documents, {facet: the documents its counts are over}): `base` maps the engine's own filters
    (source, date) to the documents passing each; every facet's counts ignore its own filter."""
    passing = dict(base)
    for name, keys in filters.by_field.items():
        passing[name] = meta.matching(name, keys)

    def without(skip: str | None) -> set[int]:
        docs = matched
        for name, ok in passing.items():
            if name != skip:
                docs = docs & ok
        return docs

    return without(None), without


def offered_names(meta: MetaColumns, settings: metafields.FacetSettings, filters: Filters) -> list[str]:
    """The metadata facets a results page shows: the settings' choice, and any field being filtered."""
    names = metafields.offered(meta.sizes(), settings)
    return names + [n for n in filters.by_field if n not in names]
