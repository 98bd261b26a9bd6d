"""Dates as YYYYMMDD integers (0 = unknown): the one home of their arithmetic, for the index, queries and facets."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np

#: The day number after every real date: an open upper bound.
LAST_DAY = 99991231

_DATE_VALUE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def day_number(date: str) -> int:
    """'2018-09-17' -> 20180917; a month or a year counts from its first day."""
    parts = [int(p) for p in date.split("-")]
    year, month, day = (parts + [1, 1])[:3]
    return year * 10000 + month * 100 + day


def day_text(n: int) -> str:
    """20180917 -> '2018-09-17'."""
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"


def bound(value: str, end: bool) -> int | None:
    """'2018', '2018-09' or '2018-09-17' -> the first day of that period (the last when `end`); None for '*' or ''.

    ValueError (or OverflowError) when the value is not a date."""
    if value in ("*", ""):
        return None
    m = _DATE_VALUE.fullmatch(value)
    if not m:
        raise ValueError(value)
    year, month, day = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if m.group(3):
        dt.date(year, month, day)  # raises on 2018-02-31
        return year * 10000 + month * 100 + day
    if m.group(2):
        if not 1 <= month <= 12:
            raise ValueError(value)
        if end:
            last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
            return year * 10000 + month * 100 + last
        return year * 10000 + month * 100 + 1
    return year * 10000 + (1231 if end else 101)


def within(days: np.ndarray, low: int | None, high: int | None) -> np.ndarray:
    """Mask of the known days between low and high, both included (None: open)."""
    return (days > 0) & (days >= (low or 0)) & (days <= (high or LAST_DAY))


def month_index(days: np.ndarray) -> np.ndarray:
    """YYYYMMDD (known days only) -> months since year 0, a dense range to count in."""
    months = days // 100
    return months // 100 * 12 + months % 100 - 1


def month_text(index: int) -> str:
    """A month_index -> 'YYYY-MM'."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of(period: str) -> int:
    """'YYYY-MM' -> its month_index."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1
