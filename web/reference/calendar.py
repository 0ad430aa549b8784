"""The working calendar's holiday table: read by all, extended by an admin each year; every
change is written to the audit log with the year's table before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlmodel import Session

from models import reference_store as store
from models.audit import CREATE, UPDATE, record
from models.calendar_store import set_year
from models.reference import CalendarYear
from models.user import User
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
    names: dict[date, str] = Field(default={}, description="a day's holiday name (春节 ...)")
    note: str


class YearIn(BaseModel):
    """A year's table as the State Council publishes it."""

    holidays: list[date]
    workdays: list[date] = []
    names: dict[date, str] = Field(
        default={}, description="a day's holiday name, e.g. 春节 (64 characters at most)"
    )


# A year the calendar can hold: past the reach of any case, a clear 422 rather than a crash.
Year = Annotated[int, Path(ge=1900, le=2200, description="a calendar year, 1900–2200")]
# The audit log's name for the holiday table; an entry's key is the year.
AUDIT_SUBJECT = "calendar"
NAME_MAX = 64
FALLBACK_NOTE = "no holiday data for this year: deadlines count Monday–Friday only (fallback)"


def read_year(session: Session, year: int) -> YearOut:
    row = session.get(CalendarYear, year)
    days = store.calendar_days(session=session, year=year)
    return YearOut(
        year=year,
        covered=row is not None,
        source=row.source if row else None,
        holidays=[d.day for d in days if d.kind == "holiday"],
        workdays=[d.day for d in days if d.kind == "workday"],
        names={d.day: d.name for d in days if d.name},
        note="" if row else FALLBACK_NOTE,
    )


@dataclass(frozen=True)
class YearProblem:
    """What is wrong with a year's table: the field, a code and the day at fault."""

    field: str
    code: str  # other_year | weekday | both | unnamed | name_long
    day: date | None = None

    def message(self, year: int) -> str:
        """Returns the API's words for it."""
        return {
            "other_year": f"{self.day} is not in {year}",
            "weekday": f"{self.day} is a weekday already; make-up days are weekends",
            "both": f"{self.day}: a day cannot be both a holiday and a working day",
            "unnamed": f"{self.day} is named but is neither a holiday nor a make-up day",
            "name_long": f"{self.day}: a holiday's name has 64 characters at most",
        }[self.code]


def year_problem(year: int, body: YearIn) -> YearProblem | None:
    """Returns what is wrong with a year's table, or None."""
    for field, days in (
        ("holidays", body.holidays),
        ("workdays", body.workdays),
        ("names", list(body.names)),
    ):
        for day in days:
            if day.year != year:
                return YearProblem(field, "other_year", day)
    for day in body.workdays:
        if day.weekday() < 5:
            return YearProblem("workdays", "weekday", day)
    for day in sorted(set(body.holidays) & set(body.workdays)):
        return YearProblem("workdays", "both", day)
    for day in sorted(set(body.names) - set(body.holidays) - set(body.workdays)):
        return YearProblem("names", "unnamed", day)
    for day, name in sorted(body.names.items()):
        if len(name.strip()) > NAME_MAX:
            return YearProblem("names", "name_long", day)
    return None


def _audited(table: YearOut) -> dict | None:
    if not table.covered:
        return None
    return {
        "source": table.source,
        "holidays": [d.isoformat() for d in table.holidays],
        "workdays": [d.isoformat() for d in table.workdays],
        "names": {d.isoformat(): n for d, n in sorted(table.names.items())},
    }


def publish(*, session: Session, user: User, year: int, body: YearIn) -> bool:
    """Replaces a checked year's table and logs the change in the caller's transaction; returns
    False when the table is that already (nothing written)."""
    before = read_year(session, year)
    names = {day: name.strip() for day, name in body.names.items() if name.strip()}
    same = (
        before.source == "admin"
        and sorted(before.holidays) == sorted(set(body.holidays))
        and sorted(before.workdays) == sorted(set(body.workdays))
        and before.names == names
    )
    if same:
        return False
    set_year(
        session=session,
        year=year,
        holidays=sorted(set(body.holidays)),
        workdays=sorted(set(body.workdays)),
        names=names,
    )
    session.flush()
    record(
        session=session,
        actor=user.username,
        role=user.role,
        subject=AUDIT_SUBJECT,
        key=str(year),
        action=UPDATE if before.covered else CREATE,
        before=_audited(before),
        after=_audited(read_year(session, year)),
    )
    return True


@router.get("", response_model=list[int])
def covered_years(session: SessionDep, _user: CurrentUser) -> list[int]:
    """Lists the years the holiday table covers."""
    return store.covered_years(session=session)


@router.get("/{year}", response_model=YearOut, responses=error_responses(422))
def year_table(year: Year, session: SessionDep, _user: CurrentUser) -> YearOut:
    """Returns one year's holidays and make-up working days, or says it falls back."""
    return read_year(session, year)


@router.put("/{year}", response_model=YearOut, responses=error_responses(403, 422))
def publish_year(year: Year, body: YearIn, session: SessionDep, user: CurrentUser) -> YearOut:
    """Replaces one year's table (admin), as published by the State Council."""
    require_role(user, "admin")
    problem = year_problem(year, body)
    if problem is not None:
        raise invalid(problem.field, problem.message(year))
    publish(session=session, user=user, year=year, body=body)
    session.commit()
    return read_year(session, year)
