"""Drives a joint-operation workflow on the time-skipping server and reads what a user would see."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from workflow_helpers import COORDINATOR, refusal, sleep_until

from core import operation_payloads as o
from core.naming import operation_department_workflow_id, operation_workflow_id
from core.refusals import KINDS
from core.workcal import TZ
from models import operation_store as store
from models.operation import Operation, OperationDepartment, OperationEvent
from workflows.operation import OperationWorkflow


def evening(day: datetime, hour: int = 20, hours: int = 3) -> o.SessionWindow:
    """Returns a session from `hour` o'clock of `day` (Shanghai) lasting `hours`."""
    start = datetime.combine(day.astimezone(TZ).date(), time(hour), tzinfo=TZ)
    return o.SessionWindow(start=start, end=start + timedelta(hours=hours))


@dataclass
class OperationDriver:
    """One running operation: acts through updates on `operation-<id>`, reads the projection."""

    env: WorkflowEnvironment
    engine: Engine
    handle: WorkflowHandle
    operation_id: str
    cases: list[str] = field(default_factory=list)

    async def act(self, update: Any, inp: Any) -> o.OperationView:
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
        assert (after.version, after.status) == (row.version, row.status)
        assert len(self.events()) == len(events)
        assert (after_state.version, after_state.seq) == (state.version, state.seq)
        assert after_state.departments == state.departments
        return details

    async def state(self) -> o.OperationState:
        """Returns the workflow's own view (the `state` query)."""
        return await self.handle.query(OperationWorkflow.state)

    async def settle(self) -> o.OperationState:
        """Waits until the projection holds everything the workflow has recorded."""
        for _ in range(250):
            state = await self.state()
            row = self.row(required=False)
            if not state.unprojected and row is not None and row.version == state.version:
                return state
            await asyncio.sleep(0.02)
        raise AssertionError(f"projection of {self.operation_id} did not catch up")

    async def eventually(self, check: Callable[[], bool], what: str) -> None:
        """Waits (in real time, the server's clock held) until `check` holds: a child's alert
        travels child → parent → projection after the timer fired."""
        for _ in range(250):
            if check():
                await self.settle()
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"never happened: {what}; timeline {self.actions()}")

    async def sleep_until(self, target: datetime) -> None:
        """Skips time to `target` and waits for the projection of what fired meanwhile."""
        await sleep_until(self.env, target)
        await self.settle()

    def row(self, *, required: bool = True) -> Operation:
        """Returns the operation row as the web layer reads it."""
        with Session(self.engine) as session:
            row = store.get_operation(session=session, operation_id=self.operation_id)
        assert row is not None or not required, f"operation {self.operation_id} not projected"
        return row  # type: ignore[return-value]

    def read(self, reader: Callable[..., Any]) -> Any:
        """Returns what a store reader gives for this operation."""
        with Session(self.engine) as session:
            return reader(session=session, operation_id=self.operation_id)

    def department(self, code: str) -> OperationDepartment:
        """Returns one department's row."""
        return next(d for d in self.read(store.departments) if d.department == code)

    def events(self) -> list[OperationEvent]:
        """Returns the timeline, oldest first."""
        return self.read(store.timeline)

    def actions(self, department: str | None = None) -> list[str]:
        """Returns the timeline's action names, oldest first (of one department if given)."""
        return [e.action for e in self.events() if department is None or e.department == department]

    def lines(self, action: str, department: str | None = None) -> list[OperationEvent]:
        """Returns the timeline lines of `action` (for one department if given)."""
        return [
            e
            for e in self.events()
            if e.action == action and (department is None or e.department == department)
        ]

    async def terminate(self) -> None:
        """Ends the operation, its children and the cases it spawned (test clean-up)."""
        state = await self.state()
        ids = [
            operation_department_workflow_id(self.operation_id, d.code) for d in state.departments
        ]
        ids += [f"case-{f.case_number}" for f in state.findings if f.case_number]
        ids.append(operation_workflow_id(self.operation_id))
        for workflow_id in ids:
            try:
                await self.env.client.get_workflow_handle(workflow_id).terminate("test finished")
            except RPCError:
                pass  # already completed


def launch_input(
    operation_id: str,
    sessions: list[o.SessionWindow],
    confirm_deadline: datetime,
    lead: str = "cg",
    cooperating: tuple[str, ...] = ("ga", "hb", "sj", "hongqi"),
    category: str | None = None,
) -> o.OperationInput:
    """Returns the launch of the summer barbecue and street-stall campaign in 红旗镇."""
    return o.OperationInput(
        operation_id=operation_id,
        title="红旗镇夏季露天烧烤和占道经营专项整治",
        goal="清理露天烧烤和占道摊点，查处无证经营",
        area=["hongqi"],
        sessions=sessions,
        lead=lead,
        cooperating=list(cooperating),
        confirm_deadline=confirm_deadline,
        launched_by=COORDINATOR,
        report_within=4,
        report_unit="working_hours",
        category=category,
    )


@asynccontextmanager
async def operations(
    env: WorkflowEnvironment,
    queue: str,
    engine: Engine,
) -> AsyncIterator[Callable[..., Any]]:
    """Yields a launcher of operations on this test's worker; terminates them afterwards.

    A workflow left running would keep timers on the shared time-skipping server with no worker
    to take them, and the next test's `sleep` would wait for it forever.
    """
    started: list[OperationDriver] = []

    async def launch(
        sessions: list[o.SessionWindow], confirm_deadline: datetime, **kw: Any
    ) -> OperationDriver:
        operation_id = f"T-{uuid.uuid4().hex[:10]}"
        inp = launch_input(operation_id, sessions, confirm_deadline, **kw)
        handle = await env.client.start_workflow(
            OperationWorkflow.run, inp, id=operation_workflow_id(operation_id), task_queue=queue
        )
        driver = OperationDriver(env=env, engine=engine, handle=handle, operation_id=operation_id)
        started.append(driver)
        await driver.settle()
        return driver

    try:
        yield launch
    finally:
        for driver in started:
            await driver.terminate()
