"""The timeline beside the results: the engine's date facet laid out as SVG bars, one per month or year.

Only geometry and labels live here; the counts come from the engine. Empty periods between the first and the
last one are drawn as gaps so that the bars read as a time axis.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass

from search.facets import UNKNOWN

#: Drawing units of the SVG viewBox (the CSS stretches it to the column's width).
SLOT = 10
GAP = 2
HEIGHT = 60
#: A timeline of fewer months than this is widened with empty months on both sides, so that a single
#: month reads as one bar on a year-long axis rather than one band across the whole chart.
MIN_MONTHS = 12


@dataclass
class Bar:
    """One period of the timeline."""

    period: str          # "2018-09" or "2018": also the since/until of its link
    label: str           # "Sep 2018" or "2018"
    count: int
    href: str | None     # None for an empty period
    active: bool         # inside the current since/until
    x: float
    y: float
    width: float
    height: float

    @property
    def title(self) -> str:
        return f"{self.label}: {self.count:,} article{'s' if self.count != 1 else ''}"


@dataclass
class Timeline:
    """The bars, the axis labels, and how many matches have no date."""

    unit: str
    bars: list[Bar]
    undated: int
    width: int
    height: int = HEIGHT

    @property
    def first(self) -> str:
        return self.bars[0].label

    @property
    def last(self) -> str:
        return self.bars[-1].label



def _label(period: str) -> str:
    if len(period) == 7:
        return f"{calendar.month_abbr[int(period[5:])]} {period[:4]}"
    return period


def _periods(first: str, last: str, unit: str) -> list[str]:
    """Every month ("YYYY-MM") or year ("YYYY") from first to last; at least MIN_MONTHS months."""
    if unit == "year":
        return [f"{y:04d}" for y in range(int(first), int(last) + 1)]
    low, high = int(first[:4]) * 12 + int(first[5:7]) - 1, int(last[:4]) * 12 + int(last[5:7]) - 1
    missing = MIN_MONTHS - (high - low + 1)
    if missing > 0:
        low, high = low - missing // 2, high + missing - missing // 2
    return [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(low, high + 1)]


def _inside(period: str, since: str, until: str) -> bool:
    """Whether a period overlaps the since/until the user chose (strings compare as dates here)."""
    if not since and not until:
        return False
    n = len(period)
    return (not since or period >= since[:n]) and (not until or period <= until[:n])


def build(date_facet, unit: str, params) -> Timeline | None:
    """The timeline of a date facet, each bar a link narrowing `params` to its period; None without dated matches."""
    counts = {v.value: v.count for v in date_facet if v.value != UNKNOWN}
    undated = sum(v.count for v in date_facet if v.value == UNKNOWN)
    if not counts:
        return None
    periods = _periods(min(counts), max(counts), unit)
    peak = max(counts.values())
    bars = []
    for i, period in enumerate(periods):
        count = counts.get(period, 0)
        # a bar of one article stays visible next to a tall one
        height = max(2.0, round((HEIGHT - 2) * count / peak, 2)) if count else 1.0
        bars.append(Bar(period, _label(period), count, params.with_period(period, period) if count else None,
                        _inside(period, params.since, params.until), i * SLOT + GAP / 2,
                        HEIGHT - height, SLOT - GAP, height))
    return Timeline(unit, bars, undated, len(periods) * SLOT)
