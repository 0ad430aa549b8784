"""One request, one read: an action reads its case once before the update and once after, and
no request runs SQL on the event loop (the guard of conftest.py, checked here on a small app)."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from operation_helpers import ApiUser
from pages_helpers import Browser, pages_app
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import get_engine

WEB = str(Path(__file__).resolve().parents[2] / "web") + "/"
CASE_ROW = re.compile(r'FROM "?case"?(\s|$)')
CASE = {
    "category": "manhole-cover",
    "description": "井盖缺失，行人有坠落风险",
    "grid": "hongqi-01",
    "address": "红旗路1号",
    "channel": "hotline",
}


@contextmanager
def case_reads() -> Iterator[list[str]]:
    """Records the SELECTs of the case table that the web layer runs (not the worker's)."""
    reads: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT") and CASE_ROW.search(statement):
            if any(f.filename.startswith(WEB) for f in traceback.extract_stack()):
                reads.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield reads
    finally:
        event.remove(Engine, "before_cursor_execute", record)


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


async def test_an_action_reads_its_case_once_before_and_once_after(app) -> None:
    coordinator = await ApiUser(app).login("coordinator")
    number = (await coordinator.post("/api/cases", CASE, 201))["number"]
    await coordinator.post(f"/api/cases/{number}/register")

    with case_reads() as reads:
        case = await coordinator.post(f"/api/cases/{number}/dispatch", {})
    assert (case["status"], case["department"]) == ("dispatched", "sw")  # the routing answer
    assert case["timeline"][-1]["action"] == "dispatched"
    assert len(reads) == 2, reads

    browser = Browser(app)
    await browser.login("liaison-sw")
    await browser.get(f"/cases/{number}")
    with case_reads() as reads:
        resp = await browser.act(number, "accept")
    assert resp.status_code == 200 and "HX-Trigger" in resp.headers, resp.text
    assert len(reads) == 1, reads  # the page's own check; the action uses that row
    assert (await coordinator.get(f"/api/cases/{number}"))["status"] == "in_progress"
    await browser.close()
    await coordinator.close()


async def test_the_guard_sees_sql_on_the_event_loop(engine, sql_off_the_event_loop) -> None:
    probe = FastAPI()

    def one() -> int:
        with Session(get_engine()) as session:
            return int(session.execute(text("SELECT 1")).scalar_one())

    @probe.get("/in-a-thread")
    def in_a_thread() -> int:
        return one()

    @probe.get("/on-the-loop")
    async def on_the_loop() -> int:
        return one()

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=probe), base_url="http://t")
    async with client:
        assert (await client.get("/in-a-thread")).json() == 1
        assert sql_off_the_event_loop.offences == []
        assert (await client.get("/on-the-loop")).json() == 1
    offences = list(sql_off_the_event_loop.offences)
    sql_off_the_event_loop.offences.clear()  # this test's own offence, made on purpose
    assert offences and "on_the_loop" in offences[0], offences
