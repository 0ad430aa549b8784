"""The supervisor's overrides (强制): reassign, extend, close and reopen a stuck case."""

from __future__ import annotations

from workflow_helpers import COORDINATOR, SUPERVISOR, assert_exact, liaison, local, to_minute

from core import payloads as p
from core import workcal
from workflows.case import CaseWorkflow


def _override(action: str, reason: str = "值班长强制处理", **kw) -> p.OverrideInput:
    return p.OverrideInput(actor=SUPERVISOR, action=action, reason=reason, **kw)


async def test_reassign_dispatches_to_another_department(new_case, calendar):
    case = await new_case()
    await case.in_progress("sw")
    await case.act(CaseWorkflow.override, _override("reassign", "水务无力处置", department="zj"))
    row = case.row()
    assert (row.status, row.department, row.light) == ("dispatched", "zj", "green")
    assert local(row.accept_deadline) == workcal.add_limit(
        to_minute(row.dispatched_at), 1, "working_hours", calendar
    )
    override = case.last("override")
    assert (override.actor, override.detail) == ("supervisor", "水务无力处置")
    assert (override.data["override"], override.data["department"]) == ("reassign", "zj")
    assert case.actions()[-2:] == ["override", "dispatched"]
    # Only the new department's liaison may accept now.
    await case.refused(CaseWorkflow.accept, p.AcceptInput(actor=liaison("sw")), "forbidden")
    await case.accept("zj")
    assert case.row().status == "in_progress"


async def test_reassign_drops_the_old_departments_pending_extension(new_case):
    case = await new_case()
    await case.in_progress("sw")
    await case.act(
        CaseWorkflow.request_extension,
        p.ExtensionRequestInput(
            actor=liaison("sw"), amount=2, unit="working_days", reason="需开挖路面"
        ),
    )
    await case.act(CaseWorkflow.override, _override("reassign", department="zj"))
    await case.accept("zj")
    row = case.row()
    assert (row.department, row.extension_pending) == ("zj", None)
    # The new department's request is its own, not refused as "already pending".
    await case.act(
        CaseWorkflow.request_extension,
        p.ExtensionRequestInput(
            actor=liaison("zj"), amount=1, unit="working_days", reason="需协调交警"
        ),
    )
    assert case.row().extension_pending["requested_by"] == "liaison-zj"


async def test_extend_moves_the_running_deadline(new_case, calendar):
    case = await new_case()
    await case.in_progress("sw")
    before = case.row().deadline
    await case.act(
        CaseWorkflow.override, _override("extend", "汛期抢险", amount=2, unit="working_hours")
    )
    row = case.row()
    assert local(row.deadline) == workcal.add_working_minutes(before, 120, calendar)
    assert (row.status, row.extensions) == ("in_progress", 1)
    assert case.last("override").data["override"] == "extend"


async def test_extend_an_unaccepted_dispatch_moves_the_accept_deadline(new_case, calendar):
    case = await new_case()
    await case.register()
    await case.dispatch("sw")
    before = case.row().accept_deadline
    await case.act(CaseWorkflow.override, _override("extend", amount=1, unit="working_days"))
    row = case.row()
    assert local(row.accept_deadline) == workcal.add_working_minutes(before, 420, calendar)
    assert row.status == "dispatched"


async def test_close_ends_a_stuck_case(new_case):
    case = await new_case()
    await case.in_progress("sw")
    await case.act(
        CaseWorkflow.request_extension,
        p.ExtensionRequestInput(
            actor=liaison("sw"), amount=1, unit="working_days", reason="等待配件"
        ),
    )
    await case.act(CaseWorkflow.override, _override("close", "已由上级部门处理完毕"))
    row = case.row()
    assert (row.status, row.light, row.department) == ("closed", None, "sw")
    assert row.extension_pending is None
    assert row.closed_at is not None
    assert case.actions()[-2:] == ["override", "closed"]
    closed = case.last("closed")
    assert (closed.detail, closed.data["cause"]) == ("已由上级部门处理完毕", "override")


async def test_close_from_parked(new_case):
    case = await new_case()
    await case.in_progress("sw")
    await case.act(CaseWorkflow.park, p.ParkInput(actor=SUPERVISOR, reason="待拆迁"))
    await case.act(CaseWorkflow.override, _override("close"))
    assert (case.row().status, case.row().light) == ("closed", None)


async def test_reopen_puts_a_closed_case_back_in_progress(new_case, calendar):
    case = await new_case()
    await case.reported("sw")
    await case.verify(passed=True)
    await case.act(
        CaseWorkflow.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied")
    )
    assert case.row().status == "closed"

    await case.act(CaseWorkflow.override, _override("reopen", "市民再次投诉，井盖又丢失"))
    row = case.row()
    assert (row.status, row.department, row.closed_at, row.light) == (
        "in_progress",
        "sw",
        None,
        "green",
    )
    reopened = case.last("override")
    assert (reopened.data["override"], reopened.detail) == ("reopen", "市民再次投诉，井盖又丢失")
    assert_exact(
        row.deadline, workcal.add_limit(to_minute(reopened.at), 4, "working_hours", calendar)
    )
    # The loop goes on from there.
    await case.report()
    assert case.row().status == "reported"
