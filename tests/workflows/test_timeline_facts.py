"""A new case's (and operation's) timeline holds facts: `detail` is only what a person typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from operation_driver import operations
from test_operation_replay import full_operation
from workflow_helpers import COORDINATOR, SUPERVISOR, CaseDriver, liaison, local

from core import payloads as p
from core.timeline import FACTS
from workflows.case import CaseWorkflow

# Everything the people in these walks type; no other words may reach a line's detail.
TYPED = {
    "井盖属水务",
    "不是供电设施",
    "已设围挡",
    "需调运配件",
    "仍需配件",
    "请尽快处置",
    "待停气",
    "已停气",
    "已更换",
    "已重新固定",
    "再次处置",
    "井盖仍松动",
    "仍有异响",
    "市民再次投诉",
    "改派城管",
    "汛期顺延",
    "上级已处理",
    "重复上报",
    "已处置完毕",
}


def _override(action: str, reason: str, **kw) -> p.OverrideInput:
    return p.OverrideInput(actor=SUPERVISOR, action=action, reason=reason, **kw)


async def _every_action(case: CaseDriver) -> None:
    """Takes one case through each action and clock step, typing only where a person must."""
    await case.register()
    await case.dispatch("sz")
    await case.bounce("井盖属水务", suggested="sw")
    await case.dispatch("gd")
    await case.bounce("不是供电设施")
    arbitrate = p.ArbitrateInput(
        actor=SUPERVISOR, department="sw", interim_department="hongqi", make_rule=True
    )
    await case.act(CaseWorkflow.arbitrate, arbitrate)
    interim = p.InterimReportInput(actor=liaison("hongqi"), note="已设围挡")
    await case.act(CaseWorkflow.interim_report, interim)
    # The accept clock climbs its whole ladder: reminded, overdue, escalated three times.
    await case.sleep_until(local(case.row().accept_deadline) + timedelta(days=10))
    await case.accept()
    sw = liaison("sw")
    ask = p.ExtensionRequestInput(actor=sw, amount=1, unit="working_days", reason="需调运配件")
    await case.act(CaseWorkflow.request_extension, ask)
    decide = CaseWorkflow.decide_extension
    await case.act(decide, p.ExtensionDecisionInput(actor=COORDINATOR, approve=False))
    ask.reason = "仍需配件"
    await case.act(CaseWorkflow.request_extension, ask)
    await case.act(decide, p.ExtensionDecisionInput(actor=COORDINATOR, approve=True))
    await case.act(CaseWorkflow.urge, p.UrgeInput(actor=SUPERVISOR, note="请尽快处置"))
    await case.act(CaseWorkflow.park, p.ParkInput(actor=SUPERVISOR, reason="待停气"))
    await case.act(CaseWorkflow.unpark, p.ParkInput(actor=SUPERVISOR, reason="已停气"))
    await case.report("已更换")
    await case.verify(passed=False, note="井盖仍松动")  # rework needs a reason
    await case.report("已重新固定")
    await case.verify(passed=True)
    callback = p.CallbackInput(
        actor=COORDINATOR, satisfaction="dissatisfied", reopen=True, note="仍有异响"
    )
    await case.act(CaseWorkflow.callback, callback)
    await case.report("再次处置")
    await case.verify(passed=True)
    callback = p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied")
    await case.act(CaseWorkflow.callback, callback)
    await case.act(CaseWorkflow.override, _override("reopen", "市民再次投诉"))
    await case.act(CaseWorkflow.override, _override("reassign", "改派城管", department="cg"))
    await case.accept("cg")
    extend = _override("extend", "汛期顺延", amount=1, unit="working_days")
    await case.act(CaseWorkflow.override, extend)
    await case.act(CaseWorkflow.override, _override("close", "上级已处理"))


def _assert_facts_only(case: CaseDriver) -> None:
    for line in case.events():
        assert line.data.get(FACTS) == 1, (line.action, line.data)
        assert line.detail in TYPED or line.detail == "", (line.action, line.detail)
        if line.actor == "system":
            assert line.detail == "", (line.action, line.detail)


async def test_a_new_cases_lines_hold_only_typed_words(new_case):
    case = await new_case()
    await _every_action(case)
    actions = set(case.actions())
    assert {"disputed", "interim_assigned", "reminded", "overdue", "escalated"} <= actions
    _assert_facts_only(case)
    causes = [(e.action, e.data.get("cause")) for e in case.events() if "cause" in e.data]
    assert causes == [
        ("dispatched", "arbitrate"),
        ("rework", "verify"),
        ("rework", "callback"),
        ("closed", "callback"),
        ("dispatched", "override"),
        ("closed", "override"),
    ]
    # The words typed stay where they were typed: the forced close keeps its reason.
    assert case.last("closed").detail == "上级已处理"
    assert case.last("disputed").data["bounces"] == 2


async def test_voided_and_rated_cases_hold_only_typed_words(new_case):
    voided = await new_case()
    await voided.act(CaseWorkflow.void, p.VoidInput(actor=COORDINATOR, reason="重复上报"))
    rated = await new_case()
    await rated.reported()
    await rated.verify()
    reporter = p.Actor(username="reporter", role="citizen")
    await rated.act(CaseWorkflow.rate, p.RateInput(actor=reporter, satisfaction="satisfied"))
    for case in (voided, rated):
        await case.settle()
        _assert_facts_only(case)
    assert (rated.last("callback").data["by"], rated.last("closed").data["cause"]) == (
        "reporter",
        "rating",
    )


@pytest.fixture
async def launch(time_env, worker_queue, engine):
    async with operations(time_env, worker_queue, engine) as start:
        yield start


async def test_a_new_operations_lines_hold_only_typed_words(launch, time_env):
    op = await full_operation(launch, time_env)
    await op.settle()
    typed = {"警力不足", "须维持秩序", "会商改期", "烧烤"}
    lines = op.events()
    assert {"launched", "session_started", "session_ended", "case_spawned", "closed"} <= {
        e.action for e in lines
    }
    for line in lines:
        assert line.data.get(FACTS) == 1, (line.action, line.data)
        assert line.detail in typed or line.detail == "", (line.action, line.detail)
