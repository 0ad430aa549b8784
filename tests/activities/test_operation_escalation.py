"""The supervisor's list of late operation duties: what is still owed past its current deadline,
at the highest level the timeline reached, and nothing of a closed operation."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from core import operation_payloads as o
from core import payloads as p
from models import operation_store as store
from models.db import session_scope
from models.operation_escalation import LateDuty, escalated_duties

T0 = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
CONFIRM_BY = T0 + timedelta(hours=6)
EVENING = T0 + timedelta(hours=10)
REPORT_BY = EVENING + timedelta(hours=5)


def _state(operation_id: str, version: int, **changes) -> o.OperationState:
    statuses = {"cg": o.CONFIRMED, "ga": o.INVITED, "hongqi": o.CONFIRMED}
    state = o.OperationState(
        operation_id=operation_id,
        title="红旗镇夜间占道经营整治",
        goal="",
        area=["hongqi"],
        lead="cg",
        launched_by="coordinator",
        launched_at=T0,
        confirm_deadline=CONFIRM_BY,
        report_within=4,
        report_unit="working_hours",
        status=o.REPORTING,
        departments=[
            o.DepartmentState(code=c, role=o.LEAD if c == "cg" else o.COOPERATING, status=s)
            for c, s in statuses.items()
        ],
        sessions=[o.Session(number=1, start=EVENING, end=EVENING + timedelta(hours=3))],
        reports=[
            o.SessionReport(session=1, department="cg", deadline=REPORT_BY),
            o.SessionReport(session=1, department="hongqi", deadline=REPORT_BY, filed_at=REPORT_BY),
        ],
        version=version,
    )
    return dataclasses.replace(state, **changes)


def _late(seq: int, at: datetime, department: str, duty: str, level: int) -> p.TimelineEntry:
    data = {"department": department, "duty": duty, "level": level}
    if duty != "confirm":
        data["session"] = int(duty.removeprefix("report-"))
    action = "escalated" if level else "overdue"
    return p.TimelineEntry(seq=seq, at=at, actor="system", action=action, detail=action, data=data)


def _project(state: o.OperationState, *events: p.TimelineEntry) -> None:
    projection = o.OperationProjection(
        state=state,
        events=list(events),
        first_start=EVENING,
        last_end=EVENING + timedelta(hours=3),
        sessions_total=1,
        sessions_ended=1,
    )
    with session_scope() as session:
        store.apply_projection(session=session, projection=projection)


def _listed(engine, operation_id: str) -> list[LateDuty]:
    with Session(engine) as session:
        return [d for d in escalated_duties(session=session) if d.operation_id == operation_id]


def test_late_duties_of_an_open_operation(engine):
    op = f"E-{uuid.uuid4().hex[:10]}"
    minute = timedelta(minutes=1)
    _project(
        _state(op, 1),
        _late(1, CONFIRM_BY + minute, "ga", "confirm", 2),
        _late(2, CONFIRM_BY + minute, "hongqi", "confirm", 2),  # confirmed since
        _late(3, REPORT_BY + minute, "cg", "report-1", 0),
        _late(4, REPORT_BY + minute, "hongqi", "report-1", 0),  # filed since
    )
    assert [
        (d.department, d.duty, d.session, d.level, d.deadline) for d in _listed(engine, op)
    ] == [
        ("ga", "confirm", None, 2, CONFIRM_BY),
        ("cg", "report", 1, 0, REPORT_BY),
    ]
    assert _listed(engine, op)[0].title == "红旗镇夜间占道经营整治"

    # The report climbs to level 1; a postponement moves the confirmation deadline past the
    # escalation, which then no longer counts.
    later = CONFIRM_BY + timedelta(days=1)
    _project(
        _state(op, 2, confirm_deadline=later),
        _late(5, REPORT_BY + 4 * 60 * minute, "cg", "report-1", 1),
    )
    assert [(d.department, d.duty, d.level) for d in _listed(engine, op)] == [("cg", "report", 1)]

    _project(_state(op, 3, confirm_deadline=later, status=o.CLOSED))
    assert _listed(engine, op) == []
