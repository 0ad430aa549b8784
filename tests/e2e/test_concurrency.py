"""Concurrent callers over HTTP: racing actions on one case, and many cases filed at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

pytestmark = pytest.mark.e2e

# What a hotline desk plus a few inspector apps send at once; the pool must not run dry.
CONCURRENT_FILINGS = 16


async def post_all(base_url: str, token: str, requests: list[tuple[str, dict]]) -> list:
    """POSTs every (path, body) at the same time; returns the responses in order."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=90, trust_env=False) as http:
        return await asyncio.gather(
            *(http.post(path, json=body, headers=headers) for path, body in requests)
        )


@pytest.mark.parametrize(
    ("action", "user", "body", "after"),
    [
        ("accept", "liaison-sw", {}, "in_progress"),
        ("bounce", "liaison-sw", {"reason": "非本单位"}, "bounced"),
    ],
)
def test_racing_actions_on_one_case_let_exactly_one_win(stack, api, action, user, body, after):
    coordinator, actor = api("coordinator"), api(user)
    number = coordinator.file_case()["number"]
    coordinator.act(number, "register")
    coordinator.act(number, "dispatch")

    path = f"/api/cases/{number}/{action}"
    responses = asyncio.run(post_all(stack.base_url, actor.token, [(path, body)] * 4))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409, 409, 409], [r.text for r in responses]
    assert all(r.json()["status"] == after for r in responses if r.status_code == 409)
    case = coordinator.case(number)
    assert case["status"] == after
    timeline = [e["action"] for e in case["timeline"]]
    assert timeline.count("accepted" if action == "accept" else "bounced") == 1, timeline


def test_many_cases_filed_at_once_all_succeed(stack, api):
    coordinator = api("coordinator")
    body = {
        "category": "noise",
        "description": "并发受理",
        "grid": "sanzao-01",
        "address": "三灶镇鱼月路1号",
        "channel": "hotline",
    }
    requests = [("/api/cases", body)] * CONCURRENT_FILINGS
    responses = asyncio.run(post_all(stack.base_url, coordinator.token, requests))

    assert [r.status_code for r in responses] == [201] * CONCURRENT_FILINGS, [
        r.text[:200] for r in responses if r.status_code != 201
    ]
    numbers = {r.json()["number"] for r in responses}
    assert len(numbers) == CONCURRENT_FILINGS
