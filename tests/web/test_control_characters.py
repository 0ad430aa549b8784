"""Control characters are refused with 422 naming the field, on every route; nothing is made."""

from __future__ import annotations

import pytest
from operation_helpers import ApiUser
from pages_helpers import Browser, pages_app
from sqlmodel import Session, func, select

from models.case import Case
from models.db import get_engine

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


def case_count() -> int:
    with Session(get_engine()) as session:
        return session.exec(select(func.count()).select_from(Case)).one()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CASE, "description": "井盖\x00缺失"}, "description"),
        ({**CASE, "address": "红旗路\x1b1号"}, "address"),
        ({**CASE, "reporter": {"name": "陈\x7f先生"}}, "reporter.name"),
    ],
)
async def test_the_api_refuses_a_control_character_and_files_nothing(app, body, field):
    coordinator = await ApiUser(app).login("coordinator")
    before = case_count()
    refused = await coordinator.post("/api/cases", body, 422)
    assert (refused["code"], refused["field"]) == ("control_character", field)
    assert case_count() == before
    # Tab, CR and LF are ordinary text.
    made = await coordinator.post("/api/cases", {**CASE, "description": "一\t二\r\n三"}, 201)
    assert made["description"] == "一\t二\r\n三"


async def test_query_strings_open311_and_page_forms_are_guarded(app):
    coordinator = await ApiUser(app).login("coordinator")
    refused = await coordinator.get("/api/cases", 422, q="a\x00b")
    assert refused["field"] == "q"
    before = case_count()
    form = {
        "service_code": "manhole-cover",
        "description": "坏了\x01",
        "address_string": "红旗路1号",
        "api_key": "whatever",
    }
    resp = await coordinator.http.post("/open311/v2/requests.json", data=form)
    assert resp.status_code == 422 and resp.json()["field"] == "description"
    browser = Browser(app)
    await browser.login("coordinator")
    await browser.get("/coordinator/intake")
    page = await browser.post("/coordinator/intake", {**CASE, "description": "坏\x00了"})
    assert page.status_code == 422
    assert "控制字符" in page.text and "\x00" not in page.text
    assert case_count() == before
    await browser.close()


async def test_a_json_body_over_one_mebibyte_is_413(app):
    coordinator = await ApiUser(app).login("coordinator")
    big = {**CASE, "description": "井" * (600 * 1024)}  # 1.8 MB of UTF-8
    refused = await coordinator.post("/api/cases", big, 413)
    assert refused["code"] == "too_large"


async def test_an_old_row_with_a_control_character_does_not_break_the_xml(app, engine):
    import xml.etree.ElementTree as ET

    from factories import saved_case

    row = saved_case(engine, status="registered", description="旧数据\x01井盖")
    anonymous = ApiUser(app)
    resp = await anonymous.http.get(
        "/open311/v2/requests.xml", params={"service_request_id": row.number}
    )
    assert resp.status_code == 200
    found = ET.fromstring(resp.content).find("request/description")
    assert found is not None and found.text == "旧数据\ufffd井盖"
