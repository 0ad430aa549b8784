"""The periods an evaluation covers: a month `2026-12`, a quarter `2026-Q4`, a year `2026`, or the
days from one date to another (both included), in Asia/Shanghai; and the periods each one is
compared with: the previous one (环比) and the same one a year before (同比)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.workcal import TZ

MONTH, QUARTER, YEAR, RANGE = "month", "quarter", "year", "range"
_FORMS = (
    (MONTH, re.compile(r"(\d{4})-(\d{2})")),
    (QUARTER, re.compile(r"(\d{4})-Q([1-4])")),
    (YEAR, re.compile(r"(\d{4})")),
)
# A range longer than this is not an evaluation period (and would scan the whole table).
LONGEST_RANGE = timedelta(days=3 * 366)
# The years an evaluation may cover (the comparisons reach a year further back).
FIRST_YEAR, LAST_YEAR = 1901, 2199


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """Whole days from `first` to `last`, both included."""

    kind: str
    first: date
    last: date

    @property
    def label(self) -> str:
        """Returns how the period is written: 2026-12, 2026-Q4, 2026 or 2026-12-01/2026-12-15."""
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return str(self.first.year)
        return f"{self.first.isoformat()}/{self.last.isoformat()}"

    @property
    def start(self) -> datetime:
        """Returns the first instant of the period (00:00 Beijing time of its first day)."""
        return datetime.combine(self.first, time(0), tzinfo=TZ)

    @property
    def end(self) -> datetime:
        """Returns the instant the period ends (00:00 of the day after its last); excluded."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=TZ)

    def as_of(self, now: datetime) -> datetime:
        """Returns the instant its figures are read at: its end, or now while it runs."""
        return min(self.end, now)

    def previous(self) -> Period:
        """Returns the period just before (环比): the month, quarter or year before, or as many
        days just before a range."""
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}.get(self.kind)
        if months is None:
            days = self.last - self.first + timedelta(days=1)
            return Period(RANGE, self.first - days, self.first - timedelta(days=1))
        first = _month_start(self.first.year, self.first.month - months)
        return Period(self.kind, first, self.first - timedelta(days=1))

    def last_year(self) -> Period:
        """Returns the same period a year before (同比)."""
        if self.kind == RANGE:
            return Period(RANGE, _year_back(self.first), _year_back(self.last))
        first = self.first.replace(year=self.first.year - 1)
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
        end = _month_start(first.year, first.month + months)
        return Period(self.kind, first, end - timedelta(days=1))


def parse_period(text: str) -> Period:
    """Returns the period `text` names (2026-12, 2026-Q4, 2026); ValueError otherwise."""
    text = text.strip()
    for kind, form in _FORMS:
        found = form.fullmatch(text)
        if found is None:
            continue
        year = int(found.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"a year from {FIRST_YEAR} to {LAST_YEAR}, not {year}")
        if kind == YEAR:
            return Period(YEAR, date(year, 1, 1), date(year, 12, 31))
        part = int(found.group(2))
        if kind == MONTH and not 1 <= part <= 12:
            break
        first = date(year, part if kind == MONTH else 3 * part - 2, 1)
        months = 1 if kind == MONTH else 3
        end = _month_start(year, first.month + months)
        return Period(kind, first, end - timedelta(days=1))
    raise ValueError(f"{text!r} is not a month (2026-12), quarter (2026-Q4) or year (2026)")


def date_range(first: date, last: date) -> Period:
    """Returns the days from `first` to `last`, both included; ValueError if it runs backwards
    or is longer than LONGEST_RANGE."""
    for field, day in (("from", first), ("to", last)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(f"{field}: a year from {FIRST_YEAR} to {LAST_YEAR}, not {day.year}")
    if last < first:
        raise ValueError("to: the range ends before it begins")
    if last - first >= LONGEST_RANGE:
        raise ValueError("to: a range covers at most three years")
    return Period(RANGE, first, last)


def this_month(now: datetime) -> Period:
    """Returns the month `now` falls in, in Beijing time."""
    return parse_period(f"{now.astimezone(TZ):%Y-%m}")
