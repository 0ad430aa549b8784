"""The projection behaves the same on SQLite (development) and PostgreSQL 15 (production)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from core import payloads as p
from models.case_store import apply_projection, list_cases, next_number, timeline


def _state(number: str, version: int, status: str, **kw) -> p.CaseState:
    base = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    return p.CaseState(
        number=number,
        category="manhole-cover",
        limit_amount=4,
        limit_unit="working_hours",
        description="井盖缺失",
        grid="hongqi-01",
        street="hongqi",
        address="红旗路1号",
        channel="hotline",
        created_at=base,
        status=status,
        version=version,
        **kw,
    )


def _event(seq: int, action: str) -> p.TimelineEntry:
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC) + timedelta(minutes=seq)
    return p.TimelineEntry(seq=seq, at=at, actor="coordinator", action=action, detail=action)


def test_projection_is_idempotent_and_ordered(backend):
    number = "2026-11-900001"
    first = p.CaseProjection(state=_state(number, 1, "new"), events=[_event(1, "created")])
    second = p.CaseProjection(
        state=_state(number, 2, "registered"),
        events=[_event(1, "created"), _event(2, "registered")],
    )
    for projection in (first, second, second, first):  # retried, then an old one late
        with Session(backend) as session:
            apply_projection(session=session, projection=projection)
            session.commit()
    with Session(backend) as session:
        rows = timeline(session=session, number=number)
        case, _ = list_cases(session=session, q="井盖")
    assert [e.action for e in rows] == ["created", "registered"]
    assert case[0].status == "registered" and case[0].version == 2
    assert rows[0].at.tzinfo is not None and rows[0].at == _event(1, "created").at


def test_case_numbers_are_sequential_per_month(backend):
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with Session(backend) as session:
        numbers = [next_number(session=session, now=now) for _ in range(3)]
        session.commit()
    assert numbers == ["2026-11-000001", "2026-11-000002", "2026-11-000003"]
    with Session(backend) as session:
        assert next_number(session=session, now=now + timedelta(days=10)) == "2026-12-000001"


def test_list_filters_and_paging(backend):
    with Session(backend) as session:
        for i in range(5):
            state = _state(
                f"2026-11-80000{i}",
                1,
                "dispatched" if i % 2 else "in_progress",
                department="sw" if i < 3 else "cg",
                light="red" if i == 4 else None,
            )
            state.created_at += timedelta(minutes=i)
            apply_projection(session=session, projection=p.CaseProjection(state=state, events=[]))
        session.commit()
        page, total = list_cases(session=session, page=1, page_size=2)
        assert total == 5 and [c.number for c in page] == ["2026-11-800004", "2026-11-800003"]
        assert list_cases(session=session, department="cg")[1] == 2
        assert list_cases(session=session, status="dispatched")[1] == 2
        assert list_cases(session=session, status="dispatched,in_progress")[1] == 5
        assert list_cases(session=session, light="red")[1] == 1
        assert list_cases(session=session, visible_to="cg")[1] == 2


def test_text_search_is_literal_and_finds_a_quoted_number(backend):
    with Session(backend) as session:
        for i, text in enumerate(["井盖 100% 缺失", "路灯不亮"]):
            state = _state(f"2026-11-70000{i}", 1, "new")
            state.description = text
            apply_projection(session=session, projection=p.CaseProjection(state=state, events=[]))
        session.commit()
        assert list_cases(session=session, q="_")[1] == 0
        assert [c.number for c in list_cases(session=session, q="100%")[0]] == ["2026-11-700000"]
        assert [c.number for c in list_cases(session=session, q=" 2026-11-700001 ")[0]] == [
            "2026-11-700001"
        ]
        assert list_cases(session=session, q="2026-11-70000")[1] == 2
