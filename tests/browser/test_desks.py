"""Three roles play one whole case in real headless Chromium against a real stack.

The coordinator files a phone report and dispatches it (to the wrong department), that liaison
bounces it with a reason, the coordinator re-dispatches it, the right liaison accepts it and
reports with a photo, the coordinator verifies and calls back, and the citizen sees it closed.
A liaison of another department cannot see or act on the case, even by typing its URL. Every
desk is photographed at 1366x768 and at phone width, where nothing may overflow sideways.
"""

from __future__ import annotations

import re
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

PHONE_NUMBER = "13800138000"
DIALOG = "#action-dialog"


def png(width: int = 8, height: int = 6) -> bytes:
    """Returns a small valid PNG (a blue block), as a phone camera would send a photo."""
    raw = b"".join(b"\x00" + b"\x1f\x5f\xa8" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def api(base_url: str, username: str) -> httpx.Client:
    """A signed-in client of the JSON API (to prepare a case quickly)."""
    client = httpx.Client(base_url=base_url, trust_env=False, timeout=60)
    token = client.post("/api/token", data={"username": username, "password": "demo"})
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def disputed_case(base_url: str) -> str:
    """Files a street-vending case that two departments bounce: it awaits arbitration."""
    coordinator = api(base_url, "coordinator")
    filed = coordinator.post(
        "/api/cases",
        json={
            "category": "street-vending",
            "grid": "sanzao-01",
            "address": "三灶镇中心市场东门",
            "description": "早市流动摊贩占用人行道，影响通行。",
            "channel": "inspector",
        },
    )
    number = filed.json()["number"]
    coordinator.post(f"/api/cases/{number}/register", json={}).raise_for_status()
    for department, reason in (
        ("cg", "市场内部通道，属市场监管范围"),
        ("sj", "占道经营应由城管执法处理"),
    ):
        coordinator.post(
            f"/api/cases/{number}/dispatch", json={"department": department}
        ).raise_for_status()
        liaison = api(base_url, f"liaison-{department}")
        liaison.post(f"/api/cases/{number}/bounce", json={"reason": reason}).raise_for_status()
        liaison.close()
    assert coordinator.get(f"/api/cases/{number}").json()["status"] == "disputed"
    coordinator.close()
    return number


class Desk:
    """One person at a browser: signs in, and photographs what they see."""

    def __init__(self, browser: Any, base_url: str, shots: Path, name: str) -> None:
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.shots = shots
        self.name = name

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def login(self, username: str) -> None:
        self.go("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "demo")
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def shot(self, label: str, *, phone: bool = True) -> None:
        """Screenshots the page at desktop size and, with `phone`, at phone width too."""
        page = self.page
        page.wait_for_timeout(150)
        page.screenshot(path=str(self.shots / f"{self.name}-{label}-1366.png"), full_page=True)
        if phone:
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(150)
            width = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            page.screenshot(path=str(self.shots / f"{self.name}-{label}-390.png"), full_page=True)
            page.set_viewport_size({"width": 1366, "height": 768})
            assert width[0] <= width[1], f"{label} overflows sideways at phone width: {width}"

    def row(self, number: str) -> Any:
        return self.page.locator(f'tr[data-number="{number}"]')

    def open_dialog(self, number: str, label: str) -> Any:
        """Clicks a row's action button and returns the dialog it opens."""
        self.row(number).get_by_role("link", name=label, exact=True).click()
        dialog = self.page.locator(f"{DIALOG}[open]")
        dialog.wait_for()
        return dialog

    def submit_dialog(self, dialog: Any) -> None:
        dialog.locator("button[type=submit]").click()
        # A function, not an expression: Playwright would eval() an expression, which the
        # pages' CSP forbids.
        self.page.wait_for_function(f"() => !document.querySelector('{DIALOG}').open")

    def close(self) -> None:
        self.context.close()


def test_three_roles_play_a_whole_case(stack: Any, browser: Any, shots: Path) -> None:
    base = stack.base_url
    coordinator = Desk(browser, base, shots, "coordinator")
    wrong = Desk(browser, base, shots, "liaison-gd")
    right = Desk(browser, base, shots, "liaison-sw")
    supervisor = Desk(browser, base, shots, "supervisor")
    citizen = Desk(browser, base, shots, "citizen")
    stranger = Desk(browser, base, shots, "liaison-hb")
    try:
        _play(coordinator, wrong, right, supervisor, citizen, stranger, shots)
    finally:
        for desk in (coordinator, wrong, right, supervisor, citizen, stranger):
            desk.close()


def _play(  # noqa: PLR0913 - one desk per person in the story
    coordinator: Desk,
    wrong: Desk,
    right: Desk,
    supervisor: Desk,
    citizen: Desk,
    stranger: Desk,
    shots: Path,
) -> None:
    # -- the coordinator files a phone report and dispatches it, to the wrong department -----
    coordinator.login("coordinator")
    assert coordinator.page.url.endswith("/coordinator")
    coordinator.go("/coordinator/intake")
    page = coordinator.page
    page.select_option("select[name=category]", "manhole-cover")
    page.select_option("select[name=grid]", "hongqi-01")
    page.fill("input[name=address]", "红旗镇红旗路 18 号门前")
    page.fill("textarea[name=description]", "人行道井盖破损下陷，夜间有行人绊倒风险，请尽快处理。")
    page.fill("input[name=reporter_name]", "李女士")
    page.fill("input[name=reporter_phone]", PHONE_NUMBER)
    coordinator.shot("intake")
    page.click("#intake-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d{4}-\d{2}-\d{6}"))
    number = re.search(r"/cases/([0-9-]+)", page.url).group(1)
    page.locator("details.action[open] form").wait_for()
    coordinator.shot("case-new")
    form = page.locator("details.action[open] form")
    assert form.locator("select[name=department]").input_value() == "sw", "routing suggestion"
    form.locator("select[name=department]").select_option("gd")
    form.locator("button[type=submit]").click()
    page.locator(".case-head-status", has_text="已派遣").wait_for()

    # The right liaison's desk is open before the case reaches it: it must appear by itself.
    right.login("liaison-sw")
    assert right.page.url.endswith("/liaison")
    assert right.row(number).count() == 0

    # -- the wrong liaison bounces it with a reason -------------------------------------------
    wrong.login("liaison-gd")
    wrong.row(number).wait_for()
    assert "data-deadline" in wrong.row(number).inner_html()
    wrong.shot("desk")
    dialog = wrong.open_dialog(number, "退单")
    dialog.locator("textarea[name=reason]").fill("   ")
    dialog.locator("select[name=suggested_department]").select_option("sw")
    dialog.locator("button[type=submit]").click()
    dialog.locator(".form-error", has_text="请填写“退单理由”").wait_for()
    assert dialog.locator("select[name=suggested_department]").input_value() == "sw"
    dialog.locator("textarea[name=reason]").fill("不是供电设施，是污水井盖，请改派水务集团")
    wrong.shot("bounce-dialog", phone=False)
    wrong.submit_dialog(dialog)
    wrong.row(number).wait_for(state="detached")

    # -- the coordinator re-dispatches it from the bounced queue -------------------------------
    coordinator.go("/coordinator?queue=bounced")
    row = coordinator.row(number)
    assert "不是供电设施" in row.inner_text()
    coordinator.shot("bounced-queue")
    dialog = coordinator.open_dialog(number, "重新派遣")
    assert dialog.locator("select[name=department]").input_value() == "sw", "bounce suggestion"
    coordinator.submit_dialog(dialog)

    # -- the right liaison sees it arrive, accepts and reports with a photo ----------------------
    right.row(number).wait_for(timeout=20_000)  # the desk polls every 10 s
    right.shot("desk")
    right.row(number).get_by_role("button", name="签收").click()
    right.row(number).get_by_role("link", name="处置反馈").wait_for()
    dialog = right.open_dialog(number, "处置反馈")
    note = "已更换为防沉降井盖并恢复路面，现场已清理。"
    dialog.locator("textarea[name=note]").fill(note)
    # Too much at once (over 6 × 5 MB + 1 MB): refused in the form, which keeps what was typed.
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "too-large.png"
        big.write_bytes(png() + bytes(32 * 1024 * 1024))
        dialog.locator("input[name=photos]").set_input_files(str(big))
        dialog.locator("button[type=submit]").click()
        dialog.locator(".form-error", has_text="31 MB").wait_for()
    assert dialog.locator("textarea[name=note]").input_value() == note
    photo = shots.parent / "site-photo.png"
    photo.write_bytes(png())
    dialog.locator("input[name=photos]").set_input_files(str(photo))
    right.shot("report-dialog", phone=False)
    right.submit_dialog(dialog)
    right.row(number).wait_for(state="detached")

    # -- the department that bounced it may read it, without any action --------------------------
    read_only = wrong.go(f"/cases/{number}")
    assert read_only.status == 200 and "人行道井盖" in wrong.page.content()
    assert wrong.page.locator(f"main form[action^='/cases/{number}/act/']").count() == 0
    wrong.shot("bounced-read-only")
    # -- a liaison of a department that never had it cannot see or act, even by typing the URL --
    stranger.login("liaison-hb")
    denied = stranger.go(f"/cases/{number}")
    assert denied.status == 403 and "无权查看" in stranger.page.inner_text("main")
    assert "人行道井盖" not in stranger.page.content()
    assert stranger.go(f"/cases/{number}/act/verify").status == 403
    stranger.shot("denied")
    answer = wrong.page.evaluate(
        """async (url) => {
             const headers = JSON.parse(document.body.getAttribute('hx-headers'));
             const token = headers['X-CSRF-Token'];
             const r = await fetch(url, {method: 'POST', headers: {'X-CSRF-Token': token,
                                                                    'HX-Request': 'true'}});
             return await r.text(); }""",
        f"/cases/{number}/act/accept",
    )
    assert "该案件不由您的部门办理" in answer, "the bouncing department may not act on it"
    client = api(wrong.base_url, "coordinator")
    assert client.get(f"/api/cases/{number}").json()["status"] == "reported", "unchanged"
    client.close()

    # -- the coordinator verifies and records the callback ----------------------------------------
    coordinator.go("/coordinator?queue=reported")
    dialog = coordinator.open_dialog(number, "核查")
    dialog.locator("input[name=passed][value=yes]").check()
    coordinator.submit_dialog(dialog)
    coordinator.go("/coordinator?queue=verified")
    dialog = coordinator.open_dialog(number, "回访")
    dialog.locator("input[name=satisfaction][value=satisfied]").check()
    coordinator.submit_dialog(dialog)
    coordinator.go(f"/cases/{number}")
    history = coordinator.page.inner_text("#history")
    for line in (
        "派遣至供电局",
        "不是供电设施",
        "派遣至水务集团",
        "水务集团签收",
        "附照片 1 张",
        "核查通过",
        "回访结果：满意",
    ):
        assert line in history, line
    photo_src = coordinator.page.locator(".photos img").first.get_attribute("src")
    assert coordinator.page.request.get(coordinator.base_url + photo_src).ok
    assert stranger.page.request.get(stranger.base_url + photo_src).status == 403
    coordinator.shot("case")
    coordinator.go("/coordinator")
    coordinator.shot("console")
    coordinator.go("/cases?lang=en")
    coordinator.shot("search-en")

    # -- the supervisor arbitrates a disputed case and makes it the rule -------------------------
    disputed = disputed_case(coordinator.base_url)
    supervisor.login("supervisor")
    assert supervisor.page.url.endswith("/supervisor")
    supervisor.go("/supervisor?view=disputed")
    row = supervisor.row(disputed)
    assert "市场内部通道" in row.inner_text() and "占道经营应由城管执法处理" in row.inner_text()
    supervisor.shot("board")
    dialog = supervisor.open_dialog(disputed, "确权裁决")
    dialog.locator("select[name=department]").select_option("cg")
    dialog.locator("select[name=interim_department]").select_option("sanzao")
    dialog.locator("input[name=rule_scope][value=street]").check()  # the scope is stated
    supervisor.shot("arbitrate-dialog", phone=False)
    supervisor.submit_dialog(dialog)
    row.wait_for(state="detached")
    routing = api(coordinator.base_url, "supervisor")
    rule = routing.get("/api/routing", params={"category": "street-vending", "grid": "sanzao-01"})
    assert rule.json()["department"] == "cg" and disputed in (rule.json()["rule"] or "")
    routing.close()
    supervisor.go(f"/cases/{disputed}")
    assert "确权由城管执法局负责，并写入权责清单" in supervisor.page.inner_text("#history")
    supervisor.go("/supervisor?view=escalated")

    # -- filters narrow the list in place (htmx) and land in the URL ----------------------------
    # (the demo history holds earlier months' cases: this month's numbers are this test's)
    coordinator.go(f"/cases?q={number[:8]}")
    rows = coordinator.page.locator("#case-list tr[data-number]")
    assert rows.count() == 2
    coordinator.page.select_option("form.filters select[name=status]", "closed")
    coordinator.page.wait_for_url(re.compile(r"/cases\?.*status=closed"))
    coordinator.page.wait_for_function(
        "() => document.querySelectorAll('#case-list tr[data-number]').length === 1"
    )
    assert rows.first.get_attribute("data-number") == number
    coordinator.page.goto(coordinator.base_url + f"/cases?q={disputed}")
    assert rows.count() == 1 and rows.first.get_attribute("data-number") == disputed

    # -- the citizen sees it closed, without staff names ------------------------------------------
    citizen.go("/track")
    citizen.page.fill("input[name=number]", number)
    citizen.page.fill("input[name=phone]", PHONE_NUMBER)
    citizen.page.click("form.track-form button[type=submit]")
    result = citizen.page.locator(".track-result")
    result.wait_for()
    shown = result.inner_text()
    assert "已结案" in shown and "本案已办结" in shown
    for staff in ("liaison-", "coordinator", "指挥中心派遣员", "不是供电设施"):
        assert staff not in shown, staff
    citizen.shot("track")
    missing = citizen.go("/no-such-page")
    assert missing.status == 404 and "没有找到该页面" in citizen.page.inner_text("main")
