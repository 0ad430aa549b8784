"""The reporter rates a result once; a 不满意 waits, verified, for the coordinator's callback,
which may send it back with a reason. A ruling is written for the scope the supervisor chose,
and its timeline line names the line it wrote."""

from __future__ import annotations

import pytest
from factories import kept_rules
from sqlmodel import Session
from workflow_helpers import COORDINATOR, SUPERVISOR

from core import payloads as p
from core import refusals as r
from models.reference import Rule
from models.routing import route
from workflows.case import CaseWorkflow as W

REPORTER = p.Actor(username="reporter", role="citizen")


async def _verified(case) -> None:
    await case.reported()
    await case.verify(passed=True)


def _rate(satisfaction: str) -> p.RateInput:
    return p.RateInput(actor=REPORTER, satisfaction=satisfaction)


async def test_the_reporter_rates_once_and_dissatisfied_waits_for_the_callback(new_case):
    case = await new_case()
    await _verified(case)
    await case.act(W.rate, _rate("dissatisfied"))
    row = case.row()
    assert (row.status, row.satisfaction, row.reporter_rating) == (
        "verified",
        "dissatisfied",
        "dissatisfied",
    )
    # A later 满意 neither overwrites the 不满意 nor closes the case.
    details = await case.refused(W.rate, _rate("satisfied"), "conflict", r.ALREADY_RATED)
    assert details["status"] == "verified"
    assert (case.row().status, case.row().satisfaction) == ("verified", "dissatisfied")

    # The coordinator's callback sends it back, and must say why.
    reopen = p.CallbackInput(actor=COORDINATOR, satisfaction="dissatisfied", reopen=True)
    missing = await case.refused(W.callback, reopen, "invalid", r.MISSING_FIELD)
    assert missing["field"] == "note"
    reopen.note = "市民反映井盖仍有异响"
    await case.act(W.callback, reopen)
    row = case.row()
    assert (row.status, row.reworks, row.reporter_rating) == ("in_progress", 1, None)
    assert case.actions()[-2:] == ["callback", "rework"]
    assert case.last("callback").detail == "市民反映井盖仍有异响"

    # The reworked result is a new one to rate: 满意 closes it.
    await case.report("已更换井盖")
    await case.verify(passed=True)
    await case.act(W.rate, _rate("satisfied"))
    assert (case.row().status, case.row().satisfaction) == ("closed", "satisfied")


async def test_a_failed_verification_needs_the_reason_for_rework(new_case):
    case = await new_case()
    await case.reported()
    for note in (None, "   "):
        inp = p.VerifyInput(actor=COORDINATOR, passed=False, note=note)
        details = await case.refused(W.verify, inp, "invalid", r.MISSING_FIELD)
        assert details["field"] == "note"
    await case.verify(passed=False, note="井盖仍松动")
    assert (case.row().status, case.last("rework").detail) == ("in_progress", "井盖仍松动")
    # Passing needs no note.
    await case.report()
    await case.verify(passed=True)
    assert case.row().status == "verified"


@pytest.fixture
def rules_kept(engine):
    with kept_rules(engine):
        yield


async def _disputed(case) -> None:
    await case.register()
    await case.dispatch("sz")
    await case.bounce("路灯井不归本局")
    await case.dispatch("gd")
    await case.bounce("不是电力井")


@pytest.mark.parametrize(
    ("scope", "area", "ruled", "not_ruled"),
    [
        ("grid", "sanzao-03", ["sanzao-03"], ["sanzao-04", "sanzao-01"]),
        ("community", "sanzao-c2", ["sanzao-03", "sanzao-04"], ["sanzao-01"]),
        ("street", None, ["sanzao-03", "sanzao-01"], ["hongqi-01"]),
    ],
)
async def test_a_ruling_is_written_for_the_scope_chosen(
    new_case, engine, rules_kept, scope, area, ruled, not_ruled
):
    case = await new_case(grid="sanzao-03")
    await _disputed(case)
    inp = p.ArbitrateInput(actor=SUPERVISOR, department="zj", make_rule=True, rule_scope=scope)
    await case.act(W.arbitrate, inp)
    line = case.last("arbitrated")
    assert (line.data["make_rule"], line.data["rule_scope"]) == (True, scope)
    with Session(engine) as session:
        rule = session.get(Rule, line.data["rule_id"])
        assert rule is not None
        assert (rule.scope, rule.area, rule.street, rule.department) == (
            scope,
            area,
            "sanzao",
            "zj",
        )
        assert (rule.case_number, rule.case_line, rule.created_by) == (
            case.number,
            line.seq,
            "supervisor",
        )
        owners = {g: route(session=session, category="manhole-cover", grid=g) for g in ruled}
        assert {g: o.department for g, o in owners.items() if o} == dict.fromkeys(ruled, "zj")
        others = {g: route(session=session, category="manhole-cover", grid=g) for g in not_ruled}
        assert {g: o.department for g, o in others.items() if o} == dict.fromkeys(not_ruled, "sw")


async def test_make_rule_alone_still_means_the_street_and_a_stray_scope_is_refused(
    new_case, engine, rules_kept
):
    case = await new_case(grid="pingsha-02")
    await _disputed(case)
    stray = p.ArbitrateInput(actor=SUPERVISOR, department="zj", rule_scope="grid")
    details = await case.refused(W.arbitrate, stray, "invalid", r.INVALID_VALUE)
    assert details["field"] == "rule_scope"
    city = p.ArbitrateInput(actor=SUPERVISOR, department="zj", make_rule=True, rule_scope="city")
    assert (await case.refused(W.arbitrate, city, "invalid", r.INVALID_VALUE))["field"] == (
        "rule_scope"
    )
    await case.act(W.arbitrate, p.ArbitrateInput(actor=SUPERVISOR, department="zj", make_rule=True))
    line = case.last("arbitrated")
    assert line.data["rule_scope"] == "street"
    with Session(engine) as session:
        rule = session.get(Rule, line.data["rule_id"])
        assert rule is not None and (rule.scope, rule.street) == ("street", "pingsha")
