"""What the operations API and pages share: who may see a joint operation (联合执法), launching
it and acting on it. Every change goes through the `operation-<id>` workflow."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core import operation_payloads as o
from core.naming import operation_workflow_id
from core.refusals import NO_SESSIONS, WRONG_DEPARTMENT, WRONG_ROLE, WRONG_STATE
from core.workcal import TZ
from models import operation_store as store
from models.db import get_engine, session_scope
from models.operation import Operation
from models.operation_query import taking_part
from models.reference import Category, Department, Grid
from models.user import User
from web.cases.service import actor_of
from web.kit.errors import ApiError, invalid, not_found
from web.kit.temporal import refusal_to_http, run_update, start_and_wait, unavailable
from workflows import operation_rules as rules
from workflows.operation_actions import OPERATION_ACTIONS
from workflows.operation_rules import expand_sessions

COUNT_KINDS = o.COUNT_KINDS


def aware(moment: datetime) -> datetime:
    """Returns `moment` with a time zone: a naive time is read as Asia/Shanghai wall-clock."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TZ)


# -- who sees what ---------------------------------------------------------------------------


def can_see(user: User, departments: list[str]) -> bool:
    """Tells whether a user may see an operation: a liaison only one its department is in."""
    if user.role != "liaison":
        return True
    return user.department is not None and user.department in departments


def visible_operation(*, session: Session, user: User, operation_id: str) -> Operation:
    """Returns an operation the user may see: 404 if unknown, 403 if its department is not in it."""
    row = store.get_operation(session=session, operation_id=operation_id)
    if row is None:
        raise not_found(f"operation {operation_id}")
    if not can_see(user, taking_part(session=session, operation_id=operation_id)):
        raise ApiError(
            403,
            f"department {user.department} does not take part in {operation_id}",
            code=WRONG_DEPARTMENT,
        )
    return row


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
    """Refuses with 422 a lead or cooperating department that does not exist or is retired."""
    for field, codes in (("lead", [lead]), ("cooperating", cooperating)):
        for code in codes:
            found = session.get(Department, code)
            if found is None:
                raise invalid(field, f"unknown department {code}")
            if not found.active:
                raise invalid(field, f"department {code} is retired and takes no new work")


def session_windows(
    windows: list[tuple[datetime, datetime]] | None, recurrence: dict[str, Any] | None
) -> list[o.SessionWindow]:
    """Returns the sessions: explicit windows, or a recurring campaign expanded day by day."""
    if bool(windows) == bool(recurrence):
        raise ApiError(
            422,
            "sessions: give either sessions (time windows) or a recurrence",
            code=NO_SESSIONS,
            field="sessions",
        )
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
    if user.role not in OPERATION_ACTIONS["launch"].roles:
        raise ApiError(
            403, f"role {user.role} may not launch operations; needs coordinator", code=WRONG_ROLE
        )
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
    await start_and_wait(
        client,
        "OperationWorkflow",
        inp,
        workflow_id=operation_workflow_id(inp.operation_id),
        visible=lambda: _exists(inp.operation_id),
        what=f"operation {inp.operation_id}",
    )
    return inp.operation_id


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


async def act(
    client: Client, *, operation_id: str, update: str, inp: Any, status: str | None = None
) -> o.OperationView:
    """Runs one action as an update of `operation-<id>`; a refusal becomes a 403, 409 or 422.
    `status` is the operation's as the caller read it (read here when not given)."""
    if status is None:
        status = (await run_in_threadpool(load, operation_id)).status
    handle = client.get_workflow_handle(operation_workflow_id(operation_id))
    try:
        return await run_update(handle, update, inp, result_type=o.OperationView)
    except WorkflowUpdateFailedError as err:
        raise refusal_to_http(err, current_status=status) from None
    except RPCError as err:
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            # The workflow has finished (closed or cancelled long ago, or stopped by an admin).
            raise ApiError(
                409,
                f"operation {operation_id} is {status} and takes no more actions",
                code=WRONG_STATE,
                status=status,
            ) from None
        raise unavailable(err) from None
