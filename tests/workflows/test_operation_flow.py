"""A joint operation from launch to close: five nights, five departments, two spawned cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from operation_driver import evening, operations
from sqlmodel import Session
from workflow_helpers import COORDINATOR, SUPERVISOR, liaison, now, working_day_at

from core import operation_payloads as o
from core import payloads as p
from core import workcal
from models import operation_store as store
from models.case_store import get_case, timeline
from workflows.case import CaseWorkflow
from workflows.operation import OperationWorkflow as Op

DEPARTMENTS = ("cg", "ga", "hb", "sj", "hongqi")


@pytest.fixture
async def launch(time_env, worker_queue, engine):
    async with operations(time_env, worker_queue, engine) as start:
        yield start


def counts(seed: int) -> o.Counts:
    """Returns some distinct, plausible counts for a department's session report."""
    return o.Counts(
        stalls_cleared=seed % 7 + 1,
        items_seized=seed % 5,
        warnings=seed % 3 + 1,
        fines=seed % 2,
        fine_amount=200.0 * (seed % 2) + 0.5 * seed,
    )


async def test_five_nights_five_departments(launch, time_env, engine, calendar):
    t0 = await now(time_env)
    deadline = working_day_at(calendar, t0 + timedelta(days=2), 17, 30)
    nights = [evening(deadline + timedelta(days=2 + n)) for n in range(5)]
    op = await launch(nights, deadline)

    row = op.row()
    assert (row.status, row.sessions_total, row.lead) == ("confirming", 5, "cg")
    assert [d.status for d in op.read(store.departments)] == ["invited"] * 5
    assert op.actions() == ["launched"]
    assert len(op.read(store.sessions)) == 5

    # cg, ga and the street office confirm at once.
    for code, people in (("cg", 12), ("ga", 6), ("hongqi", 8)):
        view = await op.act(
            Op.confirm, o.ConfirmInput(actor=liaison(code), people=people, vehicles=2)
        )
        assert view.status == "confirming"
    assert (op.department("cg").status, op.department("cg").people) == ("confirmed", 12)

    # hb declines; the coordinator overrules; hb then confirms.
    await op.act(Op.decline, o.DeclineInput(actor=liaison("hb"), reason="本周有环保督察任务"))
    assert (op.department("hb").status, op.department("hb").decline_reason) == (
        "declined",
        "本周有环保督察任务",
    )
    await op.act(
        Op.rule_decline,
        o.RuleDeclineInput(
            actor=COORDINATOR, department="hb", accept=False, reason="油烟污染须环保部门现场取证"
        ),
    )
    assert (op.department("hb").status, op.department("hb").overruled) == ("invited", True)
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("hb"), people=3, vehicles=1))
    assert op.actions("hb") == ["declined", "decline_overruled", "confirmed"]

    # sj does not answer: reminded at the yellow point, escalated at the deadline.
    await op.sleep_until(deadline + timedelta(minutes=1))
    await op.eventually(
        lambda: op.actions("sj") == ["reminded", "escalated"], "sj reminded and escalated"
    )
    escalated = op.lines("escalated", "sj")[0]
    assert escalated.data["level"] == 2 and escalated.actor == "system"
    assert op.lines("reminded", "sj")[0].at < deadline <= escalated.at
    assert op.department("sj").escalation_level == 2
    for code in ("cg", "ga", "hb", "hongqi"):
        assert not op.lines("reminded", code) and not op.lines("escalated", code)
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("sj"), people=4, vehicles=1))
    sj = op.department("sj")
    assert (sj.status, sj.confirmed_on_time) == ("confirmed", False)
    assert op.department("cg").confirmed_on_time is True

    # Session 1 starts by itself; findings are logged and two become cases.
    await op.sleep_until(nights[0].start + timedelta(minutes=1))
    assert (op.row().status, op.row().current_session) == ("running", 1)
    await op.act(
        Op.log_finding,
        o.FindingInput(
            actor=liaison("cg"),
            counts=o.Counts(stalls_cleared=3, items_seized=5),
            note="藤山一路烧烤摊占道",
        ),
    )
    await op.act(
        Op.log_finding,
        o.FindingInput(actor=liaison("sj"), counts=o.Counts(warnings=2), note="无证餐饮摊点"),
    )
    await op.act(
        Op.log_finding,
        o.FindingInput(
            actor=liaison("ga"), counts=o.Counts(fines=2, fine_amount=400), note="违停车辆"
        ),
    )
    await op.act(
        Op.spawn_case,
        o.SpawnCaseInput(
            actor=liaison("cg"),
            finding=1,
            category="open-air-bbq",
            grid="hongqi-01",
            address="红旗镇藤山一路 8 号",
            description="夜间露天烧烤，油烟扰民",
        ),
    )
    await op.act(
        Op.spawn_case,
        o.SpawnCaseInput(
            actor=liaison("sj"),
            finding=2,
            category="food-safety",
            grid="hongqi-02",
            address="红旗镇红旗路 22 号",
            description="无证经营熟食摊",
        ),
    )
    # Only the finding's own department turns it into a case, once, with known reference data.
    await op.refused(
        Op.spawn_case,
        o.SpawnCaseInput(
            actor=liaison("ga"),
            finding=1,
            category="open-air-bbq",
            grid="hongqi-01",
            address="藤山一路",
            description="烧烤",
        ),
        "forbidden",
    )
    await op.refused(
        Op.spawn_case,
        o.SpawnCaseInput(
            actor=liaison("cg"),
            finding=1,
            category="open-air-bbq",
            grid="hongqi-01",
            address="藤山一路",
            description="烧烤",
        ),
        "conflict",
    )
    details = await op.refused(
        Op.spawn_case,
        o.SpawnCaseInput(
            actor=liaison("ga"),
            finding=3,
            category="illegal-parking",
            grid="nowhere-09",
            address="金湾路",
            description="违停",
        ),
        "invalid",
    )
    assert details["field"] == "grid"
    findings = op.read(store.findings)
    assert [(f.number, f.department, f.session) for f in findings] == [
        (1, "cg", 1),
        (2, "sj", 1),
        (3, "ga", 1),
    ]
    bbq, food = findings[0].case_number, findings[1].case_number
    assert bbq and food and bbq != food and findings[2].case_number is None
    assert op.department("cg").found["stalls_cleared"] == 3

    # The cases run their own loop, dispatched by the responsibility list.
    with Session(engine) as session:
        bbq_row, food_row = (
            get_case(session=session, number=bbq),
            get_case(session=session, number=food),
        )
        bbq_lines = [(e.action, e.actor) for e in timeline(session=session, number=bbq)]
    assert (bbq_row.status, bbq_row.department, bbq_row.channel) == (
        "dispatched",
        "cg",
        "inspector",
    )
    assert (food_row.status, food_row.department) == ("dispatched", "sj")
    assert bbq_lines == [
        ("created", "liaison-cg"),
        ("registered", "system"),
        ("dispatched", "system"),
    ]
    case = time_env.client.get_workflow_handle(f"case-{bbq}")
    view = await case.execute_update(CaseWorkflow.accept, p.AcceptInput(actor=liaison("cg")))
    assert view.status == "in_progress"
    assert op.lines("case_spawned", "cg")[0].data["case_number"] == bbq

    # Five sessions; every department reports each one, except the street office's second.
    filed: list[o.Counts] = []
    for n, night in enumerate(nights, start=1):
        if n > 1:
            await op.sleep_until(night.start + timedelta(minutes=1))
            assert op.row().status == "running"
            await op.act(
                Op.log_finding,
                o.FindingInput(
                    actor=liaison("cg"), counts=o.Counts(stalls_cleared=n), note=f"第{n}场清理"
                ),
            )
        await op.sleep_until(night.end + timedelta(minutes=1))
        assert (op.row().status, op.row().sessions_ended) == ("reporting", n)
        for i, code in enumerate(DEPARTMENTS):
            if (n, code) == (2, "hongqi"):
                continue
            report = counts(n * 10 + i)
            await op.act(
                Op.report,
                o.SessionReportInput(
                    actor=liaison(code), session=n, counts=report, note=f"第{n}场战果"
                ),
            )
            filed.append(report)

    # The missed report was reminded, went overdue and climbed the ladder.
    session2 = op.read(store.sessions)[1]
    level1 = workcal.add_working_minutes(session2.report_deadline, 4 * 60, calendar)
    await op.sleep_until(max(await now(time_env), level1) + timedelta(minutes=1))
    await op.eventually(lambda: bool(op.lines("escalated", "hongqi")), "hongqi escalated")
    alerts = [
        e
        for e in op.events()
        if e.department == "hongqi" and e.action in ("reminded", "overdue", "escalated")
    ]
    assert [e.action for e in alerts][:3] == ["reminded", "overdue", "escalated"]
    assert {e.data["session"] for e in alerts} == {2}
    assert alerts[1].at >= session2.report_deadline
    assert op.department("hongqi").escalation_level >= 1
    missing = [r for r in op.read(store.reports) if r.status == "due"]
    assert [(r.session, r.department) for r in missing] == [(2, "hongqi")]
    assert not [
        e
        for e in op.events()
        if e.action in ("reminded", "overdue", "escalated") and e.department in ("cg", "ga", "hb")
    ]
    assert op.row().status == "reporting"

    # The coordinator closes: totals are the sum of every report filed.
    view = await op.act(Op.close, o.CloseInput(actor=COORDINATOR, note="专项整治圆满结束"))
    assert view.status == "closed"
    summary = op.row().summary
    expected = o.Counts()
    for report in filed:
        expected = expected.plus(report)
    assert summary["totals"] == expected.as_dict()
    by_department = {d["department"]: d for d in summary["departments"]}
    assert by_department["hongqi"]["reports_missing"] == [2]
    assert by_department["cg"]["reports_filed"] == 5
    reported_total = o.Counts()
    for d in op.read(store.departments):
        reported_total = reported_total.plus(o.Counts(**d.reported))
    assert reported_total == expected
    assert [(c["number"], c["department"], c["status"]) for c in summary["cases"]] == [
        (bbq, "cg", "in_progress"),
        (food, "sj", "dispatched"),
    ]
    assert summary["found"]["stalls_cleared"] == 3 + 2 + 3 + 4 + 5
    assert op.lines("closed")[0].actor == "coordinator"

    # The children are finished; a late action is refused as a conflict.
    for code in DEPARTMENTS:
        child = time_env.client.get_workflow_handle(f"operation-{op.operation_id}-{code}")
        assert await child.result() is None
    details = await op.refused(
        Op.report,
        o.SessionReportInput(actor=liaison("hongqi"), session=2, counts=o.Counts()),
        "conflict",
    )
    assert details["status"] == "closed"
    await op.refused(Op.cancel, o.CancelInput(actor=SUPERVISOR, reason="重复"), "conflict")
