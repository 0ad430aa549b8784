"""Joint operations (联合执法 / 专项整治) under /api/operations: launch, list, read and every
action. Each action is one update of the `operation-<id>` workflow and returns the operation."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import operation_payloads as o
from models.db import get_engine
from models.operation_public import OperationList, OperationPublic
from models.reference import Category
from models.reference_store import department_names
from web.cases.service import actor_of
from web.kit.deps import CurrentUser, SessionDep, TemporalDep
from web.kit.errors import error_responses, invalid
from web.operations import service as ops
from web.operations import shape as views
from workflows.operation_actions import OPERATION_ACTIONS
from workflows.operation_rules import MAX_SESSIONS

# Every action may be refused by role or department (403), for an unknown operation (404), in
# the wrong state (409) or for a bad body (422); 503 while the workflow service is down.
ACTION_ERRORS = error_responses(403, 404, 409, 422, 503)
router = APIRouter(prefix="/api/operations", tags=["operations"])

Unit = Literal["working_hours", "working_days", "hours"]
Text = Field(default="", max_length=2000)


class Window(BaseModel):
    start: datetime
    end: datetime


class Recurrence(BaseModel):
    """A nightly or weekly campaign: one session per matching day from first to last date."""

    first_date: date
    last_date: date
    repeat: Literal["daily", "weekly"] = "daily"
    weekdays: list[int] = Field(default_factory=list, description="ISO: Monday 1 .. Sunday 7")
    start_time: time
    end_time: time = Field(description="at or before start_time: runs past midnight")


class LaunchBody(BaseModel):
    """Times without an offset are read as Asia/Shanghai."""

    title: str = Field(min_length=1, max_length=200)
    goal: str = Text
    area: list[str] = Field(min_length=1, max_length=200, description="grid or street codes")
    sessions: list[Window] | None = Field(default=None, max_length=MAX_SESSIONS)
    recurrence: Recurrence | None = None
    lead: str
    cooperating: list[str] = Field(default_factory=list, max_length=50)
    confirm_deadline: datetime
    report_within: float = Field(default=4, gt=0, le=1000)
    report_unit: Unit = "working_hours"
    category: str | None = Field(
        default=None, description="the kind of case it targets: cases from findings default to it"
    )


class Counts(BaseModel):
    stalls_cleared: int = Field(default=0, ge=0)
    items_seized: int = Field(default=0, ge=0)
    warnings: int = Field(default=0, ge=0)
    fines: int = Field(default=0, ge=0)
    fine_amount: float = Field(default=0, ge=0, description="yuan")

    def payload(self) -> o.Counts:
        return o.Counts(**self.model_dump())


class ConfirmBody(BaseModel):
    people: int = Field(ge=0, le=100000)
    vehicles: int = Field(default=0, ge=0, le=10000)
    note: str | None = Field(default=None, max_length=2000)


class ReasonBody(BaseModel):
    reason: str = Text


class RuleDeclineBody(BaseModel):
    department: str
    accept: bool
    reason: str | None = Field(default=None, max_length=2000)


class FindingBody(BaseModel):
    session: int | None = Field(default=None, ge=1)
    counts: Counts = Field(default_factory=Counts)
    note: str = Text


class SpawnCaseBody(BaseModel):
    category: str
    grid: str
    address: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=2000)


class ReportBody(BaseModel):
    session: int = Field(ge=1)
    counts: Counts = Field(default_factory=Counts)
    note: str | None = Field(default=None, max_length=2000)


class NoteBody(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class PostponeBody(ReasonBody):
    start: datetime = Field(description="the new start of the next session; later ones move along")

    @model_validator(mode="after")
    def _with_zone(self) -> PostponeBody:
        self.start = ops.aware(self.start)
        return self


def launch_from_body(body: LaunchBody, user: Any) -> o.OperationInput:
    """Builds and checks the workflow input of a launch (shared with the launch form)."""
    windows = [(w.start, w.end) for w in body.sessions] if body.sessions else None
    recurrence = body.recurrence.model_dump() if body.recurrence else None
    if body.category:
        with Session(get_engine()) as session:
            if session.get(Category, body.category) is None:
                raise invalid("category", f"unknown category {body.category}")
    inp = ops.launch_input(
        user=user,
        title=body.title,
        goal=body.goal,
        area=body.area,
        windows=windows,
        recurrence=recurrence,
        lead=body.lead,
        cooperating=body.cooperating,
        confirm_deadline=body.confirm_deadline,
        report_within=body.report_within,
        report_unit=body.report_unit,
    )
    return dataclasses.replace(inp, category=body.category or None)


@router.post(
    "", status_code=201, response_model=OperationPublic, responses=error_responses(403, 422, 503)
)
async def launch_operation(
    body: LaunchBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """Launches a joint operation (coordinator): explicit sessions or a recurrence."""
    inp = await run_in_threadpool(launch_from_body, body, user)
    operation_id = await ops.launch(client, inp)
    return await run_in_threadpool(views.read_operation, operation_id)


@router.get("", response_model=OperationList, responses=error_responses(422))
def list_operations(
    session: SessionDep,
    user: CurrentUser,
    status: str | None = None,
    department: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
) -> OperationList:
    """Lists operations newest first; a liaison sees only those its department takes part in."""
    return views.operation_list(
        session, user, status=status, department=department, page=page, page_size=page_size
    )


@router.get("/{operation_id}", response_model=OperationPublic, responses=error_responses(403, 404))
def get_operation(operation_id: str, session: SessionDep, user: CurrentUser) -> OperationPublic:
    """Returns one operation: departments, sessions, findings, reports, timeline, summary."""
    row = ops.visible_operation(session=session, user=user, operation_id=operation_id)
    return views.operation_public(
        views.load_record(session, row), department_names(session=session)
    )


async def _run(
    client: Any, user: Any, operation_id: str, update: str, inp: Any, spawn: bool = False
) -> OperationPublic:
    status = await run_in_threadpool(_check, user, operation_id, inp if spawn else None)
    await ops.act(client, operation_id=operation_id, update=update, inp=inp, status=status)
    return await run_in_threadpool(views.read_operation, operation_id)


def _check(user: Any, operation_id: str, spawn: o.SpawnCaseInput | None) -> str:
    """Returns the operation's status once the user may act on it (404, 403) and a case from a
    finding names a known category and grid (422)."""
    with Session(get_engine()) as session:
        row = ops.visible_operation(session=session, user=user, operation_id=operation_id)
        if spawn is not None:
            ops.check_spawn(session, category=spawn.category, grid=spawn.grid)
        return row.status


@router.post("/{operation_id}/confirm", response_model=OperationPublic, responses=ACTION_ERRORS)
async def confirm(
    operation_id: str, body: ConfirmBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """The liaison confirms its department's part with the people and vehicles it sends."""
    inp = o.ConfirmInput(
        actor=actor_of(user), people=body.people, vehicles=body.vehicles, note=body.note
    )
    return await _run(client, user, operation_id, "confirm", inp)


@router.post("/{operation_id}/decline", response_model=OperationPublic, responses=ACTION_ERRORS)
async def decline(
    operation_id: str, body: ReasonBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """The liaison declines with a reason; the coordinator rules on it."""
    inp = o.DeclineInput(actor=actor_of(user), reason=body.reason)
    return await _run(client, user, operation_id, "decline", inp)


@router.post(
    "/{operation_id}/rule-decline", response_model=OperationPublic, responses=ACTION_ERRORS
)
async def rule_decline(
    operation_id: str, body: RuleDeclineBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """The coordinator or supervisor accepts a decline, or overrules it with a reason."""
    inp = o.RuleDeclineInput(
        actor=actor_of(user), department=body.department, accept=body.accept, reason=body.reason
    )
    return await _run(client, user, operation_id, "rule-decline", inp)


@router.post("/{operation_id}/findings", response_model=OperationPublic, responses=ACTION_ERRORS)
async def log_finding(
    operation_id: str, body: FindingBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """A confirmed department logs what it found in a session (the current one by default)."""
    inp = o.FindingInput(
        actor=actor_of(user), counts=body.counts.payload(), note=body.note, session=body.session
    )
    return await _run(client, user, operation_id, "log-finding", inp)


@router.post(
    "/{operation_id}/findings/{number}/spawn-case",
    response_model=OperationPublic,
    responses=ACTION_ERRORS,
)
async def spawn_case(
    operation_id: str,
    number: int,
    body: SpawnCaseBody,
    user: CurrentUser,
    client: TemporalDep,
) -> OperationPublic:
    """Turns the department's finding into a case dispatched by the responsibility list."""
    inp = o.SpawnCaseInput(
        actor=actor_of(user),
        finding=number,
        category=body.category,
        grid=body.grid,
        address=body.address,
        description=body.description,
    )
    return await _run(client, user, operation_id, "spawn-case", inp, spawn=True)


@router.post("/{operation_id}/reports", response_model=OperationPublic, responses=ACTION_ERRORS)
async def report(
    operation_id: str, body: ReportBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """The department files its report of an ended session."""
    inp = o.SessionReportInput(
        actor=actor_of(user), session=body.session, counts=body.counts.payload(), note=body.note
    )
    return await _run(client, user, operation_id, "report", inp)


@router.post("/{operation_id}/close", response_model=OperationPublic, responses=ACTION_ERRORS)
async def close(
    operation_id: str, body: NoteBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """The coordinator closes the operation with a summary totalling every report."""
    inp = o.CloseInput(actor=actor_of(user), note=body.note)
    return await _run(client, user, operation_id, "close", inp)


@router.post("/{operation_id}/cancel", response_model=OperationPublic, responses=ACTION_ERRORS)
async def cancel(
    operation_id: str, body: ReasonBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """The coordinator or supervisor cancels the operation with a reason."""
    inp = o.CancelInput(actor=actor_of(user), reason=body.reason)
    return await _run(client, user, operation_id, "cancel", inp)


@router.post("/{operation_id}/postpone", response_model=OperationPublic, responses=ACTION_ERRORS)
async def postpone(
    operation_id: str, body: PostponeBody, user: CurrentUser, client: TemporalDep
) -> OperationPublic:
    """The coordinator moves the sessions not yet run to start at `start`, with a reason."""
    inp = o.PostponeInput(actor=actor_of(user), reason=body.reason, start=body.start)
    return await _run(client, user, operation_id, "postpone", inp)


# Who, from which states, which fields, which refusals: the action catalogue's words.
for _route in router.routes:
    _name = getattr(_route, "name", "").removesuffix("_operation").replace("_", "-")
    if isinstance(_route, APIRoute) and _name in OPERATION_ACTIONS:
        _route.summary = OPERATION_ACTIONS[_name].summary
        _route.description = OPERATION_ACTIONS[_name].describe()
