"""Deadlines in working time: office periods, weekends, holidays, make-up days and fallback."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from core.holidays import default_calendar
from core.workcal import (
    TZ,
    WorkCalendar,
    add_limit,
    add_working_minutes,
    elapse,
    limit_minutes,
    uses_fallback,
    working_minutes_between,
)

PLAIN = WorkCalendar.weekdays_only()
CN = default_calendar()


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """Returns a Shanghai wall-clock instant."""
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


# 2026-03-09 is a Monday in a week without holidays.
MON = (2026, 3, 9)


@pytest.mark.parametrize("cal", [PLAIN, CN], ids=["plain", "cn"])
@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(sh(*MON, 9), 60, sh(*MON, 10), id="within-one-period"),
        pytest.param(sh(*MON, 11), 120, sh(*MON, 15), id="across-lunch"),
        pytest.param(sh(*MON, 8, 30), 210, sh(*MON, 12), id="exactly-to-lunch-stays-at-12"),
        pytest.param(sh(*MON, 8, 30), 240, sh(*MON, 14, 30), id="four-hours-from-opening"),
        pytest.param(sh(*MON, 8, 30), 420, sh(*MON, 17, 30), id="exactly-to-closing"),
        pytest.param(sh(*MON, 17), 60, sh(2026, 3, 10, 9), id="across-evening"),
        pytest.param(sh(2026, 3, 13, 16, 30), 240, sh(2026, 3, 16, 11, 30), id="over-weekend"),
        pytest.param(sh(2026, 3, 14, 10), 60, sh(2026, 3, 16, 9, 30), id="start-on-saturday"),
        pytest.param(sh(*MON, 7), 30, sh(*MON, 9), id="start-before-opening"),
        pytest.param(sh(*MON, 12, 30), 30, sh(*MON, 14, 30), id="start-in-lunch-break"),
        pytest.param(sh(*MON, 17, 30), 1, sh(2026, 3, 10, 8, 31), id="start-at-closing"),
        pytest.param(sh(*MON, 23), 60, sh(2026, 3, 10, 9, 30), id="start-at-night"),
    ],
)
def test_add_working_minutes_in_plain_week(cal, start, minutes, expected):
    assert add_working_minutes(start, minutes, cal) == expected


def test_zero_minutes_returns_start_in_shanghai():
    start = datetime(2026, 3, 14, 3, 0, tzinfo=UTC)  # a Saturday, outside working time
    result = add_working_minutes(start, 0, CN)
    assert result == start
    assert result.tzinfo == TZ


def test_utc_input_is_handled():
    start = datetime(2026, 3, 9, 0, 30, tzinfo=UTC)  # Monday 08:30 in Shanghai
    result = add_working_minutes(start, 60, CN)
    assert result == datetime(2026, 3, 9, 1, 30, tzinfo=UTC)
    assert result.tzinfo == TZ
    assert result.hour == 9 and result.minute == 30


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError):
        add_working_minutes(datetime(2026, 3, 9, 9), 60, CN)


def test_negative_minutes_are_rejected():
    with pytest.raises(ValueError):
        add_working_minutes(sh(*MON, 9), -1, CN)


def test_runaway_limit_raises_instead_of_looping():
    with pytest.raises(ValueError):
        add_working_minutes(sh(*MON, 9), 10**9, CN)


def test_national_day_2026():
    for day in range(1, 8):
        assert not CN.is_working_day(date(2026, 10, day))
    # The package reports Sat 2026-10-10 and Sun 2026-09-20 as make-up working days.
    assert CN.is_working_day(date(2026, 10, 10))
    assert CN.is_working_day(date(2026, 9, 20))
    # Wed 09-30 16:30: one hour before the break, three after it.
    assert add_working_minutes(sh(2026, 9, 30, 16, 30), 240, CN) == sh(2026, 10, 8, 11, 30)
    # Fri 10-09 16:30 + 2 working hours lands on the make-up Saturday.
    assert add_limit(sh(2026, 10, 9, 16, 30), 2, "working_hours", CN) == sh(2026, 10, 10, 9, 30)
    assert add_working_minutes(sh(2026, 9, 18, 17), 60, CN) == sh(2026, 9, 20, 9)
    # Mid-Autumn (Fri 09-25) is off too.
    assert add_working_minutes(sh(2026, 9, 24, 17), 60, CN) == sh(2026, 9, 28, 9)


def test_spring_festival_2026():
    for day in range(15, 24):
        assert not CN.is_working_day(date(2026, 2, day))
    assert CN.is_working_day(date(2026, 2, 14))  # make-up Saturday before
    assert CN.is_working_day(date(2026, 2, 28))  # make-up Saturday after
    assert add_working_minutes(sh(2026, 2, 13, 17), 60, CN) == sh(2026, 2, 14, 9)
    assert add_working_minutes(sh(2026, 2, 14, 17), 60, CN) == sh(2026, 2, 24, 9)
    assert working_minutes_between(sh(2026, 2, 14, 17, 30), sh(2026, 2, 24, 8, 30), CN) == 0


def test_twenty_working_days_into_unknown_2027_falls_back():
    start = sh(2026, 12, 10, 9)
    deadline = add_limit(start, 20, "working_days", CN)
    # 2027 is not in the table, so Fri 2027-01-01 counts as a plain weekday.
    assert deadline == sh(2027, 1, 7, 9)
    assert uses_fallback(start, deadline, CN)
    assert not uses_fallback(start, sh(2026, 12, 31, 17), CN)
    assert not CN.covers(date(2027, 1, 1))
    assert CN.is_working_day(date(2027, 1, 1))


def test_fallback_year_ignores_table_entries():
    cal = WorkCalendar(
        holidays=frozenset({date(2027, 1, 4)}),
        workdays=frozenset({date(2027, 1, 9)}),
        known_years=frozenset({2026}),
    )
    assert cal.is_working_day(date(2027, 1, 4))
    assert not cal.is_working_day(date(2027, 1, 9))
    assert uses_fallback(sh(2026, 12, 1), sh(2026, 11, 1), PLAIN)


def test_working_days_are_seven_hours():
    assert limit_minutes(1, "working_days") == 420
    assert add_limit(sh(*MON, 10), 3, "working_days", CN) == sh(2026, 3, 12, 10)
    assert add_limit(sh(*MON, 10), 0.5, "working_days", CN) == sh(*MON, 15, 30)


def test_hours_are_natural():
    assert limit_minutes(2, "hours") == 120
    assert add_limit(sh(2026, 3, 13, 16, 30), 24, "hours", CN) == sh(2026, 3, 14, 16, 30)
    assert add_limit(sh(2026, 10, 1, 9), 1.5, "hours", CN) == sh(2026, 10, 1, 10, 30)


@pytest.mark.parametrize("unit", ["days", "minutes", "", "Working_Hours"])
def test_unknown_unit_is_rejected(unit):
    with pytest.raises(ValueError):
        limit_minutes(1, unit)
    with pytest.raises(ValueError):
        add_limit(sh(*MON, 9), 1, unit, CN)


def test_elapse_yellow_light():
    start = sh(*MON, 8, 30)
    assert elapse(start, 4, "working_hours", 0.75, CN) == sh(*MON, 11, 30)
    assert elapse(start, 8, "hours", 0.75, CN) == sh(*MON, 14, 30)
    assert elapse(start, 2, "working_days", 0.75, CN) == sh(2026, 3, 10, 12)
    assert elapse(start, 4, "working_hours", 1, CN) == add_limit(start, 4, "working_hours", CN)
    assert elapse(start, 4, "working_hours", 0, CN) == start
    with pytest.raises(ValueError):
        elapse(start, 4, "working_hours", 1.5, CN)


def test_minutes_between_inverts_add():
    rng = random.Random(20260101)
    base = sh(2026, 1, 1)
    for _ in range(200):
        start = base + timedelta(minutes=rng.uniform(0, 370 * 24 * 60))
        minutes = rng.choice(
            [rng.uniform(0, 420), rng.uniform(0, 20 * 420), rng.randint(0, 30) * 60]
        )
        end = add_working_minutes(start, minutes, CN)
        assert end >= start
        assert working_minutes_between(start, end, CN) == pytest.approx(minutes, abs=1e-6)


def test_minutes_between_is_zero_for_reversed_or_idle_spans():
    assert working_minutes_between(sh(*MON, 10), sh(*MON, 9), CN) == 0
    assert working_minutes_between(sh(*MON, 12), sh(*MON, 14), CN) == 0
    assert working_minutes_between(sh(2026, 3, 13, 17, 30), sh(2026, 3, 16, 8, 30), CN) == 0
    assert working_minutes_between(sh(*MON, 0), sh(2026, 3, 10, 0), CN) == 420


def test_dict_round_trip():
    assert WorkCalendar.from_dict(json.loads(json.dumps(CN.to_dict()))) == CN
    custom = WorkCalendar(periods=((time(9), time(12)), (time(13), time(18))))
    restored = WorkCalendar.from_dict(json.loads(json.dumps(custom.to_dict())))
    assert restored == custom
    assert restored.minutes_per_day == 480
    assert WorkCalendar.from_dict({}) == WorkCalendar.weekdays_only()


def test_minutes_per_day_and_period_validation():
    assert PLAIN.minutes_per_day == 420
    with pytest.raises(ValueError):
        WorkCalendar(periods=((time(12), time(9)),))
    with pytest.raises(ValueError):
        WorkCalendar(periods=((time(8), time(12)), (time(11), time(17))))
