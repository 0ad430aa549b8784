"""The working calendar's holiday table: read by all, extended by an admin each year."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import col, select

from models.calendar_store import set_year
from models.reference import CalendarDay, CalendarYear
from web.kit.deps import CurrentUser, SessionDep, require_role
from web.kit.errors import invalid

router = APIRouter(prefix="/api/calendar", tags=["calendar"])


class YearOut(BaseModel):
    year: int
    covered: bool
    source: str | None
    holidays: list[date]
    workdays: list[date]
    note: str


class YearIn(BaseModel):
    holidays: list[date]
    workdays: list[date] = []


FALLBACK_NOTE = "no holiday data for this year: deadlines count Monday–Friday only (fallback)"


def _year(session, year: int) -> YearOut:  # noqa: ANN001
    row = session.get(CalendarYear, year)
    days = session.exec(
        select(CalendarDay)
        .where(col(CalendarDay.day) >= date(year, 1, 1), col(CalendarDay.day) <= date(year, 12, 31))
        .order_by(col(CalendarDay.day))
    ).all()
    return YearOut(
        year=year,
        covered=row is not None,
        source=row.source if row else None,
        holidays=[d.day for d in days if d.kind == "holiday"],
        workdays=[d.day for d in days if d.kind == "workday"],
        note="" if row else FALLBACK_NOTE,
    )


@router.get("", response_model=list[int])
def covered_years(session: SessionDep, _user: CurrentUser) -> list[int]:
    """Lists the years the holiday table covers."""
    return list(session.exec(select(CalendarYear.year).order_by(col(CalendarYear.year))))


@router.get("/{year}", response_model=YearOut)
def year_table(year: int, session: SessionDep, _user: CurrentUser) -> YearOut:
    """Returns one year's holidays and make-up working days, or says it falls back."""
    return _year(session, year)


@router.put("/{year}", response_model=YearOut)
def publish_year(year: int, body: YearIn, session: SessionDep, user: CurrentUser) -> YearOut:
    """Replaces one year's table (admin), as published by the State Council."""
    require_role(user, "admin")
    for field, days in (("holidays", body.holidays), ("workdays", body.workdays)):
        for day in days:
            if day.year != year:
                raise invalid(field, f"{day} is not in {year}")
    for day in body.workdays:
        if day.weekday() < 5:
            raise invalid("workdays", f"{day} is a weekday already; make-up days are weekends")
    if set(body.holidays) & set(body.workdays):
        raise invalid("workdays", "a day cannot be both a holiday and a working day")
    set_year(session=session, year=year, holidays=body.holidays, workdays=body.workdays)
    session.commit()
    return _year(session, year)
