"""Staff find a case by the reporter's phone (exact, spaces ignored) or name (contains)."""

from __future__ import annotations

import uuid

import pytest
from factories import saved_case
from operation_helpers import ApiUser
from pages_helpers import Browser, pages_app


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        yield made


async def test_search_by_reporter_phone_and_name(app, engine):
    tail = f"{uuid.uuid4().int % 10**8:08d}"
    phone = f"139 {tail[:4]} {tail[4:]}"
    name = f"陈{uuid.uuid4().hex[:6]}"
    mine = saved_case(
        engine, reporter_phone=phone, reporter_name=f"{name}先生", status="registered"
    )
    other = saved_case(engine, reporter_phone=f"138{tail}", reporter_name="王女士")
    coordinator = await ApiUser(app).login("coordinator")

    for typed in (f"139{tail}", f"139-{tail[:4]}-{tail[4:]}", phone):
        found = await coordinator.get("/api/cases", phone=typed)
        assert [c["number"] for c in found["items"]] == [mine.number], typed
    assert (await coordinator.get("/api/cases", phone=f"139{tail[:-1]}"))["total"] == 0, "exact"
    by_name = await coordinator.get("/api/cases", reporter=name)
    assert [c["number"] for c in by_name["items"]] == [mine.number]
    assert other.number not in {c["number"] for c in by_name["items"]}

    # A liaison's search stays inside its department.
    liaison = await ApiUser(app).login("liaison-sw")
    assert (await liaison.get("/api/cases", phone=phone))["total"] == 0

    browser = Browser(app)
    await browser.login("coordinator")
    page = await browser.get(f"/cases?phone={phone}")
    assert mine.number in page.text and other.number not in page.text
    await browser.close()


async def test_a_page_number_beyond_reason_is_a_clear_422(app):
    coordinator = await ApiUser(app).login("coordinator")
    refused = await coordinator.get("/api/cases", 422, page=10**20)
    assert refused["field"] == "page"
