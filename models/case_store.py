"""Reads and writes of the case projection. Only activities write; the web layer reads."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from core.payloads import CaseProjection
from core.workcal import TZ
from models.assignment import write_assignments
from models.case import Case, CaseCounter, CaseEvent
from models.counter import next_in_sequence
from models.db import jsonable, utcnow
from models.mail_rules import enqueue_case_mail

NUMBER = re.compile(r"\d{4}-\d{2}-\d{6}")

# Columns copied from the workflow state to the case row as they are.
_COPIED = (
    "status",
    "category",
    "description",
    "grid",
    "street",
    "address",
    "channel",
    "department",
    "interim_department",
    "interim_done",
    "light",
    "bounces",
    "reworks",
    "extensions",
    "escalation_level",
    "satisfaction",
    "reporter_rating",
    "lat",
    "lon",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "media_url",
    "handled_on_time",
    "version",
    "deadline",
    "accept_deadline",
    "created_at",
    "dispatched_at",
    "accepted_at",
    "reported_at",
    "closed_at",
)


class TimelineConflict(Exception):
    """A different line arrived for a (case, seq) already written: the history went wrong."""


def next_number(*, session: Session, now: datetime | None = None) -> str:
    """Hands out the next human-readable case number of the month, e.g. 2026-11-000123."""
    month = (now or utcnow()).astimezone(TZ).strftime("%Y-%m")
    last = next_in_sequence(session=session, model=CaseCounter, key_field="month", key=month)
    return f"{month}-{last:06d}"


def apply_projection(*, session: Session, projection: CaseProjection) -> int:
    """Writes a workflow snapshot and its timeline lines; returns how many lines were new.

    Idempotent: a line already stored (same case and seq) is skipped, and an older snapshot never
    overwrites a newer one, so a retried or reordered activity changes nothing twice. A different
    line at a stored (case, seq) is refused (TimelineConflict), never silently dropped.
    """
    state = projection.state
    row = session.get(Case, state.number)
    if row is None:
        row = Case(
            number=state.number,
            created_at=state.created_at,
            status=state.status,
            category=state.category,
            description=state.description,
            grid=state.grid,
            street=state.street,
            address=state.address,
            channel=state.channel,
        )
        session.add(row)
    if row.version < state.version or row.version == 0:
        for name in _COPIED:
            setattr(row, name, getattr(state, name))
        clock = state.clock
        row.yellow_at = clock.yellow_at if clock else None
        row.calendar_fallback = bool(clock and clock.calendar_fallback)
        ext = state.extension
        row.extension_pending = (
            None
            if ext is None
            else {
                "amount": ext.amount,
                "unit": ext.unit,
                "reason": ext.reason,
                "requested_by": ext.requested_by,
                "requested_at": ext.requested_at.astimezone(TZ).isoformat(),
            }
        )
        row.updated_at = utcnow()
    session.flush()
    seqs = [e.seq for e in projection.events]
    stored = (
        {
            row.seq: row
            for row in session.exec(
                select(CaseEvent).where(
                    CaseEvent.case_number == state.number, col(CaseEvent.seq).in_(seqs)
                )
            )
        }
        if seqs
        else {}
    )
    for e in projection.events:
        held = stored.get(e.seq)
        if held is not None and (held.action, held.actor) != (e.action, e.actor):
            raise TimelineConflict(
                f"case {state.number} line {e.seq} is {held.action} by {held.actor}; "
                f"refusing {e.action} by {e.actor} in its place"
            )
    new = [e for e in projection.events if e.seq not in stored]
    for e in new:
        session.add(
            CaseEvent(
                case_number=state.number,
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                detail=e.detail,
                data=jsonable(e.data),
            )
        )
    # The transactional outbox: mail for exactly the lines written here, in the same commit.
    enqueue_case_mail(session=session, state=state, events=new)
    # The assignment facts the evaluation counts, derived again from the whole timeline.
    write_assignments(session=session, case=row)
    return len(new)


def get_case(*, session: Session, number: str) -> Case | None:
    """Returns one case row, or None."""
    return session.get(Case, number)


def timeline(*, session: Session, number: str) -> list[CaseEvent]:
    """Returns a case's timeline, oldest first."""
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_number == number).order_by(col(CaseEvent.seq))
        )
    )


def case_conditions(
    *,
    status: str | None = None,
    department: str | None = None,
    light: str | None = None,
    category: str | None = None,
    grid: str | None = None,
    street: str | None = None,
    q: str | None = None,
    phone: str | None = None,
    reporter: str | None = None,
    visible_to: str | None = None,
) -> list[ColumnElement[bool]]:
    """Returns the SQL conditions of the case filters; an empty filter adds none.

    `visible_to` restricts to the cases a department's liaison may see: its own and those where it
    is the interim (先行处置) handler.
    """
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(col(Case.status).in_(status.split(",")))
    if department:
        conditions.append(col(Case.department) == department)
    if light:
        conditions.append(col(Case.light) == light)
    if category:
        conditions.append(col(Case.category) == category)
    if grid:
        conditions.append(col(Case.grid) == grid)
    if street:
        conditions.append(col(Case.street) == street)
    if phone and phone_digits(phone):
        # Exact, spaces and dashes ignored on both sides (API.md).
        stored = func.replace(func.replace(col(Case.reporter_phone), " ", ""), "-", "")
        conditions.append(stored == phone_digits(phone))
    if reporter and reporter.strip():
        named = f"%{_escape(reporter.strip())}%"
        conditions.append(col(Case.reporter_name).like(named, escape="\\"))
    if visible_to:
        conditions.append(
            or_(col(Case.department) == visible_to, col(Case.interim_department) == visible_to)
        )
    if q:
        text = q.strip()
        if NUMBER.fullmatch(text):
            conditions.append(col(Case.number) == text)  # a quoted case number: the primary key
        else:
            like = f"%{_escape(text)}%"
            conditions.append(
                or_(
                    col(Case.number).like(like, escape="\\"),
                    col(Case.description).like(like, escape="\\"),
                    col(Case.address).like(like, escape="\\"),
                )
            )
    return conditions


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def phone_digits(phone: str) -> str:
    """Returns a phone number as typed, without spaces and dashes (how searches compare it)."""
    return phone.replace(" ", "").replace("-", "").strip()


def list_cases(
    *,
    session: Session,
    page: int = 1,
    page_size: int = 20,
    **filters: str | None,
) -> tuple[list[Case], int]:
    """Returns one page of cases, newest first, and the total that match the filters (see
    case_conditions)."""
    query = select(Case).where(*case_conditions(**filters))
    count_query = select(func.count()).select_from(query.subquery())
    total = session.exec(count_query).one()
    rows = session.exec(
        query.order_by(col(Case.created_at).desc(), col(Case.number).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total)
