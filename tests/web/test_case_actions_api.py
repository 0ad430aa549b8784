"""Case actions over /api/cases on the time-skipping server, as an integrator calls them."""

from __future__ import annotations

import pytest
from operation_helpers import ApiUser
from pages_helpers import pages_app

CASE = {
    "category": "manhole-cover",
    "description": "井盖缺失，行人有坠落风险",
    "grid": "hongqi-01",
    "address": "红旗路1号",
    "channel": "hotline",
}


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


async def test_an_action_whose_body_is_all_optional_needs_no_body(app):
    """API.md: register and accept take `{note?}`; a POST without a body is that empty body."""
    coordinator = await ApiUser(app).login("coordinator")
    sw = await ApiUser(app).login("liaison-sw")
    number = (await coordinator.post("/api/cases", CASE, 201))["number"]

    registered = await coordinator.call("POST", f"/api/cases/{number}/register", 200)
    assert registered["status"] == "registered"
    await coordinator.post(f"/api/cases/{number}/dispatch", {"department": "sw"})
    accepted = await sw.call("POST", f"/api/cases/{number}/accept", 200)
    assert (accepted["status"], accepted["department"]) == ("in_progress", "sw")

    # A body with a required field is still required.
    missing = await sw.call("POST", f"/api/cases/{number}/report", 422)
    assert missing["code"] == "invalid"
