"""Reads and writes of the joint-operation projection.

Only activities write; the web layer reads.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import operation_payloads as o
from core.workcal import TZ
from models.counter import next_in_sequence
from models.db import jsonable, utcnow
from models.operation import (
    Operation,
    OperationCounter,
    OperationDepartment,
    OperationEvent,
    OperationFinding,
    OperationReport,
    OperationSession,
)
from models.operation_mail import enqueue_operation_events

# Columns copied from the workflow state to the operation row as they are.
_COPIED = (
    "title",
    "goal",
    "area",
    "lead",
    "status",
    "launched_by",
    "launched_at",
    "confirm_deadline",
    "report_within",
    "report_unit",
    "category",
    "postponed",
    "cancel_reason",
    "closed_by",
    "closed_at",
)
_DEPARTMENT = (
    "role",
    "status",
    "people",
    "vehicles",
    "note",
    "decline_reason",
    "overruled",
    "responded_at",
    "confirmed_on_time",
    "escalation_level",
)
_SCHEDULE = ("first_start", "last_end", "sessions_total", "sessions_ended", "current_session")
_SESSION = ("status", "start", "end", "started_at", "ended_at", "report_deadline")


def next_operation_id(*, session: Session, now: datetime | None = None) -> str:
    """Hands out the next operation number of the year, e.g. LH-2026-0007."""
    year = (now or utcnow()).astimezone(TZ).year
    last = next_in_sequence(session=session, model=OperationCounter, key_field="year", key=year)
    return f"LH-{year}-{last:04d}"


def _keyed(db: Session, model, operation_id: str, /, **key):
    # Returns the row of `model` with this key, added if missing (the projection's upsert).
    query = select(model).where(model.operation_id == operation_id)
    for name, value in key.items():
        query = query.where(getattr(model, name) == value)
    row = db.exec(query).first()
    if row is None:
        row = model(operation_id=operation_id, **key)
        db.add(row)
    return row


def apply_projection(*, session: Session, projection: o.OperationProjection) -> int:
    """Writes a workflow snapshot and its timeline lines; returns how many lines were new.

    Idempotent: rows are keyed (operation, department / session / number), a timeline line
    already stored (same operation and seq) is skipped, and an older snapshot never overwrites a
    newer one, so a retried or reordered activity changes nothing twice.
    """
    state = projection.state
    row = session.get(Operation, state.operation_id)
    if row is None:
        row = Operation(
            id=state.operation_id,
            title=state.title,
            lead=state.lead,
            status=state.status,
            launched_by=state.launched_by,
            launched_at=state.launched_at,
            confirm_deadline=state.confirm_deadline,
        )
        session.add(row)
        session.flush()
    if row.version < state.version or row.version == 0:
        _write_snapshot(session, row, projection)
    session.flush()
    new = _append_events(session, state.operation_id, projection.events)
    # The transactional outbox: mail for exactly the lines written here, in the same commit.
    enqueue_operation_events(session=session, projection=projection, events=new)
    return len(new)


def _write_snapshot(session: Session, row: Operation, projection: o.OperationProjection) -> None:
    state = projection.state
    for name in _COPIED:
        setattr(row, name, getattr(state, name))
    for name in _SCHEDULE:
        setattr(row, name, getattr(projection, name))
    row.version = state.version
    row.summary = None if state.summary is None else jsonable(asdict(state.summary))
    row.updated_at = utcnow()
    op = state.operation_id
    for d in state.departments:
        dept = _keyed(session, OperationDepartment, op, department=d.code)
        for name in _DEPARTMENT:
            setattr(dept, name, getattr(d, name))
        dept.found, dept.reported = d.found.as_dict(), d.reported.as_dict()
    for s in state.sessions:
        sess = _keyed(session, OperationSession, op, number=s.number)
        for name in _SESSION:
            setattr(sess, name, getattr(s, name))
    for f in state.findings:
        finding = _keyed(session, OperationFinding, op, number=f.number)
        finding.session, finding.department, finding.note = f.session, f.department, f.note
        finding.logged_by, finding.at = f.logged_by, f.at
        _set_counts(finding, f.counts)
        if f.case_number:
            finding.case_number, finding.case_department = f.case_number, f.case_department
    for r in state.reports:
        report = _keyed(session, OperationReport, op, session=r.session, department=r.department)
        report.status = "due" if r.filed_at is None else "filed"
        report.deadline, report.note, report.filed_by = r.deadline, r.note, r.filed_by
        report.filed_at, report.on_time = r.filed_at, r.on_time
        _set_counts(report, r.counts)


def _set_counts(row: OperationFinding | OperationReport, counts: o.Counts) -> None:
    for name, value in counts.as_dict().items():
        setattr(row, name, value)


def _append_events(session: Session, operation_id: str, events: list) -> list:
    seqs = [e.seq for e in events]
    stored = (
        set(
            session.exec(
                select(OperationEvent.seq).where(
                    OperationEvent.operation_id == operation_id, col(OperationEvent.seq).in_(seqs)
                )
            ).all()
        )
        if seqs
        else set()
    )
    new = [e for e in events if e.seq not in stored]
    for e in new:
        session.add(
            OperationEvent(
                operation_id=operation_id,
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                department=e.data.get("department"),
                detail=e.detail,
                data=jsonable(e.data),
            )
        )
    return new


# -- reads for the web layer ----------------------------------------------------------------


def get_operation(*, session: Session, operation_id: str) -> Operation | None:
    """Returns one operation row, or None."""
    return session.get(Operation, operation_id)


def _rows(session: Session, model, operation_id: str, *order) -> list:
    return list(
        session.exec(select(model).where(model.operation_id == operation_id).order_by(*order))
    )


def departments(*, session: Session, operation_id: str) -> list[OperationDepartment]:
    """Returns the departments of an operation, the lead first."""
    return _rows(
        session,
        OperationDepartment,
        operation_id,
        col(OperationDepartment.role).desc(),
        col(OperationDepartment.id),
    )


def sessions(*, session: Session, operation_id: str) -> list[OperationSession]:
    """Returns the sessions of an operation in order."""
    return _rows(session, OperationSession, operation_id, col(OperationSession.number))


def findings(*, session: Session, operation_id: str) -> list[OperationFinding]:
    """Returns the findings of an operation in the order they were logged."""
    return _rows(session, OperationFinding, operation_id, col(OperationFinding.number))


def reports(*, session: Session, operation_id: str) -> list[OperationReport]:
    """Returns the session reports of an operation, due and filed, by session."""
    return _rows(
        session,
        OperationReport,
        operation_id,
        col(OperationReport.session),
        col(OperationReport.department),
    )


def timeline(*, session: Session, operation_id: str) -> list[OperationEvent]:
    """Returns an operation's timeline, oldest first."""
    return _rows(session, OperationEvent, operation_id, col(OperationEvent.seq))


def list_operations(
    *,
    session: Session,
    status: str | None = None,
    department: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[Operation], int]:
    """Returns one page of operations, newest first, and the total matching; `department`
    keeps those it takes part in."""
    query = select(Operation)
    if status:
        query = query.where(col(Operation.status).in_(status.split(",")))
    if department:
        taking_part = select(OperationDepartment.operation_id).where(
            OperationDepartment.department == department
        )
        query = query.where(col(Operation.id).in_(taking_part))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Operation.launched_at).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total)


def _open_operations():
    return select(Operation.id).where(col(Operation.status).not_in(o.FINAL_STATUSES))


def department_tasks(*, session: Session, department: str) -> dict[str, list]:
    """Returns what a department owes in open operations: answers to give, reports to file."""
    open_ops = _open_operations()
    invited = session.exec(
        select(OperationDepartment).where(
            OperationDepartment.department == department,
            OperationDepartment.status == o.INVITED,
            col(OperationDepartment.operation_id).in_(open_ops),
        )
    ).all()
    due = session.exec(
        select(OperationReport)
        .where(
            OperationReport.department == department,
            OperationReport.status == "due",
            col(OperationReport.operation_id).in_(open_ops),
        )
        .order_by(col(OperationReport.deadline))
    ).all()
    return {"confirm": list(invited), "report": list(due)}


def declines_to_rule(*, session: Session) -> list[OperationDepartment]:
    """Returns the declines awaiting the coordinator's ruling in open operations."""
    return list(
        session.exec(
            select(OperationDepartment).where(
                OperationDepartment.status == o.DECLINED,
                col(OperationDepartment.operation_id).in_(_open_operations()),
            )
        )
    )
