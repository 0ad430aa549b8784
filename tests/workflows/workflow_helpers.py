"""Drives a case workflow on the time-skipping server and reads what a user would see."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core import payloads as p
from core import workcal
from core.refusals import KINDS
from core.workcal import TZ
from models.case import Case, CaseEvent
from models.case_store import get_case, timeline
from models.reference import Rule
from workflows.case import CaseWorkflow

COORDINATOR = p.Actor(username="coordinator", role="coordinator")
SUPERVISOR = p.Actor(username="supervisor", role="supervisor")
INSPECTOR = p.Actor(username="inspector", role="inspector")
ADMIN = p.Actor(username="admin", role="admin")


def liaison(department: str) -> p.Actor:
    """Returns the demo liaison of a department or street."""
    return p.Actor(username=f"liaison-{department}", role="liaison", department=department)


def local(moment: datetime) -> datetime:
    """Returns `moment` in Asia/Shanghai."""
    return moment.astimezone(TZ)


def to_minute(moment: datetime) -> datetime:
    """Returns `moment` in Shanghai, cut to the minute (workflow times trail by milliseconds)."""
    return local(moment).replace(second=0, microsecond=0)


def assert_exact(actual: datetime | None, expected: datetime) -> None:
    """Asserts a clock instant to the microsecond (clocks count whole minutes)."""
    assert actual is not None, f"expected {expected}, got None"
    assert local(actual) == local(expected), f"{local(actual)} != {local(expected)}"


def assert_close(actual: datetime | None, expected: datetime, slack: float = 2.0) -> None:
    """Asserts two instants agree within `slack` seconds."""
    assert actual is not None, f"expected {expected}, got None"
    assert abs((actual - expected).total_seconds()) <= slack, f"{local(actual)} != {expected}"


# -- the clock of the time-skipping server --------------------------------------------------


async def now(env: WorkflowEnvironment) -> datetime:
    """Returns the test server's current time in Shanghai."""
    return local(await env.get_current_time())


async def sleep_until(env: WorkflowEnvironment, target: datetime) -> None:
    """Skips the server's time forward to `target` (time never moves back)."""
    delta = target - await now(env)
    assert delta >= timedelta(0), f"{target} is already past"
    await env.sleep(delta)


def clean_friday(cal: workcal.WorkCalendar, after: datetime) -> datetime:
    """Returns 16:00 of the first Friday after `after` of a week with no holiday or make-up day.

    Friday and the next Monday to Wednesday work, the weekend between is off: the ladder of an
    unaccepted dispatch then lands on the plain office hours of API.md.
    """
    day = local(after).date() + timedelta(days=1)
    while True:
        friday = day + timedelta(days=(4 - day.weekday()) % 7)
        week = [friday + timedelta(days=n) for n in range(6)]  # Fri .. Wed
        if [cal.is_working_day(d) for d in week] == [True, False, False, True, True, True]:
            return datetime.combine(friday, time(16, 0), tzinfo=TZ)
        day = friday + timedelta(days=1)


def working_day_at(
    cal: workcal.WorkCalendar, after: datetime, hour: int, minute: int = 0
) -> datetime:
    """Returns hh:mm of the first working day whose hh:mm is after `after`."""
    day: date = local(after).date()
    while True:
        candidate = datetime.combine(day, time(hour, minute), tzinfo=TZ)
        if candidate > after and cal.is_working_day(day):
            return candidate
        day += timedelta(days=1)


# -- one case ---------------------------------------------------------------------------------


def refusal(error: WorkflowUpdateFailedError) -> tuple[str, dict[str, Any]]:
    """Returns the refusal kind (forbidden, conflict, invalid) and details of a failed update."""
    cause = error.cause
    assert isinstance(cause, ApplicationError), f"not a refusal: {cause!r}"
    assert cause.non_retryable
    details = cause.details[0] if cause.details else {}
    return cause.type or "", details


@dataclass
class CaseDriver:
    """One running case: acts through updates, reads the projection rows."""

    env: WorkflowEnvironment
    engine: Engine
    handle: WorkflowHandle
    number: str
    category: str
    street: str

    async def act(self, update: Any, inp: Any) -> p.CaseView:
        """Runs one action as an update; returns what the workflow answered."""
        return await self.handle.execute_update(update, inp)

    async def refused(
        self, update: Any, inp: Any, kind: str, code: str | None = None
    ) -> dict[str, Any]:
        """Asserts the action is refused with `kind` (and reason `code`) and changes nothing;
        returns the details."""
        await self.settle()
        row, events, state = self.row(), self.events(), await self.state()
        with pytest.raises(WorkflowUpdateFailedError) as info:
            await self.handle.execute_update(update, inp)
        got, details = refusal(info.value)
        assert got == kind, f"{got}: {info.value.cause}"
        assert KINDS[details["code"]] == kind, details  # a reason code of that kind
        assert code is None or details["code"] == code, details
        after, after_state = self.row(), await self.state()
        assert (after.version, after.status, after.department) == (
            row.version,
            row.status,
            row.department,
        )
        assert len(self.events()) == len(events)
        assert (after_state.version, after_state.status, after_state.seq) == (
            state.version,
            state.status,
            state.seq,
        )
        return details

    async def state(self) -> p.CaseState:
        """Returns the workflow's own view (the `state` query)."""
        return await self.handle.query(CaseWorkflow.state)

    async def settle(self) -> p.CaseState:
        """Waits until the projection holds everything the workflow has recorded."""
        for _ in range(200):
            state = await self.state()
            row = self.row(required=False)
            if not state.unprojected and row is not None and row.version == state.version:
                return state
            await asyncio.sleep(0.02)
        raise AssertionError(f"projection of {self.number} did not catch up")

    async def sleep_until(self, target: datetime) -> None:
        """Skips time to `target` and waits for the projection of whatever fired meanwhile."""
        await sleep_until(self.env, target)
        await self.settle()

    def row(self, *, required: bool = True) -> Case:
        """Returns the case row as the web layer reads it."""
        with Session(self.engine) as session:
            row = get_case(session=session, number=self.number)
        assert row is not None or not required, f"case {self.number} not projected"
        return row  # type: ignore[return-value]

    def events(self) -> list[CaseEvent]:
        """Returns the timeline, oldest first."""
        with Session(self.engine) as session:
            return timeline(session=session, number=self.number)

    def actions(self) -> list[str]:
        """Returns the timeline's action names, oldest first."""
        return [e.action for e in self.events()]

    def last(self, action: str) -> CaseEvent:
        """Returns the latest timeline line of `action`."""
        found = [e for e in self.events() if e.action == action]
        assert found, f"no {action} in {self.actions()}"
        return found[-1]

    def rule(self) -> Rule | None:
        """Returns the newest responsibility-list line for this case's category and street."""
        with Session(self.engine) as session:
            return session.exec(
                select(Rule)
                .where(Rule.category == self.category, Rule.street == self.street)
                .order_by(col(Rule.id).desc())
            ).first()

    # Shortcuts along the closed loop.

    async def register(self) -> p.CaseView:
        return await self.act(CaseWorkflow.register, p.RegisterInput(actor=COORDINATOR))

    async def dispatch(self, department: str = "sw") -> p.CaseView:
        return await self.act(
            CaseWorkflow.dispatch, p.DispatchInput(actor=COORDINATOR, department=department)
        )

    async def accept(self, department: str | None = None) -> p.CaseView:
        actor = liaison(department or self.row().department or "")
        return await self.act(CaseWorkflow.accept, p.AcceptInput(actor=actor))

    async def bounce(
        self, reason: str = "不属于本部门职责", suggested: str | None = None
    ) -> p.CaseView:
        actor = liaison(self.row().department or "")
        return await self.act(
            CaseWorkflow.bounce,
            p.BounceInput(actor=actor, reason=reason, suggested_department=suggested),
        )

    async def report(self, note: str = "已处置完毕") -> p.CaseView:
        actor = liaison(self.row().department or "")
        return await self.act(CaseWorkflow.report, p.ReportInput(actor=actor, note=note))

    async def verify(self, passed: bool = True, note: str | None = None) -> p.CaseView:
        return await self.act(
            CaseWorkflow.verify, p.VerifyInput(actor=INSPECTOR, passed=passed, note=note)
        )

    async def in_progress(self, department: str = "sw") -> p.CaseView:
        """Registers, dispatches and accepts the case."""
        await self.register()
        await self.dispatch(department)
        return await self.accept()

    async def reported(self, department: str = "sw") -> p.CaseView:
        """Takes the case to reported."""
        await self.in_progress(department)
        return await self.report()
