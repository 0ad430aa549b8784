"""Working-time calendar: office hours, official holidays and make-up days, in Asia/Shanghai.

Pure and deterministic (stdlib only) so that workflows can compute deadlines during replay; the
holiday table is built outside the workflow (core.holidays) and passed in as plain JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(14, 0), time(17, 30)),
)

# A limit in working days counts 7 working hours per day, whatever the office periods are.
WORKING_DAY_MINUTES = 420.0
UNIT_MINUTES: dict[str, float] = {
    "working_hours": 60.0,
    "working_days": WORKING_DAY_MINUTES,
    "hours": 60.0,
}

# Bounds the day-by-day walk so a calendar without working time cannot hang a workflow.
MAX_DAYS = 3653

_ONE_DAY = timedelta(days=1)
_ONE_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Official days off, make-up working days and daily office periods."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    known_years: frozenset[int] = frozenset()
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS

    def __post_init__(self) -> None:
        """Rejects periods that are empty, reversed or out of order."""
        previous_end: time | None = None
        for start, end in self.periods:
            if start >= end:
                raise ValueError(f"office period {start}-{end} is empty or reversed")
            if previous_end is not None and start < previous_end:
                raise ValueError(f"office period {start}-{end} overlaps or is out of order")
            previous_end = end

    @classmethod
    def weekdays_only(cls) -> WorkCalendar:
        """Returns a calendar with no holiday table: plain Monday to Friday."""
        return cls()

    def covers(self, d: date) -> bool:
        """Tells whether the holiday table covers the year of `d`."""
        return d.year in self.known_years

    def is_working_day(self, d: date) -> bool:
        """Tells whether `d` is a working day, falling back to Mon–Fri outside the table."""
        if self.covers(d):
            if d in self.workdays:
                return True
            if d in self.holidays:
                return False
        return d.weekday() < 5

    @property
    def minutes_per_day(self) -> float:
        """Office minutes in one working day."""
        return sum(_clock_minutes(end) - _clock_minutes(start) for start, end in self.periods)

    def to_dict(self) -> dict[str, Any]:
        """Returns a JSON-safe form for Temporal payloads."""
        return {
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
            "known_years": sorted(self.known_years),
            "periods": [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in self.periods],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkCalendar:
        """Rebuilds a calendar from `to_dict` output."""
        periods = data.get("periods")
        return cls(
            holidays=frozenset(date.fromisoformat(s) for s in data.get("holidays", ())),
            workdays=frozenset(date.fromisoformat(s) for s in data.get("workdays", ())),
            known_years=frozenset(int(y) for y in data.get("known_years", ())),
            periods=(
                tuple((time.fromisoformat(s), time.fromisoformat(e)) for s, e in periods)
                if periods is not None
                else DEFAULT_PERIODS
            ),
        )


def _clock_minutes(t: time) -> float:
    return t.hour * 60 + t.minute + (t.second + t.microsecond / 1e6) / 60


def _at(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=TZ)


def _minutes(delta: timedelta) -> float:
    return delta / _ONE_MINUTE


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("expected a timezone-aware datetime")
    return moment.astimezone(TZ)


def _office_hours(d: date, cal: WorkCalendar) -> Iterator[tuple[datetime, datetime]]:
    if cal.is_working_day(d):
        for start, end in cal.periods:
            yield _at(d, start), _at(d, end)


def add_working_minutes(start: datetime, minutes: float, cal: WorkCalendar) -> datetime:
    """Returns the instant at which `minutes` of working time have passed after `start`."""
    if minutes < 0:
        raise ValueError(f"working minutes must not be negative: {minutes}")
    now = _local(start)
    if minutes == 0:
        return now
    remaining = float(minutes)
    day = now.date()
    full_day = cal.minutes_per_day
    for _ in range(MAX_DAYS):
        day_start = _at(day, time(0))
        # Whole working days are skipped in one step; only the last day is walked period by period.
        if now <= day_start and cal.is_working_day(day) and 0 < full_day < remaining:
            remaining -= full_day
        else:
            for period_start, period_end in _office_hours(day, cal):
                if now >= period_end:
                    continue
                begin = max(now, period_start)
                available = _minutes(period_end - begin)
                # `<=` keeps a deadline that lands exactly on a period end at that end.
                if remaining <= available:
                    return begin + timedelta(minutes=remaining)
                remaining -= available
        day += _ONE_DAY
        now = _at(day, time(0))
    raise ValueError(f"{minutes} working minutes do not fit within {MAX_DAYS} days")


def working_minutes_between(a: datetime, b: datetime, cal: WorkCalendar) -> float:
    """Returns the working minutes in [a, b), or 0 when b is not after a."""
    begin, end = _local(a), _local(b)
    if end <= begin:
        return 0.0
    total = 0.0
    day = begin.date()
    while day <= end.date():
        for period_start, period_end in _office_hours(day, cal):
            overlap = min(end, period_end) - max(begin, period_start)
            if overlap > timedelta(0):
                total += _minutes(overlap)
        day += _ONE_DAY
    return total


def limit_minutes(amount: float, unit: str) -> float:
    """Converts a time limit to minutes (working minutes, or natural ones for `hours`)."""
    try:
        per_unit = UNIT_MINUTES[unit]
    except KeyError:
        raise ValueError(f"unknown time-limit unit: {unit!r}") from None
    if amount < 0:
        raise ValueError(f"time limit must not be negative: {amount}")
    return amount * per_unit


def add_limit(start: datetime, amount: float, unit: str, cal: WorkCalendar) -> datetime:
    """Returns the deadline of a limit of `amount` `unit`s starting at `start`."""
    return elapse(start, amount, unit, 1.0, cal)


def elapse(
    start: datetime, amount: float, unit: str, fraction: float, cal: WorkCalendar
) -> datetime:
    """Returns the instant at which `fraction` of the limit has passed (e.g. 0.75 for yellow)."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be between 0 and 1: {fraction}")
    minutes = limit_minutes(amount, unit) * fraction
    if unit == "hours":
        # Through UTC so that a start in a zone with DST still adds elapsed, not wall-clock, time.
        return (_local(start).astimezone(UTC) + timedelta(minutes=minutes)).astimezone(TZ)
    return add_working_minutes(start, minutes, cal)


def uses_fallback(start: datetime, end: datetime, cal: WorkCalendar) -> bool:
    """Tells whether any day from start to end lies outside the holiday table (Mon–Fri used)."""
    first, last = sorted((_local(start).date(), _local(end).date()))
    return any(year not in cal.known_years for year in range(first.year, last.year + 1))
