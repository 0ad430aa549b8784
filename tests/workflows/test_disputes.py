"""Bounces (退单), disputes and the supervisor's ruling (确权) into the responsibility list."""

from __future__ import annotations

import pytest
from factories import kept_rules
from workflow_helpers import SUPERVISOR, liaison

from core import payloads as p
from workflows.case import CaseWorkflow


@pytest.fixture
def restore_rules(engine):
    """Puts the responsibility list back as it was: other tests route by it."""
    with kept_rules(engine):
        yield


async def _two_bounces(case) -> None:
    await case.register()
    await case.dispatch("sz")
    await case.bounce("路灯井不归本局", suggested="sw")
    await case.dispatch("sw")
    await case.bounce("不是供水井盖，属雨水篦子", suggested="zj")


async def test_second_bounce_disputes_the_case(new_case):
    case = await new_case()
    await _two_bounces(case)
    row = case.row()
    assert (row.status, row.bounces, row.department, row.light) == ("disputed", 2, None, None)
    assert case.actions()[-4:] == ["bounced", "dispatched", "bounced", "disputed"]
    disputed = case.last("disputed")
    assert disputed.actor == "system"
    assert disputed.data["departments"] == ["sz", "sw"]
    state = await case.state()
    assert [(b.department, b.suggested_department) for b in state.bounce_history] == [
        ("sz", "sw"),
        ("sw", "zj"),
    ]


async def test_arbitration_rules_and_dispatches_to_the_ruled_department(new_case, restore_rules):
    case = await new_case(category="manhole-cover", grid="sanzao-03")
    assert case.rule() is None  # manhole-cover is routed by the district-wide line
    await _two_bounces(case)

    view = await case.act(
        CaseWorkflow.arbitrate,
        p.ArbitrateInput(
            actor=SUPERVISOR,
            department="zj",
            interim_department="sw",
            make_rule=True,
            note="雨水篦子归住建局，水务先行围挡",
        ),
    )
    row = case.row()
    assert (view.status, row.status, row.department) == ("dispatched", "dispatched", "zj")
    assert (row.interim_department, row.bounces, row.light) == ("sw", 2, "green")
    assert case.actions()[-3:] == ["arbitrated", "interim_assigned", "dispatched"]
    arbitrated = case.last("arbitrated")
    assert (arbitrated.actor, arbitrated.detail) == ("supervisor", "雨水篦子归住建局，水务先行围挡")
    assert arbitrated.data["make_rule"] is True
    interim = case.last("interim_assigned")
    assert (interim.actor, interim.data["department"]) == ("supervisor", "sw")
    assert case.last("dispatched").data["department"] == "zj"

    rule = case.rule()
    assert rule is not None
    assert (rule.category, rule.street, rule.department) == ("manhole-cover", "sanzao", "zj")
    assert rule.source.startswith("ruling:")
    assert rule.source == f"ruling:{case.number}"

    # The interim handler reports the site made safe; only it may, and only once.
    await case.refused(
        CaseWorkflow.interim_report,
        p.InterimReportInput(actor=liaison("zj"), note="已围挡"),
        "forbidden",
    )
    await case.refused(
        CaseWorkflow.interim_report, p.InterimReportInput(actor=liaison("sw"), note="  "), "invalid"
    )
    await case.act(
        CaseWorkflow.interim_report,
        p.InterimReportInput(actor=liaison("sw"), note="已设围挡和警示灯"),
    )
    made_safe = case.last("interim_reported")
    assert (made_safe.actor, made_safe.detail) == ("liaison-sw", "已设围挡和警示灯")
    assert case.row().interim_done is True and case.row().status == "dispatched"
    await case.refused(
        CaseWorkflow.interim_report,
        p.InterimReportInput(actor=liaison("sw"), note="再次"),
        "conflict",
    )

    # The ruled department takes the case on.
    await case.accept("zj")
    assert (case.row().status, case.row().department) == ("in_progress", "zj")


async def test_arbitration_without_a_rule_leaves_the_list(new_case, restore_rules):
    case = await new_case(grid="pingsha-02")
    await _two_bounces(case)
    await case.act(CaseWorkflow.arbitrate, p.ArbitrateInput(actor=SUPERVISOR, department="sw"))
    row = case.row()
    assert (row.status, row.department, row.interim_department) == ("dispatched", "sw", None)
    assert "interim_assigned" not in case.actions()
    assert case.rule() is None


async def test_supervisor_may_arbitrate_a_single_bounce(new_case):
    case = await new_case()
    await case.register()
    await case.dispatch("sz")
    await case.bounce("非本局职责", suggested="sw")
    await case.act(CaseWorkflow.arbitrate, p.ArbitrateInput(actor=SUPERVISOR, department="sw"))
    row = case.row()
    assert (row.status, row.department, row.bounces) == ("dispatched", "sw", 1)


async def test_a_third_bounce_disputes_again(new_case):
    case = await new_case()
    await _two_bounces(case)
    await case.act(CaseWorkflow.arbitrate, p.ArbitrateInput(actor=SUPERVISOR, department="zj"))
    await case.act(CaseWorkflow.bounce, p.BounceInput(actor=liaison("zj"), reason="仍有异议"))
    row = case.row()
    assert (row.status, row.bounces) == ("disputed", 3)


async def test_a_new_interim_handler_gets_its_own_make_safe_task(new_case):
    """A later ruling naming another interim handler is a new 先行处置 task, not a done one."""
    case = await new_case()
    await _two_bounces(case)
    await case.act(
        CaseWorkflow.arbitrate,
        p.ArbitrateInput(actor=SUPERVISOR, department="zj", interim_department="sw"),
    )
    await case.act(
        CaseWorkflow.interim_report, p.InterimReportInput(actor=liaison("sw"), note="已围挡")
    )
    await case.act(CaseWorkflow.bounce, p.BounceInput(actor=liaison("zj"), reason="仍有异议"))
    await case.act(
        CaseWorkflow.arbitrate,
        p.ArbitrateInput(actor=SUPERVISOR, department="sz", interim_department="hongqi"),
    )
    row = case.row()
    assert (row.interim_department, row.interim_done) == ("hongqi", False)
    await case.act(
        CaseWorkflow.interim_report,
        p.InterimReportInput(actor=liaison("hongqi"), note="已设警示灯"),
    )
    assert case.last("interim_reported").actor == "liaison-hongqi"
    assert case.row().interim_done is True
