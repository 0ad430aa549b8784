"""The assignment rows and the evaluation's SQL, alike on SQLite and PostgreSQL 15: written by the
projection (idempotently), backfilled into a database written without them, and aggregated."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, col, select
from timelines import T0, Timeline, project, three_cases

from core.evaluation_periods import parse_period
from models.assignment import BACKFILL_MARK, Assignment
from models.evaluation import cases_behind, evaluate
from models.evaluation_settings import EvaluationSetting, set_weights, weights
from models.schema import init_db

NOW = T0 + timedelta(days=3)  # the month runs on: figures read now
NOVEMBER = parse_period("2026-11")


def _rows(engine) -> list[tuple]:
    with Session(engine) as session:
        rows = session.exec(
            select(Assignment).order_by(col(Assignment.case_number), col(Assignment.seq))
        ).all()
        return [tuple(sorted(row.model_dump().items())) for row in rows]


def test_the_projection_writes_assignments_idempotently(backend):
    timeline = Timeline().dispatch("sz").add("bounced", "不是", department="sz").dispatch("sw")
    timeline.accept().add("reported", "好了", on_time=True)
    number = "2026-11-900010"
    project(backend, number, timeline, upto=3)
    with Session(backend) as session:
        [bounced, waiting] = session.exec(select(Assignment).order_by(col(Assignment.seq))).all()
    assert (bounced.department, bounced.bounce_reason, waiting.accepted_at) == ("sz", "不是", None)
    project(backend, number, timeline)
    after = _rows(backend)
    for upto in (None, 3, None):  # retried, then an older snapshot late
        project(backend, number, timeline, upto=upto)
    assert _rows(backend) == after
    with Session(backend) as session:
        sw = session.get(Assignment, (number, 3))
    assert sw is not None and sw.reported_at == timeline.lines[-1].at and sw.on_time is True
    assert sw.community == "hongqi-c1" and sw.channel == "hotline"


def test_init_db_backfills_a_database_written_without_the_table(backend):
    three_cases(backend)
    written = _rows(backend)
    assert len(written) == 7
    with backend.begin() as conn:  # as a database of the version before looked
        conn.execute(text("DROP TABLE assignment"))
        conn.execute(text("DROP TABLE evaluation_setting"))
    init_db(backend)
    assert _rows(backend) == written
    with Session(backend) as session:
        assert session.get(EvaluationSetting, BACKFILL_MARK) is not None
        session.exec(select(Assignment)).first()
    init_db(backend)  # marked: not again
    assert _rows(backend) == written


def test_the_figures_by_sql(backend):
    three_cases(backend)
    with Session(backend) as session:
        found = evaluate(
            session=session,
            period=NOVEMBER,
            by="department",
            now=NOW,
            units={"sw": "水务集团", "sz": "市政园林局", "hongqi": "红旗镇", "cg": "城管执法局"},
            weights=weights(session=session),
        )
    rows = {row.key: row for row in found.rows}
    assert [row.key for row in found.rows] == ["sw", "sz", "hongqi", "cg"]
    sw, sz, hongqi = rows["sw"], rows["sz"], rows["hongqi"]
    assert sw.counts is not None and sz.counts is not None and hongqi.counts is not None
    assert sw.counts.model_dump() == {
        "dispatched": 3,
        "accurate_dispatches": 2,
        "bounces": 1,
        "wrongful_bounces": 1,
        "accepted": 2,
        "accepted_on_time": 2,
        "due": 2,
        "handled": 2,
        "handled_on_time": 2,
        "handled_late": 0,
        "overdue_open": 0,
        "reworks": 1,
        "extensions": 1,
        "parked": 0,
        "closed": 2,
        "closed_on_time": 1,
        "rated": 2,
        "satisfied": 2,
        "interim": 0,
        "interim_reported": 0,
    }
    assert (sz.counts.dispatched, sz.counts.bounces, sz.counts.wrongful_bounces) == (3, 2, 0)
    assert (sz.counts.accepted_on_time, sz.counts.due, sz.counts.overdue_open) == (0, 1, 1)
    assert (hongqi.counts.interim, hongqi.counts.dispatched) == (1, 0)
    assert sw.rates is not None and sw.rates.rework_rate == 50.0
    assert sw.rates.on_time_closing_rate == 50.0 and sw.rates.accurate_dispatch_rate == 66.67
    # (30·100 + 20·100 + 20·(100 − 50) + 20·100 + 10·(100 − 50)) / 100; sz: 20·100 + 10·100.
    assert (sw.score, sw.rank, sz.score, sz.rank, hongqi.score, hongqi.rank) == (
        85.0,
        1,
        30.0,
        2,
        None,
        None,
    )
    assert sw.hotline is not None and sz.hotline is not None
    assert (sw.hotline.response_rate, sz.hotline.response_rate) == (100.0, 0.0)
    assert found.totals is not None and found.totals.counts.dispatched == 6
    assert found.totals.rates.handling_rate == 66.67 and found.as_of == NOW
    assert sw.mom is not None and sw.mom.period == "2026-10" and sw.mom.counts.dispatched == 0
    assert sw.mom.score is None and sw.mom.rates_change["rework_rate"] is None


def test_the_cases_behind_a_count_and_the_weights(backend):
    three_cases(backend)
    with Session(backend) as session:
        ask = {"session": session, "period": NOVEMBER, "by": "department", "now": NOW}
        rows, total, count = cases_behind(**ask, key="sw", figure="dispatched")
        assert ({r.number for r in rows}, total, count) == (
            {"2026-11-900001", "2026-11-900003"},
            2,
            3,
        )
        rows, total, count = cases_behind(**ask, key="sz", figure="overdue_open")
        assert ([r.number for r in rows], total, count) == (["2026-11-900002"], 1, 1)
        _, total, count = cases_behind(**ask, key=None, figure="bounces")
        assert (total, count) == (2, 3)
        # Before B's deadline nothing is overdue yet; in December nothing was dispatched.
        early = {**ask, "now": T0 + timedelta(hours=1)}
        assert cases_behind(**early, key="sz", figure="overdue_open")[1:] == (0, 0)
        assert cases_behind(
            **{**ask, "period": parse_period("2026-12")}, key=None, figure="dispatched"
        )[1:] == (0, 0)
        assert weights(session=session)["handling_rate"] == 30
        set_weights(session=session, value={"handling_rate": 1})
        session.commit()
        assert weights(session=session) == {"handling_rate": 1}
