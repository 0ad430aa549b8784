"""The holiday table: filled from the chinese-calendar package, extended by an admin."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.holidays import holiday_rows
from core.workcal import WorkCalendar
from models.reference import CalendarDay, CalendarYear

_CACHE: dict[str, tuple[float, WorkCalendar]] = {}
CACHE_SECONDS = 60.0


def fill_from_package(*, session: Session) -> int:
    """Adds the years the chinese-calendar package knows and the table lacks; returns days added."""
    known = set(session.exec(select(CalendarYear.year)).all())
    added = 0
    rows = holiday_rows()
    years = {day.year for day, _, _ in rows}
    for year in sorted(years - known):
        session.add(CalendarYear(year=year, source="chinese-calendar"))
        for day, kind, name in rows:
            if day.year == year:
                session.add(CalendarDay(day=day, kind=kind, name=name[:64]))
                added += 1
    return added


def set_year(
    *,
    session: Session,
    year: int,
    holidays: list[date],
    workdays: list[date],
    source: str = "admin",
    names: Mapping[date, str] | None = None,
) -> None:
    """Replaces one year of the table, as an admin does when the State Council publishes it;
    `names` gives a day its holiday's name (春节 ...)."""
    named = names or {}
    for row in session.exec(select(CalendarDay)).all():
        if row.day.year == year:
            session.delete(row)
    session.flush()  # the old days go before a day of the same date comes back
    session.merge(CalendarYear(year=year, source=source))
    for day in holidays:
        session.add(CalendarDay(day=day, kind="holiday", name=named.get(day, "")[:64]))
    for day in workdays:
        session.add(CalendarDay(day=day, kind="workday", name=named.get(day, "")[:64]))
    _CACHE.clear()


def load_calendar(*, engine: Engine, max_age: float = CACHE_SECONDS) -> WorkCalendar:
    """Returns the working calendar from the table, cached for a minute."""
    key = str(engine.url)
    hit = _CACHE.get(key)
    if hit and time.monotonic() - hit[0] < max_age:
        return hit[1]
    with Session(engine) as session:
        days = session.exec(select(CalendarDay)).all()
        years = session.exec(select(CalendarYear.year)).all()
    cal = WorkCalendar(
        holidays=frozenset(d.day for d in days if d.kind == "holiday"),
        workdays=frozenset(d.day for d in days if d.kind == "workday"),
        known_years=frozenset(years),
    )
    _CACHE[key] = (time.monotonic(), cal)
    return cal
