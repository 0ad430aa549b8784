"""Refused actions: the caller learns why at once, and the case stays exactly as it was.

Each refusal surfaces as `WorkflowUpdateFailedError` whose `.cause` is a non-retryable
`ApplicationError`: `.type` is `forbidden` (403), `conflict` (409, details name the status) or
`invalid` (422, details name the field), and its details carry the reason `code` of the action
catalogue (workflows/case_actions.py).
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
from core import refusals as r
from workflows.case import CaseWorkflow as W
from workflows.case_actions import CASE_ACTIONS

SW, SZ = liaison("sw"), liaison("sz")
CITIZEN = p.Actor(username="reporter", role="citizen")


async def _reach(case: CaseDriver, status: str) -> None:
    """Takes a fresh case to `status` (the department is sw wherever there is one)."""
    if status == "new":
        return
    if status == "rated":  # the reporter has rated the result
        await _reach(case, "verified")
        await case.act(W.rate, p.RateInput(actor=CITIZEN, satisfaction="dissatisfied"))
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


# (case status, update, input, reason code, the detail it names: status or field)
# fmt: off
CASES: list[tuple[str, Any, Any, str, str | None]] = [
    # The liaison of another department.
    ("dispatched", W.accept, p.AcceptInput(actor=SZ), r.WRONG_DEPARTMENT, None),
    ("dispatched", W.bounce, p.BounceInput(actor=SZ, reason="不归我们"), r.WRONG_DEPARTMENT, None),
    ("in_progress", W.report, p.ReportInput(actor=SZ, note="已处置"), r.WRONG_DEPARTMENT, None),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SZ, amount=1, unit="working_days", reason="忙"), r.WRONG_DEPARTMENT, None),
    ("in_progress", W.interim_report, p.InterimReportInput(actor=SW, note="已围挡"),
     r.WRONG_DEPARTMENT, None),
    # A role that may not take the action.
    ("new", W.register, p.RegisterInput(actor=SW), r.WRONG_ROLE, None),
    ("new", W.register, p.RegisterInput(actor=ADMIN), r.WRONG_ROLE, None),
    ("registered", W.dispatch, p.DispatchInput(actor=SUPERVISOR, department="sw"), r.WRONG_ROLE,
     None),
    ("dispatched", W.accept, p.AcceptInput(actor=COORDINATOR), r.WRONG_ROLE, None),
    ("disputed", W.arbitrate, p.ArbitrateInput(actor=COORDINATOR, department="sw"), r.WRONG_ROLE,
     None),
    ("reported", W.verify, p.VerifyInput(actor=SW, passed=True), r.WRONG_ROLE, None),
    ("verified", W.callback, p.CallbackInput(actor=INSPECTOR, satisfaction="satisfied"),
     r.WRONG_ROLE, None),
    ("verified", W.rate, p.RateInput(actor=COORDINATOR, satisfaction="satisfied"), r.WRONG_ROLE,
     None),
    ("in_progress", W.park, p.ParkInput(actor=COORDINATOR, reason="待审批"), r.WRONG_ROLE, None),
    ("in_progress", W.urge, p.UrgeInput(actor=SW, note="快"), r.WRONG_ROLE, None),
    ("pending_extension", W.decide_extension, p.ExtensionDecisionInput(actor=SW, approve=True),
     r.WRONG_ROLE, None),
    ("in_progress", W.override, p.OverrideInput(actor=COORDINATOR, action="close", reason="x"),
     r.WRONG_ROLE, None),
    # The case's status does not allow it.
    ("registered", W.register, p.RegisterInput(actor=COORDINATOR), r.WRONG_STATE, "registered"),
    ("dispatched", W.void, p.VoidInput(actor=COORDINATOR, reason="重复"), r.WRONG_STATE,
     "dispatched"),
    ("in_progress", W.accept, p.AcceptInput(actor=SW), r.WRONG_STATE, "in_progress"),
    ("in_progress", W.verify, p.VerifyInput(actor=INSPECTOR, passed=True), r.WRONG_STATE,
     "in_progress"),
    ("reported", W.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied"),
     r.WRONG_STATE, "reported"),
    ("disputed", W.dispatch, p.DispatchInput(actor=COORDINATOR, department="sw"), r.WRONG_STATE,
     "disputed"),
    ("in_progress", W.unpark, p.ParkInput(actor=SUPERVISOR, reason="恢复"), r.WRONG_STATE,
     "in_progress"),
    ("closed", W.urge, p.UrgeInput(actor=SUPERVISOR, note="快"), r.WRONG_STATE, "closed"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="reopen", reason="x"),
     r.WRONG_STATE, "in_progress"),
    ("bounced", W.override, p.OverrideInput(
        actor=SUPERVISOR, action="extend", amount=1, unit="working_days", reason="x"),
     r.WRONG_STATE, "bounced"),
    # A guard beyond the status.
    ("in_progress", W.decide_extension, p.ExtensionDecisionInput(
        actor=COORDINATOR, approve=True), r.NO_EXTENSION_PENDING, "in_progress"),
    ("pending_extension", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=2, unit="working_hours", reason="再延"), r.EXTENSION_PENDING,
     "in_progress"),
    # A missing, blank or wrong field.
    ("new", W.void, p.VoidInput(actor=COORDINATOR), r.MISSING_FIELD, "reason"),
    ("registered", W.void, p.VoidInput(actor=COORDINATOR, reason="   "), r.MISSING_FIELD,
     "reason"),
    ("dispatched", W.bounce, p.BounceInput(actor=SW, reason=""), r.MISSING_FIELD, "reason"),
    ("in_progress", W.park, p.ParkInput(actor=SUPERVISOR, reason=" \n"), r.MISSING_FIELD,
     "reason"),
    ("parked", W.unpark, p.ParkInput(actor=SUPERVISOR), r.MISSING_FIELD, "reason"),
    ("in_progress", W.report, p.ReportInput(actor=SW, note=" "), r.MISSING_FIELD, "note"),
    ("in_progress", W.urge, p.UrgeInput(actor=COORDINATOR), r.MISSING_FIELD, "note"),
    ("registered", W.dispatch, p.DispatchInput(actor=COORDINATOR, department=" "),
     r.MISSING_FIELD, "department"),
    ("disputed", W.arbitrate, p.ArbitrateInput(
        actor=SUPERVISOR, department="sw", interim_department="sw"), r.INTERIM_IS_OWNER,
     "interim_department"),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=1, unit="working_days", reason=""), r.MISSING_FIELD, "reason"),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=0, unit="working_days", reason="忙"), r.INVALID_VALUE, "amount"),
    ("in_progress", W.request_extension, p.ExtensionRequestInput(
        actor=SW, amount=1, unit="weeks", reason="忙"), r.INVALID_VALUE, "unit"),
    ("verified", W.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="happy"),
     r.INVALID_VALUE, "satisfaction"),
    ("verified", W.callback, p.CallbackInput(
        actor=COORDINATOR, satisfaction="satisfied", reopen=True, note="x"), r.INVALID_VALUE,
     "reopen"),
    # Rework needs a reason; the reporter rates a result once; a rule's scope is one of three.
    ("reported", W.verify, p.VerifyInput(actor=INSPECTOR, passed=False), r.MISSING_FIELD, "note"),
    ("verified", W.callback, p.CallbackInput(
        actor=COORDINATOR, satisfaction="dissatisfied", reopen=True), r.MISSING_FIELD, "note"),
    ("rated", W.rate, p.RateInput(actor=CITIZEN, satisfaction="satisfied"), r.ALREADY_RATED,
     "verified"),
    ("disputed", W.arbitrate, p.ArbitrateInput(
        actor=SUPERVISOR, department="sw", make_rule=True, rule_scope="district"),
     r.INVALID_VALUE, "rule_scope"),
    ("verified", W.rate, p.RateInput(actor=CITIZEN, satisfaction="unreachable"),
     r.INVALID_VALUE, "satisfaction"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="close"),
     r.MISSING_FIELD, "reason"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="delete", reason="x"),
     r.INVALID_VALUE, "action"),
    ("in_progress", W.override, p.OverrideInput(actor=SUPERVISOR, action="reassign",
                                                reason="x"), r.MISSING_FIELD, "department"),
]
# fmt: on


def _id(case: tuple) -> str:
    status, update, inp, code, named = case
    return f"{code}-{update.__name__}-{inp.actor.username}-{status}-{named or ''}"


@pytest.mark.parametrize(
    ("status", "update", "inp", "code", "named"), CASES, ids=[_id(c) for c in CASES]
)
async def test_refused_action_changes_nothing(new_case, status, update, inp, code, named):
    case = await new_case()
    await _reach(case, status)
    kind = r.KINDS[code]
    details = await case.refused(update, inp, kind, code)
    if kind == r.CONFLICT:
        assert details["status"] == named
    elif kind == r.INVALID:
        assert details["field"] == named
    # The catalogue names every code an action's OpenAPI text lists.
    action = update.__name__.replace("_", "-")
    assert code in CASE_ACTIONS[action].refusal_codes()


async def test_refusal_surfaces_as_an_application_error(new_case):
    case = await new_case()
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await case.act(W.dispatch, p.DispatchInput(actor=COORDINATOR, department="sw"))
    cause = info.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.type, cause.non_retryable) == ("conflict", True)
    assert cause.details == ({"code": "wrong_state", "status": "new"},)
    assert "is new" in cause.message  # a human-readable reason for the API's `detail`
    assert refusal(info.value) == ("conflict", {"code": "wrong_state", "status": "new"})


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
