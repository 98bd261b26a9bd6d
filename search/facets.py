"""Facet counts from per-document columns, cached once per index snapshot instead of a grouped collector."""
from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass

import numpy as np

UNKNOWN = "unknown"
#: Dates are counted by month unless the matches span more months than this; then by year.
MAX_MONTH_BUCKETS = 36
_NO_DAY = 99991231  # Whoosh fills a missing NUMERIC column value with the type's maximum


@dataclass
class FacetValue:
    """One value of a facet and how many matching articles have it."""

    value: str
    count: int


class Columns:
    """The source and day of every document number, read once from Whoosh columns."""

    def __init__(self, reader):
        self.source_names: list[str] = [""]  # code 0 = unknown
        codes: dict[bytes, int] = {b"": 0}
        self.source = array("I")
        self.day = array("I")
        for raw in _column_values(reader, "source_name", b""):
            code = codes.get(raw)
            if code is None:
                code = codes[raw] = len(self.source_names)
                self.source_names.append(raw.decode("utf-8"))
            self.source.append(code)
        for value in _column_values(reader, "day", 0):
            self.day.append(value if 0 < value <= _NO_DAY else 0)
        self.month = array("I", (d // 100 for d in self.day))  # YYYYMM, 0 when unknown: what the date facet counts
        self.live = frozenset(reader.all_doc_ids())
        # stories: the story label of every document as a code (0 = a story of its own); storage's facet("story")
        self.story_labels: list[str] = [""]
        story_codes: dict[bytes, int] = {b"": 0}
        codes_list = []
        for raw in _column_values(reader, "story", b""):
            code = story_codes.get(raw)
            if code is None:
                code = story_codes[raw] = len(self.story_labels)
                self.story_labels.append(raw.decode("utf-8"))
            codes_list.append(code)
        self.story = np.array(codes_list, dtype=np.uint32)

    def source_codes(self, wanted: list[str]) -> set[int]:
        """Codes of the named sources (case-insensitive; "unknown" selects articles with no source)."""
        lowered = {w.strip().lower() for w in wanted}
        return {code for code, name in enumerate(self.source_names)
                if (name.lower() if code else UNKNOWN) in lowered}

    def source_name(self, docnum: int) -> str | None:
        return self.source_names[self.source[docnum]] or None


def leaves(reader) -> list:
    """(segment reader, its first document number) of each segment of a reader, or the reader itself."""
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


def _column_values(reader, name: str, default):
    """Every document's value of a column, segment by segment: a segment that never saw the field has no
    column file at all, and Whoosh's multi-segment column reader then silently yields too few values."""
    for leaf, _offset in leaves(reader):
        if leaf.has_column(name):
            yield from leaf.column_reader(name)
        else:
            yield from (default for _ in range(leaf.doc_count_all()))


def count_sources(columns: Columns, docs) -> list[FacetValue]:
    """Source counts, most first (ties by name), "unknown" last."""
    counts = Counter(map(columns.source.__getitem__, docs))
    known = sorted(((columns.source_names[c], n) for c, n in counts.items() if c), key=lambda x: (-x[1], x[0].lower()))
    out = [FacetValue(name, n) for name, n in known]
    if counts.get(0):
        out.append(FacetValue(UNKNOWN, counts[0]))
    return out


def count_dates(columns: Columns, docs) -> tuple[str, list[FacetValue]]:
    """("month" or "year", counts in time order, "unknown" last): by month unless that makes too many bars."""
    months = Counter(map(columns.month.__getitem__, docs))
    unknown = months.pop(0, 0)
    unit = "month"
    if months and (max(months) // 100 * 12 + max(months) % 100) - (min(months) // 100 * 12 + min(months) % 100) >= MAX_MONTH_BUCKETS:
        unit = "year"
        years = Counter()
        for m, n in months.items():
            years[m // 100] += n
        out = [FacetValue(f"{y:04d}", n) for y, n in sorted(years.items())]
    else:
        out = [FacetValue(f"{m // 100:04d}-{m % 100:02d}", n) for m, n in sorted(months.items())]
    if unknown:
        out.append(FacetValue(UNKNOWN, unknown))
    return unit, out
