"""The desks in the browser: the reporter rates once and a 不满意 reaches the coordinator's
callback queue first; rework needs a reason; a ruling states its scope, and its line is shown
and retracted on a page of its own."""

from __future__ import annotations

import re

import pytest
from factories import kept_rules
from operation_helpers import ApiUser
from pages_helpers import Browser, case_row, file_by_phone, pages_app, text

from web.kit.i18n import CATALOGUE
from workflows.case_actions import CASE_ACTIONS


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    with kept_rules(engine):
        async with pages_app(time_env.client, worker_queue) as app:
            yield app


async def _verified(coordinator: Browser, liaison: Browser, phone: str) -> str:
    number = await file_by_phone(coordinator, reporter_phone=phone)
    await coordinator.act(number, "register-dispatch", {"department": "sw"})
    await liaison.act(number, "accept")
    await liaison.act(number, "report", {"note": "已修复"})
    await coordinator.act(number, "verify", {"passed": "yes"})
    assert case_row(number).status == "verified"
    return number


def _rows(html: str) -> dict[str, str]:
    """Returns each listed case's row, by number, in the order shown."""
    found = re.findall(r'<tr class="row-[^"]*" data-number="([^"]+)">(.*?)</tr>', html, re.S)
    return dict(found)


async def test_a_dissatisfied_reporter_rates_once_and_is_called_back_first(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    sw = await browser_of(live, "liaison-sw")
    unhappy = await _verified(coordinator, sw, "139 0000 0031")
    later = await _verified(coordinator, sw, "13900000032")

    citizen = await browser_of(live)
    await citizen.get("/track")
    rated = await citizen.post(
        f"/track/{unhappy}/rate", {"phone": "13900000031", "satisfaction": "dissatisfied"}
    )
    shown = text(rated.text)
    assert "感谢您的评价" in shown and "您的评价：不满意" in shown and "指挥中心将回访" in shown
    assert f"/track/{unhappy}/rate" not in rated.text  # no second rating form
    again = await citizen.post(
        f"/track/{unhappy}/rate", {"phone": "13900000031", "satisfaction": "satisfied"}
    )
    assert "您已对本次办理结果作出评价" in text(again.text)
    row = case_row(unhappy)
    assert (row.status, row.satisfaction) == ("verified", "dissatisfied")
    english = await citizen.post(
        f"/track/{unhappy}/rate?lang=en", {"phone": "13900000031", "satisfaction": "satisfied"}
    )
    assert "You have rated this result already" in text(english.text)

    # The coordinator's callback queue: the 不满意 first, marked, though filed before the other.
    queue = await coordinator.get("/coordinator?queue=verified")
    rows = _rows(queue.text)
    assert list(rows)[0] == unhappy and later in rows
    assert "市民不满意" in rows[unhappy] and "市民不满意" not in rows[later]
    assert f"/cases/{unhappy}/act/callback" in rows[unhappy]

    dialog = await coordinator.get(f"/cases/{unhappy}/act/callback", htmx=True)
    assert "市民自评：不满意" in text(dialog.text) and "返工时必填" in text(dialog.text)
    reopen = {"satisfaction": "dissatisfied", "reopen": "on"}
    refused = await coordinator.act(unhappy, "callback", reopen)
    assert "请填写“返工原因”。" in text(refused.text) and case_row(unhappy).status == "verified"
    await coordinator.act(unhappy, "callback", {**reopen, "note": "市民反映井盖仍松动"})
    assert (case_row(unhappy).status, case_row(unhappy).reworks) == ("in_progress", 1)


async def test_a_failed_verification_asks_for_the_reason(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    sw = await browser_of(live, "liaison-sw")
    number = await file_by_phone(coordinator)
    await coordinator.act(number, "register-dispatch", {"department": "sw"})
    await sw.act(number, "accept")
    await sw.act(number, "report", {"note": "已修复"})
    form = await coordinator.get(f"/cases/{number}/act/verify", htmx=True)
    assert "核查不通过时必填" in text(form.text)
    refused = await coordinator.act(number, "verify", {"passed": "no"})
    assert "请填写“返工原因”。" in text(refused.text) and 'aria-invalid="true"' in refused.text
    assert case_row(number).status == "reported"
    await coordinator.act(number, "verify", {"passed": "no", "note": "井盖仍松动"})
    assert case_row(number).status == "in_progress"


async def _disputed(coordinator: Browser, sz: Browser, gd: Browser, grid: str) -> str:
    number = await file_by_phone(coordinator, grid=grid, description="井盖归属不清")
    await coordinator.act(number, "register-dispatch", {"department": "sz"})
    await sz.act(number, "bounce", {"reason": "不是路灯井"})
    await coordinator.act(number, "dispatch", {"department": "gd"})
    await gd.act(number, "bounce", {"reason": "不是电力井"})
    assert case_row(number).status == "disputed"
    return number


async def test_a_ruling_states_its_scope_links_its_line_and_is_retracted(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    supervisor = await browser_of(live, "supervisor")
    sz, gd = await browser_of(live, "liaison-sz"), await browser_of(live, "liaison-gd")
    number = await _disputed(coordinator, sz, gd, "sanzao-03")

    form = await supervisor.get(f"/cases/{number}/act/arbitrate", htmx=True)
    shown = text(form.text)
    assert "不写入（仅本案）" in shown and re.search(
        r'name="rule_scope" value="" checked', form.text
    )
    for words in (
        "写入权责清单（范围：网格 海澄社区第03网格 · sanzao-03）",
        "写入权责清单（范围：社区 海澄社区）",
        "写入权责清单（范围：街道（镇） 三灶镇）",
    ):
        assert words in shown, words
    await supervisor.act(number, "arbitrate", {"department": "zj", "rule_scope": "grid"})
    assert (case_row(number).status, case_row(number).department) == ("dispatched", "zj")

    page = await supervisor.get(f"/cases/{number}")
    assert "确权由住建局负责，并写入权责清单（适用于本网格）" in text(page.text)
    found = re.search(r'href="/rules/(\d+)"', page.text)
    assert found, "the case page links the line it wrote"
    rule_url = f"/rules/{found.group(1)}"
    api = await ApiUser(live).login("coordinator")
    routed = {"category": "manhole-cover"}
    assert (await api.get("/api/routing", grid="sanzao-03", **routed))["department"] == "zj"
    assert (await api.get("/api/routing", grid="sanzao-04", **routed))["department"] == "sw"

    line = await supervisor.get(rule_url)
    shown = text(line.text)
    for words in (
        "井盖缺失破损",
        "网格：海澄社区第03网格",
        "住建局",
        number,
        "生效中",
        "撤销该条目",
    ):
        assert words in shown, words
    watcher = await coordinator.get(rule_url)
    assert watcher.status_code == 200 and "撤销该条目" not in text(watcher.text)
    refused = await coordinator.post(f"{rule_url}/retract", htmx=False)
    assert refused.status_code == 403 and "该页面仅供值班长、系统管理员使用" in text(refused.text)

    done = await supervisor.post(f"{rule_url}/retract", htmx=False)
    assert done.status_code == 303
    after = text((await supervisor.get(done.headers["location"])).text)
    assert "已撤销，该条目不再用于派遣" in after and "已撤销（值班长，" in after
    assert "撤销该条目" not in after
    assert (await api.get("/api/routing", grid="sanzao-03", **routed))["department"] == "sw"
    english = text((await supervisor.get(f"{rule_url}?lang=en")).text)
    assert "Retracted (值班长" in english and "Grid: " in english
    await api.close()


async def test_the_api_writes_the_street_by_default_and_the_scope_asked_for(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    sz, gd = await browser_of(live, "liaison-sz"), await browser_of(live, "liaison-gd")
    street = await _disputed(coordinator, sz, gd, "nanshui-01")
    community = await _disputed(coordinator, sz, gd, "pingsha-03")
    api = await ApiUser(live).login("supervisor")
    wrong = await api.post(
        f"/api/cases/{community}/arbitrate", {"department": "zj", "rule_scope": "city"}, 422
    )
    assert wrong["field"] == "rule_scope"
    await api.post(f"/api/cases/{street}/arbitrate", {"department": "zj", "make_rule": True})
    await api.post(
        f"/api/cases/{community}/arbitrate", {"department": "zj", "rule_scope": "community"}
    )
    routed = {"category": "manhole-cover"}
    owners = {
        grid: (await api.get("/api/routing", grid=grid, **routed))["department"]
        for grid in ("nanshui-06", "pingsha-04", "pingsha-01")
    }
    assert owners == {"nanshui-06": "zj", "pingsha-04": "zj", "pingsha-01": "sw"}
    await api.close()


def test_every_field_required_only_sometimes_says_when_in_both_languages():
    for action in CASE_ACTIONS.values():
        for name, _when, _value in action.required_when:
            zh, en = CATALOGUE[f"required_when.{action.name}.{name}"]
            assert zh != en and en.isascii(), action.name
    assert {a.name for a in CASE_ACTIONS.values() if a.required_when} == {"verify", "callback"}


async def test_the_api_refuses_a_rework_without_its_reason(live):
    coordinator = await ApiUser(live).login("coordinator")
    sw = await ApiUser(live).login("liaison-sw")
    case = {"category": "manhole-cover", "description": "井盖缺失", "grid": "hongqi-02"}
    case |= {"address": "红旗路2号", "channel": "hotline"}
    number = (await coordinator.post("/api/cases", case, 201))["number"]
    await coordinator.post(f"/api/cases/{number}/register")
    await coordinator.post(f"/api/cases/{number}/dispatch", {"department": "sw"})
    await sw.post(f"/api/cases/{number}/accept")
    await sw.post(f"/api/cases/{number}/report", {"note": "已修复"})
    refused = await coordinator.post(f"/api/cases/{number}/verify", {"passed": False}, 422)
    assert (refused["code"], refused["field"]) == ("missing_field", "note")
    sent_back = {"passed": False, "note": "井盖仍松动"}
    assert (await coordinator.post(f"/api/cases/{number}/verify", sent_back))["reworks"] == 1
    for user in (coordinator, sw):
        await user.close()
