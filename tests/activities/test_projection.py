"""The projection write is idempotent: retried or reordered activities change nothing twice."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from core import payloads as p
from models.case_store import apply_projection, get_case, timeline
from models.db import session_scope

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _state(number: str, **changes) -> p.CaseState:
    state = p.CaseState(
        number=number,
        category="manhole-cover",
        limit_amount=4,
        limit_unit="working_hours",
        description="井盖缺失",
        grid="hongqi-01",
        street="hongqi",
        address="藤山一路",
        channel="hotline",
        created_at=T0,
    )
    return dataclasses.replace(state, **changes)


def _line(seq: int, action: str, actor: str = "coordinator") -> p.TimelineEntry:
    return p.TimelineEntry(
        seq=seq,
        at=T0 + timedelta(minutes=seq),
        actor=actor,
        action=action,
        detail=action,
        data={"deadline": T0, "departments": ["sz", "sw"]},
    )


def _write(engine, projection: p.CaseProjection) -> int:
    with session_scope(engine) as session:
        return apply_projection(session=session, projection=projection)


def _read(engine, number: str):
    with Session(engine) as session:
        return get_case(session=session, number=number), timeline(session=session, number=number)


def test_retried_projection_does_not_duplicate_timeline_rows(engine):
    number = f"P-{uuid.uuid4().hex[:12]}"
    first = p.CaseProjection(state=_state(number, version=1), events=[_line(1, "created")])
    assert _write(engine, first) == 1
    second = p.CaseProjection(
        state=_state(number, status=p.REGISTERED, seq=2, version=2), events=[_line(2, "registered")]
    )
    assert _write(engine, second) == 1
    # The activity is retried after its first attempt committed: same projection again.
    assert _write(engine, second) == 0
    assert _write(engine, first) == 0

    row, lines = _read(engine, number)
    assert [(e.seq, e.action) for e in lines] == [(1, "created"), (2, "registered")]
    assert (row.status, row.version) == ("registered", 2)
    # Timeline data is stored as JSON: instants in Shanghai time.
    assert lines[0].data == {"deadline": "2026-11-20T10:00:00+08:00", "departments": ["sz", "sw"]}


def test_older_snapshot_does_not_overwrite_a_newer_one(engine):
    number = f"P-{uuid.uuid4().hex[:12]}"
    _write(engine, p.CaseProjection(state=_state(number, version=1), events=[_line(1, "created")]))
    newer = _state(
        number,
        status=p.DISPATCHED,
        department="sw",
        light="green",
        version=3,
        accept_deadline=T0 + timedelta(hours=1),
    )
    older = _state(number, status=p.REGISTERED, version=2)
    _write(engine, p.CaseProjection(state=newer, events=[_line(3, "dispatched")]))
    # The version-2 write arrives late: its line is kept, its snapshot is not.
    assert _write(engine, p.CaseProjection(state=older, events=[_line(2, "registered")])) == 1

    row, lines = _read(engine, number)
    assert (row.status, row.department, row.light, row.version) == ("dispatched", "sw", "green", 3)
    assert row.accept_deadline == T0 + timedelta(hours=1)
    assert [e.action for e in lines] == ["created", "registered", "dispatched"]


def test_pending_extension_is_projected_and_cleared(engine):
    number = f"P-{uuid.uuid4().hex[:12]}"
    ext = p.PendingExtension(
        amount=1, unit="working_days", reason="等待配件", requested_by="liaison-sw", requested_at=T0
    )
    _write(
        engine,
        p.CaseProjection(
            state=_state(number, status=p.IN_PROGRESS, extension=ext, version=1), events=[]
        ),
    )
    row, _ = _read(engine, number)
    assert row.extension_pending == {
        "amount": 1,
        "unit": "working_days",
        "reason": "等待配件",
        "requested_by": "liaison-sw",
        # API.md: every time is ISO 8601 in Asia/Shanghai (+08:00).
        "requested_at": "2026-11-20T10:00:00+08:00",
    }
    _write(
        engine, p.CaseProjection(state=_state(number, status=p.IN_PROGRESS, version=2), events=[])
    )
    row, _ = _read(engine, number)
    assert row.extension_pending is None


def test_a_different_line_at_a_stored_seq_is_refused_and_nothing_is_written(engine):
    import pytest

    from models.case_store import TimelineConflict

    number = f"P-{uuid.uuid4().hex[:12]}"
    _write(engine, p.CaseProjection(state=_state(number, version=1), events=[_line(1, "created")]))
    # What a crashed worker's replay produced before `created` was recorded first (issue 9).
    clash = p.CaseProjection(
        state=_state(number, status=p.REGISTERED, seq=2, version=2),
        events=[_line(1, "registered"), _line(2, "created", actor="system")],
    )
    with pytest.raises(TimelineConflict, match="line 1 is created"):
        _write(engine, clash)
    row, lines = _read(engine, number)
    assert [(e.seq, e.action) for e in lines] == [(1, "created")]
    assert (row.status, row.version) == ("new", 1), "the refused write left nothing behind"
