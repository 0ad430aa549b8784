"""Refused actions: the caller learns why at once, and the case stays exactly as it was.

Each refusal surfaces as `WorkflowUpdateFailedError` whose `.cause` is a non-retryable
`ApplicationError`: `.type` is `forbidden` (403), `conflict` (409, details name the status) or
`invalid` (422, details name the field).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from workflow_helpers import (
    ADMIN,
    COORDINATOR,
    INSPECTOR,
    SUPERVISOR,
    CaseDriver,
    liaison,
    refusal,
)

from core import payloads as p
from workflows.case import CaseWorkflow as W

SW, SZ = liaison("sw"), liaison("sz")


async def _reach(case: CaseDriver, status: str) -> None:
    """Takes a fresh case to `status` (the department is sw wherever there is one)."""
    if status == "new":
        return
    if status == "closed":
        await _reach(case, "verified")
        await case.act(W.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied"))
        return
    await case.register()
    if status == "registered":
        return
    if status in ("bounced", "disputed"):
        await case.dispatch("sw")
        await case.bounce()
        if status == "disputed":
            await case.dispatch("sw")
            await case.bounce()
        return
    await case.dispatch("sw")
    if status == "dispatched":
        return
    await case.accept()
    if status == "parked":
        await case.act(W.park, p.ParkInput(actor=SUPERVISOR, reason="待审批"))
    elif status == "pending_extension":
        await case.act(
            W.request_extension,
            p.ExtensionRequestInput(actor=SW, amount=1, unit="working_days", reason="等待配件"),
        )
    elif status in ("reported", "verified"):
        await case.report()
        if status == "verified":
            await case.verify(passed=True)


# (case status, update, input, refusal kind, the detail it names: status or field)
# fmt: off
CASES: list[tuple[str, Any, Any, str, str | None]] = [
    # The liaison of another department.
    ("dispatched", W.accept, p.AcceptInput(actor=SZ), "forbidden", None),
    ("dispatched", W.bounce, p.BounceInput(actor=SZ, reason="不归我们"), "forbidden", None),
    ("in_progress", W.report, p.ReportInput(actor=SZ, note="已处置"), "forbidden", None),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SZ, amount=1, unit="working_days", reason="忙"), "forbidden", None),
    # A role that may not take the action.
    ("new", W.register, p.RegisterInput(actor=SW), "forbidden", None),
    ("new", W.register, p.RegisterInput(actor=ADMIN), "forbidden", None),
    ("registered", W.dispatch, p.DispatchInput(actor=SUPERVISOR, department="sw"), "forbidden",
     None),
    ("dispatched", W.accept, p.AcceptInput(actor=COORDINATOR), "forbidden", None),
    ("disputed", W.arbitrate, p.ArbitrateInput(actor=COORDINATOR, department="sw"), "forbidden",
     None),
    ("reported", W.verify, p.VerifyInput(actor=SW, passed=True), "forbidden", None),
    ("verified", W.callback, p.CallbackInput(actor=INSPECTOR, satisfaction="satisfied"),
     "forbidden", None),
    ("in_progress", W.park, p.ParkInput(actor=COORDINATOR, reason="待审批"), "forbidden", None),
    ("in_progress", W.urge, p.UrgeInput(actor=SW, note="快"), "forbidden", None),
    ("pending_extension", W.decide_extension, p.ExtensionDecisionInput(actor=SW, approve=True),
     "forbidden", None),
    ("in_progress", W.override, p.OverrideInput(actor=COORDINATOR, action="close", reason="x"),
     "forbidden", None),
    # The case's status does not allow it.
    ("registered", W.register, p.RegisterInput(actor=COORDINATOR), "conflict", "registered"),
    ("dispatched", W.void, p.VoidInput(actor=COORDINATOR, reason="重复"), "conflict", "dispatched"),
    ("in_progress", W.accept, p.AcceptInput(actor=SW), "conflict", "in_progress"),
    ("in_progress", W.verify, p.VerifyInput(actor=INSPECTOR, passed=True), "conflict",
     "in_progress"),
    ("reported", W.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied"),
     "conflict", "reported"),
    ("disputed", W.dispatch, p.DispatchInput(actor=COORDINATOR, department="sw"), "conflict",
     "disputed"),
    ("in_progress", W.unpark, p.ParkInput(actor=SUPERVISOR, reason="恢复"), "conflict",
     "in_progress"),
    ("in_progress", W.decide_extension, p.ExtensionDecisionInput(
        actor=COORDINATOR, approve=True), "conflict", "in_progress"),
    ("pending_extension", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=2, unit="working_hours", reason="再延"), "conflict", "in_progress"),
    ("closed", W.urge, p.UrgeInput(actor=SUPERVISOR, note="快"), "conflict", "closed"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="reopen", reason="x"),
     "conflict", "in_progress"),
    ("bounced", W.override, p.OverrideInput(
        actor=SUPERVISOR, action="extend", amount=1, unit="working_days", reason="x"),
     "conflict", "bounced"),
    # A missing, blank or wrong field.
    ("new", W.void, p.VoidInput(actor=COORDINATOR), "invalid", "reason"),
    ("registered", W.void, p.VoidInput(actor=COORDINATOR, reason="   "), "invalid", "reason"),
    ("dispatched", W.bounce, p.BounceInput(actor=SW, reason=""), "invalid", "reason"),
    ("in_progress", W.park, p.ParkInput(actor=SUPERVISOR, reason=" \n"), "invalid", "reason"),
    ("parked", W.unpark, p.ParkInput(actor=SUPERVISOR), "invalid", "reason"),
    ("in_progress", W.report, p.ReportInput(actor=SW, note=" "), "invalid", "note"),
    ("in_progress", W.urge, p.UrgeInput(actor=COORDINATOR), "invalid", "note"),
    ("registered", W.dispatch, p.DispatchInput(actor=COORDINATOR, department=" "), "invalid",
     "department"),
    ("disputed", W.arbitrate, p.ArbitrateInput(
        actor=SUPERVISOR, department="sw", interim_department="sw"), "invalid",
     "interim_department"),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=1, unit="working_days", reason=""), "invalid", "reason"),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=0, unit="working_days", reason="忙"), "invalid", "amount"),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=1, unit="weeks", reason="忙"), "invalid", "unit"),
    ("verified", W.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="happy"),
     "invalid", "satisfaction"),
    ("verified", W.callback, p.CallbackInput(
        actor=COORDINATOR, satisfaction="satisfied", reopen=True), "invalid", "reopen"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="close"), "invalid",
     "reason"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="delete", reason="x"),
     "invalid", "action"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="reassign",
                                                reason="x"), "invalid", "department"),
]
# fmt: on


def _id(case: tuple) -> str:
    status, update, inp, kind, named = case
    return f"{kind}-{update.__name__}-{inp.actor.username}-{status}-{named or ''}"


@pytest.mark.parametrize(
    ("status", "update", "inp", "kind", "named"), CASES, ids=[_id(c) for c in CASES]
)
async def test_refused_action_changes_nothing(new_case, status, update, inp, kind, named):
    case = await new_case()
    await _reach(case, status)
    details = await case.refused(update, inp, kind)
    if kind == "conflict":
        assert details["status"] == named
    elif kind == "invalid":
        assert details["field"] == named


async def test_refusal_surfaces_as_an_application_error(new_case):
    case = await new_case()
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await case.act(W.dispatch, p.DispatchInput(actor=COORDINATOR, department="sw"))
    cause = info.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.type, cause.non_retryable) == ("conflict", True)
    assert cause.details == ({"code": "conflict", "status": "new"},)
    assert "is new" in cause.message  # a human-readable reason for the API's `detail`
    assert refusal(info.value) == ("conflict", {"code": "conflict", "status": "new"})


async def test_refused_case_still_takes_the_right_action(new_case):
    case = await new_case()
    await _reach(case, "dispatched")
    await case.refused(W.accept, p.AcceptInput(actor=SZ), "forbidden")
    await case.refused(W.void, p.VoidInput(actor=COORDINATOR, reason="重复"), "conflict")
    await case.accept("sw")
    assert case.actions() == ["created", "registered", "dispatched", "accepted"]


async def test_racing_actions_one_wins_and_the_other_is_refused(new_case):
    case = await new_case()
    await _reach(case, "dispatched")
    results = await asyncio.gather(
        case.act(W.accept, p.AcceptInput(actor=SW)),
        case.act(W.bounce, p.BounceInput(actor=SW, reason="不归我们")),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, p.CaseView)]
    lost = [r for r in results if isinstance(r, WorkflowUpdateFailedError)]
    assert (len(won), len(lost)) == (1, 1), results
    kind, details = refusal(lost[0])
    if won[0].status == "in_progress":  # accepted first: the bounce finds the wrong status
        assert (kind, details["status"]) == ("conflict", "in_progress")
    else:  # bounced first: the case has no department now, so the accept hears its status
        assert (won[0].status, kind, details["status"]) == ("bounced", "conflict", "bounced")
    await case.settle()
    row = case.row()
    assert row.status == won[0].status
    assert case.actions()[-1] == {"in_progress": "accepted", "bounced": "bounced"}[row.status]
