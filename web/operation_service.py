"""What the operations API and pages share: who may see a joint operation (联合执法), its JSON
shape, launching it and acting on it. Every change goes through the `operation-<id>` workflow."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core.config import load_settings
from core.naming import operation_workflow_id
from core.workcal import TZ
from models import operation_store as store
from models.db import get_engine, session_scope
from models.operation import CountColumns, Operation, OperationDepartment
from models.operation_cases import case_briefs
from models.reference import Category, Department, Grid
from models.user import User
from web.case_service import actor_of, department_names
from web.errors import ApiError, forbidden, invalid, not_found
from web.temporal import refusal_to_http
from web.timefmt import iso
from workflows import operation_payloads as o
from workflows import operation_rules as rules
from workflows.operation_rules import expand_sessions
from workflows.rules import FORBIDDEN

COUNT_KINDS = o.COUNT_KINDS


def aware(moment: datetime) -> datetime:
    """Returns `moment` with a time zone: a naive time is read as Asia/Shanghai wall-clock."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TZ)


# -- who sees what ---------------------------------------------------------------------------


def taking_part(session: Session, operation_id: str) -> list[str]:
    """Returns the codes of an operation's departments."""
    query = select(OperationDepartment.department).where(
        OperationDepartment.operation_id == operation_id
    )
    return list(session.exec(query))


def can_see(user: User, departments: list[str]) -> bool:
    """Tells whether a user may see an operation: a liaison only one its department takes part in."""
    if user.role != "liaison":
        return True
    return user.department is not None and user.department in departments


def visible_operation(*, session: Session, user: User, operation_id: str) -> Operation:
    """Returns an operation the user may see: 404 if unknown, 403 if its department is not in it."""
    row = store.get_operation(session=session, operation_id=operation_id)
    if row is None:
        raise not_found(f"operation {operation_id}")
    if not can_see(user, taking_part(session, operation_id)):
        raise forbidden(f"department {user.department} does not take part in {operation_id}")
    return row


# -- the JSON shape ----------------------------------------------------------------------------


def counts_of(row: CountColumns | dict | None) -> dict[str, float]:
    """Returns counts by kind from a finding or report row, or a stored dict."""
    if row is None:
        return {k: 0 for k in COUNT_KINDS}
    if isinstance(row, dict):
        return {k: row.get(k, 0) or 0 for k in COUNT_KINDS}
    return {k: getattr(row, k) or 0 for k in COUNT_KINDS}


def add_counts(*many: dict[str, float]) -> dict[str, float]:
    """Returns the sum of counts; the yuan amount rounded to the fen."""
    total = {k: 0 for k in COUNT_KINDS}
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
    out["findings"] = [_finding(f, live) for f in store.findings(session=session, operation_id=row.id)]
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
    session: Session, user: User, *, status: str | None, department: str | None, page: int,
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


# -- launching ----------------------------------------------------------------------------------


def check_area(session: Session, codes: list[str]) -> list[str]:
    """Returns the area's codes, each a grid or a street; 422 naming `area` otherwise."""
    area = [c.strip() for c in codes if c and c.strip()]
    if not area:
        raise invalid("area", "name at least one grid or street")
    for code in area:
        street = session.get(Department, code)
        if session.get(Grid, code) is None and (street is None or street.kind != "street"):
            raise invalid("area", f"unknown grid or street {code}")
    return list(dict.fromkeys(area))


def check_departments(session: Session, lead: str, cooperating: list[str]) -> None:
    """Refuses with 422 a lead or cooperating department that does not exist."""
    if session.get(Department, lead) is None:
        raise invalid("lead", f"unknown department {lead}")
    for code in cooperating:
        if session.get(Department, code) is None:
            raise invalid("cooperating", f"unknown department {code}")


def session_windows(
    windows: list[tuple[datetime, datetime]] | None, recurrence: dict[str, Any] | None
) -> list[o.SessionWindow]:
    """Returns the sessions: explicit windows, or a recurring campaign expanded day by day."""
    if bool(windows) == bool(recurrence):
        raise invalid("sessions", "give either sessions (time windows) or a recurrence")
    if windows:
        return [o.SessionWindow(start=aware(s), end=aware(e)) for s, e in windows]
    assert recurrence is not None
    try:
        return expand_sessions(
            first=recurrence["first_date"],
            last=recurrence["last_date"],
            start=recurrence["start_time"],
            end=recurrence["end_time"],
            tz=TZ,
            repeat=recurrence.get("repeat") or "daily",
            weekdays=list(recurrence.get("weekdays") or []),
        )
    except ApplicationError as err:
        raise _refusal(err, recurring=True) from None


# expand_sessions names its arguments, the API's recurrence its fields.
_RECURRENCE_FIELDS = {"last": "last_date", "first": "first_date"}


def _refusal(err: ApplicationError, *, recurring: bool = False) -> ApiError:
    out = refusal_to_http(err)
    field = out.extra.get("field")
    if field:
        if recurring:
            field = out.extra["field"] = f"recurrence.{_RECURRENCE_FIELDS.get(field, field)}"
        out.detail = f"{field}: {out.detail}"
    return out


def launch_input(
    *,
    user: User,
    title: str,
    goal: str,
    area: list[str],
    windows: list[tuple[datetime, datetime]] | None,
    recurrence: dict[str, Any] | None,
    lead: str,
    cooperating: list[str],
    confirm_deadline: datetime,
    report_within: float,
    report_unit: str,
    now: datetime | None = None,
) -> o.OperationInput:
    """Checks a launch against the reference data and the rules; numbers the operation."""
    if user.role not in rules.ROLES["launch"]:
        raise forbidden(f"role {user.role} may not launch operations; needs coordinator")
    sessions = session_windows(windows, recurrence)
    with Session(get_engine()) as session:
        codes = check_area(session, area)
        check_departments(session, lead, cooperating)
    inp = o.OperationInput(
        operation_id="(new)",
        title=title.strip(),
        goal=(goal or "").strip(),
        area=codes,
        sessions=sessions,
        lead=lead,
        cooperating=list(cooperating),
        confirm_deadline=aware(confirm_deadline),
        launched_by=actor_of(user),
        report_within=report_within,
        report_unit=report_unit,
    )
    try:
        rules.check_launch(inp, now or datetime.now(TZ))
    except ApplicationError as err:
        raise _refusal(err) from None
    # Numbered only once the launch is sound, so a refused one leaves no gap.
    with session_scope() as session:
        return dataclasses.replace(inp, operation_id=store.next_operation_id(session=session))


async def launch(client: Client, inp: o.OperationInput) -> str:
    """Starts the operation's workflow and waits until its projection row exists."""
    await client.start_workflow(
        "OperationWorkflow",
        inp,
        id=operation_workflow_id(inp.operation_id),
        task_queue=load_settings().task_queue,
    )
    for _ in range(500):
        if await run_in_threadpool(_exists, inp.operation_id):
            return inp.operation_id
        await asyncio.sleep(0.02)
    raise ApiError(
        503,
        f"operation {inp.operation_id} was launched but is not yet visible; retry GET",
        code="pending",
        id=inp.operation_id,
    )


def _exists(operation_id: str) -> bool:
    with Session(get_engine()) as session:
        return session.get(Operation, operation_id) is not None


# -- acting --------------------------------------------------------------------------------------


def check_spawn(session: Session, *, category: str, grid: str) -> None:
    """Refuses with 422 a category or grid that does not exist, before the workflow is asked."""
    if not category or session.get(Category, category) is None:
        raise invalid("category", f"unknown category {category}")
    if not grid or session.get(Grid, grid) is None:
        raise invalid("grid", f"unknown grid {grid}")


def load(operation_id: str) -> Operation:
    """Returns an operation row or a 404."""
    with Session(get_engine(), expire_on_commit=False) as session:
        row = store.get_operation(session=session, operation_id=operation_id)
    if row is None:
        raise not_found(f"operation {operation_id}")
    return row


async def act(client: Client, *, operation_id: str, update: str, inp: Any) -> o.OperationView:
    """Runs one action as an update of `operation-<id>`; a refusal becomes a 403, 409 or 422."""
    row = await run_in_threadpool(load, operation_id)
    handle = client.get_workflow_handle(operation_workflow_id(operation_id))
    try:
        return await handle.execute_update(update, inp, result_type=o.OperationView)
    except WorkflowUpdateFailedError as err:
        raise refusal_to_http(err, current_status=row.status) from None
    except RPCError as err:
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            # The workflow has finished (closed or cancelled long ago, or stopped by an admin).
            raise ApiError(
                409,
                f"operation {operation_id} is {row.status} and takes no more actions",
                code="conflict",
                status=row.status,
            ) from None
        raise


def is_forbidden(err: ApiError) -> bool:
    """Tells whether an API error is a refusal for role or department."""
    return err.extra.get("code") == FORBIDDEN


def department_rows(session: Session, ids: list[str]) -> dict[str, list[OperationDepartment]]:
    """Returns the departments of several operations, by operation."""
    out: dict[str, list[OperationDepartment]] = {i: [] for i in ids}
    if ids:
        query = select(OperationDepartment).where(col(OperationDepartment.operation_id).in_(ids))
        for d in session.exec(query.order_by(col(OperationDepartment.id))):
            out[d.operation_id].append(d)
    return out


def recurrence_dict(
    first_date: date, last_date: date, start_time: time, end_time: time, repeat: str,
    weekdays: list[int],
) -> dict[str, Any]:
    """Returns a recurrence as session_windows takes it."""
    return {
        "first_date": first_date,
        "last_date": last_date,
        "start_time": start_time,
        "end_time": end_time,
        "repeat": repeat,
        "weekdays": weekdays,
    }
