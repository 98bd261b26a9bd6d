"""The timeline beside the results: the engine's date facet laid out as an SVG bar chart with labelled axes.

Only geometry and labels live here; the counts, the periods (the date facet's buckets) and which of them the
filter selects come from the date facet of the registry (search/facets.py). Every period from the first to the last
is a slot (empty ones drawn as gaps), so the bars read as a time axis; a slot's width follows from the span, up
to a maximum, so one month is one bar of ordinary width rather than a band across the chart.
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass

from search.facets import DATE, UNKNOWN

#: Drawing units of the SVG viewBox; the SVG is drawn at this size in CSS pixels, shrunk only to fit its column.
PLOT_WIDTH = 236       # what a long span is fitted into
MAX_SLOT = 34          # the widest a bar's slot gets (short spans)
PLOT_HEIGHT = 64
TOP = 12               # room above the tallest bar for its count
LEFT = 28              # room for the count axis' labels
BOTTOM = 26            # two lines of period labels
RIGHT = 6
CHAR = 5.4             # width of one digit of the 9-unit font, to decide whether a label fits


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
    show_count: bool     # the count fits above the bar

    @property
    def title(self) -> str:
        return f"{self.label}: {self.count:,} article{'s' if self.count != 1 else ''}"

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass
class Tick:
    """A label on an axis: its position and text (line 0 or 1 under the time axis)."""

    pos: float
    text: str
    line: int = 0


@dataclass
class Timeline:
    """The bars, both axes' labels, and how many matches have no date."""

    unit: str
    bars: list[Bar]
    undated: int
    width: float
    ticks: list[Tick]
    peak: int
    height: int = TOP + PLOT_HEIGHT + BOTTOM
    left: int = LEFT
    top: int = TOP
    baseline: int = TOP + PLOT_HEIGHT

    @property
    def plot_right(self) -> float:
        return self.width - RIGHT

    @property
    def dated(self) -> int:
        return sum(b.count for b in self.bars)


def _label(period: str) -> str:
    if len(period) == 7:
        return f"{calendar.month_abbr[int(period[5:])]} {period[:4]}"
    return period


def _step(slot: float, chars: int, steps) -> int:
    """The smallest of `steps` that leaves room for a label of `chars` characters every that many slots."""
    need = chars * CHAR + 4
    return next((s for s in steps if s * slot >= need), steps[-1])


def _ticks(periods: list[str], unit: str, slot: float) -> list[Tick]:
    """Period labels: years (every 1, 2, 5, 10... as they fit); months with their year under January."""
    ticks = []
    centre = lambda i: round(LEFT + (i + 0.5) * slot, 2)  # noqa: E731
    if unit == "year":
        step = _step(slot, 4, (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))
        for i, period in enumerate(periods):
            if int(period) % step == 0 or (len(periods) < step and i == 0):
                ticks.append(Tick(centre(i), period))
        return ticks
    step = _step(slot, 3, (1, 2, 3, 4, 6, 12))
    year_room = 4 * CHAR + 4
    last_year_at = -math.inf
    for i, period in enumerate(periods):
        month = int(period[5:])
        if (month - 1) % step == 0:
            ticks.append(Tick(centre(i), calendar.month_abbr[month]))
        if (i == 0 or month == 1) and centre(i) - last_year_at >= year_room:
            ticks.append(Tick(centre(i), period[:4], 1))
            last_year_at = centre(i)
    return ticks


def build(date_facet, unit: str, params) -> Timeline | None:
    """The timeline of a date facet, each bar a link narrowing `params` to its period; None without dated matches."""
    counts = {v.value: v.count for v in date_facet if v.value != UNKNOWN}
    undated = sum(v.count for v in date_facet if v.value == UNKNOWN)
    if not counts:
        return None
    periods = DATE.buckets(min(counts), max(counts), unit)
    slot = min(MAX_SLOT, PLOT_WIDTH / len(periods))
    gap = min(2.0, slot * 0.2)
    peak = max(counts.values())
    bars = []
    for i, period in enumerate(periods):
        count = counts.get(period, 0)
        # a bar of one article stays visible next to a tall one; an empty period is a hairline on the axis
        height = max(2.0, round(PLOT_HEIGHT * count / peak, 2)) if count else 1.0
        width = round(slot - gap, 2)
        bars.append(Bar(period, _label(period), count, params.with_period(period, period) if count else None,
                        DATE.selected(period, params.since, params.until), round(LEFT + i * slot + gap / 2, 2),
                        TOP + PLOT_HEIGHT - height, width, height,
                        bool(count) and len(f"{count:,}") * CHAR <= slot + gap))
    return Timeline(unit, bars, undated, round(LEFT + len(periods) * slot + RIGHT, 2), _ticks(periods, unit, slot), peak)
