"""POST /api/cases with an Idempotency-Key files one case, however often it is sent (API.md)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest
from operation_helpers import ApiUser
from pages_helpers import pages_app
from sqlmodel import Session, func, select

from models.case import Case
from models.db import get_engine
from models.idempotency import claim
from models.user import User
from web.cases.service import _prepare_case

CASE = {
    "category": "manhole-cover",
    "description": "井盖缺失，重复提交",
    "grid": "hongqi-01",
    "address": "红旗路1号",
    "channel": "hotline",
}


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


def case_count() -> int:
    with Session(get_engine()) as session:
        return session.exec(select(func.count()).select_from(Case)).one()


async def send(user: ApiUser, key: str, expect: int) -> dict:
    return await user.call(
        "POST", "/api/cases", expect, json=CASE, headers={"Idempotency-Key": key}
    )


async def test_the_same_key_returns_the_first_case_and_files_no_second(app):
    coordinator = await ApiUser(app).login("coordinator")
    supervisor = await ApiUser(app).login("supervisor")
    key = uuid.uuid4().hex
    before = case_count()
    first = await send(coordinator, key, 201)
    again = await send(coordinator, key, 200)
    assert again["number"] == first["number"] and case_count() == before + 1
    # Twins sent at once (a double click) make one case too.
    twins_key = {"Idempotency-Key": uuid.uuid4().hex}
    twins = await asyncio.gather(
        *(coordinator.http.post("/api/cases", json=CASE, headers=twins_key) for _ in range(2))
    )
    assert sorted(t.status_code for t in twins) == [200, 201], [t.text for t in twins]
    assert twins[0].json()["number"] == twins[1].json()["number"]
    assert case_count() == before + 2
    # The key is the user's own: another user with it files a case of their own.
    theirs = await send(supervisor, key, 201)
    assert theirs["number"] != first["number"]
    too_long = await coordinator.call(
        "POST", "/api/cases", 422, json=CASE, headers={"Idempotency-Key": "k" * 129}
    )
    assert too_long["field"] == "header.idempotency-key"


async def test_a_start_lost_after_the_claim_is_made_good_by_the_retry(app):
    coordinator = await ApiUser(app).login("coordinator")
    with Session(get_engine()) as session:
        user = session.get(User, "coordinator")
    assert user is not None
    lost = _prepare_case(CASE, user)  # claimed, then the web process died before starting it
    key = uuid.uuid4().hex
    claim(
        engine=get_engine(),
        username="coordinator",
        key=key,
        number=lost.number,
        payload=dataclasses.asdict(lost),
    )
    retried = await send(coordinator, key, 200)
    assert retried["number"] == lost.number and retried["status"] == "new"
