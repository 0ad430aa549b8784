"""The holiday table taken from `chinese_calendar` and the calendar built from it."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from core.holidays import (
    HOLIDAY,
    WORKDAY,
    calendar_from_rows,
    default_calendar,
    holiday_rows,
    supported_years,
)
from core.workcal import WorkCalendar


def test_2026_national_day_and_make_up_days():
    rows = holiday_rows([2026])
    assert (date(2026, 10, 1), HOLIDAY, "国庆节") in rows
    workdays = [day for day, kind, _ in rows if kind == WORKDAY]
    assert date(2026, 10, 10) in workdays
    assert any(day.weekday() >= 5 for day in workdays)


def test_unsupported_years_are_skipped():
    assert holiday_rows([2027]) == []
    assert holiday_rows([2003, 2027]) == []
    assert {day.year for day, _, _ in holiday_rows([2026, 2027])} == {2026}


def test_all_rows_cover_the_supported_years():
    rows = holiday_rows()
    assert rows == sorted(rows)
    assert {day.year for day, _, _ in rows} == set(supported_years())
    assert 2004 in supported_years() and 2026 in supported_years()


def test_rows_are_consistent():
    rows = holiday_rows()
    holidays = {day for day, kind, _ in rows if kind == HOLIDAY}
    workdays = {day for day, kind, _ in rows if kind == WORKDAY}
    assert not holidays & workdays
    assert all(day.weekday() >= 5 for day in workdays)
    assert all(name for _, _, name in rows)


def test_default_calendar_agrees_with_package_on_every_day():
    cal = default_calendar()
    years = supported_years()
    day, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    while day <= last:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_calendar_from_rows():
    rows = [
        (date(2026, 10, 1), HOLIDAY, "国庆节"),
        (date(2026, 10, 10), WORKDAY, "国庆节"),
    ]
    cal = calendar_from_rows(rows, [2026])
    assert cal == WorkCalendar(
        holidays=frozenset({date(2026, 10, 1)}),
        workdays=frozenset({date(2026, 10, 10)}),
        known_years=frozenset({2026}),
    )
    with pytest.raises(ValueError):
        calendar_from_rows([(date(2026, 10, 1), "weekend", "")], [2026])


def test_default_calendar_survives_a_payload_round_trip():
    cal = default_calendar()
    assert WorkCalendar.from_dict(cal.to_dict()) == cal
