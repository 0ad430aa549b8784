"""The cast of the catalogue walk: cases prepared in every status, the people who act on them,
the one valid input of every action, and what the action catalogue says each attempt gets.

A case workflow is started directly in a status with a prepared CaseState (the `state` field of
CaseInput, meant for continue-as-new), its projection row written as the activity would write it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from activities.case import compute_clock, project_case
from core import payloads as p
from core.naming import case_workflow_id
from workflows.case import CaseWorkflow
from workflows.case_actions import CaseFacts, refusal

T = TypeVar("T")
OWN, OTHER, INTERIM = "sw", "sz", "hongqi"
STAFF = {
    "coordinator": p.Actor(username="coordinator", role="coordinator"),
    "supervisor": p.Actor(username="supervisor", role="supervisor"),
    "inspector": p.Actor(username="inspector", role="inspector"),
    "admin": p.Actor(username="admin", role="admin"),
    f"liaison-{OWN}": p.Actor(username=f"liaison-{OWN}", role="liaison", department=OWN),
    f"liaison-{OTHER}": p.Actor(username=f"liaison-{OTHER}", role="liaison", department=OTHER),
    f"liaison-{INTERIM}": p.Actor(
        username=f"liaison-{INTERIM}", role="liaison", department=INTERIM
    ),
}
CITIZEN = p.Actor(username="reporter", role="citizen")
ACTORS = {**STAFF, "citizen": CITIZEN}

# walk item -> (update, input class, the fields of a valid input; also the API's JSON body)
CASE_ITEMS: dict[str, tuple[str, type, dict[str, Any]]] = {
    "register": ("register", p.RegisterInput, {}),
    "void": ("void", p.VoidInput, {"reason": "重复上报"}),
    "dispatch": ("dispatch", p.DispatchInput, {"department": OWN}),
    "accept": ("accept", p.AcceptInput, {}),
    "bounce": ("bounce", p.BounceInput, {"reason": "不属于本部门"}),
    "arbitrate": ("arbitrate", p.ArbitrateInput, {"department": OWN}),
    "request-extension": (
        "request-extension",
        p.ExtensionRequestInput,
        {"amount": 1, "unit": "working_hours", "reason": "等待配件"},
    ),
    "decide-extension": ("decide-extension", p.ExtensionDecisionInput, {"approve": True}),
    "report": ("report", p.ReportInput, {"note": "已更换井盖"}),
    "verify": ("verify", p.VerifyInput, {"passed": True}),
    "callback": ("callback", p.CallbackInput, {"satisfaction": "satisfied"}),
    "rate": ("rate", p.RateInput, {"satisfaction": "satisfied"}),
    "interim-report": ("interim-report", p.InterimReportInput, {"note": "已设置围挡"}),
    "urge": ("urge", p.UrgeInput, {"note": "请尽快处置"}),
    "park": ("park", p.ParkInput, {"reason": "等待上级批复"}),
    "unpark": ("unpark", p.ParkInput, {"reason": "批复已到"}),
    "override:reassign": (
        "override",
        p.OverrideInput,
        {"action": "reassign", "department": OTHER, "reason": "长期未处置"},
    ),
    "override:extend": (
        "override",
        p.OverrideInput,
        {"action": "extend", "amount": 2, "unit": "working_hours", "reason": "天气原因"},
    ),
    "override:close": ("override", p.OverrideInput, {"action": "close", "reason": "已另案处理"}),
    "override:reopen": ("override", p.OverrideInput, {"action": "reopen", "reason": "复发"}),
}


def case_states(now: datetime) -> dict[str, p.CaseState]:
    """Returns a case in each status, and in the variants its guards look at, by a walk name."""

    def clock(kind: str, paused: bool = False) -> p.Clock:
        # The clock the activity computes, its ladder days ahead of the server's time.
        made = compute_clock(p.ClockRequest(kind=kind, start=now, amount=4, unit="working_days"))
        return dataclasses.replace(made, paused_at=now if paused else None)

    pending = p.PendingExtension(
        amount=1,
        unit="working_hours",
        reason="等待配件",
        requested_by="liaison-sw",
        requested_at=now,
    )
    handling: dict[str, Any] = {"department": OWN, "clock": clock("handle"), "accepted_at": now}
    variants: dict[str, dict[str, Any]] = {
        "new": {},
        "registered": {},
        "voided": {},
        "dispatched": {"department": OWN, "clock": clock("accept"), "dispatched_at": now},
        "in_progress": handling,
        "in_progress+extension": {**handling, "extension": pending},
        "in_progress+interim": {**handling, "interim_department": INTERIM},
        "bounced": {"bounces": 1},
        "disputed": {"bounces": 2},
        "bounced+made_safe": {"bounces": 1, "interim_department": INTERIM, "interim_done": True},
        "parked": {**handling, "clock": clock("handle", True), "parked_from": p.IN_PROGRESS},
        "parked+extension": {
            **handling,
            "clock": clock("handle", True),
            "parked_from": p.IN_PROGRESS,
            "extension": pending,
        },
        "reported": {"department": OWN, "reported_at": now},
        "verified": {"department": OWN, "reported_at": now},
        "verified+rated": {
            "department": OWN,
            "reported_at": now,
            "satisfaction": "dissatisfied",
            "reporter_rating": "dissatisfied",
        },
        "closed": {"department": OWN, "closed_at": now, "satisfaction": "satisfied"},
        "closed+unowned": {"closed_at": now},
    }
    return {name: _state(name.split("+")[0], now, **fields) for name, fields in variants.items()}


def _state(status: str, now: datetime, **fields: Any) -> p.CaseState:
    return p.CaseState(
        number=f"W-{uuid.uuid4().hex[:12]}",
        category="manhole-cover",
        limit_amount=4.0,
        limit_unit="working_hours",
        description="井盖缺失，行人有坠落风险",
        grid="hongqi-01",
        street="hongqi",
        address="红旗路1号",
        channel="hotline",
        created_at=now,
        status=status,
        seq=1,
        version=1,
        **fields,
    )


def expected(item: str, actor: p.Actor, state: p.CaseState) -> str | None:
    """Returns the code the catalogue refuses the walk item with, or None when it allows it."""
    update, _cls, fields = CASE_ITEMS[item]
    option = fields.get("action") if update == "override" else None
    refused = refusal(update, actor, CaseFacts.of_state(state), option)
    return refused.code if refused else None


def case_input(item: str, actor: p.Actor) -> tuple[str, Any]:
    """Returns the update and the valid input of a walk item taken by `actor`."""
    update, cls, fields = CASE_ITEMS[item]
    return update, cls(actor=actor, **fields)


async def start_prepared(client: Client, queue: str, state: p.CaseState) -> WorkflowHandle:
    """Writes the projection of `state` (with its first timeline line) and runs its workflow."""
    created = p.TimelineEntry(
        seq=1, at=state.created_at, actor="coordinator", action="created", detail="受理", data={}
    )
    await asyncio.to_thread(project_case, p.CaseProjection(state=state, events=[created]))
    inp = p.CaseInput(
        number=state.number,
        category=state.category,
        limit_amount=state.limit_amount,
        limit_unit=state.limit_unit,
        description=state.description,
        grid=state.grid,
        street=state.street,
        address=state.address,
        channel=state.channel,
        created_by=STAFF["coordinator"],
        state=state,
    )
    return await client.start_workflow(
        CaseWorkflow.run, inp, id=case_workflow_id(state.number), task_queue=queue
    )


async def terminate(handles: Iterable[WorkflowHandle]) -> None:
    """Ends the walk's workflows (a voided one has ended by itself)."""
    for handle in handles:
        try:
            await handle.terminate("walk over")
        except RPCError:
            pass


async def gather_limited(calls: Iterable[Callable[[], Awaitable[T]]], limit: int = 24) -> list[T]:
    """Runs the calls at most `limit` at a time; returns their results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls))
