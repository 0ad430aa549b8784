"""Builds the working-time calendar from the State Council holiday table in `chinese_calendar`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

import chinese_calendar
from chinese_calendar.constants import Holiday

from core.workcal import WorkCalendar

HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)

# The package stores English names; the Chinese ones hang off its Holiday enum.
_CHINESE_NAMES: dict[str, str] = {h.value: h.chinese for h in Holiday}


def supported_years() -> range:
    """Returns the years the installed `chinese_calendar` has data for."""
    # Same bounds the package itself checks before raising NotImplementedError.
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def _chinese(name: str) -> str:
    return _CHINESE_NAMES.get(name, name)


def holiday_rows(years: Iterable[int] | None = None) -> list[tuple[date, str, str]]:
    """Returns (day, kind, name) for official days off and make-up workdays, sorted by day."""
    supported = supported_years()
    wanted = set(supported) if years is None else {y for y in years if y in supported}
    rows = [
        (day, HOLIDAY, _chinese(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year in wanted
    ]
    rows += [
        (day, WORKDAY, _chinese(name))
        for day, name in chinese_calendar.workdays.items()
        if day.year in wanted
    ]
    return sorted(rows)


def calendar_from_rows(
    rows: Iterable[tuple[date, str, str]], known_years: Iterable[int]
) -> WorkCalendar:
    """Builds a WorkCalendar from holiday rows (e.g. loaded from the database)."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind, _name in rows:
        if kind == HOLIDAY:
            holidays.add(day)
        elif kind == WORKDAY:
            workdays.add(day)
        else:
            raise ValueError(f"unknown holiday row kind: {kind!r}")
    return WorkCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        known_years=frozenset(known_years),
    )


@cache
def default_calendar() -> WorkCalendar:
    """Returns the calendar for every year the installed `chinese_calendar` supports."""
    years = supported_years()
    return calendar_from_rows(holiday_rows(years), years)
