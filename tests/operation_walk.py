"""The cast of the catalogue walk over joint operations: operations prepared in every status, the
people who act on them, the one valid input of every action, and what each attempt should get.

An operation workflow is started directly in a status with a prepared OperationState (the `state`
field of OperationInput, meant for continue-as-new), its departments' clock workflows beside it
and its projection written as the activity would write it.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from activities.operation import project_operation
from core import operation_payloads as o
from core import payloads as p
from core import refusals as r
from core.naming import case_workflow_id, operation_department_workflow_id, operation_workflow_id
from workflows.operation import OperationWorkflow
from workflows.operation_actions import OperationFacts, refusal

LEAD, COOP, STREET, OUTSIDER = "cg", "ga", "hongqi", "sw"
OP_STAFF = {
    name: p.Actor(username=name, role=name)
    for name in ("coordinator", "supervisor", "inspector", "admin")
} | {
    f"liaison-{code}": p.Actor(username=f"liaison-{code}", role="liaison", department=code)
    for code in (LEAD, COOP, STREET, OUTSIDER)
}
SPAWN = {
    "category": "open-air-bbq",
    "grid": "hongqi-01",
    "address": "红旗镇藤山一路 8 号",
    "description": "露天烧烤油烟扰民",
}
# walk item -> (input class, the fields of a valid input, the API path after /{operation_id}/)
OP_ITEMS: dict[str, tuple[type, dict[str, Any], str]] = {
    "confirm": (o.ConfirmInput, {"people": 3, "vehicles": 1}, "confirm"),
    "decline": (o.DeclineInput, {"reason": "警力不足"}, "decline"),
    "rule-decline": (o.RuleDeclineInput, {"department": STREET, "accept": True}, "rule-decline"),
    "log-finding": (o.FindingInput, {"counts": {"warnings": 1}, "note": "占道摊点"}, "findings"),
    "spawn-case": (o.SpawnCaseInput, {"finding": 1, **SPAWN}, "findings/1/spawn-case"),
    "report": (o.SessionReportInput, {"session": 1, "counts": {"warnings": 2}}, "reports"),
    "close": (o.CloseInput, {}, "close"),
    "cancel": (o.CancelInput, {"reason": "上级通知暂停"}, "cancel"),
    "postpone": (o.PostponeInput, {"reason": "天气原因"}, "postpone"),
}
_BY_COORDINATION = ("coordinator", "supervisor")
# What the session, finding or report an item names refuses, once the catalogue has let it by.
BY_KEY: dict[tuple[str, str, str], str] = {
    **{("confirming+overruled", "rule-decline", u): r.NOT_DECLINED for u in _BY_COORDINATION},
    **{("running", "rule-decline", u): r.NOT_DECLINED for u in _BY_COORDINATION},
    **{("completed", "rule-decline", u): r.NOT_DECLINED for u in _BY_COORDINATION},
    **{("running", "report", f"liaison-{c}"): r.REPORT_NOT_DUE for c in (LEAD, COOP, STREET)},
    ("reporting", "report", f"liaison-{COOP}"): r.ALREADY_REPORTED,
    ("reporting", "report", f"liaison-{STREET}"): r.REPORT_NOT_DUE,
    **{("running", "spawn-case", f"liaison-{c}"): r.WRONG_DEPARTMENT for c in (COOP, STREET)},
    **{("reporting", "spawn-case", f"liaison-{c}"): r.WRONG_DEPARTMENT for c in (LEAD, STREET)},
    **{("completed", "spawn-case", f"liaison-{c}"): r.WRONG_DEPARTMENT for c in (COOP, STREET)},
}


def op_states(now: datetime) -> dict[str, o.OperationState]:
    """Returns an operation in each status, and in the variants its guards look at."""
    hour, day = timedelta(hours=1), timedelta(days=1)
    ahead = [_session(1, now + 3 * day), _session(2, now + 4 * day)]
    running = [_session(1, now - hour, o.RUNNING, end=now + 2 * day), ahead[1]]
    ended = [_session(1, now - 3 * day, o.ENDED), _session(2, now - 2 * day, o.ENDED)]
    reporting = [ended[0], _session(2, now + 3 * day)]
    invited = [_dept(LEAD, o.INVITED), _dept(COOP, o.INVITED), _dept(STREET, o.DECLINED)]
    taking_part = [_dept(LEAD, o.CONFIRMED), _dept(COOP, o.CONFIRMED)]
    cancelled = [_session(s.number, s.start, o.CANCELLED) for s in ahead]
    variants: dict[str, dict[str, Any]] = {
        "confirming": {"departments": invited, "sessions": ahead},
        "confirming+overruled": {
            "departments": [
                _dept(LEAD, o.CONFIRMED),
                _dept(COOP, o.INVITED, overruled=True),
                _dept(STREET, o.WITHDRAWN),
            ],
            "sessions": ahead,
        },
        "running": {
            "departments": [*taking_part, _dept(STREET, o.WITHDRAWN)],
            "sessions": running,
            "findings": [_finding(LEAD, now)],
        },
        "reporting": {
            "departments": [*taking_part, _dept(STREET, o.DECLINED)],
            "sessions": reporting,
            "findings": [_finding(COOP, now)],
            "reports": [_report(1, LEAD, now), _report(1, COOP, now, filed=True)],
        },
        "completed": {
            "departments": [*taking_part, _dept(STREET, o.WITHDRAWN)],
            "sessions": ended,
            "findings": [_finding(LEAD, now)],
            "reports": [_report(n, c, now, filed=True) for n in (1, 2) for c in (LEAD, COOP)],
        },
        "closed": {
            "departments": [*taking_part, _dept(STREET, o.WITHDRAWN)],
            "sessions": ended,
            "closed_at": now,
            "closed_by": "coordinator",
        },
        "cancelled": {
            "departments": invited,
            "sessions": cancelled,
            "closed_at": now,
            "cancel_reason": "台风",
        },
    }
    return {name: _op(name.split("+")[0], now, **fields) for name, fields in variants.items()}


def _session(
    number: int, start: datetime, status: str = o.SCHEDULED, end: datetime | None = None
) -> o.Session:
    finish = end or start + timedelta(hours=3)
    deadline = finish + timedelta(days=4) if status == o.ENDED else None
    return o.Session(number, start, finish, status, report_deadline=deadline)


def _dept(code: str, status: str, overruled: bool = False) -> o.DepartmentState:
    role = o.LEAD if code == LEAD else o.COOPERATING
    reason = "另有任务" if status in (o.DECLINED, o.WITHDRAWN) else None
    return o.DepartmentState(code, role, status, decline_reason=reason, overruled=overruled)


def _finding(department: str, now: datetime) -> o.Finding:
    return o.Finding(1, 1, department, o.Counts(stalls_cleared=1), "占道", "w", now)


def _report(session: int, department: str, now: datetime, filed: bool = False) -> o.SessionReport:
    return o.SessionReport(
        session, department, now + timedelta(days=1), filed_at=now if filed else None
    )


def _op(status: str, now: datetime, **fields: Any) -> o.OperationState:
    return o.OperationState(
        operation_id=f"W-{uuid.uuid4().hex[:10]}",
        title="红旗镇夜间占道经营整治",
        goal="清理占道摊点",
        area=[STREET],
        lead=LEAD,
        launched_by="coordinator",
        launched_at=now - timedelta(days=5),
        confirm_deadline=now + 2 * timedelta(days=1),
        report_within=4,
        report_unit="working_hours",
        status=status,
        seq=1,
        version=1,
        **fields,
    )


def op_expected(name: str, item: str, user: str, state: o.OperationState) -> str | None:
    """Returns the code an item is refused with (the catalogue's, then its key's), or None."""
    actor = OP_STAFF[user]
    refused = refusal(item, actor, OperationFacts.of_state(state, actor.department))
    return refused.code if refused else BY_KEY.get((name, item, user))


def op_input(item: str, actor: p.Actor, state: o.OperationState) -> Any:
    """Returns the valid input of an item taken by `actor` on the operation."""
    cls, fields, _path = OP_ITEMS[item]
    fields = dict(fields)
    if "counts" in fields:
        fields["counts"] = o.Counts(**fields["counts"])
    if item == "postpone":
        fields["start"] = _later(state)
    return cls(actor=actor, **fields)


def op_body(item: str, state: o.OperationState) -> dict[str, Any]:
    """Returns the API's JSON body of an item (the finding is in the path)."""
    body = {k: v for k, v in OP_ITEMS[item][1].items() if k != "finding"}
    if item == "postpone":
        body["start"] = _later(state).isoformat()
    return body


def _later(state: o.OperationState) -> datetime:
    pending = [s.start for s in state.sessions if s.status == o.SCHEDULED]
    return (pending[0] if pending else state.launched_at) + timedelta(days=1)


async def start_operation(client: Client, queue: str, state: o.OperationState) -> WorkflowHandle:
    """Writes the projection of `state`, starts its departments' clocks and its workflow."""
    launched = p.TimelineEntry(
        seq=1, at=state.launched_at, actor="coordinator", action="launched", detail="", data={}
    )
    projection = o.OperationProjection(
        state=state,
        events=[launched],
        first_start=state.sessions[0].start,
        last_end=state.sessions[-1].end,
        sessions_total=len(state.sessions),
        sessions_ended=sum(1 for s in state.sessions if s.status == o.ENDED),
    )
    await asyncio.to_thread(project_operation, projection)
    parent = operation_workflow_id(state.operation_id)
    for d in state.departments:
        await client.start_workflow(
            "OperationDepartmentWorkflow",
            o.DepartmentInput(operation_id=state.operation_id, department=d.code, parent_id=parent),
            id=operation_department_workflow_id(state.operation_id, d.code),
            task_queue=queue,
        )
    inp = o.OperationInput(
        operation_id=state.operation_id,
        title=state.title,
        goal=state.goal,
        area=state.area,
        sessions=[o.SessionWindow(s.start, s.end) for s in state.sessions],
        lead=state.lead,
        cooperating=[d.code for d in state.departments if d.role == o.COOPERATING],
        confirm_deadline=state.confirm_deadline,
        launched_by=OP_STAFF["coordinator"],
        state=state,
    )
    return await client.start_workflow(OperationWorkflow.run, inp, id=parent, task_queue=queue)


async def end_operations(client: Client, handles: list[WorkflowHandle]) -> None:
    """Ends the walk's operations, their departments' clocks and the cases they spawned."""
    for handle in handles:
        state = await handle.query(OperationWorkflow.state)
        ids = [
            operation_department_workflow_id(state.operation_id, d.code) for d in state.departments
        ]
        ids += [case_workflow_id(f.case_number) for f in state.findings if f.case_number]
        for workflow_id in [*ids, handle.id]:
            try:
                await client.get_workflow_handle(workflow_id).terminate("walk over")
            except RPCError:
                pass
