"""The monthly report's Schedule on the real stack: it exists after start-up with its spec, and
its publication happens exactly once (one row, one mail per department head) although the worker
is SIGKILLed during it and the Temporal server is restarted; the Schedule survives both."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client, ScheduleActionStartWorkflow, ScheduleOverlapPolicy
from temporalio.service import RPCError

from activities.publication import publication_day
from core import publication_payloads as pp
from core.naming import PUBLICATION_SCHEDULE_ID, TASK_QUEUE, publication_workflow_id
from core.workcal import TZ
from models.calendar_store import load_calendar
from models.db import get_engine
from models.outbox import OutboxMessage
from models.publication import Publication
from models.reference import Department
from scripts.devstack import DevStack

pytestmark = pytest.mark.e2e

WAIT = 120.0  # a publication lost with its worker is retried after its 20 s heartbeat timeout


@pytest.fixture(scope="module")
def stack_engine(stack: DevStack) -> Iterator[Engine]:
    engine = get_engine(stack.database_url)
    yield engine
    engine.dispose()


def _rows(engine: Engine, month: str) -> tuple[list[Publication], list[OutboxMessage], int]:
    """The month's publications, their mail, and how many heads have an address."""
    with Session(engine) as session:
        rows = list(session.exec(select(Publication).where(Publication.month == month)))
        mail = list(
            session.exec(
                select(OutboxMessage).where(
                    col(OutboxMessage.key).startswith(f"publication/{month}/")
                )
            )
        )
        heads = len([d for d in session.exec(select(Department)) if d.head_email])
    return rows, mail, heads


def _wait_for(what: str, check, timeout: float = WAIT):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {timeout:g} s")
        time.sleep(0.3)


async def _describe(address: str):  # noqa: ANN202
    client = await Client.connect(address)
    return await client.get_schedule_handle(PUBLICATION_SCHEDULE_ID).describe()


async def _trigger(address: str) -> None:
    client = await Client.connect(address)
    await client.get_schedule_handle(PUBLICATION_SCHEDULE_ID).trigger()


async def _checks_done(address: str) -> list[pp.PublicationCheckResult]:
    """The results of the schedule's finished checks."""
    client = await Client.connect(address)
    done = []
    async for info in client.list_workflows(
        'WorkflowType = "PublicationCheckWorkflow" AND ExecutionStatus = "Completed"'
    ):
        handle = client.get_workflow_handle(
            info.id, run_id=info.run_id, result_type=pp.PublicationCheckResult
        )
        done.append(await handle.result())
    return done


async def _start_publication(address: str, month: str, task_queue: str) -> None:
    client = await Client.connect(address)
    await client.start_workflow(
        "PublishMonthWorkflow",
        pp.PublishInput(month=month),
        id=publication_workflow_id(month),
        task_queue=task_queue,
    )


async def _publishing(address: str, month: str) -> bool:
    """Tells whether the month's publication has an activity under way on a worker."""
    client = await Client.connect(address)
    try:
        found = await client.get_workflow_handle(publication_workflow_id(month)).describe()
    except RPCError:
        return False
    return any(
        a.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        for a in found.raw_description.pending_activities
    )


async def _activity_attempts(address: str, month: str) -> int:
    """Returns the attempt that completed the publication's activity (1: never lost)."""
    client = await Client.connect(address)
    handle = client.get_workflow_handle(publication_workflow_id(month))
    await handle.result()
    attempts = [
        event.activity_task_started_event_attributes.attempt
        async for event in handle.fetch_history_events()
        if event.HasField("activity_task_started_event_attributes")
    ]
    return max(attempts)


def test_the_schedule_publishes_once_across_worker_and_server_restarts(stack, stack_engine):
    address = stack.temporal_address
    # -- the Schedule is there, as worker.py made it ---------------------------------------------
    described = asyncio.run(_describe(address))
    schedule = described.schedule
    [calendar] = schedule.spec.calendars
    assert schedule.spec.time_zone_name == "Asia/Shanghai"
    assert [(r.start, r.end) for r in calendar.hour] == [(9, 9)]
    assert [(r.start, r.end) for r in calendar.minute] == [(0, 0)]
    assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 12)]
    assert schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert schedule.policy.catchup_window == timedelta(days=1)
    assert isinstance(schedule.action, ScheduleActionStartWorkflow)
    assert schedule.action.workflow == "PublicationCheckWorkflow"
    upcoming = [t.astimezone(TZ) for t in described.info.next_action_times]
    assert upcoming and all((t.hour, t.minute, t.day <= 12) == (9, 0, True) for t in upcoming)

    # -- fire it now: today's check publishes last month if its first working day has come ------
    today = datetime.now(TZ).date()
    month, _first, due = publication_day(today, load_calendar(engine=stack_engine))
    assert _rows(stack_engine, month)[0] == []
    asyncio.run(_trigger(address))
    if not due:  # run before the month's first working day: the check does nothing, start it
        [check] = _wait_for("the check", lambda: asyncio.run(_checks_done(address)), 30)
        assert check.outcome == pp.NOT_DUE
        queue = stack.child_env().get("LIANDONG_TASK_QUEUE", TASK_QUEUE)
        asyncio.run(_start_publication(address, month, queue))

    # -- SIGKILL the worker in the middle of the publication, then start it again --------------
    # The test holds the database's write lock, so the activity computes the figures and then
    # waits to write: it is surely under way, uncommitted, when its worker dies.
    lock = sqlite3.connect(stack.database_url.removeprefix("sqlite:///"), timeout=30)
    try:
        lock.execute("BEGIN IMMEDIATE")
        _wait_for(
            "the publication's activity",
            lambda: asyncio.run(_publishing(address, month)),
            30,
        )
        time.sleep(2.0)  # the figures of the demo district take well under a second
        stack.kill_worker()
    finally:
        lock.rollback()
        lock.close()
    assert _rows(stack_engine, month)[0] == []
    stack.start_worker()
    rows, mail, heads = _wait_for(
        "one publication and its mail",
        lambda: (found := _rows(stack_engine, month))[0] and found,
    )
    assert heads >= 10
    [row] = rows
    assert (row.version, row.trigger) == (1, pp.SCHEDULE)
    assert len(mail) == heads == len(row.mailed)
    assert len({m.key for m in mail}) == heads
    # The lost attempt was retried (after its heartbeat timeout) and did the work once.
    attempts = asyncio.run(_activity_attempts(address, month))
    assert attempts >= 2, attempts

    # -- restart the Temporal server on its file; the Schedule is still there and fires again ---
    stack.stop_temporal()
    stack.start_temporal()
    if not stack.running().get("worker"):
        stack.start_worker()
    assert asyncio.run(_describe(address)).schedule.spec.time_zone_name == "Asia/Shanghai"
    before = len(asyncio.run(_checks_done(address)))
    asyncio.run(_trigger(address))
    checks = _wait_for(
        "the second check",
        lambda: (found := asyncio.run(_checks_done(address)))[before:] and found,
        60,
    )
    outcomes = [c.outcome for c in checks if c.month == month]
    assert (pp.ALREADY if due else pp.NOT_DUE) in outcomes
    assert outcomes.count(pp.PUBLISHED) <= 1
    rows, mail, _ = _rows(stack_engine, month)
    assert len(rows) == 1 and len(mail) == heads
    assert rows[0].published_at < datetime.now(UTC)
