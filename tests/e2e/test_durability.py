"""Durability over the real stack: a worker crash and a Temporal restart lose nothing.

Cases in different states survive a SIGKILL of the worker (an action sent meanwhile waits and
then lands), and a stop/start of the Temporal dev server on the same SQLite file. Timers come
from two test-only categories with tiny natural-time limits (unit `hours`), inserted straight into
the stack's database, so the handling clock's yellow (`reminded`) and `overdue` steps fall due
within the test: one while the worker is dead, one after both restarts.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecutionStatus

from core.naming import case_workflow_id
from models.case import Case, CaseEvent
from models.db import get_engine
from models.reference import ANY_STREET, Category, Rule
from scripts.devstack import DevStack
from web.kit.temporal import TAKE_WITHIN

pytestmark = pytest.mark.e2e

# Natural time (unit `hours`), yellow at 75 %: `test-fast` reminds after 54 s and is overdue after
# 72 s, after both restarts (~35 s); `test-faster` reminds after 5.4 s and is overdue after 7.2 s,
# while the worker is dead.
FAST = "test-fast"
FASTER = "test-faster"
FAST_LIMITS = {FAST: 0.02, FASTER: 0.002}
WORKER_DOWN_FOR = 8.0
TIMER_WAIT = 90.0
CLOCK_STEPS = ("reminded", "overdue")


@pytest.fixture(scope="module")
def stack_engine(stack: DevStack) -> Iterator[Engine]:
    """The stack's own projection database (not the unit tests' one)."""
    engine = get_engine(stack.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def fast_categories(stack_engine: Engine) -> None:
    """Adds the test-only categories, routed to sw in every street."""
    with Session(stack_engine) as session:
        for code, hours in FAST_LIMITS.items():
            session.add(
                Category(
                    code=code,
                    name=f"测试 {code}",
                    kind="event",
                    limit_amount=hours,
                    limit_unit="hours",
                )
            )
        session.flush()
        for code in FAST_LIMITS:
            session.add(Rule(category=code, street=ANY_STREET, department="sw"))
        session.commit()


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def steps_at(case: dict) -> dict[str, datetime]:
    """Returns when the clock steps (reminded, overdue) entered the timeline."""
    return {e["action"]: parse(e["at"]) for e in case["timeline"] if e["action"] in CLOCK_STEPS}


def wait_for_steps(client, number: str, timeout: float) -> dict:
    """Polls a case until its timeline shows both clock steps; returns the case."""
    deadline = time.monotonic() + timeout
    while True:
        case = client.case(number)
        if set(steps_at(case)) == set(CLOCK_STEPS):
            return case
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{number}: no reminded/overdue after {timeout:g} s: "
                f"{[e['action'] for e in case['timeline']]}"
            )
        time.sleep(0.5)


def file_to(coordinator, sw, state: str, category: str = "manhole-cover") -> str:
    """Files a case and drives it to `state`: new, registered, dispatched (to sw) or in_progress."""
    number = coordinator.file_case(category=category, grid="sanzao-02")["number"]
    steps = [
        lambda: coordinator.act(number, "register"),
        lambda: coordinator.act(number, "dispatch"),
        lambda: sw.act(number, "accept"),
    ]
    for step in steps[: ("new", "registered", "dispatched", "in_progress").index(state)]:
        step()
    case = coordinator.case(number)
    assert case["status"] == state, case
    assert case["department"] == (None if state in ("new", "registered") else "sw"), case
    return number


async def workflow_states(address: str, numbers: list[str]) -> dict[str, dict]:
    """Asks each case workflow for its own state (query `state`)."""
    client = await Client.connect(address)
    states = {}
    for number in numbers:
        handle = client.get_workflow_handle(case_workflow_id(number))
        description = await handle.describe()
        assert description.status == WorkflowExecutionStatus.RUNNING, (number, description.status)
        states[number] = await handle.query("state")
    return states


def start_of_a_minute(latest_second: float = 3.0) -> None:
    """Waits, if needed, until just after the wall clock turns a minute.

    Clocks start at the whole minute (activities/case.py truncates the start), so a clock started
    late in a minute loses up to 59 s of its limit; the tiny test limits must start near :00.
    """
    now = datetime.now(UTC)
    second = now.second + now.microsecond / 1e6
    if second > latest_second:
        time.sleep(60.2 - second)


def test_cases_survive_a_worker_crash_and_a_temporal_restart(
    stack, api, login, stack_engine, fast_categories
):
    coordinator, sw = api("coordinator"), api("liaison-sw")
    liaison = login("liaison-sw", timeout=90)  # its own HTTP client, for another thread

    # -- cases in several states; two get a short handling clock -------------------------------
    cases = {
        "new": file_to(coordinator, sw, "new"),
        "registered": file_to(coordinator, sw, "registered"),
        "dispatched": file_to(coordinator, sw, "dispatched"),
        "waiting": file_to(coordinator, sw, "dispatched"),
        "fast": file_to(coordinator, sw, "dispatched", FAST),
        "faster": file_to(coordinator, sw, "dispatched", FASTER),
    }
    assert coordinator.case(cases["dispatched"])["accept_deadline"] is not None
    start_of_a_minute()
    for name in ("fast", "faster"):
        case = sw.act(cases[name], "accept")
        assert case["light"] == "green", case
        assert parse(case["deadline"]) > datetime.now(UTC), case
    before = {n: coordinator.case(n) for n in cases.values()}

    # -- SIGKILL the worker; an action sent meanwhile answers in time (queued) and lands once ---
    stack.kill_worker()
    assert "worker" not in stack.running()
    answer: dict = {}

    def accept_while_down() -> None:
        try:
            answer["case"] = liaison.act(cases["dispatched"], "accept", {"note": "宕机期间签收"})
        except Exception as exc:  # noqa: BLE001  (reported by the main thread)
            answer["error"] = exc

    waiting = threading.Thread(target=accept_while_down, daemon=True)
    sent_at = time.monotonic()
    waiting.start()
    time.sleep(WORKER_DOWN_FOR)
    # Reads come from the projection: nothing is lost, nothing has moved.
    listed = coordinator.cases(page_size=200)
    assert set(cases.values()) <= {c["number"] for c in listed["items"]}
    for number, old in before.items():
        now = coordinator.case(number)
        assert (now["status"], now["version"]) == (old["status"], old["version"]), number
    faster = coordinator.case(cases["faster"])
    assert parse(faster["deadline"]) < datetime.now(UTC), faster  # due ...
    assert steps_at(faster) == {}  # ... but no worker to fire it

    # The accept sent while no worker runs answers within its bound, truthfully: queued.
    waiting.join(TAKE_WITHIN + 15)
    assert not waiting.is_alive(), "the accept sent while the worker was down never returned"
    assert time.monotonic() - sent_at < TAKE_WITHIN + 10
    assert type(answer.get("error")).__name__ == "UnexpectedStatus", answer
    assert "503" in str(answer["error"]) and "queued" in str(answer["error"]), answer
    liaison.close()
    assert coordinator.case(cases["dispatched"])["status"] == "dispatched", "not done yet"
    restarted_at = datetime.now(UTC)  # before: the new worker may fire timers while it starts
    stack.start_worker()
    # ... and done, once, as soon as a worker is back.
    for _ in range(100):
        accepted = coordinator.case(cases["dispatched"])
        if accepted["status"] == "in_progress":
            break
        time.sleep(0.3)
    assert accepted["status"] == "in_progress"
    assert [e["action"] for e in accepted["timeline"]].count("accepted") == 1

    # The timers that fell due while the worker was dead fire once it is back.
    faster = wait_for_steps(coordinator, cases["faster"], 30)
    assert all(at >= restarted_at for at in steps_at(faster).values()), steps_at(faster)
    assert faster["light"] == "red"

    # Every case carries on.
    assert coordinator.act(cases["new"], "register")["status"] == "registered"
    assert coordinator.act(cases["registered"], "dispatch")["status"] == "dispatched"
    assert sw.act(cases["dispatched"], "report", {"note": "已修复"})["status"] == "reported"
    assert sw.act(cases["waiting"], "bounce", {"reason": "核实后非本单位"})["status"] == "bounced"
    assert coordinator.act(cases["fast"], "urge", {"note": "尽快处置"})["status"] == "in_progress"

    # -- stop the Temporal dev server, start it again on the same SQLite file -------------------
    stack.stop_temporal()
    assert coordinator.case(cases["fast"])["status"] == "in_progress"  # reads need no Temporal
    # An action meanwhile is refused as an outage (API: 503 with a detail) and changes nothing.
    assert coordinator.act(cases["new"], "dispatch", expect=503)["detail"]
    assert coordinator.case(cases["new"])["status"] == "registered"
    stack.start_temporal()
    if not stack.running().get("worker"):
        stack.start_worker()

    assert coordinator.act(cases["new"], "dispatch")["status"] == "dispatched"
    temporal_back_at = datetime.now(UTC)
    assert sw.act(cases["registered"], "accept")["status"] == "in_progress"
    assert coordinator.act(cases["dispatched"], "verify", {"passed": True})["status"] == "verified"
    assert coordinator.act(cases["waiting"], "dispatch", {"department": "sz"})["department"] == "sz"
    assert sw.act(cases["faster"], "report", {"note": "超时完成"})["status"] == "reported"
    assert (
        coordinator.act(cases["dispatched"], "callback", {"satisfaction": "basically_satisfied"})[
            "status"
        ]
        == "closed"
    )

    # -- the timer that was pending through both outages still fires ----------------------------
    fast = coordinator.case(cases["fast"])
    assert steps_at(fast) == {}, (
        f"{FAST} fired before Temporal was back ({temporal_back_at}); the machine is too slow "
        "for this test's limits"
    )
    assert parse(fast["yellow_at"]) > temporal_back_at, fast
    fast = wait_for_steps(coordinator, cases["fast"], TIMER_WAIT)
    fired = steps_at(fast)
    assert temporal_back_at <= fired["reminded"] < fired["overdue"], fired
    assert fast["light"] == "red" and fast["status"] == "in_progress"
    assert sw.act(cases["fast"], "report", {"note": "终于修好"})["status"] == "reported"

    assert_projection_is_exact(stack, stack_engine, coordinator, list(cases.values()))


def assert_projection_is_exact(
    stack: DevStack, engine: Engine, coordinator, numbers: list[str]
) -> None:
    """No timeline line is lost or doubled, and the rows match what the workflows recorded."""
    states = asyncio.run(workflow_states(stack.temporal_address, numbers))
    with Session(engine) as session:
        stored = {
            n: list(
                session.exec(
                    select(CaseEvent).where(CaseEvent.case_number == n).order_by(CaseEvent.seq)
                )
            )
            for n in numbers
        }
        rows = session.exec(
            select(func.count())
            .select_from(CaseEvent)
            .where(col(CaseEvent.case_number).in_(numbers))
        ).one()
        versions = {n: session.get(Case, n).version for n in numbers}
    for number in numbers:
        events, state = stored[number], states[number]
        assert [e.seq for e in events] == list(range(1, len(events) + 1)), number
        pairs = Counter((e.action, e.at) for e in events)
        assert [p for p, count in pairs.items() if count > 1] == [], number
        assert len(events) == state["seq"], (number, len(events), state["seq"])
        assert state["unprojected"] == [], number
        assert versions[number] == state["version"], number
        timeline = coordinator.case(number)["timeline"]
        assert [(e["action"], parse(e["at"])) for e in timeline] == [
            (e.action, e.at) for e in events
        ], number
        for action in CLOCK_STEPS:
            assert sum(e.action == action for e in events) <= 1, (number, action)
    assert rows == sum(state["seq"] for state in states.values())
