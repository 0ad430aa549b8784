"""The closed loop (七步闭环): intake, dispatch, handling, verification, callback and rework."""

from __future__ import annotations

from workflow_helpers import (
    COORDINATOR,
    SUPERVISOR,
    assert_close,
    assert_exact,
    liaison,
    now,
    to_minute,
)

from core import payloads as p
from core import workcal
from workflows.case import CaseWorkflow


async def test_happy_path_closes_with_a_satisfied_callback(new_case, time_env, calendar):
    case = await new_case()
    row = case.row()
    assert (row.status, row.department, row.light, row.version) == ("new", None, None, 1)
    assert row.reporter_phone == "13800000000"

    view = await case.register()
    assert (view.status, case.row().status) == ("registered", "registered")

    view = await case.dispatch("sw")
    row = case.row()
    assert (view.status, row.status, row.department, row.light) == (
        "dispatched",
        "dispatched",
        "sw",
        "green",
    )
    assert_exact(
        row.accept_deadline,
        workcal.add_limit(to_minute(row.dispatched_at), 1, "working_hours", calendar),
    )
    assert row.deadline is None

    await case.accept()
    row = case.row()
    assert (row.status, row.department, row.light) == ("in_progress", "sw", "green")
    # Handling clock: the category's 4 working hours, counted from acceptance.
    assert_exact(
        row.deadline, workcal.add_limit(to_minute(row.accepted_at), 4, "working_hours", calendar)
    )
    assert_exact(
        row.yellow_at, workcal.add_working_minutes(to_minute(row.accepted_at), 180, calendar)
    )

    await case.report("井盖已更换")
    row = case.row()
    assert (row.status, row.light, row.handled_on_time) == ("reported", None, True)

    await case.verify(passed=True, note="现场核查，井盖已复位")
    assert case.row().status == "verified"

    view = await case.act(
        CaseWorkflow.callback,
        p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied", note="市民表示满意"),
    )
    row = case.row()
    assert (view.status, row.status, row.satisfaction) == ("closed", "closed", "satisfied")
    assert_close(row.closed_at, await now(time_env))
    assert (row.bounces, row.reworks, row.escalation_level) == (0, 0, 0)

    timeline = [(e.action, e.actor) for e in case.events()]
    assert timeline == [
        ("created", "coordinator"),
        ("registered", "coordinator"),
        ("dispatched", "coordinator"),
        ("accepted", "liaison-sw"),
        ("reported", "liaison-sw"),
        ("verified", "inspector"),
        ("callback", "coordinator"),
        ("closed", "coordinator"),
    ]
    assert [e.seq for e in case.events()] == list(range(1, 9))
    assert case.last("dispatched").data["department"] == "sw"
    assert case.last("reported").detail == "井盖已更换"
    assert case.last("callback").data["satisfaction"] == "satisfied"
    assert case.row().version == (await case.state()).version


async def test_void_from_new(new_case):
    case = await new_case()
    view = await case.act(CaseWorkflow.void, p.VoidInput(actor=COORDINATOR, reason="重复上报"))
    assert view.status == "voided"
    assert case.row().status == "voided"
    assert (case.last("voided").actor, case.last("voided").detail) == ("coordinator", "重复上报")
    # A voided case is final: its workflow ends.
    assert (await case.handle.result()).status == "voided"


async def test_void_from_registered(new_case):
    case = await new_case()
    await case.register()
    await case.act(CaseWorkflow.void, p.VoidInput(actor=COORDINATOR, reason="非城市管理问题"))
    assert case.row().status == "voided"
    assert case.actions() == ["created", "registered", "voided"]
    assert (await case.handle.result()).status == "voided"


async def test_one_bounce_waits_for_the_coordinator_to_redispatch(new_case, calendar):
    case = await new_case()
    await case.register()
    await case.dispatch("sz")
    await case.act(
        CaseWorkflow.bounce,
        p.BounceInput(actor=liaison("sz"), reason="井盖属水务管线", suggested_department="sw"),
    )
    row = case.row()
    assert (row.status, row.department, row.bounces, row.light) == ("bounced", None, 1, None)
    bounced = case.last("bounced")
    assert (bounced.actor, bounced.detail) == ("liaison-sz", "井盖属水务管线")
    assert bounced.data["department"] == "sz"
    assert bounced.data["suggested_department"] == "sw"

    await case.dispatch("sw")
    row = case.row()
    assert (row.status, row.department, row.bounces, row.light) == ("dispatched", "sw", 1, "green")
    assert_exact(
        row.accept_deadline,
        workcal.add_limit(to_minute(row.dispatched_at), 1, "working_hours", calendar),
    )
    assert case.actions()[-2:] == ["bounced", "dispatched"]


async def test_failed_verification_reworks_at_the_same_department(new_case, time_env, calendar):
    case = await new_case()
    await case.reported("sw")
    first_deadline = case.row().deadline

    view = await case.verify(passed=False, note="井盖仍松动")
    row = case.row()
    assert (view.status, row.status, row.department, row.reworks) == (
        "in_progress",
        "in_progress",
        "sw",
        1,
    )
    assert row.light == "green"
    rework = case.last("rework")
    assert rework.actor == "inspector"
    assert (rework.detail, rework.data["cause"]) == ("井盖仍松动", "verify")
    # A fresh deadline: the category's limit again, from the verification.
    assert_exact(
        row.deadline, workcal.add_limit(to_minute(rework.at), 4, "working_hours", calendar)
    )
    assert row.deadline >= first_deadline

    # The same department reports again and the loop goes on.
    await case.report("已重新固定")
    await case.verify(passed=True)
    assert case.row().status == "verified"


async def test_dissatisfied_callback_with_reopen_reworks(new_case, calendar):
    case = await new_case()
    await case.reported("sw")
    await case.verify(passed=True)

    await case.act(
        CaseWorkflow.callback,
        p.CallbackInput(
            actor=COORDINATOR, satisfaction="dissatisfied", note="井盖仍有异响", reopen=True
        ),
    )
    row = case.row()
    assert (row.status, row.department, row.reworks, row.satisfaction) == (
        "in_progress",
        "sw",
        1,
        "dissatisfied",
    )
    assert row.closed_at is None
    assert case.actions()[-2:] == ["callback", "rework"]
    assert_exact(
        row.deadline,
        workcal.add_limit(to_minute(case.last("rework").at), 4, "working_hours", calendar),
    )


async def test_dissatisfied_callback_without_reopen_closes(new_case):
    case = await new_case()
    await case.reported("sw")
    await case.verify(passed=True)
    await case.act(
        CaseWorkflow.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="dissatisfied")
    )
    row = case.row()
    assert (row.status, row.satisfaction, row.reworks) == ("closed", "dissatisfied", 0)


async def test_urge_is_recorded_for_the_department(new_case):
    case = await new_case()
    await case.in_progress("sw")
    before = case.row().version
    await case.act(CaseWorkflow.urge, p.UrgeInput(actor=SUPERVISOR, note="请今日内处置"))
    urged = case.last("urged")
    assert (urged.actor, urged.detail, urged.data["department"]) == (
        "supervisor",
        "请今日内处置",
        "sw",
    )
    row = case.row()
    assert (row.status, row.version) == ("in_progress", before + 1)
