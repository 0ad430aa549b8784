"""Refusals, accepted declines, cancel and postpone of a joint operation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from operation_driver import evening, operations
from workflow_helpers import ADMIN, COORDINATOR, INSPECTOR, SUPERVISOR, liaison, now

from core import operation_payloads as o
from models import operation_store as store
from workflows.operation import OperationWorkflow as Op


@pytest.fixture
async def launch(time_env, worker_queue, engine):
    async with operations(time_env, worker_queue, engine) as start:
        yield start


async def _two_nights(launch, time_env, **kw):
    t0 = await now(time_env)
    deadline = t0 + timedelta(days=2)
    nights = [evening(t0 + timedelta(days=4)), evening(t0 + timedelta(days=5))]
    return await launch(nights, deadline, **kw), nights, deadline


async def test_refusals_leave_the_operation_unchanged(launch, time_env):
    op, _nights, _deadline = await _two_nights(launch, time_env)
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("cg"), people=5, vehicles=1))

    # Wrong role.
    await op.refused(Op.confirm, o.ConfirmInput(actor=INSPECTOR, people=2), "forbidden")
    await op.refused(Op.cancel, o.CancelInput(actor=liaison("cg"), reason="x"), "forbidden")
    await op.refused(Op.postpone, o.PostponeInput(actor=SUPERVISOR, reason="x"), "forbidden")
    await op.refused(Op.rule_decline, o.RuleDeclineInput(actor=ADMIN, department="ga"), "forbidden")
    # Wrong department: sw takes no part.
    await op.refused(Op.confirm, o.ConfirmInput(actor=liaison("sw"), people=2), "forbidden")
    await op.refused(Op.decline, o.DeclineInput(actor=liaison("sw"), reason="x"), "forbidden")
    # Wrong state.
    details = await op.refused(
        Op.log_finding, o.FindingInput(actor=liaison("cg"), counts=o.Counts(warnings=1)), "conflict"
    )
    assert details["status"] == "confirming"
    await op.refused(Op.report, o.SessionReportInput(actor=liaison("cg"), session=1), "conflict")
    await op.refused(Op.close, o.CloseInput(actor=COORDINATOR), "conflict")
    details = await op.refused(
        Op.confirm, o.ConfirmInput(actor=liaison("cg"), people=5), "conflict"
    )
    assert details["department_status"] == "confirmed"
    await op.refused(
        Op.rule_decline,
        o.RuleDeclineInput(actor=COORDINATOR, department="ga", accept=True),
        "conflict",
    )
    await op.refused(Op.decline, o.DeclineInput(actor=liaison("cg"), reason="x"), "conflict")
    # Missing reason or wrong field.
    details = await op.refused(
        Op.decline, o.DeclineInput(actor=liaison("ga"), reason=" "), "invalid"
    )
    assert details["field"] == "reason"
    await op.refused(Op.cancel, o.CancelInput(actor=COORDINATOR), "invalid")
    details = await op.refused(Op.postpone, o.PostponeInput(actor=COORDINATOR), "invalid")
    assert details["field"] == "reason"
    details = await op.refused(Op.confirm, o.ConfirmInput(actor=liaison("ga"), people=0), "invalid")
    assert details["field"] == "people"
    details = await op.refused(Op.rule_decline, o.RuleDeclineInput(actor=COORDINATOR), "invalid")
    assert details["field"] == "department"

    # An overrule needs a reason; an overruled department cannot decline again.
    await op.act(Op.decline, o.DeclineInput(actor=liaison("ga"), reason="警力不足"))
    details = await op.refused(
        Op.rule_decline,
        o.RuleDeclineInput(actor=SUPERVISOR, department="ga", accept=False),
        "invalid",
    )
    assert details["field"] == "reason"
    await op.act(
        Op.rule_decline,
        o.RuleDeclineInput(actor=SUPERVISOR, department="ga", reason="治安保障不可缺"),
    )
    await op.refused(Op.decline, o.DeclineInput(actor=liaison("ga"), reason="仍然不足"), "conflict")
    assert op.actions() == ["launched", "confirmed", "declined", "decline_overruled"]
    assert op.row().status == "confirming"


async def test_accepted_decline_withdraws_the_department(launch, time_env):
    op, nights, _deadline = await _two_nights(launch, time_env)
    await op.act(Op.decline, o.DeclineInput(actor=liaison("hongqi"), reason="镇里另有活动"))
    await op.act(
        Op.rule_decline, o.RuleDeclineInput(actor=COORDINATOR, department="hongqi", accept=True)
    )
    assert op.department("hongqi").status == "withdrawn"
    child = time_env.client.get_workflow_handle(f"operation-{op.operation_id}-hongqi")
    assert await child.result() is None
    for code in ("cg", "ga", "hb", "sj"):
        await op.act(Op.confirm, o.ConfirmInput(actor=liaison(code), people=2))
    await op.sleep_until(nights[0].end + timedelta(minutes=1))
    # No report is due from a withdrawn department.
    assert sorted(r.department for r in op.read(store.reports)) == ["cg", "ga", "hb", "sj"]
    await op.refused(
        Op.report, o.SessionReportInput(actor=liaison("hongqi"), session=1), "conflict"
    )


async def test_cancel_ends_the_operation_and_its_children(launch, time_env):
    op, nights, _deadline = await _two_nights(launch, time_env)
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("cg"), people=5))
    view = await op.act(Op.cancel, o.CancelInput(actor=SUPERVISOR, reason="台风预警，行动取消"))
    assert view.status == "cancelled"
    row = op.row()
    assert (row.status, row.cancel_reason, row.closed_by) == (
        "cancelled",
        "台风预警，行动取消",
        "supervisor",
    )
    assert [s.status for s in op.read(store.sessions)] == ["cancelled", "cancelled"]
    assert op.lines("cancelled")[0].detail == "台风预警，行动取消"
    for code in ("cg", "ga", "hb", "sj", "hongqi"):
        child = time_env.client.get_workflow_handle(f"operation-{op.operation_id}-{code}")
        assert await child.result() is None
    # Its windows pass without a session starting; late actions are conflicts.
    await op.sleep_until(nights[0].start + timedelta(minutes=1))
    assert op.row().status == "cancelled"
    details = await op.refused(
        Op.confirm, o.ConfirmInput(actor=liaison("ga"), people=2), "conflict"
    )
    assert details["status"] == "cancelled"


async def test_postpone_shifts_the_sessions_and_the_confirmation(launch, time_env):
    op, nights, deadline = await _two_nights(launch, time_env)
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("cg"), people=5))
    later = nights[0].start + timedelta(days=3)
    details = await op.refused(
        Op.postpone,
        o.PostponeInput(
            actor=COORDINATOR, reason="等待会商", start=nights[0].start - timedelta(hours=1)
        ),
        "invalid",
    )
    assert details["field"] == "start"
    view = await op.act(
        Op.postpone, o.PostponeInput(actor=COORDINATOR, reason="会商推迟三天", start=later)
    )
    assert view.status == "confirming"
    sessions = op.read(store.sessions)
    assert [(s.start, s.end) for s in sessions] == [
        (w.start + timedelta(days=3), w.end + timedelta(days=3)) for w in nights
    ]
    row = op.row()
    assert (row.postponed, row.confirm_deadline, row.first_start) == (
        1,
        deadline + timedelta(days=3),
        later,
    )
    line = op.lines("postponed")[0]
    assert (line.detail, line.data["shift_minutes"]) == ("会商推迟三天", 3 * 24 * 60)

    # The old window passes quietly, and nobody is escalated at the old deadline.
    await op.sleep_until(nights[0].end + timedelta(minutes=1))
    assert (op.row().status, op.read(store.sessions)[0].status) == ("confirming", "scheduled")
    assert not op.lines("escalated")
    # The new confirmation deadline escalates the silent departments; the new window starts.
    await op.sleep_until(later + timedelta(minutes=1))
    await op.eventually(lambda: len(op.lines("escalated")) == 4, "four escalated")
    assert sorted(e.department for e in op.lines("escalated")) == ["ga", "hb", "hongqi", "sj"]
    assert op.row().status == "running"
