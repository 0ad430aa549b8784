"""During a worker outage an action answers within a bound, says truthfully that it was not
done, and does not take effect when the worker comes back."""

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
    monkeypatch.setattr(kit_temporal, "CLOCK_MARGIN", 0.5)
    executor = ThreadPoolExecutor(max_workers=4)

    def worker():  # noqa: ANN202
        # No sticky cache: the test server never hands a dead worker's sticky tasks on.
        return build_worker(time_env.client, queue, executor, max_cached_workflows=0)

    async with pages_app(time_env.client, queue) as app:
        yield app, worker
    executor.shutdown()


async def test_an_action_during_a_worker_outage_is_refused_in_time_and_never_applied(outage):
    app, worker = outage
    coordinator = await ApiUser(app).login("coordinator")
    async with worker():
        number = (await coordinator.post("/api/cases", CASE, 201))["number"]
    # The worker is down now.
    started = time.monotonic()
    refused = await coordinator.post(f"/api/cases/{number}/register", {}, 503)
    waited = time.monotonic() - started
    assert refused["code"] == "not_taken" and "not done" in refused["detail"]
    assert waited < 5, f"answered after {waited:.1f} s"
    assert case_row(number).status == "new"
    # The worker comes back: the action nobody waits for any more is refused, not applied.
    async with worker():
        await asyncio.sleep(2)
        assert case_row(number).status == "new", "an action the user was told failed took effect"
        again = await coordinator.post(f"/api/cases/{number}/register")
        assert again["status"] == "registered"
        actions = [line["action"] for line in again["timeline"]]
        assert actions == ["created", "registered"]
