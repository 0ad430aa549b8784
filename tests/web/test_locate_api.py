"""GET /api/locate, grids with their polygons, and cases filed by coordinates only (API and
Open311) landing in the grid that holds the point and routed by it."""

from __future__ import annotations

import open311_helpers
import pytest
from shapely.geometry import shape
from sqlmodel import Session

from core.naming import case_workflow_id
from models.db import get_engine, session_scope
from models.open311 import create_key
from models.reference import Grid

api, web = open311_helpers.api, open311_helpers.web  # the fixtures
OUTSIDE = {"lat": 22.6, "lon": 113.3}  # north of the demo district


def inside(code: str) -> dict[str, float]:
    """Returns a point well inside a demo grid's polygon."""
    with Session(get_engine()) as session:
        grid = session.get(Grid, code)
        assert grid is not None and grid.geometry, code
        point = shape(grid.geometry).representative_point()
    return {"lat": round(point.y, 6), "lon": round(point.x, 6)}


async def test_locate_names_the_grid_that_holds_the_point(web) -> None:
    found = await web.call("GET", "/api/locate", "coordinator", params=inside("sanzao-04"))
    assert (found["grid"], found["street"], found["community"]) == (
        "sanzao-04",
        "sanzao",
        "sanzao-c2",
    )
    assert (found["street_name"], found["community_name"]) == ("三灶镇", "海澄社区")
    assert found["grid_name"] == "海澄社区第04网格"
    liaison = await web.call("GET", "/api/locate", "liaison-sw", params=inside("hongqi-01"))
    assert liaison["grid"] == "hongqi-01"

    missing = await web.call("GET", "/api/locate", "coordinator", params=OUTSIDE, expect=404)
    assert "no grid holds" in missing["detail"] and "22.6" in missing["detail"]
    await web.call("GET", "/api/locate", params=inside("hongqi-01"), expect=401)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": 113.3}, "lat"),
        ({"lat": 22.1}, "lon"),
        ({"lat": "north", "lon": 113.3}, "lat"),
        ({"lat": 91, "lon": 113.3}, "lat"),
        ({"lat": 22.1, "lon": -181}, "lon"),
        ({"lat": "nan", "lon": 113.3}, "lat"),
    ],
)
async def test_locate_refuses_a_bad_point_naming_the_field(web, params, field) -> None:
    body = await web.call("GET", "/api/locate", "coordinator", params=params, expect=422)
    assert body["field"] == field and body["detail"].startswith(f"{field}:")


async def test_grids_carry_their_polygons(web) -> None:
    grids = await web.call("GET", "/api/grids", "coordinator")
    by_code = {g["code"]: g for g in grids}
    polygon = by_code["nanshui-03"]["geometry"]
    assert polygon["type"] == "Polygon" and len(polygon["coordinates"][0]) >= 4
    assert all(g["geometry"] for g in grids)  # the demo seed gives every grid one
    assert 113.15 <= shape(polygon).centroid.x <= 113.45


async def test_a_case_filed_by_coordinates_only_lands_in_its_grid_and_is_routed_by_it(api) -> None:
    point = inside("sanzao-05")
    filed = await api.call(
        "POST",
        "/api/cases",
        "coordinator",
        expect=201,
        json={
            "category": "exposed-rubbish",  # routed to the grid's street
            "description": "路口垃圾堆放",
            "address": "机场东路口",
            "channel": "hotline",
            **point,
        },
    )
    number = filed["number"]
    try:
        assert filed["grid"] == "sanzao-05"
        read = await api.call("GET", f"/api/cases/{number}", "coordinator")
        assert (read["grid"], read["lat"], read["lon"]) == ("sanzao-05", point["lat"], point["lon"])
        await api.call("POST", f"/api/cases/{number}/register", "coordinator", json={})
        dispatched = await api.call("POST", f"/api/cases/{number}/dispatch", "coordinator", json={})
        assert dispatched["department"] == "sanzao"
    finally:
        await _terminate(api, number)


async def test_a_grid_given_with_a_point_elsewhere_is_kept(api) -> None:
    filed = await api.call(
        "POST",
        "/api/cases",
        "inspector",
        expect=201,
        json={
            "category": "noise",
            "description": "夜间施工噪声",
            "grid": "hongqi-02",
            "address": "红旗路 8 号",
            "channel": "inspector",
            **inside("pingsha-01"),
        },
    )
    try:
        assert filed["grid"] == "hongqi-02"
    finally:
        await _terminate(api, filed["number"])


@pytest.mark.parametrize(
    ("place", "field"),
    [
        (OUTSIDE, "lat"),
        ({"lat": 22.1}, "lon"),
        ({"lon": 113.3}, "lat"),
        ({}, "grid"),
        ({"grid": "no-such-grid", "lat": 22.1, "lon": 113.3}, "grid"),
    ],
)
async def test_a_case_without_a_grid_to_land_in_is_refused(web, place, field) -> None:
    body = {"category": "noise", "description": "噪声", "address": "某路", "channel": "hotline"}
    refused = await web.call("POST", "/api/cases", "coordinator", json=body | place, expect=422)
    assert refused["field"] == field


@pytest.fixture
def api_key(engine) -> str:
    """A fresh Open311 API key."""
    with session_scope() as session:
        _row, key = create_key(session=session, name="定位测试 App", created_by="admin")
    return key


async def test_an_open311_request_with_only_lat_and_long_lands_in_its_grid(api, api_key) -> None:
    point = inside("pingsha-06")
    resp = await api.http.post(
        "/open311/v2/requests.json",
        data={
            "api_key": api_key,
            "service_code": "streetlight",
            "lat": str(point["lat"]),
            "long": str(point["lon"]),
            "description": "路灯整晚不亮",
        },
    )
    assert resp.status_code == 200, resp.text
    number = resp.json()[0]["service_request_id"]
    try:
        read = await api.call("GET", f"/api/cases/{number}", "coordinator")
        assert (read["grid"], read["channel"]) == ("pingsha-06", "open311")
        (one,) = (await api.http.get(f"/open311/v2/requests/{number}.json")).json()
        assert one["address_id"] == "pingsha-06"
    finally:
        await _terminate(api, number)

    outside = await api.http.post(
        "/open311/v2/requests.json",
        data={"api_key": api_key, "service_code": "streetlight", "lat": "22.6", "long": "113.3"},
    )
    assert outside.status_code == 400
    assert "no unit grid" in outside.json()[0]["description"]


async def _terminate(api, number: str) -> None:  # noqa: ANN001
    await api.app.state.temporal.get_workflow_handle(case_workflow_id(number)).terminate()
