"""The working calendar's holiday table: read by all, extended by an admin each year."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlmodel import Session

from models import reference_store as store
from models.calendar_store import set_year
from models.reference import CalendarYear
from web.kit.deps import CurrentUser, SessionDep, require_role
from web.kit.errors import error_responses, invalid

router = APIRouter(prefix="/api/calendar", tags=["calendar"])


class YearOut(BaseModel):
    """One year of the working calendar's holiday table."""

    year: int
    covered: bool = Field(description="false: the year falls back to Monday–Friday")
    source: str | None = Field(description="`chinese-calendar` or `admin`")
    holidays: list[date]
    workdays: list[date] = Field(description="make-up working days (调休) on weekends")
    note: str


class YearIn(BaseModel):
    """A year's table as the State Council publishes it."""

    holidays: list[date]
    workdays: list[date] = []


# A year the calendar can hold: past the reach of any case, a clear 422 rather than a crash.
Year = Annotated[int, Path(ge=1900, le=2200, description="a calendar year, 1900–2200")]
FALLBACK_NOTE = "no holiday data for this year: deadlines count Monday–Friday only (fallback)"


def _year(session: Session, year: int) -> YearOut:
    row = session.get(CalendarYear, year)
    days = store.calendar_days(session=session, year=year)
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
    return store.covered_years(session=session)


@router.get("/{year}", response_model=YearOut, responses=error_responses(422))
def year_table(year: Year, session: SessionDep, _user: CurrentUser) -> YearOut:
    """Returns one year's holidays and make-up working days, or says it falls back."""
    return _year(session, year)


@router.put("/{year}", response_model=YearOut, responses=error_responses(403, 422))
def publish_year(year: Year, body: YearIn, session: SessionDep, user: CurrentUser) -> YearOut:
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
