"""The monthly report (月通报) in real headless Chromium against a real stack.

Two cases go through the real workflow (one closed after a callback, one bounced by the wrong
department and accepted by the right one); the demo supervisor opens this month's report, which
holds the figures of GET /api/evaluation, photographs it on screen, at phone width and as
printed, prints it to an A4 PDF, downloads its xlsx and picks another month. The case search's
“导出 Excel” link follows the filters as htmx narrows the list.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from core.workcal import TZ

pytestmark = pytest.mark.e2e


def api(base_url: str, username: str) -> httpx.Client:
    """A signed-in client of the JSON API."""
    client = httpx.Client(base_url=base_url, trust_env=False, timeout=60)
    token = client.post("/api/token", data={"username": username, "password": "demo"})
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def act(client: httpx.Client, number: str, action: str, **body: Any) -> dict:
    answer = client.post(f"/api/cases/{number}/{action}", json=body)
    assert answer.status_code == 200, (action, answer.text)
    return answer.json()


def two_cases(base_url: str) -> list[str]:
    """Files two cases and plays them through the workflow; returns their numbers."""
    coordinator, sw, gd = (api(base_url, u) for u in ("coordinator", "liaison-sw", "liaison-gd"))
    numbers = []
    for description in ("人行道井盖破损下陷，请尽快处理。", "小区门口污水井盖缺失。"):
        filed = coordinator.post(
            "/api/cases",
            json={
                "category": "manhole-cover",
                "grid": "hongqi-01",
                "address": "红旗镇红旗路 18 号",
                "description": description,
                "channel": "hotline",
            },
        )
        assert filed.status_code == 201, filed.text
        numbers.append(filed.json()["number"])
        act(coordinator, numbers[-1], "register")
    closed, bounced = numbers
    act(coordinator, closed, "dispatch", department="sw")
    act(sw, closed, "accept")
    act(sw, closed, "report", note="已更换井盖。")
    act(coordinator, closed, "verify", passed=True)
    assert act(coordinator, closed, "callback", satisfaction="satisfied")["status"] == "closed"
    act(coordinator, bounced, "dispatch", department="gd")
    act(gd, bounced, "bounce", reason="不是供电设施，请改派水务集团", suggested_department="sw")
    act(coordinator, bounced, "dispatch", department="sw")
    assert act(sw, bounced, "accept")["status"] == "in_progress"
    for client in (coordinator, sw, gd):
        client.close()
    return numbers


def login(page: Any, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_monthly_report_on_screen_on_paper_and_as_files(
    stack: Any, browser: Any, shots: Path
) -> None:
    base = stack.base_url
    numbers = two_cases(base)
    month = f"{datetime.now(TZ):%Y-%m}"
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, base, "supervisor")
        page.goto(f"{base}/evaluation/report/{month}")
        page.wait_for_load_state("networkidle")
        year, mon = month.split("-")
        heading = page.locator("h1").inner_text()
        assert heading == f"金湾区城市管理综合评价月通报（{year}年{int(mon)}月）"
        assert "未发布（实时数据）" in page.inner_text(".rp-head")
        supervisor = api(base, "supervisor")
        found = supervisor.get("/api/evaluation", params={"period": month}).json()
        sw = next(row for row in found["rows"] if row["key"] == "sw")
        assert sw["counts"]["dispatched"] >= 2 and sw["counts"]["closed"] >= 1
        line = page.locator('#ranking-department tr[data-unit="sw"] td')
        assert line.nth(0).inner_text() == str(sw["rank"])
        assert line.nth(1).inner_text() == f"{sw['score']:.2f}"
        assert line.nth(2).inner_text() == str(sw["counts"]["dispatched"])
        assert "水务集团" in page.inner_text("#boards")
        assert page.locator("#changes").is_visible() and page.locator("#overdue").is_visible()
        assert page.locator('a[href="/evaluation/definitions"]').count() == 1
        page.screenshot(path=str(shots / "report-1366.png"), full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(150)
        width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        page.screenshot(path=str(shots / "report-390.png"), full_page=True)
        assert width[0] <= width[1], f"the report overflows sideways at phone width: {width}"
        page.set_viewport_size({"width": 1366, "height": 768})

        # On paper: A4 less 15 mm margins leaves 180 mm, 680 CSS pixels, for the tables.
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 680, "height": 962})
        assert not page.locator("header.topbar").is_visible(), "no navigation on paper"
        assert not page.locator(".rp-tools").is_visible(), "no pickers on paper"
        assert page.locator("#ranking-department").is_visible()
        widest = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('.rp-table')]"
            ".map(t => t.getBoundingClientRect().right))"
        )
        assert widest <= 680, f"a table runs off the A4 page: {widest}px"
        page.screenshot(path=str(shots / "report-print.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 768})
        pdf = page.pdf(format="A4", path=str(shots / "report.pdf"))
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        assert (shots / "report.pdf").stat().st_size == len(pdf)
        page.emulate_media(media="screen")

        with page.expect_download() as downloaded:
            page.click(f'a[href="/evaluation/export.xlsx?period={month}"]')
        saved = shots.parent / "report.xlsx"
        downloaded.value.save_as(saved)
        assert downloaded.value.suggested_filename == f"金湾区综合评价-{month}.xlsx"
        book = load_workbook(io.BytesIO(saved.read_bytes()))
        assert book.sheetnames == ["说明", "部门", "街道", "社区", "网格", "类别", "渠道"]
        sheet_sw = next(r for r in book["部门"].iter_rows(min_row=2) if r[0].value == "sw")
        assert sheet_sw[4].value == sw["counts"]["dispatched"]

        page.click(".rp-tools a:has-text('上月')")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text().startswith("金湾区城市管理综合评价月通报（")
        assert f"/evaluation/report/{month}" not in page.url
        page.screenshot(path=str(shots / "report-last-month-1366.png"), full_page=True)
        page.fill("input[name=month]", "2026-01")
        page.click(".rp-pick button[type=submit]")
        page.wait_for_url(re.compile(r"/evaluation/report/2026-01$"))
        assert "2026年1月" in page.locator("h1").inner_text()

        # -- the case search's export link follows the filters htmx applies ---------------------
        page.goto(f"{base}/cases")
        page.wait_for_load_state("networkidle")
        link = page.locator("#case-export")
        assert link.get_attribute("href") == "/cases/export.xlsx"
        page.select_option("form.filters select[name=status]", "closed")
        page.wait_for_url(re.compile(r"/cases\?.*status=closed"))
        page.wait_for_function(
            "() => document.querySelector('#case-export').getAttribute('href')"
            ".includes('status=closed')"
        )
        with page.expect_download() as downloaded:
            page.click("#case-export")
        cases = load_workbook(io.BytesIO(Path(downloaded.value.path()).read_bytes()))
        listed = [r[0].value for r in cases["案件"].iter_rows(min_row=2)]
        assert numbers[0] in listed and numbers[1] not in listed
        supervisor.close()
    finally:
        context.close()
