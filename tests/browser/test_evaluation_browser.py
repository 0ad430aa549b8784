"""The evaluation page in real headless Chromium against a real stack: cases go through the real
workflows, the supervisor opens /evaluation, the charts draw, a number opens the cases behind it,
and the page prints (print media) with its charts. Screenshots: evaluation-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

CHARTS = ("#chart-scores", "#chart-trend", "#chart-lights")


def _api(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, trust_env=False, timeout=60)
    token = client.post("/api/token", data={"username": username, "password": "demo"})
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def _dispatched_case(base_url: str, department: str, *, report: bool) -> str:
    """Files, registers and dispatches a case; its liaison accepts it (and reports it done)."""
    coordinator = _api(base_url, "coordinator")
    liaison = _api(base_url, f"liaison-{department}")
    try:
        filed = coordinator.post(
            "/api/cases",
            json={
                "category": "manhole-cover",
                "grid": "hongqi-01",
                "address": "红旗镇红旗路 26 号",
                "description": "人行道井盖松动，踩上去有响声。",
                "channel": "hotline",
            },
        )
        filed.raise_for_status()
        number = filed.json()["number"]
        for path, body in (("register", {}), ("dispatch", {"department": department})):
            coordinator.post(f"/api/cases/{number}/{path}", json=body).raise_for_status()
        liaison.post(f"/api/cases/{number}/accept", json={}).raise_for_status()
        if report:
            done = {"note": "已更换井盖并恢复路面。"}
            liaison.post(f"/api/cases/{number}/report", json=done).raise_for_status()
        return number
    finally:
        coordinator.close()
        liaison.close()


def _drawn(page: Any, selector: str) -> int:
    """Returns how many shapes the chart's SVG holds (0 when nothing was drawn)."""
    page.locator(f"{selector}[data-drawn] svg").wait_for()
    return page.evaluate(
        "(s) => document.querySelectorAll(s + ' svg path, ' + s + ' svg text').length", selector
    )


def test_the_supervisor_reads_the_evaluation_and_its_cases(
    stack: Any, browser: Any, shots: Path
) -> None:
    handled = _dispatched_case(stack.base_url, "sw", report=True)
    _dispatched_case(stack.base_url, "sz", report=False)
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(stack.base_url + "/login")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", "demo")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.click("nav.mainnav a[href='/evaluation']")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/evaluation")
        assert "综合评价" in page.locator(".page-head").inner_text()
        for selector in CHARTS:
            assert _drawn(page, selector) > 3, selector
        assert page.locator(".eval-nojs:visible").count() == 0
        assert page.locator("button[data-print]").is_visible()
        sw = page.locator('.eval-ranking tr[data-unit="sw"]')
        assert "水务集团" in sw.inner_text()
        board = page.locator('[data-board="department"]')
        assert board.locator("li").count() >= 2 and "红榜" in board.inner_text()
        page.screenshot(path=str(shots / "evaluation-page-1366.png"), full_page=True)
        # Tooltips draw inside the chart (the CSP admits no inline style in HTML).
        box = page.locator("#chart-trend").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
        page.wait_for_timeout(300)

        # -- a number opens the cases behind it ------------------------------------------------
        link = sw.locator('a[data-figure="handled"]').first
        link.click()
        page.wait_for_url("**/evaluation/cases?**")
        page.wait_for_load_state("networkidle")
        heading = page.locator("h1").inner_text()
        assert "处置数" in heading and "水务集团" in heading, heading
        page.locator(f'tr[data-number="{handled}"]').wait_for()
        page.screenshot(path=str(shots / "evaluation-cases-1366.png"), full_page=True)
        page.locator(f'tr[data-number="{handled}"] a.case-number').click()
        page.wait_for_url(f"**/cases/{handled}")

        # -- printed: no pickers or navigation, the charts drawn -------------------------------
        page.goto(stack.base_url + "/evaluation")
        page.wait_for_load_state("networkidle")
        for selector in CHARTS:
            _drawn(page, selector)
        page.emulate_media(media="print")
        page.wait_for_timeout(300)
        assert not page.locator(".eval-pickers").is_visible()
        assert not page.locator("header.topbar").is_visible()
        assert page.locator("#chart-trend svg").is_visible()
        page.screenshot(path=str(shots / "evaluation-print.png"), full_page=True)
        page.emulate_media(media="screen")

        # -- in English, by street, at phone width --------------------------------------------
        page.goto(stack.base_url + "/evaluation?by=street&lang=en")
        page.wait_for_load_state("networkidle")
        assert "Ranking" in page.inner_text("main")
        _drawn(page, "#chart-trend")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(200)
        width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        wide = page.evaluate(
            """() => [...document.querySelectorAll("main *")]
                .filter((el) => !el.closest(".table-wrap"))
                .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map((el) => el.tagName + "." + el.className)"""
        )
        assert width[0] <= width[1], f"overflows sideways at phone width: {width}, {wide}"
        page.screenshot(path=str(shots / "evaluation-street-en-390.png"), full_page=True)
    finally:
        context.close()
