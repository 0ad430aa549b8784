"""The map in real headless Chromium against a real demo stack: grids drawn from their polygons,
cases as markers by light, a marker's popup linking to its case, a liaison's own cases only, and
the intake form's map filling in the grid of the place clicked. Screenshots map-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import shape

pytestmark = pytest.mark.e2e

OPEN = "new,registered,dispatched,in_progress,bounced,disputed,parked,reported,verified"
MAP_LOADED = "#case-map[data-loaded='1']"


def api(base_url: str, username: str) -> httpx.Client:
    """A signed-in client of the JSON API."""
    client = httpx.Client(base_url=base_url, trust_env=False, timeout=60)
    token = client.post("/api/token", data={"username": username, "password": "demo"})
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def inside(grids: dict[str, Any], code: str) -> dict[str, float]:
    point = shape(grids[code]["geometry"]).representative_point()
    return {"lat": round(point.y, 6), "lon": round(point.x, 6)}


def file_cases(base_url: str) -> tuple[dict[str, Any], list[str]]:
    """Files three cases by coordinates only (one dispatched to 水务集团); returns the grids."""
    coordinator = api(base_url, "coordinator")
    grids = {g["code"]: g for g in coordinator.get("/api/grids").json()}
    numbers = []
    for code, category, what in (
        ("hongqi-02", "manhole-cover", "井盖缺失，行人有坠落风险"),
        ("sanzao-03", "street-vending", "早市摊贩占道"),
        ("pingsha-05", "streetlight", "路灯整晚不亮"),
    ):
        filed = coordinator.post(
            "/api/cases",
            json={
                "category": category,
                "description": what,
                "address": "地图测试地址",
                "channel": "hotline",
                **inside(grids, code),
            },
        )
        assert filed.status_code == 201, filed.text
        assert filed.json()["grid"] == code
        numbers.append(filed.json()["number"])
    first = numbers[0]
    coordinator.post(f"/api/cases/{first}/register", json={}).raise_for_status()
    coordinator.post(f"/api/cases/{first}/dispatch", json={}).raise_for_status()
    coordinator.close()
    return grids, numbers


class Viewer:
    """One signed-in browser tab."""

    def __init__(self, browser: Any, base_url: str, username: str) -> None:
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.page.goto(base_url + "/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "demo")
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")

    def shot(self, shots: Path, name: str) -> None:
        self.page.wait_for_timeout(200)
        self.page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def test_the_map_draws_grids_and_cases_and_opens_a_case(
    stack: Any, browser: Any, shots: Path
) -> None:
    grids, numbers = file_cases(stack.base_url)
    coordinator = Viewer(browser, stack.base_url, "coordinator")
    try:
        coordinator.go("/map")
        page = coordinator.page
        page.locator(MAP_LOADED).wait_for()
        overlay = page.locator("#case-map .leaflet-overlay-pane")
        assert overlay.locator("path.grid-shape").count() == len(grids)
        for number in numbers:
            assert overlay.locator(f'path.case-marker[data-number="{number}"]').count() == 1
        dispatched = overlay.locator(f'path[data-number="{numbers[0]}"]')
        assert "case-marker-green" in (dispatched.get_attribute("class") or "")
        new = overlay.locator(f'path[data-number="{numbers[1]}"]')
        assert "case-marker-none" in (new.get_attribute("class") or "")
        assert page.locator("#map-note").inner_text() == "地图上显示 3 件案件。"
        coordinator.shot(shots, "map-overview")

        dispatched.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        link = popup.locator("a.case-number")
        assert link.inner_text() == numbers[0]
        assert link.get_attribute("href") == f"/cases/{numbers[0]}"
        assert "井盖缺失破损" in popup.inner_text() and "水务集团" in popup.inner_text()
        coordinator.shot(shots, "map-popup")
        link.click()
        page.wait_for_url(re.compile(f"/cases/{numbers[0]}$"))

        # The filters narrow the markers.
        coordinator.go("/map?category=street-vending")
        page.locator(MAP_LOADED).wait_for()
        markers = page.locator("#case-map .leaflet-overlay-pane path.case-marker")
        assert markers.count() == 1
        assert markers.first.get_attribute("data-number") == numbers[1]

        # In English, at phone width, nothing overflows sideways.
        coordinator.go("/map?lang=en")
        page.locator(MAP_LOADED).wait_for()
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(200)
        width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        coordinator.shot(shots, "map-en-390")
        assert width[0] <= width[1], f"the map overflows at phone width: {width}"
    finally:
        coordinator.close()

    liaison = Viewer(browser, stack.base_url, "liaison-sw")
    try:
        liaison.go("/map")
        liaison.page.locator(MAP_LOADED).wait_for()
        own = api(stack.base_url, "liaison-sw")
        expected = own.get("/api/cases", params={"status": OPEN, "page_size": 200}).json()
        own.close()
        drawn = liaison.page.locator("#case-map .leaflet-overlay-pane path.case-marker")
        assert drawn.count() == expected["total"]
        shown = {drawn.nth(i).get_attribute("data-number") for i in range(drawn.count())}
        assert shown == {c["number"] for c in expected["items"]}
        assert numbers[0] in shown and numbers[1] not in shown
        liaison.shot(shots, "map-liaison")
    finally:
        liaison.close()


def test_the_intake_map_fills_in_the_grid_of_the_place_clicked(
    stack: Any, browser: Any, shots: Path
) -> None:
    coordinator = Viewer(browser, stack.base_url, "coordinator")
    try:
        coordinator.go("/coordinator/intake")
        page = coordinator.page
        page.locator("[data-map='pick'][data-loaded='1']").wait_for()
        target = page.locator("[data-map='pick'] path.grid-shape[data-code='sanzao-03']")
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(
            "() => document.querySelector(\"[data-map='pick']\").dataset.located === '200'"
        )
        assert page.locator("select[name=grid]").input_value() == "sanzao-03"
        lat = page.locator("input[name=lat]").input_value()
        lon = page.locator("input[name=lon]").input_value()
        check = api(stack.base_url, "coordinator")
        assert check.get("/api/locate", params={"lat": lat, "lon": lon}).json()["grid"] == (
            "sanzao-03"
        )
        place = page.locator("[data-map-place]").inner_text()
        assert "三灶镇" in place and "海澄社区" in place
        page.select_option("select[name=category]", "street-vending")
        page.fill("input[name=address]", "三灶镇中心市场东门")
        page.fill("textarea[name=description]", "早市流动摊贩占用人行道，影响通行。")
        coordinator.shot(shots, "map-intake")
        page.click("#intake-form button[type=submit]")
        page.wait_for_url(re.compile(r"/cases/\d{4}-\d{2}-\d{6}"))
        number = re.search(r"/cases/([0-9-]+)", page.url).group(1)
        filed = check.get(f"/api/cases/{number}").json()
        assert filed["grid"] == "sanzao-03"
        assert (filed["lat"], filed["lon"]) == (float(lat), float(lon))

        # A click outside every grid says so and leaves no grid chosen.
        coordinator.go("/coordinator/intake")
        page.locator("[data-map='pick'][data-loaded='1']").wait_for()
        frame = page.locator("[data-map='pick']").bounding_box()
        assert frame is not None
        page.mouse.click(frame["x"] + 6, frame["y"] + frame["height"] - 6)
        page.wait_for_function(
            "() => document.querySelector(\"[data-map='pick']\").dataset.located === '404'"
        )
        assert page.locator("select[name=grid]").input_value() == ""
        assert "不在任何网格内" in page.locator("[data-map-place]").inner_text()
        check.close()
    finally:
        coordinator.close()
