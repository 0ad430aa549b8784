"""Publication activities: is today the first working day of the month, and the publication of
one month (the figures as published, the row, and each department head's mail) in one commit.

Why a publication happens once: its row is unique on (month, version) and written in the same
transaction as its outbox rows, whose keys (publication/<month>/v<version>/<department>) are
unique too. A retried activity (the worker died after the commit) finds the row and writes
nothing; two overlapping attempts cannot both commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core import publication_payloads as pp
from core import workcal
from core.config import load_settings
from core.evaluation_periods import MONTH, Period, parse_period
from core.workcal import TZ
from models import publication as store
from models import reference_store
from models.calendar_store import load_calendar
from models.db import get_engine, jsonable, session_scope
from models.mail_store import enqueue
from models.publication import Publication
from models.reference import Department

MAIL_KIND = "publication"
# What a head's mail shows of its unit's line.
LINE_COUNTS = ("dispatched", "due", "handled", "handled_on_time", "overdue_open", "closed")
LINE_RATES = (
    "handling_rate",
    "on_time_handling_rate",
    "closing_rate",
    "on_time_closing_rate",
    "rework_rate",
    "overdue_open_rate",
    "satisfaction_rate",
)
RANKING_RATES = ("on_time_handling_rate", "closing_rate", "satisfaction_rate")


def first_working_day(year: int, month: int, cal: workcal.WorkCalendar) -> date:
    """Returns the first working day of a month (after New Year, Spring Festival or National Day
    it can be the 4th, the 6th, the 9th ...); ValueError if the month has none."""
    day = date(year, month, 1)
    while day.month == month:
        if cal.is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"{year}-{month:02d} has no working day")


def month_before(day: date) -> str:
    """Returns the month before the one `day` falls in, as 2026-11."""
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"


def publication_day(today: date, cal: workcal.WorkCalendar) -> tuple[str, date, bool]:
    """Returns the month to publish on `today`, the first working day of today's month, and
    whether it has come (a day missed while the service was down is made up on a later one)."""
    first = first_working_day(today.year, today.month, cal)
    return month_before(today), first, today >= first


def _line(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """Returns what a head's mail shows of one unit: counts, key rates, and the changes against
    last month (环比)."""
    if row is None:
        return None
    counts, rates = row.get("counts") or {}, row.get("rates") or {}
    mom = row.get("mom") or {}
    changes = mom.get("rates_change") or {}
    return {
        "key": row["key"],
        "name": row["name"],
        "score": row.get("score"),
        "rank": row.get("rank"),
        "counts": {name: counts.get(name) for name in LINE_COUNTS},
        "rates": {name: rates.get(name) for name in LINE_RATES},
        "changes": {name: changes.get(name) for name in LINE_RATES},
        "score_change": mom.get("score_change"),
        "previous_rank": mom.get("rank"),
    }


def _ranking(evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    """Returns the ranking table: ranked units best first, then those with nothing to score."""
    rows = list(evaluation.get("rows") or [])
    ordered = sorted(
        enumerate(rows), key=lambda p: (p[1].get("rank") is None, p[1].get("rank") or 0, p[0])
    )
    return [
        {
            "key": row["key"],
            "name": row["name"],
            "rank": row.get("rank"),
            "score": row.get("score"),
            "dispatched": (row.get("counts") or {}).get("dispatched"),
            "handled": (row.get("counts") or {}).get("handled"),
            **{name: (row.get("rates") or {}).get(name) for name in RANKING_RATES},
        }
        for _, row in ordered
    ]


def _rows_by_key(evaluation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in evaluation.get("rows") or []}


def mail_context(
    req: pp.PublishRequest, department: Department, snap: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Returns one head's mail: its unit's line and the ranking (a street's also as an area)."""
    year, month = req.month.split("-")
    by_department, by_street = snap["department"], snap["street"]
    street = department.kind == "street"
    return jsonable(
        {
            "month": req.month,
            "month_zh": f"{year}年{int(month)}月",
            "version": req.version,
            "republished": req.version > pp.FIRST_VERSION,
            "reason": req.reason,
            "published_at": req.at,
            "unit_kind": department.kind,
            "unit": _line(_rows_by_key(by_department).get(department.code)),
            "ranking": _ranking(by_department),
            "area": _line(_rows_by_key(by_street).get(department.code)) if street else None,
            "area_ranking": _ranking(by_street) if street else [],
            "link": f"/public/evaluation?month={req.month}",
        }
    )


def outbox_key(month: str, version: int, department: str) -> str:
    """Returns the outbox key of one head's mail of one publication."""
    return f"publication/{month}/v{version}/{department}"


def _result(row: Publication, created: bool) -> pp.PublishResult:
    return pp.PublishResult(
        month=row.month,
        version=row.version,
        published_at=row.published_at,
        created=created,
        mailed=list(row.mailed),
        not_mailed=list(row.not_mailed),
    )


def month_period(month: str) -> Period:
    """Returns the month a publication names; a non-retryable error for anything else."""
    try:
        period = parse_period(month)
    except ValueError as err:
        raise ApplicationError(str(err), type="invalid_month", non_retryable=True) from None
    if period.kind != MONTH:
        raise ApplicationError(
            f"{month!r} is not a month", type="invalid_month", non_retryable=True
        )
    return period


def _heartbeat() -> None:
    if activity.in_activity():
        activity.heartbeat()


def _write(session: Session, req: pp.PublishRequest) -> Publication:
    """Computes the figures, queues each head's mail and adds the row (the caller commits)."""
    snap = store.snapshot(
        session=session, period=month_period(req.month), at=req.at, beat=_heartbeat
    )
    sender = load_settings().smtp_sender
    mailed, not_mailed = [], []
    for department in reference_store.departments(session=session):
        if not department.head_email:
            not_mailed.append(department.code)
            continue
        enqueue(
            session=session,
            key=outbox_key(req.month, req.version, department.code),
            kind=MAIL_KIND,
            recipient=department.head_email,
            recipient_name=f"{department.name}负责人",
            context=mail_context(req, department, snap),
            now=req.at,
            sender=sender,
        )
        mailed.append(department.code)
    row = Publication(
        month=req.month,
        version=req.version,
        trigger=req.trigger,
        published_at=req.at,
        published_by=req.by,
        reason=req.reason,
        workflow_id=req.workflow_id,
        snapshot=snap,
        mailed=mailed,
        not_mailed=not_mailed,
    )
    session.add(row)
    session.flush()
    return row


def publish(req: pp.PublishRequest) -> pp.PublishResult:
    """Publishes one month's version once: the row and its mail in one commit, or the row an
    earlier attempt wrote."""
    try:
        with session_scope() as session:
            found = store.find(session=session, month=req.month, version=req.version)
            if found is not None:
                return _result(found, created=False)
            return _result(_write(session, req), created=True)
    except IntegrityError:  # an overlapping attempt committed first
        with Session(get_engine()) as session:
            found = store.find(session=session, month=req.month, version=req.version)
        if found is None:
            raise
        return _result(found, created=False)


@activity.defn
def check_publication_day(req: pp.PublicationDayRequest) -> pp.PublicationDay:
    """Tells whether the month before today is due for publication, and whether it is done."""
    today = date.fromisoformat(req.today) if req.today else req.now.astimezone(TZ).date()
    month, first, due = publication_day(today, load_calendar(engine=get_engine()))
    with Session(get_engine()) as session:
        done = store.find(session=session, month=month, version=pp.FIRST_VERSION) is not None
    return pp.PublicationDay(
        today=today.isoformat(),
        month=month,
        first_working_day=first.isoformat(),
        due=due,
        published=done,
    )


@activity.defn
def publish_month(req: pp.PublishRequest) -> pp.PublishResult:
    """Publishes one month's report (figures, row, heads' mail), idempotently."""
    return publish(req)


ALL: list[Callable[..., Any]] = [check_publication_day, publish_month]
