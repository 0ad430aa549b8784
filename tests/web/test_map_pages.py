"""The map (/map): the page, its page-session data (grids and cases as GeoJSON) with the lists'
filters, what a liaison sees, the tile layer's policy, and the intake form's place picker."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from factories import saved_case
from pages_helpers import Browser, file_by_phone, pages_app
from shapely.geometry import Point, shape
from sqlmodel import Session, col, delete

from core.config import load_settings
from models.case import Case
from models.db import get_engine
from models.reference import Grid
from web.app import create_app

OUTSIDE = {"lat": "22.6", "lon": "113.3"}


def polygon(code: str):  # noqa: ANN201
    with Session(get_engine()) as session:
        grid = session.get(Grid, code)
        assert grid is not None and grid.geometry
        return shape(grid.geometry)


def inside(code: str) -> tuple[float, float]:
    point = polygon(code).representative_point()
    return round(point.y, 6), round(point.x, 6)


@pytest.fixture
async def app(engine):
    async with pages_app() as app:
        yield app


@pytest.fixture
def cases(engine):
    """A handful of case rows across departments, lights and statuses; removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    lat, lon = inside("sanzao-02")
    rows = {
        "red_sw": dict(department="sw", light="red", status="in_progress", lat=lat, lon=lon),
        "green_cg": dict(
            department="cg",
            light="green",
            status="dispatched",
            category="street-vending",
            grid="pingsha-01",
            street="pingsha",
            lat=inside("pingsha-01")[0],
            lon=inside("pingsha-01")[1],
        ),
        "no_place": dict(department="sw", light="yellow", status="in_progress", grid="nanshui-04"),
        "closed_sw": dict(department="sw", status="closed", lat=lat, lon=lon),
        "interim_sw": dict(
            department="cg", interim_department="sw", light="green", status="in_progress"
        ),
        "new": dict(status="new", lat=lat, lon=lon),
    }
    made = {
        key: saved_case(engine, number=f"M{tag}-{i}", **fields).number
        for i, (key, fields) in enumerate(rows.items())
    }
    yield made
    with Session(engine) as session:
        session.exec(delete(Case).where(col(Case.number).in_(list(made.values()))))
        session.commit()


async def data(browser: Browser, query: str = "") -> dict:
    resp = await browser.get(f"/map/data{query}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def numbers(found: dict) -> set[str]:
    return {f["properties"]["number"] for f in found["cases"]["features"]}


async def test_the_map_page_renders_with_its_filters_and_scripts(app, browser_of) -> None:
    coordinator = await browser_of(app, "coordinator")
    page = await coordinator.get("/map")
    assert page.status_code == 200
    assert 'data-map="cases"' in page.text and 'data-source="/map/data"' in page.text
    assert "/static/vendor/leaflet/leaflet.js" in page.text and "/static/map.js" in page.text
    assert "<script>" not in page.text  # the policy admits no inline script
    assert "案件地图" in page.text and 'href="/map"' in page.text  # the nav link
    for name in ("status", "category", "department", "street", "light"):
        assert f'name="{name}"' in page.text
    assert "img-src 'self';" in page.headers["content-security-policy"]
    filtered = await coordinator.get("/map?light=red&street=sanzao")
    assert 'data-source="/map/data?street=sanzao&amp;light=red"' in filtered.text
    english = await coordinator.get("/map?lang=en")
    assert "Case map" in english.text and "Legend" in english.text
    bad = await coordinator.get("/map?light=purple")
    assert bad.status_code == 422 and "purple" in bad.text

    anonymous = await browser_of(app)
    assert (await anonymous.get("/map")).status_code == 303
    resp = await anonymous.get("/map/data")
    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"
    assert (await anonymous.get("/map/locate?lat=22.1&lon=113.3")).status_code == 401
    for role in ("supervisor", "admin", "inspector", "liaison-sw"):
        assert (await (await browser_of(app, role)).get("/map")).status_code == 200, role


async def test_the_data_holds_every_grid_and_the_cases_placed(app, browser_of, cases) -> None:
    coordinator = await browser_of(app, "coordinator")
    found = await data(coordinator)
    grids = found["grids"]
    assert grids["type"] == "FeatureCollection" and len(grids["features"]) >= 24
    by_code = {f["id"]: f for f in grids["features"]}
    sanzao = by_code["sanzao-02"]["properties"]
    assert (sanzao["street_name"], sanzao["community_name"]) == ("三灶镇", "鱼月社区")
    assert by_code["sanzao-02"]["geometry"]["type"] == "Polygon"
    south, west, north, east = found["bounds"]
    assert (round(south, 6), round(west, 6), round(north, 6), round(east, 6)) == (
        22.0,
        113.15,
        22.25,
        113.45,
    )

    features = {f["id"]: f for f in found["cases"]["features"]}
    red = features[cases["red_sw"]]
    assert red["geometry"]["coordinates"] == list(reversed(inside("sanzao-02")))
    props = red["properties"]
    assert (props["light"], props["light_name"], props["url"]) == (
        "red",
        "红灯",
        f"/cases/{cases['red_sw']}",
    )
    assert (props["category_name"], props["department_name"]) == ("井盖缺失破损", "水务集团")
    assert props["status_name"] == "处置中" and props["approximate"] is False
    # No coordinates: shown inside its grid, marked approximate.
    unplaced = features[cases["no_place"]]
    lon, lat = unplaced["geometry"]["coordinates"]
    assert unplaced["properties"]["approximate"] is True
    assert polygon("nanshui-04").contains(Point(lon, lat))
    # Open cases by default: the closed one only with every status.
    assert cases["closed_sw"] not in features and cases["new"] in features
    everything = await data(coordinator, "?status=all")
    closed = next(f for f in everything["cases"]["features"] if f["id"] == cases["closed_sw"])
    assert closed["properties"]["final"] is True and closed["properties"]["light"] is None
    assert found["note"].startswith("地图上显示") and found["cases"]["capped"] is False
    english = await data(coordinator, "?lang=en")
    red_en = next(f for f in english["cases"]["features"] if f["id"] == cases["red_sw"])
    assert (red_en["properties"]["status_name"], red_en["properties"]["light_name"]) == (
        "In progress",
        "Red",
    )
    assert "cases on the map" in english["note"]

    only_grids = await data(coordinator, "?cases=0")
    assert "cases" not in only_grids and len(only_grids["grids"]["features"]) >= 24


async def test_the_filters_work_like_the_lists(app, browser_of, cases) -> None:
    coordinator = await browser_of(app, "coordinator")
    mine = set(cases.values())
    for query, expected in (
        ("?light=red", {"red_sw"}),
        ("?light=none", {"new"}),
        ("?light=green&department=cg", {"green_cg", "interim_sw"}),
        ("?category=street-vending", {"green_cg"}),
        ("?street=pingsha", {"green_cg"}),
        ("?status=in_progress&department=sw", {"red_sw", "no_place"}),
        ("?status=closed", {"closed_sw"}),
    ):
        got = numbers(await data(coordinator, query)) & mine
        assert got == {cases[k] for k in expected}, query
    for query, field in (
        ("?light=purple", "light"),
        ("?street=sw", "street"),
        ("?status=x", "status"),
    ):
        resp = await coordinator.get(f"/map/data{query}")
        assert resp.status_code == 422 and resp.json()["field"] == field, query


async def test_a_liaison_sees_only_its_departments_cases(app, browser_of, cases) -> None:
    sw = await browser_of(app, "liaison-sw")
    page = await sw.get("/map")
    assert 'name="department"' not in page.text
    seen = numbers(await data(sw, "?status=all")) & set(cases.values())
    assert seen == {cases[k] for k in ("red_sw", "no_place", "closed_sw", "interim_sw")}
    # Asking for another department changes nothing.
    assert numbers(await data(sw, "?department=cg")) & set(cases.values()) == {
        cases[k] for k in ("red_sw", "no_place", "interim_sw")
    }
    cg = await browser_of(app, "liaison-cg")
    assert numbers(await data(cg)) & set(cases.values()) == {
        cases[k] for k in ("green_cg", "interim_sw")
    }
    grids = (await data(cg))["grids"]["features"]
    assert len(grids) >= 24  # the grids are everyone's


async def test_locate_for_the_signed_in_page(app, browser_of) -> None:
    inspector = await browser_of(app, "inspector")
    lat, lon = inside("hongqi-05")
    found = (await inspector.get(f"/map/locate?lat={lat}&lon={lon}")).json()
    assert (found["grid"], found["street_name"], found["community_name"]) == (
        "hongqi-05",
        "红旗镇",
        "广发社区",
    )
    outside = await inspector.get("/map/locate?lat=22.6&lon=113.3")
    assert outside.status_code == 404 and "no grid holds" in outside.json()["detail"]
    bad = await inspector.get("/map/locate?lat=95&lon=113.3")
    assert bad.status_code == 422 and bad.json()["field"] == "lat"


async def test_a_tile_url_from_the_settings_is_used_and_admitted(engine, browser_of) -> None:
    settings = dataclasses.replace(
        load_settings(),
        map_tile_url="https://{s}.tiles.example.cn/{z}/{x}/{y}.png",
        map_tile_attribution="© 测绘局",
    )
    app = create_app(settings, temporal_client=object())
    coordinator = await browser_of(app, "coordinator")
    page = await coordinator.get("/map")
    assert 'data-tile-url="https://{s}.tiles.example.cn/{z}/{x}/{y}.png"' in page.text
    assert 'data-tile-attribution="© 测绘局"' in page.text
    policy = page.headers["content-security-policy"]
    assert "img-src 'self' https://*.tiles.example.cn;" in policy
    assert "script-src 'self';" in policy  # nothing else opened
    intake = await coordinator.get("/coordinator/intake")
    assert "https://*.tiles.example.cn" in intake.headers["content-security-policy"]
    # Other pages keep the strict policy.
    cases_page = await coordinator.get("/cases")
    assert "tiles.example.cn" not in cases_page.headers["content-security-policy"]


async def test_the_intake_form_has_a_place_picker(app, browser_of) -> None:
    coordinator = await browser_of(app, "coordinator")
    page = await coordinator.get("/coordinator/intake")
    assert 'data-map="pick"' in page.text and 'data-locate="/map/locate"' in page.text
    assert 'name="lat"' in page.text and 'name="lon"' in page.text
    assert 'id="map-words"' in page.text
    # Neither grid nor place: the form says what to do.
    refused = await coordinator.post(
        "/coordinator/intake",
        {"category": "noise", "address": "某路", "description": "噪声", "channel": "hotline"},
    )
    assert "请选择网格，或在地图上点出位置" in refused.text
    outside = await coordinator.post(
        "/coordinator/intake",
        {"category": "noise", "address": "某路", "description": "噪声", "channel": "hotline"}
        | OUTSIDE,
    )
    assert "不在任何网格内" in outside.text
    assert 'value="22.6"' in outside.text  # the place picked is kept in the form


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


async def test_a_case_taken_by_phone_is_filed_in_the_grid_picked_on_the_map(
    live, browser_of
) -> None:
    coordinator = await browser_of(live, "coordinator")
    await coordinator.get("/coordinator/intake")
    lat, lon = inside("nanshui-05")
    number = await file_by_phone(coordinator, grid="", lat=str(lat), lon=str(lon))
    with Session(get_engine()) as session:
        row = session.get(Case, number)
        assert row is not None
        assert (row.grid, row.street, row.lat, row.lon) == ("nanshui-05", "nanshui", lat, lon)


async def test_a_map_of_too_many_cases_shows_the_newest_and_says_so(
    app, browser_of, cases, monkeypatch
) -> None:
    from web.map import data as map_data

    monkeypatch.setattr(map_data, "MAX_CASES", 2)
    coordinator = await browser_of(app, "coordinator")
    found = await data(coordinator, "?department=sw&status=all")
    shown = found["cases"]
    assert shown["capped"] is True and shown["shown"] == 2 and shown["total"] >= 3
    assert f"共 {shown['total']} 件，地图只显示最新的 2 件" in found["note"]
