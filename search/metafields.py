"""Metadata fields beyond title, date and source (section, author, url, tags, ...): which of an article's fields
become per-document facet columns when it is indexed, how a typed value is compared, which columns are offered
as facets on a results page, and the settings that choose them.

Every field becomes a column (storage keeps a code per document and a table of values per segment, see
STORAGE.md), so every field is searchable as `field:value`; a field is *offered* as a facet when it suits one:
automatically when it has between 2 and `max_values` distinct values in the index, or as listed in the settings.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from search.limits import MAX_VALUE_CHARS, MAX_FIELDS_PER_ARTICLE, MAX_VALUES_LIMIT

#: Names the engine already gives a meaning (or a URL parameter) to: never a metadata field of their own.
RESERVED = frozenset("""id path title body text date source story day sig extra facets q page per_page sort since
until format metadata rank score filter""".split())
#: A field name as it appears in `field:value` and in URLs: lowercase letters, digits and _.
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
#: The automatic choice offers a field as a facet when it has at most this many distinct values.
DEFAULT_MAX_VALUES = 10
#: ... and when at least this share of the articles has a value (a field most articles lack narrows nothing).
MIN_SHARE = 0.5


def field_name(key: str) -> str | None:
    """The field name for a front-matter / sidecar / page key ("Photo-Credit" -> "photo_credit"), or None when
    it cannot be one (reserved, or not a plain name)."""
    name = key.strip().lower().replace("-", "_").replace(" ", "_")
    if name in RESERVED or not FIELD_NAME.fullmatch(name):
        return None
    return name


def facet_values(extra: dict[str, str]) -> dict[str, str]:
    """An article's metadata fields as {field name: value} for the facet columns of the index."""
    out: dict[str, str] = {}
    for key, value in (extra or {}).items():
        name = field_name(str(key))
        text = " ".join(str(value).split())
        if name and text and len(text) <= MAX_VALUE_CHARS and name not in out:
            out[name] = text
            if len(out) == MAX_FIELDS_PER_ARTICLE:
                break
    return out


def value_key(value: str) -> str:
    """How a typed value is compared with the column's values: whitespace collapsed, case ignored."""
    return " ".join(value.split()).lower()


@dataclass(frozen=True)
class FacetSettings:
    """Which metadata fields a results page offers as facets: `fields` as listed (None: chosen automatically)
    and, for the automatic choice, at most `max_values` distinct values."""

    fields: tuple[str, ...] | None = None
    max_values: int = DEFAULT_MAX_VALUES

    @classmethod
    def from_env(cls, environ=None) -> "FacetSettings":
        """SEARCH_FACETS ("auto", "none", or field names separated by commas) and SEARCH_FACET_MAX_VALUES."""
        env = os.environ if environ is None else environ
        return cls.parse(env.get("SEARCH_FACETS", ""), env.get("SEARCH_FACET_MAX_VALUES", ""))

    @classmethod
    def parse(cls, fields: str | None, max_values: str | int | None = None) -> "FacetSettings":
        """Settings from their text form; anything unreadable falls back to the default rather than failing."""
        try:
            limit = int(max_values) if max_values not in (None, "") else DEFAULT_MAX_VALUES
        except (TypeError, ValueError):
            limit = DEFAULT_MAX_VALUES
        limit = min(max(limit, 2), MAX_VALUES_LIMIT)
        text = (fields or "").strip().lower()
        if text in ("", "auto"):
            return cls(None, limit)
        if text == "none":
            return cls((), limit)
        names = tuple(dict.fromkeys(n for n in (field_name(p) for p in text.split(",") if p.strip()) if n))
        return cls(names, limit)


def offered(sizes: dict[str, int], settings: FacetSettings, shares: dict[str, float] | None = None) -> list[str]:
    """The metadata fields to show as facets, given {field: distinct known values in the index} and {field: share
    of the articles with a value}: the listed ones that the index has (in the listed order), or, automatically,
    those with 2 to max_values values that at least MIN_SHARE of the articles have."""
    if settings.fields is not None:
        return [n for n in settings.fields if 0 < sizes.get(n, 0) <= MAX_VALUES_LIMIT]
    shares = shares or {}
    return sorted(n for n, size in sizes.items()
                  if 2 <= size <= settings.max_values and shares.get(n, 1.0) >= MIN_SHARE)
