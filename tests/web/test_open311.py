"""Open311 GeoReport v2: every endpoint in JSON and XML, each error code, and a round trip."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import open311_helpers
import pytest
from open311_helpers import xml_items
from sqlmodel import Session, select

from core.naming import case_workflow_id
from models.case import Case
from models.db import get_engine, session_scope
from models.open311 import create_key
from models.outbox import OutboxMessage
from models.user import User

api, web = open311_helpers.api, open311_helpers.web  # the fixtures
V2 = "/open311/v2"


@pytest.fixture
def api_key(engine) -> str:
    """A fresh API key of a test integrator."""
    with session_scope() as session:
        _row, key = create_key(session=session, name="测试 311 App", created_by="admin")
    return key


def _errors(resp, fmt: str) -> list[dict]:  # noqa: ANN001
    if fmt == "json":
        return resp.json()
    return xml_items(resp.content, "error")


async def test_discovery_and_services_in_both_formats(web) -> None:
    http = web.http
    discovery = (await http.get(f"{V2}/discovery.json")).json()
    assert discovery["endpoints"][0]["url"] == "http://liandong.test/open311/v2"
    assert "text/xml" in discovery["endpoints"][0]["formats"]
    root = ET.fromstring((await http.get(f"{V2}/discovery.xml")).content)
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]

    services = (await http.get(f"{V2}/services.json")).json()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["manhole-cover"]["service_name"] == "井盖缺失破损"
    assert by_code["manhole-cover"]["metadata"] is True
    assert "4 工作小时" in by_code["manhole-cover"]["description"]
    resp = await http.get(f"{V2}/services.xml")
    assert resp.headers["content-type"].startswith("text/xml")
    as_xml = {s["service_code"]: s for s in xml_items(resp.content, "service")}
    assert set(as_xml) == set(by_code)
    assert as_xml["noise"]["service_name"] == "噪声扰民" and as_xml["noise"]["metadata"] == "true"

    definition = (await http.get(f"{V2}/services/manhole-cover.json")).json()
    (grid,) = definition["attributes"]
    # Not required: lat and long alone place a request in its grid.
    assert (grid["code"], grid["datatype"], grid["required"]) == ("grid", "singlevaluelist", False)
    assert {"key": "hongqi-01", "name": "红旗社区第01网格"} in grid["values"]
    root = ET.fromstring((await http.get(f"{V2}/services/manhole-cover.xml")).content)
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/code") == "grid"
    assert "hongqi-01" in [v.findtext("key") for v in root.iter("value")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_each_error_code_in_the_specification_format(web, api_key, fmt) -> None:
    http = web.http
    good = {
        "api_key": api_key,
        "service_code": "manhole-cover",
        "attribute[grid]": "hongqi-01",
        "lat": "22.1",
        "long": "113.3",
        "description": "井盖不见了",
    }
    cases = [
        (403, {k: v for k, v in good.items() if k != "api_key"}, "api_key"),
        (403, {**good, "api_key": "l311_wrong"}, "api_key"),
        (400, {k: v for k, v in good.items() if k != "service_code"}, "service_code"),
        (400, {**good, "service_code": "no-such-service"}, "no-such-service"),
        (400, {k: v for k, v in good.items() if k not in ("lat", "long")}, "location"),
        (400, {k: v for k, v in good.items() if k != "attribute[grid]"} | {"lat": "30.5"}, "grid"),
        (400, {**good, "lat": "north"}, "lat"),
    ]
    for status, form, words in cases:
        resp = await http.post(f"{V2}/requests.{fmt}", data=form)
        assert resp.status_code == status, (form, resp.text)
        (error,) = _errors(resp, fmt)
        assert str(error["code"]) == str(status) and words in error["description"]
    for path, status in (
        (f"{V2}/requests/2026-01-999999.{fmt}", 404),
        (f"{V2}/services/no-such-service.{fmt}", 404),
        (f"{V2}/requests.{fmt}?start_date=yesterday", 400),
        (f"{V2}/requests.{fmt}?status=pending", 400),
    ):
        resp = await http.get(path)
        assert resp.status_code == status, path
        assert str(_errors(resp, fmt)[0]["code"]) == str(status)
    resp = await http.get(f"{V2}/requests.csv")
    assert resp.status_code == 404 and resp.json()[0]["code"] == 404


async def test_a_revoked_key_is_refused(web, api_key) -> None:
    keys = await web.call("GET", "/api/admin/open311/keys", "admin")
    mine = next(k for k in keys if api_key.startswith(k["prefix"]))
    await web.call("DELETE", f"/api/admin/open311/keys/{mine['id']}", "admin")
    resp = await web.http.post(
        f"{V2}/requests.json",
        data={"api_key": api_key, "service_code": "noise", "address_id": "hongqi-01"},
    )
    assert resp.status_code == 403


async def test_a_request_filed_over_open311_is_handled_and_read_back_closed(api, api_key) -> None:
    resp = await api.http.post(
        f"{V2}/requests.xml",
        data={
            "api_key": api_key,
            "service_code": "manhole-cover",
            "attribute[grid]": "hongqi-01",
            "lat": "22.0461",
            "long": "113.3012",
            "address_string": "红旗镇藤山一路 8 号",
            "description": "井盖破损，有人差点踩空",
            "email": "reporter311@example.com",
            "first_name": "小明",
            "last_name": "李",
            "media_url": "https://img.example/1.jpg",
        },
    )
    assert resp.status_code == 200, resp.text
    (filed,) = xml_items(resp.content, "request")
    number = filed["service_request_id"]
    assert number in filed["service_notice"]
    try:
        with Session(get_engine()) as session:
            case = session.get(Case, number)
            assert case is not None and (case.channel, case.status) == ("open311", "new")
            assert (case.reporter_name, case.reporter_email) == (
                "李 小明",
                "reporter311@example.com",
            )
            creator = session.exec(select(User).where(User.username.startswith("open311-"))).first()
            assert creator is not None and creator.active is False

        (one,) = (await api.http.get(f"{V2}/requests/{number}.json")).json()
        assert (one["status"], one["service_code"], one["status_notes"]) == (
            "open",
            "manhole-cover",
            "已受理",
        )
        assert (one["lat"], one["long"], one["address_id"]) == (22.0461, 113.3012, "hongqi-01")
        assert "reporter311" not in str(one)  # no personal details go out

        await api.call("POST", f"/api/cases/{number}/register", "coordinator", json={})
        await api.call("POST", f"/api/cases/{number}/dispatch", "coordinator", json={})
        (one,) = (await api.http.get(f"{V2}/requests/{number}.json")).json()
        assert (one["agency_responsible"], one["status_notes"]) == ("水务集团", "已派遣至水务集团")
        accepted = await api.call("POST", f"/api/cases/{number}/accept", "liaison-sw", json={})
        (one,) = xml_items((await api.http.get(f"{V2}/requests/{number}.xml")).content, "request")
        assert one["expected_datetime"] == accepted["deadline"]
        assert one["status_notes"] == "水务集团已签收，正在处置"
        await api.call(
            "POST", f"/api/cases/{number}/report", "liaison-sw", json={"note": "已更换新井盖"}
        )
        await api.call("POST", f"/api/cases/{number}/verify", "inspector", json={"passed": True})
        await api.call(
            "POST",
            f"/api/cases/{number}/callback",
            "coordinator",
            json={"satisfaction": "satisfied"},
        )

        (one,) = xml_items((await api.http.get(f"{V2}/requests/{number}.xml")).content, "request")
        assert one["status"] == "closed"
        assert one["status_notes"] == "已办结。处置结果：已更换新井盖"
        listed = (
            await api.http.get(f"{V2}/requests.json?status=closed&service_code=manhole-cover")
        ).json()
        assert number in [r["service_request_id"] for r in listed]
        still_open = xml_items(
            (await api.http.get(f"{V2}/requests.xml?status=open")).content, "request"
        )
        assert number not in [r["service_request_id"] for r in still_open]
        by_id = (await api.http.get(f"{V2}/requests.json?service_request_id={number},x")).json()
        assert [r["service_request_id"] for r in by_id] == [number]
        with Session(get_engine()) as session:
            told = session.exec(
                select(OutboxMessage.kind).where(
                    OutboxMessage.case_number == number,
                    OutboxMessage.recipient == "reporter311@example.com",
                )
            ).all()
        assert sorted(told) == ["case_closed", "case_registered"]
    finally:
        await api.app.state.temporal.get_workflow_handle(case_workflow_id(number)).terminate()


async def test_api_key_in_the_query_string_and_a_checked_media_url(api, api_key) -> None:
    form = {"service_code": "noise", "address_id": "hongqi-01", "description": "夜间施工"}
    url = "https://img.example/noise.jpg?size=large"
    resp = await api.http.post(
        f"{V2}/requests.json", params={"api_key": api_key}, data={**form, "media_url": url}
    )
    assert resp.status_code == 200, resp.text
    number = resp.json()[0]["service_request_id"]
    try:
        (one,) = (await api.http.get(f"{V2}/requests/{number}.json")).json()
        assert one["media_url"] == url and one["description"] == "夜间施工"
        for bad in ("javascript:alert(1)", "ftp://x/y.jpg", "https://" + "a" * 600 + ".jpg"):
            refused = await api.http.post(
                f"{V2}/requests.json", data={**form, "api_key": api_key, "media_url": bad}
            )
            assert refused.status_code == 400 and "media_url" in refused.json()[0]["description"]
    finally:
        await api.app.state.temporal.get_workflow_handle(case_workflow_id(number)).terminate()


@pytest.mark.parametrize("body", [[1, 2], "a string", 7])
async def test_a_json_body_that_is_not_an_object_is_a_clear_400(web, api_key, body) -> None:
    resp = await web.http.post(f"{V2}/requests.json", params={"api_key": api_key}, json=body)
    assert resp.status_code == 400
    assert "JSON object" in resp.json()[0]["description"]
