"""The month's most overdue cases, for the monthly report (月通报): the assignments dispatched in
it that are past their deadline, still open at the as-of instant or handled late, by the very
conditions of the counts `overdue_open` and `handled_late`, furthest past first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_
from sqlmodel import Session, col, select

from core.assignment_facts import OWNER
from core.evaluation_periods import Period
from core.workcal import WORKING_DAY_MINUTES, WorkCalendar, working_minutes_between
from models.assignment import Assignment
from models.case import Case
from models.db import AwareDateTime
from models.evaluation import figure_conditions
from web.kit.i18n import translate

WORST = 10


@dataclass(frozen=True)
class Late:
    """An assignment of the month past its deadline: still open, or handled late."""

    number: str
    department: str
    category: str
    street: str
    address: str
    dispatched_at: datetime
    deadline: datetime
    until: datetime  # the report, or the as-of time while not handled
    handled: bool
    seconds: float


def _seconds_late(session: Session, until: Any) -> ColumnElement[Any]:
    # Date arithmetic is each database's own: SQLite counts in Julian days.
    deadline = col(Assignment.deadline)
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(until) - func.julianday(deadline)) * 86400.0
    return func.extract("epoch", until - deadline)


def most_overdue(
    *,
    session: Session,
    period: Period,
    as_of: datetime,
    department: str | None = None,
    limit: int = WORST,
) -> list[Late]:
    """Returns the month's assignments furthest past their deadline, by the very conditions
    of the counts `overdue_open` (to `as_of`) and `handled_late` (to the report)."""
    conditions = figure_conditions(as_of)
    reported = col(Assignment.reported_at)
    until = case((reported.is_(None), literal(as_of, AwareDateTime())), else_=reported)
    late = _seconds_late(session, until).label("late")
    query = (
        select(Assignment, Case.address, late)
        .join(Case, col(Case.number) == col(Assignment.case_number))
        .where(
            col(Assignment.kind) == OWNER,
            col(Assignment.dispatched_at) >= period.start,
            col(Assignment.dispatched_at) < period.end,
            or_(conditions["overdue_open"][0], conditions["handled_late"][0]),
        )
        .order_by(late.desc(), col(Assignment.case_number))
        .limit(limit)
    )
    if department is not None:
        query = query.where(col(Assignment.department) == department)
    found = []
    for row, address, seconds in session.exec(query):  # type: ignore[call-overload]
        assert row.deadline is not None  # both conditions need one
        found.append(
            Late(
                number=row.case_number,
                department=row.department,
                category=row.category,
                street=row.street,
                address=address,
                dispatched_at=row.dispatched_at,
                deadline=row.deadline,
                until=row.reported_at or as_of,
                handled=row.reported_at is not None,
                seconds=float(seconds or 0),
            )
        )
    return found


def late_words(late: Late, lang: str, cal: WorkCalendar, *, natural_only: bool) -> str:
    """Returns how late in words: working time (the clock most limits run on), then calendar
    time; a limit in natural hours says calendar time alone."""
    t = lambda key, **kw: translate(lang, key, **kw)  # noqa: E731
    minutes = int(late.seconds // 60)
    days, hours = divmod(minutes // 60, 24)
    if days:
        natural = t("report.late.days", days=days, hours=hours)
    elif hours:
        natural = t("report.late.hours", hours=hours, minutes=minutes % 60)
    else:
        natural = t("report.late.minutes", minutes=max(minutes, 1))
    if natural_only:
        return natural
    working = working_minutes_between(late.deadline, late.until, cal)
    whole_days, rest = divmod(int(working), int(WORKING_DAY_MINUTES))
    shown = f"{rest / 60:.1f}".removesuffix(".0")
    if whole_days:
        words = t("report.late.working", days=whole_days, hours=shown)
    else:
        words = t("report.late.working_hours", hours=shown)
    return t("report.late.both", working=words, natural=t("report.late.natural", text=natural))
