"""During a worker outage an action answers within a bound and says truthfully where it stands:
queued, done once a worker is back (exactly once)."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from operation_helpers import ApiUser
from pages_helpers import case_row, pages_app

from web.kit import temporal as kit_temporal
from worker import build_worker

CASE = {
    "category": "noise",
    "description": "夜间施工噪声",
    "grid": "hongqi-01",
    "address": "红旗路3号",
    "channel": "hotline",
}


@pytest.fixture
async def outage(engine, time_env, monkeypatch):
    """The app on a queue whose worker the test stops and starts."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", queue)
    monkeypatch.setattr(kit_temporal, "TAKE_WITHIN", 1.0)
    executor = ThreadPoolExecutor(max_workers=4)

    def worker():  # noqa: ANN202
        # No sticky cache: the test server never hands a dead worker's sticky tasks on.
        return build_worker(time_env.client, queue, executor, max_cached_workflows=0)

    async with pages_app(time_env.client, queue) as app:
        yield app, worker
    executor.shutdown()


async def test_an_action_during_a_worker_outage_answers_in_time_and_is_done_once_back(outage):
    app, worker = outage
    coordinator = await ApiUser(app).login("coordinator")
    async with worker():
        number = (await coordinator.post("/api/cases", CASE, 201))["number"]
    # The worker is down now.
    started = time.monotonic()
    queued = await coordinator.post(f"/api/cases/{number}/register", {}, 503)
    waited = time.monotonic() - started
    assert queued["code"] == "queued" and "will be carried out" in queued["detail"]
    assert waited < 5, f"answered after {waited:.1f} s"
    assert case_row(number).status == "new", "not done yet, as the answer said"
    # The worker comes back: the queued action is carried out, once.
    async with worker():
        for _ in range(50):
            if case_row(number).status == "registered":
                break
            await asyncio.sleep(0.2)
        case = await coordinator.get(f"/api/cases/{number}")
    assert case["status"] == "registered"
    assert [line["action"] for line in case["timeline"]] == ["created", "registered"]
