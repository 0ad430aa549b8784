"""Fixtures of the workflow tests: a factory of running cases, the seeded working calendar."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from temporalio.service import RPCError
from workflow_helpers import COORDINATOR, CaseDriver

from core import payloads as p
from models.calendar_store import load_calendar
from models.seed import CATEGORIES
from workflows.case import CaseWorkflow

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Gives every module here a time-skipping server of its own: the ladders skip weeks."""
    for item in items:
        module = item.getparent(pytest.Module)
        if module is not None and HERE in Path(str(module.path)).parents:
            module.add_marker(pytest.mark.own_clock)


@pytest.fixture
def calendar(engine):
    """The working calendar the activities use (the seeded holiday table)."""
    return load_calendar(engine=engine)


@pytest.fixture
async def new_case(time_env, worker_queue, engine):
    """Starts cases on this test's worker; terminates them afterwards.

    A case left running would keep timers on the shared time-skipping server with no worker to
    take them, and the next test's `sleep` would wait for it forever.
    """
    started: list[CaseDriver] = []

    async def start(
        category: str = "manhole-cover", grid: str = "hongqi-01", channel: str = "hotline"
    ) -> CaseDriver:
        number = f"T-{uuid.uuid4().hex[:12]}"
        street = grid.rsplit("-", 1)[0]
        _name, _kind, amount, unit, _dept = CATEGORIES[category]
        inp = p.CaseInput(
            number=number,
            category=category,
            limit_amount=amount,
            limit_unit=unit,
            description="井盖缺失，行人有坠落危险",
            grid=grid,
            street=street,
            address="金湾区红旗镇藤山一路 12 号",
            channel=channel,
            created_by=COORDINATOR,
            reporter_name="王先生",
            reporter_phone="13800000000",
        )
        handle = await time_env.client.start_workflow(
            CaseWorkflow.run, inp, id=f"case-{number}", task_queue=worker_queue
        )
        driver = CaseDriver(
            env=time_env,
            engine=engine,
            handle=handle,
            number=number,
            category=category,
            street=street,
        )
        started.append(driver)
        await driver.settle()
        return driver

    yield start
    for driver in started:
        try:
            await driver.handle.terminate("test finished")
        except RPCError:
            pass  # already completed (voided)
