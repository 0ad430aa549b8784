"""The monthly report's publication on the time-skipping server: the first working day on the
calendar, one publication per month however often the schedule fires, a retried activity that
writes nothing twice, a head without an address listed as not mailed, and a republication as
version 2 with its reason and new mail. (The test server has no Schedules: the schedule's
workflow is started directly with the day it would fire on; the Schedule itself is checked in
tests/e2e/test_publication_restart.py.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.worker import Worker
from timelines import three_cases

from activities import publication as acts
from activities.mail_render import render
from core import publication_payloads as pp
from core import workcal
from core.evaluation_periods import parse_period
from core.naming import publication_workflow_id
from core.workcal import TZ
from models.outbox import OutboxMessage
from models.publication import Publication
from models.reference import Department
from web.evaluation.monthly import month_figures
from worker import RUNNER, publication_schedule
from workflows.publication import PublicationCheckWorkflow, PublishMonthWorkflow

# Months long past that no other test fills, one per test: a month's publication workflow id is
# fixed, so a second one on this module's test server would (rightly) be refused.
HEADS = 14  # the demo's ten departments and four streets all have a head's address


def _clear(engine, month: str) -> None:
    with Session(engine) as session:
        session.execute(delete(Publication).where(col(Publication.month) == month))
        session.execute(
            delete(OutboxMessage).where(col(OutboxMessage.key).startswith(f"publication/{month}/"))
        )
        session.commit()


@pytest.fixture
def month_of(engine, calendar) -> Iterator[Callable[[str], tuple[str, str]]]:
    """Fills a month with the three cases of tests/timelines.py (from the 13th on); returns it
    and the first working day of the month after. No publication of it before or after."""
    used: list[str] = []

    def fill(month: str) -> tuple[str, str]:
        _clear(engine, month)
        used.append(month)
        year, number = (int(part) for part in month.split("-"))
        three_cases(
            engine, datetime(year, number, 13, 9, 0, tzinfo=TZ), prefix=f"P{uuid.uuid4().hex[:8]}-"
        )
        after = date(year, number, 28) + timedelta(days=7)
        return month, acts.first_working_day(after.year, after.month, calendar).isoformat()

    yield fill
    for month in used:
        _clear(engine, month)


def _publications(engine, month: str) -> list[Publication]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Publication)
                .where(Publication.month == month)
                .order_by(col(Publication.version))
            )
        )


def _mail(engine, month: str, version: int | None = None) -> list[OutboxMessage]:
    prefix = f"publication/{month}/" + (f"v{version}/" if version else "")
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.key).startswith(prefix))
                .order_by(col(OutboxMessage.key))
            )
        )


async def _start_check(env, queue: str, today: str):
    return await env.client.start_workflow(
        PublicationCheckWorkflow.run,
        pp.PublicationCheckInput(today=today),
        id=f"publication-check-{uuid.uuid4().hex[:8]}",
        task_queue=queue,
    )


async def _check(env, queue: str, today: str) -> pp.PublicationCheckResult:
    return await (await _start_check(env, queue, today)).result()


# -- the day ------------------------------------------------------------------------------------


def test_the_first_working_day_comes_from_the_calendar(calendar):
    first = {m: acts.first_working_day(2026, m, calendar) for m in (1, 2, 5, 10, 12)}
    assert first == {
        1: date(2026, 1, 4),  # a Sunday made a working day (调休) after New Year
        2: date(2026, 2, 2),
        5: date(2026, 5, 6),  # after the May Day holiday
        10: date(2026, 10, 8),  # after National Day and the Mid-Autumn Festival
        12: date(2026, 12, 1),
    }
    assert acts.first_working_day(2025, 2, calendar) == date(2025, 2, 5)  # Spring Festival
    # A table that gives 1–8 October off: the 9th, a Friday.
    golden_week = workcal.WorkCalendar(
        holidays=frozenset(date(2026, 10, d) for d in range(1, 9)), known_years=frozenset({2026})
    )
    assert acts.first_working_day(2026, 10, golden_week) == date(2026, 10, 9)
    # A year the table does not cover: Monday to Friday.
    assert acts.first_working_day(2031, 6, calendar) == date(2031, 6, 2)


def test_publication_is_due_from_the_first_working_day_on(calendar):
    assert acts.publication_day(date(2026, 10, 7), calendar) == (
        "2026-09",
        date(2026, 10, 8),
        False,
    )
    assert acts.publication_day(date(2026, 10, 8), calendar) == ("2026-09", date(2026, 10, 8), True)
    # Missed while the service was down: made up at the next firing.
    assert acts.publication_day(date(2026, 10, 12), calendar)[2] is True
    assert acts.publication_day(date(2027, 1, 4), calendar)[0] == "2026-12"


def test_the_schedule_fires_at_nine_beijing_time_on_days_one_to_twelve():
    schedule = publication_schedule("q")
    [calendar] = schedule.spec.calendars
    assert schedule.spec.time_zone_name == "Asia/Shanghai"
    assert [(r.start, r.end) for r in calendar.hour] == [(9, 9)]
    assert [(r.start, r.end) for r in calendar.minute] == [(0, 0)]
    assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 12)]
    assert schedule.policy.overlap.name == "SKIP"
    assert schedule.policy.catchup_window == timedelta(days=1)
    assert schedule.action.workflow == "PublicationCheckWorkflow"  # type: ignore[attr-defined]


# -- the workflows ------------------------------------------------------------------------------


async def test_the_schedule_publishes_last_month_once(time_env, worker_queue, engine, month_of):
    month, first_day = month_of("2024-05")
    assert first_day == "2024-06-03"
    early = await _check(time_env, worker_queue, "2024-06-02")  # a Sunday: not yet
    assert (early.month, early.outcome) == (month, pp.NOT_DUE)
    assert _publications(engine, month) == [] and _mail(engine, month) == []

    # Two firings at once (a catch-up beside the day's own): one publication.
    # (Their results are awaited one after the other: two waits at once would each unlock the
    # test server's time skipping, and it would skip past the running activity's timeout.)
    started = [await _start_check(time_env, worker_queue, first_day) for _ in range(2)]
    both = [await handle.result() for handle in started]
    assert sorted(r.outcome for r in both) == sorted([pp.PUBLISHED, pp.ALREADY])
    later = await _check(time_env, worker_queue, "2024-06-04")  # the next day's firing
    assert later.outcome == pp.ALREADY

    [row] = _publications(engine, month)
    assert (row.version, row.trigger, row.published_by, row.reason) == (1, pp.SCHEDULE, None, None)
    assert row.workflow_id == publication_workflow_id(month) == "evaluation-publish-2024-05"
    sw = {r["key"]: r for r in row.snapshot["department"]["rows"]}["sw"]
    assert (sw["counts"]["dispatched"], sw["score"], sw["rank"]) == (3, 85.0, 1)
    assert set(row.snapshot) == {"department", "street", "community", "grid", "category", "channel"}
    mail = _mail(engine, month)
    assert len(mail) == HEADS == len(row.mailed) and row.not_mailed == []
    assert {m.key for m in mail} == {f"publication/{month}/v1/{code}" for code in row.mailed}
    to_sw = next(m for m in mail if m.key.endswith("/sw"))
    assert to_sw.recipient == "head-sw@liandong.example"
    words = render(to_sw.kind, to_sw.context, public_url="http://liandong.test")
    assert words.subject == "【月通报】2024年5月 城市管理综合评价结果"
    assert "排名第 1 位" in words.text and "市政园林局" in words.text  # its line, the ranking
    assert (
        "<table" in words.html
        and "http://liandong.test/public/evaluation?month=2024-05" in words.html
    )

    # The report shows what was published.
    figures = month_figures(parse_period(month), datetime.now(TZ))
    assert figures.published and figures.version == 1
    assert figures.by["department"].model_dump(mode="json") == row.snapshot["department"]


_failed_once: set[str] = set()


@activity.defn(name="publish_month")
def publish_then_lose_the_worker(req: pp.PublishRequest) -> pp.PublishResult:
    """The real activity, whose first attempt commits and then fails (the worker died)."""
    result = acts.publish(req)
    if req.workflow_id not in _failed_once:
        _failed_once.add(req.workflow_id)
        raise RuntimeError("worker lost after the commit")
    return result


async def test_a_retried_publication_writes_nothing_twice(time_env, engine, month_of):
    month, _ = month_of("2024-02")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            time_env.client,
            task_queue=queue,
            workflows=[PublishMonthWorkflow],
            activities=[publish_then_lose_the_worker],
            activity_executor=executor,
            workflow_runner=RUNNER,
        ):
            result = await time_env.client.execute_workflow(
                PublishMonthWorkflow.run,
                pp.PublishInput(month=month),
                id=publication_workflow_id(month),
                task_queue=queue,
            )
    assert result.created is False  # the retry found the row the lost attempt had committed
    assert len(_publications(engine, month)) == 1 and len(_mail(engine, month)) == HEADS
    # The same publication run again (an id free again after the retention period): no change.
    again = acts.publish(
        pp.PublishRequest(
            month=month, version=1, trigger=pp.SCHEDULE, at=datetime.now(TZ), workflow_id="other"
        )
    )
    assert again.created is False and again.published_at == result.published_at
    assert len(_publications(engine, month)) == 1 and len(_mail(engine, month)) == HEADS


async def test_a_head_without_an_address_is_listed_as_not_mailed(
    time_env, worker_queue, engine, month_of
):
    month, first_day = month_of("2024-04")
    with Session(engine) as session:
        tx = session.get(Department, "tx")
        assert tx is not None
        kept, tx.head_email = tx.head_email, None
        session.add(tx)
        session.commit()
    try:
        done = await _check(time_env, worker_queue, first_day)
    finally:
        with Session(engine) as session:
            tx = session.get(Department, "tx")
            assert tx is not None
            tx.head_email = kept
            session.add(tx)
            session.commit()
    assert done.outcome == pp.PUBLISHED
    [row] = _publications(engine, month)
    assert row.not_mailed == ["tx"] and "tx" not in row.mailed and len(row.mailed) == HEADS - 1
    assert [m for m in _mail(engine, month) if m.key.endswith("/tx")] == []


async def test_a_republication_is_version_two_with_its_reason_and_new_mail(
    time_env, worker_queue, engine, month_of
):
    month, first_day = month_of("2024-03")
    assert (await _check(time_env, worker_queue, first_day)).outcome == pp.PUBLISHED
    [first] = _publications(engine, month)
    # A late correction adds cases to the month: the republication counts them.
    three_cases(engine, datetime(2024, 3, 20, 9, 0, tzinfo=TZ), prefix=f"Q{uuid.uuid4().hex[:8]}-")
    result = await time_env.client.execute_workflow(
        PublishMonthWorkflow.run,
        pp.PublishInput(
            month=month, version=2, trigger=pp.REPUBLISH, by="supervisor", reason="补录漏报案件"
        ),
        id=publication_workflow_id(month, 2),
        task_queue=worker_queue,
    )
    assert (result.version, result.created) == (2, True)
    v1, v2 = _publications(engine, month)
    assert v1.snapshot == first.snapshot  # the first version stays as it was published
    assert (v2.trigger, v2.published_by, v2.reason) == (pp.REPUBLISH, "supervisor", "补录漏报案件")
    assert v2.workflow_id == "evaluation-publish-2024-03-v2"
    sw = {r["key"]: r for r in v2.snapshot["department"]["rows"]}["sw"]
    assert sw["counts"]["dispatched"] == 6
    assert len(_mail(engine, month, 1)) == HEADS and len(_mail(engine, month, 2)) == HEADS
    to_sw = next(m for m in _mail(engine, month, 2) if m.key.endswith("/sw"))
    words = render(to_sw.kind, to_sw.context, public_url="http://liandong.test")
    assert words.subject == "【月通报·重新发布】2024年3月 城市管理综合评价结果（第2版）"
    assert "重新发布原因：补录漏报案件" in words.text and "补录漏报案件" in words.html
    figures = month_figures(parse_period(month), datetime.now(TZ))
    assert figures.version == 2 and figures.extra["reason"] == "补录漏报案件"
