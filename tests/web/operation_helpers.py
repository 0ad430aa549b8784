"""Helpers of the joint-operation web tests: API users, launch bodies, the clock, clean-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session, col, select
from temporalio.testing import WorkflowEnvironment

from core.naming import case_workflow_id, operation_department_workflow_id, operation_workflow_id
from core.workcal import TZ
from models.db import get_engine
from models.operation import Operation, OperationDepartment, OperationFinding
from models.outbox import OutboxMessage

TITLE = "红旗镇夏季露天烧烤专项整治"


class ApiUser:
    """A signed-in user of the JSON API over the ASGI app; every call checks its status."""

    def __init__(self, app: Any) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    async def login(self, username: str) -> ApiUser:
        resp = await self.http.post("/api/token", data={"username": username, "password": "demo"})
        assert resp.status_code == 200, resp.text
        self.http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        return self

    async def call(self, method: str, path: str, expect: int, **kw: Any) -> Any:
        resp = await self.http.request(method, path, **kw)
        assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()

    async def get(self, path: str, expect: int = 200, **params: Any) -> Any:
        return await self.call("GET", path, expect, params=params or None)

    async def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        return await self.call("POST", path, expect, json=body if body is not None else {})

    async def act(self, op: str, action: str, body: Any = None, expect: int = 200) -> Any:
        return await self.post(f"/api/operations/{op}/{action}", body, expect)

    async def close(self) -> None:
        await self.http.aclose()


async def clock(env: WorkflowEnvironment) -> datetime:
    """Returns the later of the wall clock and the test server's (it runs ahead once skipped):
    the web layer checks launches against the wall clock, the workflow runs on the server's."""
    server = await env.get_current_time()
    return max(datetime.now(TZ), server.astimezone(TZ)).replace(microsecond=0)


def launch_body(base: datetime, **changes: Any) -> dict[str, Any]:
    """Returns a launch: cg leads, ga and the 红旗镇 office cooperate, one evening two hours on."""
    start = base + timedelta(hours=2)
    body = {
        "title": TITLE,
        "goal": "清理露天烧烤和占道摊点",
        "area": ["hongqi", "hongqi-01"],
        "sessions": [{"start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()}],
        "lead": "cg",
        "cooperating": ["ga", "hongqi"],
        "confirm_deadline": (base + timedelta(hours=1)).isoformat(),
        "report_within": 1,
        "report_unit": "hours",
    }
    return {**body, **changes}


def outbox(operation_id: str) -> list[OutboxMessage]:
    """Returns the mail queued for an operation, in key order."""
    with Session(get_engine()) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.operation_id == operation_id)
            .order_by(col(OutboxMessage.key))
        )
        return list(rows)


async def eventually(check: Callable[[], Any], what: str, within: float = 10.0) -> Any:
    """Waits (real time) until `check()` returns something true; returns it."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        got = check()
        if asyncio.iscoroutine(got):
            got = await got
        if got:
            return got
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.05)


def _operation_ids() -> set[str]:
    with Session(get_engine()) as session:
        return set(session.exec(select(Operation.id)))


async def terminate_operations(client: Any, ids: set[str]) -> None:
    """Ends the operations, their departments' children and the cases they spawned."""
    with Session(get_engine()) as session:
        depts = session.exec(
            select(OperationDepartment).where(col(OperationDepartment.operation_id).in_(ids))
        ).all()
        found = session.exec(
            select(OperationFinding).where(col(OperationFinding.operation_id).in_(ids))
        ).all()
    workflow_ids = [operation_department_workflow_id(d.operation_id, d.department) for d in depts]
    workflow_ids += [case_workflow_id(f.case_number) for f in found if f.case_number]
    workflow_ids += [operation_workflow_id(i) for i in ids]
    for workflow_id in workflow_ids:
        try:
            await client.get_workflow_handle(workflow_id).terminate("test over")
        except Exception:  # noqa: BLE001 - already ended
            pass


@asynccontextmanager
async def launched_operations(client: Any) -> AsyncIterator[None]:
    """Terminates every operation launched inside the block, with its children and cases.

    A workflow left running keeps timers on the time-skipping server that no worker takes, and
    the server then no longer skips time for the next test.
    """
    before = _operation_ids()
    try:
        yield
    finally:
        await terminate_operations(client, _operation_ids() - before)
