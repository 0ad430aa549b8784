"""A report names only photos uploaded to its case through POST /api/cases/{number}/photos."""

from __future__ import annotations

import pytest
from operation_helpers import ApiUser
from pages_helpers import pages_app

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
CASE = {
    "category": "manhole-cover",
    "description": "井盖缺失",
    "grid": "hongqi-01",
    "address": "红旗路1号",
    "channel": "hotline",
}


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


async def in_progress(coordinator: ApiUser, sw: ApiUser) -> str:
    number = (await coordinator.post("/api/cases", CASE, 201))["number"]
    await coordinator.post(f"/api/cases/{number}/register")
    await coordinator.post(f"/api/cases/{number}/dispatch", {"department": "sw"})
    await sw.post(f"/api/cases/{number}/accept")
    return number


async def test_only_photos_uploaded_to_the_case_can_be_reported(app):
    coordinator = await ApiUser(app).login("coordinator")
    sw = await ApiUser(app).login("liaison-sw")
    gd = await ApiUser(app).login("liaison-gd")
    first, second = await in_progress(coordinator, sw), await in_progress(coordinator, sw)

    refused = await sw.post(
        f"/api/cases/{first}/report", {"note": "已修复", "photos": ["../../secret.key"]}, 422
    )
    assert refused["field"] == "photos"
    up = await sw.call(
        "POST", f"/api/cases/{second}/photos", 201, files=[("photo", ("p.png", PNG, "image/png"))]
    )
    (theirs,) = up["photos"]
    elsewhere = await sw.post(
        f"/api/cases/{first}/report", {"note": "已修复", "photos": [theirs]}, 422
    )
    assert elsewhere["field"] == "photos", "a photo of another case"
    not_an_image = await sw.call(
        "POST", f"/api/cases/{first}/photos", 422, files=[("photo", ("x.png", b"hi", "image/png"))]
    )
    assert not_an_image["field"] == "photo"
    await gd.call(
        "POST", f"/api/cases/{first}/photos", 403, files=[("photo", ("p.png", PNG, "image/png"))]
    )
    mine = await sw.call(
        "POST", f"/api/cases/{first}/photos", 201, files=[("photo", ("p.png", PNG, "image/png"))]
    )
    done = await sw.post(f"/api/cases/{first}/report", {"note": "已修复", "photos": mine["photos"]})
    assert done["status"] == "reported"
    line = done["timeline"][-1]
    assert line["action"] == "reported" and line["data"]["photos"] == mine["photos"]
