"""The demo history: a year of closed or voided cases written once through the projection, the same
from the same month, numbered by the case counter, telling nobody, in demo mode only; the
evaluation of its months has figures, and its assignment rows are what the backfill derives."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlmodel import Session, col, delete, func, select

from core.evaluation_periods import parse_period
from core.workcal import TZ
from models.assignment import Assignment, backfill
from models.case import Case, CaseEvent
from models.case_store import next_number
from models.db import get_engine
from models.demo_history import MARK, MONTHS, write_demo_history
from models.evaluation import evaluate
from models.evaluation_settings import get_setting, weights
from models.outbox import OutboxMessage
from models.seed import seed

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)


def _fresh(path) -> object:
    engine = get_engine(f"sqlite:///{path}")
    seed(engine, demo=True)
    return engine


def _assignments(engine) -> list[tuple]:
    with Session(engine) as session:
        rows = session.exec(
            select(Assignment).order_by(col(Assignment.case_number), col(Assignment.seq))
        ).all()
        return [tuple(sorted(r.model_dump().items())) for r in rows]


def _timelines(engine) -> list[tuple]:
    with Session(engine) as session:
        lines = session.exec(
            select(CaseEvent).order_by(col(CaseEvent.case_number), col(CaseEvent.seq))
        ).all()
        return [(e.case_number, e.seq, e.at, e.actor, e.action, e.detail, e.data) for e in lines]


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A fresh demo database with its history written."""
    engine = _fresh(tmp_path_factory.mktemp("history") / "demo.db")
    written = write_demo_history(engine, now=NOW)
    return engine, written


def test_it_is_written_once_and_the_same_from_the_same_month(history, tmp_path):
    engine, written = history
    assert 300 <= written <= 12 * 30
    before = _timelines(engine)
    assert write_demo_history(engine, now=NOW) == 0  # a restart: there already
    assert _timelines(engine) == before
    with Session(engine) as session:
        assert get_setting(session=session, name=MARK)["cases"] == written
    again = _fresh(tmp_path / "again.db")
    assert write_demo_history(again, now=NOW) == written
    assert _timelines(again) == before and _assignments(again) == _assignments(engine)


def test_every_case_is_over_numbered_by_the_counter_and_told_nobody(history):
    engine, written = history
    with Session(engine) as session:
        cases = session.exec(select(Case)).all()
        assert {c.status for c in cases} == {"closed", "voided"}
        months = Counter(c.number[:7] for c in cases)
        assert sorted(months) == [
            f"{y}-{m:02d}" for y, m in [(2025, 12)] + [(2026, n) for n in range(1, 12)]
        ]
        assert len(months) == MONTHS and min(months.values()) >= 15
        for case in cases:  # numbered in its own month, one after the other
            assert case.number[:7] == f"{case.created_at.astimezone(TZ):%Y-%m}"
        last = max(c.number for c in cases if c.number.startswith("2026-11"))
        assert next_number(session=session, now=datetime(2026, 11, 30, tzinfo=TZ)) > last
        assert next_number(session=session, now=NOW) == "2026-12-000001"
        session.rollback()
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 0
        actions = Counter(session.exec(select(CaseEvent.action)).all())
    for action in (
        "bounced",
        "disputed",
        "arbitrated",
        "rework",
        "extension_approved",
        "extension_denied",
        "parked",
        "unparked",
        "overdue",
        "callback",
        "voided",
    ):
        assert actions[action] > 0, action
    assert actions["created"] == written


def test_a_past_month_has_figures_of_every_kind(history):
    engine, _ = history
    with Session(engine) as session:
        for month in ("2025-12", "2026-05", "2026-11"):
            found = evaluate(
                session=session,
                period=parse_period(month),
                by="department",
                now=NOW,
                units={"sw": "水务集团", "cg": "城管执法局"},
                weights=weights(session=session),
            )
            counts = found.totals.counts
            assert counts.dispatched > 0 and counts.handled > 0 and counts.closed > 0, month
            assert counts.overdue_open == 0  # all of it is over
            assert found.totals.score is not None
            assert any(row.rank == 1 for row in found.rows)
        year = evaluate(
            session=session,
            period=parse_period("2026"),
            by="street",
            now=NOW,
            units={},
            weights=weights(session=session),
        ).totals.counts
    assert year.bounces > year.wrongful_bounces > 0
    assert year.handled_late > 0 and year.reworks > 0 and year.extensions > 0
    assert year.parked > 0 and year.rated > year.satisfied > 0
    assert year.accepted > year.accepted_on_time


def test_its_assignments_are_what_the_backfill_derives_from_its_timelines(history):
    engine, _ = history
    written = _assignments(engine)
    assert len(written) > 300
    with Session(engine) as session:
        session.exec(delete(Assignment))  # type: ignore[call-overload]
        session.commit()
    backfill(engine)
    assert _assignments(engine) == written


def test_only_in_demo_mode(tmp_path, monkeypatch):
    engine = _fresh(tmp_path / "plain.db")
    monkeypatch.setenv("LIANDONG_DEMO", "0")
    with pytest.raises(RuntimeError, match="demo mode"):
        write_demo_history(engine, now=NOW)
    monkeypatch.setenv("LIANDONG_DEMO", "1")
    monkeypatch.setenv("LIANDONG_ENV", "production")
    with pytest.raises(RuntimeError, match="demo mode"):
        write_demo_history(engine, now=NOW)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 0
