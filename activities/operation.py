"""Joint-operation activities: the confirmation clock, the projection and cases from findings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from core import operation_payloads as o
from core import payloads as p
from core import workcal
from core.naming import case_workflow_id
from core.refusals import CONFLICT, NO_ROUTE, invalid
from models.calendar_store import load_calendar
from models.db import get_engine, session_scope
from models.operation_cases import CaseTicket, allocate_spawned_case, case_briefs
from models.operation_store import apply_projection

YELLOW_FRACTION = 0.75
# Who registers and dispatches a case that a liaison turned out of a finding.
OPERATION_DESK = p.Actor(username="system", role="coordinator")
CASE_CHANNEL = "inspector"


def confirmation_clock(req: o.ConfirmClockRequest, cal: workcal.WorkCalendar) -> p.Clock:
    """Returns the clock of a fixed confirmation deadline: a reminder once 75% of the working
    time to it has passed (of the natural time if there is none), escalation to the supervisor's
    list (level 2) at the deadline."""
    minutes = workcal.working_minutes_between(req.start, req.deadline, cal)
    if minutes > 0:
        yellow = workcal.add_working_minutes(req.start, minutes * YELLOW_FRACTION, cal)
    else:
        yellow = req.start + (req.deadline - req.start) * YELLOW_FRACTION
    yellow = min(max(yellow, req.start), req.deadline)
    steps = [p.ClockStep(name="yellow", at=yellow), p.ClockStep(name="level2", at=req.deadline)]
    return p.Clock(
        kind="confirm",
        started_at=req.start,
        amount=round(minutes / 60, 2),
        unit="working_hours",
        deadline=req.deadline,
        yellow_at=yellow,
        steps=steps,
        calendar_fallback=workcal.uses_fallback(req.start, req.deadline, cal),
    )


@activity.defn
def compute_confirmation_clock(req: o.ConfirmClockRequest) -> p.Clock:
    """Computes the confirmation clock on the working calendar."""
    return confirmation_clock(req, load_calendar(engine=get_engine()))


@activity.defn
def project_operation(projection: o.OperationProjection) -> int:
    """Writes the operation rows and its new timeline lines; returns how many lines were new."""
    with session_scope() as session:
        return apply_projection(session=session, projection=projection)


@activity.defn
def read_spawned_cases(lookup: o.CaseLookup) -> list[o.CaseBrief]:
    """Returns the cases an operation spawned, as the case projection shows them now."""
    with session_scope() as session:
        return case_briefs(session=session, operation_id=lookup.operation_id)


def _allocate(req: o.SpawnCaseRequest) -> CaseTicket:
    try:
        with session_scope() as session:
            return allocate_spawned_case(
                session=session,
                operation_id=req.operation_id,
                finding=req.finding,
                category=req.category,
                grid=req.grid,
            )
    except LookupError as err:
        field = str(err.args[0]) if err.args else "category"
        raise invalid(
            f"unknown {field} or no department on the responsibility list", field, NO_ROUTE
        ) from None


async def _update_once(handle: WorkflowHandle, name: str, arg: object) -> None:
    # The update id makes a retried activity's call a no-op; a conflict means an earlier
    # attempt got there first.
    try:
        await handle.execute_update(name, arg, id=f"operation-spawn-{name}", result_type=p.CaseView)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if not (isinstance(cause, ApplicationError) and cause.type == CONFLICT):
            raise


@activity.defn
async def spawn_case(req: o.SpawnCaseRequest) -> o.SpawnedCase:
    """Turns a finding into a case: numbered once, registered and dispatched to the department
    the responsibility list names, then left to its own loop (idempotent on operation+finding)."""
    ticket = await asyncio.to_thread(_allocate, req)
    client: Client = activity.client()
    case = p.CaseInput(
        number=ticket.number,
        category=req.category,
        limit_amount=ticket.limit_amount,
        limit_unit=ticket.limit_unit,
        description=req.description,
        grid=req.grid,
        street=ticket.street,
        address=req.address,
        channel=CASE_CHANNEL,
        created_by=req.actor,
        operation_id=req.operation_id,
        finding=req.finding,
    )
    workflow_id = case_workflow_id(ticket.number)
    try:
        handle = await client.start_workflow(
            "CaseWorkflow", case, id=workflow_id, task_queue=activity.info().task_queue
        )
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle(workflow_id)
    title = req.operation_title
    await _update_once(
        handle,
        "register",
        p.RegisterInput(
            actor=OPERATION_DESK, note=f"联合执法「{title}」现场发现，第{req.finding}条，自动立案"
        ),
    )
    await _update_once(
        handle,
        "dispatch",
        p.DispatchInput(
            actor=OPERATION_DESK,
            department=ticket.department,
            note=f"联合执法「{title}」转案件，按权责清单派遣至 {ticket.department}",
        ),
    )
    return o.SpawnedCase(number=ticket.number, department=ticket.department)


ALL: list[Callable[..., Any]] = [
    compute_confirmation_clock,
    project_operation,
    read_spawned_cases,
    spawn_case,
]
