"""The API's shape of a joint operation: departments with running totals, sessions, findings
with their cases' live state, reports, timeline and summary (read from the projection)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core import operation_payloads as o
from models import operation_store as store
from models.db import session_scope
from models.operation import CountColumns, Operation, OperationDepartment
from models.operation_cases import case_briefs
from models.user import User
from web.cases.service import department_names
from web.kit.errors import not_found
from web.kit.timefmt import iso

COUNT_KINDS = o.COUNT_KINDS


def counts_of(row: CountColumns | dict | None) -> dict[str, float]:
    """Returns counts by kind from a finding or report row, or a stored dict."""
    if row is None:
        return {k: 0 for k in COUNT_KINDS}
    if isinstance(row, dict):
        return {k: row.get(k, 0) or 0 for k in COUNT_KINDS}
    return {k: getattr(row, k) or 0 for k in COUNT_KINDS}


def add_counts(*many: dict[str, float]) -> dict[str, float]:
    """Returns the sum of counts; the yuan amount rounded to the fen."""
    total: dict[str, float] = {k: 0 for k in COUNT_KINDS}
    for counts in many:
        for k in COUNT_KINDS:
            total[k] += counts.get(k, 0) or 0
    total["fine_amount"] = round(float(total["fine_amount"]), 2)
    return total


def _head(row: Operation, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "goal": row.goal,
        "area": list(row.area or []),
        "status": row.status,
        "lead": row.lead,
        "lead_name": names.get(row.lead),
        "launched_by": row.launched_by,
        "launched_at": iso(row.launched_at),
        "confirm_deadline": iso(row.confirm_deadline),
        "first_start": iso(row.first_start),
        "last_end": iso(row.last_end),
        "sessions_total": row.sessions_total,
        "sessions_ended": row.sessions_ended,
        "current_session": row.current_session,
        "report_within": row.report_within,
        "report_unit": row.report_unit,
        "postponed": row.postponed,
        "cancel_reason": row.cancel_reason,
        "closed_by": row.closed_by,
        "closed_at": iso(row.closed_at),
        "updated_at": iso(row.updated_at),
        "version": row.version,
    }


def _department(d: OperationDepartment, names: dict[str, str], reports: list) -> dict[str, Any]:
    mine = [r for r in reports if r.department == d.department]
    return {
        "department": d.department,
        "name": names.get(d.department),
        "role": d.role,
        "status": d.status,
        "people": d.people,
        "vehicles": d.vehicles,
        "note": d.note,
        "decline_reason": d.decline_reason,
        "overruled": d.overruled,
        "responded_at": iso(d.responded_at),
        "confirmed_on_time": d.confirmed_on_time,
        "escalation_level": d.escalation_level,
        "found": counts_of(d.found),
        "reported": counts_of(d.reported),
        "reports_filed": sum(1 for r in mine if r.status == "filed"),
        "reports_due": [r.session for r in mine if r.status == "due"],
    }


def operation_json(session: Session, row: Operation, *, detail: bool = True) -> dict[str, Any]:
    """Returns the API's shape of an operation; with `detail`, everything on its page."""
    names = department_names(session)
    out = _head(row, names)
    depts = store.departments(session=session, operation_id=row.id)
    if not detail:
        out["departments"] = [
            {"department": d.department, "role": d.role, "status": d.status} for d in depts
        ]
        return out
    reports = store.reports(session=session, operation_id=row.id)
    out["departments"] = [_department(d, names, reports) for d in depts]
    out["totals"] = {
        "found": add_counts(*(counts_of(d.found) for d in depts)),
        "reported": add_counts(*(counts_of(d.reported) for d in depts)),
        "people": sum(d.people for d in depts if d.status == o.CONFIRMED),
        "vehicles": sum(d.vehicles for d in depts if d.status == o.CONFIRMED),
    }
    out["sessions"] = [
        {
            "number": s.number,
            "status": s.status,
            "start": iso(s.start),
            "end": iso(s.end),
            "started_at": iso(s.started_at),
            "ended_at": iso(s.ended_at),
            "report_deadline": iso(s.report_deadline),
        }
        for s in store.sessions(session=session, operation_id=row.id)
    ]
    live = {c.number: c for c in case_briefs(session=session, operation_id=row.id)}
    out["findings"] = [
        _finding(f, live) for f in store.findings(session=session, operation_id=row.id)
    ]
    out["reports"] = [
        {
            "session": r.session,
            "department": r.department,
            "status": r.status,
            "deadline": iso(r.deadline),
            "counts": counts_of(r),
            "note": r.note,
            "filed_by": r.filed_by,
            "filed_at": iso(r.filed_at),
            "on_time": r.on_time,
        }
        for r in reports
    ]
    out["timeline"] = [
        {
            "seq": e.seq,
            "at": iso(e.at),
            "actor": e.actor,
            "action": e.action,
            "department": e.department,
            "detail": e.detail,
            "data": e.data,
        }
        for e in store.timeline(session=session, operation_id=row.id)
    ]
    out["summary"] = row.summary
    return out


def _finding(f, live: dict[str, o.CaseBrief]) -> dict[str, Any]:
    case = live.get(f.case_number or "")
    return {
        "number": f.number,
        "session": f.session,
        "department": f.department,
        "note": f.note,
        "logged_by": f.logged_by,
        "at": iso(f.at),
        "counts": counts_of(f),
        "case_number": f.case_number,
        "case": None
        if f.case_number is None
        else {
            "number": f.case_number,
            "department": case.department if case else f.case_department,
            "status": case.status if case else None,
            "light": case.light if case else None,
        },
    }


def read_operation_json(operation_id: str) -> dict[str, Any]:
    """Reads an operation with everything it holds from the projection."""
    with session_scope() as session:
        row = store.get_operation(session=session, operation_id=operation_id)
        if row is None:
            raise not_found(f"operation {operation_id}")
        return operation_json(session, row)


def list_json(
    session: Session,
    user: User,
    *,
    status: str | None,
    department: str | None,
    page: int,
    page_size: int,
) -> dict[str, Any]:
    """Returns one page of operations the user may see, newest first."""
    if user.role == "liaison":
        if not user.department or (department and department != user.department):
            return {"items": [], "total": 0, "page": page, "page_size": page_size}
        department = user.department
    rows, total = store.list_operations(
        session=session, status=status, department=department, page=page, page_size=page_size
    )
    items = [operation_json(session, r, detail=False) for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size}
