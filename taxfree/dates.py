"""Calendar helpers every layer uses: month arithmetic and Japanese business days. Pure functions."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache
from typing import TypeVar

import holidays
from holidays.countries.japan import Japan

T = TypeVar("T")


def in_force(entries: list[tuple[date, T]], on: date) -> T:
    """Dated data: the entry with the latest effective-from date not after `on`."""
    current = None
    for effective_from, value in sorted(entries, key=lambda e: e[0]):
        if effective_from <= on:
            current = value
    if current is None:
        raise LookupError(f"no rule in force on {on.isoformat()}")
    return current


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@lru_cache(maxsize=64)
def _japan_holidays(year: int) -> holidays.HolidayBase:
    return Japan(years=year)


def is_business_day(day: date) -> bool:
    """Weekdays that are not public holidays nor the year-end closure (29 Dec – 3 Jan, as the
    NTA help desks and government offices observe it)."""
    if day.weekday() >= 5 or day in _japan_holidays(day.year):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def nth_business_day(year: int, month: int, n: int) -> date:
    day, seen = date(year, month, 1), 0
    while True:
        if is_business_day(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)
