"""The operation projection is idempotent, and a finding becomes at most one case number."""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core import operation_payloads as o
from core import payloads as p
from core.workcal import TZ
from models import operation_cases as cases
from models import operation_store as store
from models.case import CaseCounter
from models.db import session_scope
from models.routing import rule_in_street

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
EVENING = T0 + timedelta(hours=10)


def _state(operation_id: str, **changes) -> o.OperationState:
    state = o.OperationState(
        operation_id=operation_id,
        title="夜间占道经营整治",
        goal="",
        area=["hongqi"],
        lead="cg",
        launched_by="coordinator",
        launched_at=T0,
        confirm_deadline=T0 + timedelta(hours=6),
        report_within=4,
        report_unit="working_hours",
        departments=[
            o.DepartmentState(code="cg", role=o.LEAD),
            o.DepartmentState(code="ga", role=o.COOPERATING),
        ],
        sessions=[o.Session(number=1, start=EVENING, end=EVENING + timedelta(hours=3))],
    )
    return dataclasses.replace(state, **changes)


def _line(seq: int, action: str, department: str | None = None) -> p.TimelineEntry:
    data = {"department": department} if department else {}
    return p.TimelineEntry(
        seq=seq,
        at=T0 + timedelta(minutes=seq),
        actor="coordinator",
        action=action,
        detail=action,
        data=data,
    )


def _projection(state: o.OperationState, events: list[p.TimelineEntry]):
    return o.OperationProjection(
        state=state,
        events=events,
        first_start=EVENING,
        last_end=EVENING + timedelta(hours=3),
        sessions_total=1,
        sessions_ended=0,
    )


def _write(engine, projection: o.OperationProjection) -> int:
    with session_scope(engine) as session:
        return store.apply_projection(session=session, projection=projection)


def _read(engine, operation_id: str, reader):
    with Session(engine) as session:
        return reader(session=session, operation_id=operation_id)


def test_retried_projection_does_not_duplicate_rows(engine):
    op = f"P-{uuid.uuid4().hex[:10]}"
    first = _projection(_state(op, version=1), [_line(1, "launched")])
    assert _write(engine, first) == 1
    confirmed = _state(
        op,
        version=2,
        seq=2,
        departments=[
            o.DepartmentState(code="cg", role=o.LEAD, status=o.CONFIRMED, people=6),
            o.DepartmentState(code="ga", role=o.COOPERATING),
        ],
        sessions=[],
    )
    second = _projection(confirmed, [_line(2, "confirmed", "cg")])
    assert _write(engine, second) == 1
    # The activity is retried after its first attempt committed, and an old one arrives late.
    assert _write(engine, second) == 0
    assert _write(engine, first) == 0

    row = _read(engine, op, store.get_operation)
    assert (row.version, row.status, row.sessions_total) == (2, "confirming", 1)
    lines = _read(engine, op, store.timeline)
    assert [(e.seq, e.action, e.department) for e in lines] == [
        (1, "launched", None),
        (2, "confirmed", "cg"),
    ]
    departments = _read(engine, op, store.departments)
    assert [(d.department, d.status, d.people) for d in departments] == [
        ("cg", "confirmed", 6),
        ("ga", "invited", 0),
    ]
    # The second snapshot carried no session: the one written first stays.
    assert len(_read(engine, op, store.sessions)) == 1


def test_findings_and_reports_are_keyed(engine):
    op = f"P-{uuid.uuid4().hex[:10]}"
    finding = o.Finding(
        number=1,
        session=1,
        department="cg",
        counts=o.Counts(warnings=2),
        note="占道",
        logged_by="liaison-cg",
        at=EVENING,
    )
    report = o.SessionReport(session=1, department="cg", deadline=EVENING + timedelta(days=1))
    state = _state(op, version=1, findings=[finding], reports=[report])
    assert _write(engine, _projection(state, [_line(1, "finding_logged", "cg")])) == 1
    filed = dataclasses.replace(
        report,
        counts=o.Counts(stalls_cleared=3),
        filed_by="liaison-cg",
        filed_at=EVENING,
        on_time=True,
    )
    state = _state(op, version=2, findings=[finding], reports=[filed])
    _write(engine, _projection(state, [_line(2, "report_filed", "cg")]))
    _write(engine, _projection(state, [_line(2, "report_filed", "cg")]))

    assert [(f.number, f.warnings) for f in _read(engine, op, store.findings)] == [(1, 2)]
    reports = _read(engine, op, store.reports)
    assert [(r.status, r.stalls_cleared, r.on_time) for r in reports] == [("filed", 3, True)]


def _finding_row(engine, op: str) -> None:
    state = _state(
        op,
        version=1,
        findings=[
            o.Finding(
                number=1,
                session=1,
                department="cg",
                counts=o.Counts(),
                note="烧烤",
                logged_by="liaison-cg",
                at=EVENING,
            )
        ],
    )
    _write(engine, _projection(state, []))


def _counter(engine) -> int:
    month = datetime.now(UTC).astimezone(TZ).strftime("%Y-%m")
    with Session(engine) as session:
        row = session.exec(select(CaseCounter).where(CaseCounter.month == month)).first()
    return row.last if row else 0


def test_a_finding_gets_one_case_number_however_often_asked(engine):
    op = f"P-{uuid.uuid4().hex[:10]}"
    _finding_row(engine, op)
    tickets = []
    before = _counter(engine)
    for _ in range(3):
        with session_scope(engine) as session:
            tickets.append(
                cases.allocate_spawned_case(
                    session=session,
                    operation_id=op,
                    finding=1,
                    category="open-air-bbq",
                    grid="hongqi-03",
                )
            )
    assert len({t.number for t in tickets}) == 1
    assert _counter(engine) == before + 1
    assert (tickets[0].department, tickets[0].street, tickets[0].limit_amount) == (
        "cg",
        "hongqi",
        4,
    )
    assert _read(engine, op, store.findings)[0].case_number == tickets[0].number


@pytest.mark.parametrize(
    ("category", "grid", "field"),
    [("no-such", "hongqi-01", "category"), ("open-air-bbq", "nowhere-01", "grid")],
)
def test_unknown_reference_data_is_named(engine, category, grid, field):
    op = f"P-{uuid.uuid4().hex[:10]}"
    _finding_row(engine, op)
    with session_scope(engine) as session, pytest.raises(LookupError) as info:
        cases.allocate_spawned_case(
            session=session, operation_id=op, finding=1, category=category, grid=grid
        )
    assert info.value.args[0] == field


def test_routing_prefers_the_street_line(engine):
    with Session(engine) as session:
        street_line = rule_in_street(session=session, category="exposed-rubbish", street="sanzao")
        assert street_line is not None and street_line.department == "sanzao"
        district_line = rule_in_street(session=session, category="noise", street="sanzao")
        assert district_line is not None and district_line.department == "hb"


def test_operation_numbers_count_up_within_a_year(engine):
    with session_scope(engine) as session:
        first = store.next_operation_id(session=session, now=T0)
        second = store.next_operation_id(session=session, now=T0)
    assert re.fullmatch(r"LH-2026-\d{4}", first)
    assert int(second[-4:]) == int(first[-4:]) + 1


def test_department_tasks_list_answers_and_reports_due(engine):
    op = f"P-{uuid.uuid4().hex[:10]}"
    due = o.SessionReport(session=1, department="ga", deadline=EVENING + timedelta(days=1))
    _write(engine, _projection(_state(op, version=1, reports=[due]), []))
    with Session(engine) as session:
        tasks = store.department_tasks(session=session, department="ga")
    assert op in {d.operation_id for d in tasks["confirm"]}
    assert op in {r.operation_id for r in tasks["report"]}


def test_declines_await_a_ruling(engine):
    op = f"P-{uuid.uuid4().hex[:10]}"
    declined = o.DepartmentState(
        code="ga", role=o.COOPERATING, status=o.DECLINED, decline_reason="警力不足"
    )
    departments = [o.DepartmentState(code="cg", role=o.LEAD), declined]
    _write(engine, _projection(_state(op, version=1, departments=departments), []))
    with Session(engine) as session:
        pending = store.declines_to_rule(session=session)
    assert [(d.department, d.decline_reason) for d in pending if d.operation_id == op] == [
        ("ga", "警力不足")
    ]
