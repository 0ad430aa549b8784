"""The administration pages in real headless Chromium against a real demo stack: the admin sets
up a street, a community, a grid with a pasted GeoJSON polygon, a category and a user through
the forms; imports grids from an xlsx with an error (sees the row report), fixes the file and
imports it; then reads the audit log. Screenshots admin-*.png."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ring(west: float, south: float, size: float = 0.01) -> list[list[float]]:
    return [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]


def workbook(*rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "street", "community", "geometry"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Admin:
    """The admin's browser tab."""

    def __init__(self, browser: Any, base_url: str, shots: Path) -> None:
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.base_url, self.shots = base_url, shots
        self.page.goto(base_url + "/login")
        self.page.fill("input[name=username]", "admin")
        self.page.fill("input[name=password]", "demo")
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")

    def fill(self, **fields: str) -> None:
        for name, value in fields.items():
            box = self.page.locator(f"form.admin-form [name='{name}']")
            if box.evaluate("e => e.tagName") == "SELECT":
                box.select_option(value)
            else:
                box.fill(value)

    def save(self) -> None:
        self.page.click("form.admin-form button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"admin-{name}.png"), full_page=True)

    def upload(self, data: bytes, button: str, name: str = "grids.xlsx") -> None:
        kind = XLSX if name.endswith(".xlsx") else "application/geo+json"
        self.page.set_input_files(
            "#import-file", files=[{"name": name, "mimeType": kind, "buffer": data}]
        )
        self.page.click(f"#import-form button[value={button}]")


def test_an_admin_sets_up_a_district_in_the_browser(stack, browser, shots) -> None:
    admin = Admin(browser, stack.base_url, shots)
    page = admin.page
    admin.go("/admin/tables")
    assert page.locator(".admin-card:not(.admin-setting)").count() == 7
    assert page.locator('.admin-setting a[href="/admin/calendar"]').count() == 1
    admin.shot("tables")

    admin.go("/admin/streets/new")
    admin.fill(code="dongfeng", name="东风街道", head_email="head@dongfeng.example")
    admin.save()
    assert "已新增" in page.inner_text("main")
    admin.go("/admin/communities/new")
    admin.fill(code="dongfeng-c1", name="东风一社区", street="dongfeng")
    admin.save()
    assert "已新增" in page.inner_text("main")

    admin.go("/admin/grids/new")
    bowtie = [[113.5, 22.5], [113.51, 22.51], [113.51, 22.5], [113.5, 22.51], [113.5, 22.5]]
    admin.fill(
        code="dongfeng-01",
        name="东风一网格",
        street="dongfeng",
        community="dongfeng-c1",
        geometry=json.dumps({"type": "Polygon", "coordinates": [bowtie]}),
    )
    admin.save()
    error = page.locator("#e-f-geometry")
    assert "边界无效" in error.inner_text() and "Self-intersection" in error.inner_text()
    assert page.locator("#f-geometry").get_attribute("aria-invalid") == "true"
    admin.shot("grid-error")
    page.fill("#f-geometry", json.dumps({"type": "Polygon", "coordinates": [ring(113.5, 22.5)]}))
    admin.save()
    assert "已新增" in page.inner_text("main")
    admin.shot("grid-saved")

    admin.go("/admin/categories/new")
    admin.fill(code="city-ad", name="乱张贴小广告", kind="event", parent="")
    admin.fill(
        **{
            "time_limit.amount": "4",
            "time_limit.unit": "working_hours",
            "register_standard": "主次干道每处面积大于0.1平方米",
            "close_standard": "清除干净",
        }
    )
    admin.save()
    assert "已新增" in page.inner_text("main")

    admin.go("/admin/users/new")
    admin.fill(
        username="dongfeng-liaison",
        display_name="东风街道联络员",
        role="liaison",
        department="dongfeng",
        email="liaison@dongfeng.example",
        password="Dike-Patrol-2031",
    )
    admin.shot("user-form")
    admin.save()
    assert "已新增" in page.inner_text("main")

    admin.go("/admin/grids/import")
    square = json.dumps({"type": "Polygon", "coordinates": [ring(113.52, 22.5)]})
    admin.upload(workbook(["dongfeng-02", "东风二网格", "xidong", "dongfeng-c1", square]), "check")
    report = page.locator(".import-report")
    report.wait_for()
    assert "发现 1 处错误" in page.inner_text("#import-job")
    assert "没有这个街道（镇）：xidong" in report.inner_text() and "2" in report.inner_text()
    admin.shot("import-errors")
    admin.upload(
        workbook(["dongfeng-02", "东风二网格", "dongfeng", "dongfeng-c1", square]), "check"
    )
    page.get_by_text("检查通过").wait_for()
    admin.shot("import-checked")
    page.click("#import-job button[type=submit]")
    page.get_by_text("已导入").wait_for()
    assert "新增 1 项" in page.inner_text("#import-job")
    admin.shot("import-done")

    # A district's worth of grids from a GIS file: the page shows the progress, then the result.
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": f"df-{i:04d}",
                "name": f"东风网格{i}",
                "street": "dongfeng",
                "community": "dongfeng-c1",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [ring(114 + i % 80 * 0.002, 23 + i // 80 * 0.002, 0.002)],
            },
        }
        for i in range(4000)
    ]
    doc = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    admin.go("/admin/grids/import")
    admin.upload(doc, "now", name="district.geojson")
    page.locator("#import-job progress").wait_for()
    admin.shot("import-progress")
    page.get_by_text("已导入").wait_for(timeout=60_000)
    assert "新增 4000 项" in page.inner_text("#import-job")

    admin.go("/admin/grids?q=dongfeng-0")
    assert page.locator("table.admin-table tbody tr").count() == 2
    admin.shot("grids")
    admin.go("/admin/audit?subject=grid&key=dongfeng-02")
    assert "东风二网格" in page.inner_text("main") and "导入 grids.xlsx" in page.inner_text("main")
    admin.shot("audit")
    admin.context.close()

    with httpx.Client(base_url=stack.base_url, trust_env=False, timeout=30) as client:
        signed = client.post(
            "/api/token", data={"username": "dongfeng-liaison", "password": "Dike-Patrol-2031"}
        )
        assert signed.status_code == 200 and signed.json()["department"] == "dongfeng"
        client.headers["Authorization"] = f"Bearer {signed.json()['access_token']}"
        located = client.get("/api/locate", params={"lat": 22.505, "lon": 113.525})
        assert located.json()["grid"] == "dongfeng-02"
