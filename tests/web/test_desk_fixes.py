"""Desk defects found on the floor: re-dispatch preselection, the bouncer's view and landing."""

from __future__ import annotations

import re

import pytest
from pages_helpers import Browser, case_row, file_by_phone, pages_app


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


async def signed_in(app, username: str) -> Browser:
    browser = Browser(app)
    assert (await browser.login(username)).status_code == 303
    return browser


async def test_redispatch_never_preselects_the_department_that_bounced(live):
    coordinator = await signed_in(live, "coordinator")
    sw = await signed_in(live, "liaison-sw")
    number = await file_by_phone(coordinator)
    await coordinator.act(number, "register-dispatch", {"department": "sw"})  # the routed one
    await sw.get(f"/cases/{number}")
    await sw.act(number, "bounce", {"reason": "不是我们的井"})  # no suggestion
    assert case_row(number).status == "bounced"
    form = await coordinator.get(f"/cases/{number}/act/dispatch", htmx=True)
    assert form.status_code == 200
    assert not re.search(r'<option value="sw" selected>', form.text), "sw just bounced it"
    for browser in (coordinator, sw):
        await browser.close()


async def test_a_liaison_bouncing_from_the_case_page_lands_on_its_desk(live):
    coordinator = await signed_in(live, "coordinator")
    gd = await signed_in(live, "liaison-gd")
    number = await file_by_phone(coordinator)
    await coordinator.act(number, "register-dispatch", {"department": "gd"})
    page = await gd.get(f"/cases/{number}")
    assert page.status_code == 200
    landed = await gd.post(
        f"/cases/{number}/act/bounce", {"where": "page", "reason": "不是供电设施"}
    )
    assert landed.status_code == 200 and landed.headers.get("HX-Redirect") == "/liaison"
    desk = await gd.get("/liaison")
    assert desk.status_code == 200 and "无权" not in desk.text
    # It can still read the case it bounced, without any action to take.
    again = await gd.get(f"/cases/{number}")
    assert again.status_code == 200 and "不是供电设施" in again.text
    assert not re.findall(rf'action="/cases/{number}/act/', again.text)
    for browser in (coordinator, gd):
        await browser.close()


@pytest.fixture
async def offline(engine):
    async with pages_app() as app:
        yield app


async def test_the_signed_out_home_page_shows_no_internal_addresses_and_has_an_icon(offline):
    anonymous = Browser(offline)
    home = await anonymous.get("/")
    assert home.status_code == 200
    for internal in ("Temporal", "127.0.0.1", "task queue", "liandong-cases"):
        assert internal not in home.text, internal
    assert 'rel="icon"' in home.text
    icon = await anonymous.http.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
    admin = Browser(offline)
    await admin.login("admin")
    assert "Temporal" in (await admin.get("/")).text, "the admin still sees where things run"
    for browser in (anonymous, admin):
        await browser.close()


async def test_closed_cases_in_lists_say_on_time_or_late(offline, engine):
    from factories import saved_case

    on_time = saved_case(engine, status="closed", handled_on_time=True, description="按期样例")
    late = saved_case(engine, status="closed", handled_on_time=False, description="超期样例")
    coordinator = Browser(offline)
    await coordinator.login("coordinator")
    for row, words in ((on_time, "按期办结"), (late, "超期办结")):
        page = await coordinator.get(f"/cases?q={row.number}")
        assert words in page.text, row.number
    await coordinator.close()


async def test_the_callback_dialog_shows_whom_to_call(offline, engine):
    from factories import saved_case

    row = saved_case(
        engine,
        status="verified",
        department="sw",
        reporter_name="陈先生",
        reporter_phone="138 0013 8000",
        satisfaction="dissatisfied",
        reporter_rating="dissatisfied",
    )
    coordinator = Browser(offline)
    await coordinator.login("coordinator")
    dialog = await coordinator.get(f"/cases/{row.number}/act/callback", htmx=True)
    assert dialog.status_code == 200
    assert "陈先生" in dialog.text and 'href="tel:13800138000"' in dialog.text
    assert "市民自评：不满意" in dialog.text
    await coordinator.close()


async def test_tab_counts_and_the_case_page_follow_changes(live):
    coordinator = await signed_in(live, "coordinator")
    number = await file_by_phone(coordinator)
    fragment = await coordinator.get("/coordinator?queue=new", htmx=True)
    assert 'id="queue-tabs" hx-swap-oob="true"' in fragment.text, "counts refresh with the list"
    count = re.search(r'queue=new"[^>]*>[^<]*<span class="count[^"]*">(\d+)<', fragment.text)
    assert count is not None
    page = await coordinator.get(f"/cases/{number}")
    version = re.search(rf"/cases/{number}/changed\?version=(\d+)", page.text)
    assert version is not None
    still = await coordinator.get(f"/cases/{number}/changed?version={version.group(1)}", htmx=True)
    assert still.status_code == 204
    await coordinator.act(number, "register")
    moved = await coordinator.get(f"/cases/{number}/changed?version={version.group(1)}", htmx=True)
    assert moved.status_code == 200 and "case-changed" in moved.headers["HX-Trigger"]
    after = await coordinator.get("/coordinator?queue=new", htmx=True)
    again = re.search(r'queue=new"[^>]*>[^<]*<span class="count[^"]*">(\d+)<', after.text)
    assert again is not None and int(again.group(1)) == int(count.group(1)) - 1
    await coordinator.close()


async def test_a_double_click_on_the_intake_form_files_one_case(live):
    from sqlmodel import Session, func, select

    from models.case import Case
    from models.db import get_engine

    def count() -> int:
        with Session(get_engine()) as session:
            return session.exec(select(func.count()).select_from(Case)).one()

    coordinator = await signed_in(live, "coordinator")
    form = await coordinator.get("/coordinator/intake")
    found = re.search(r'name="submission" value="([^"]+)"', form.text)
    assert found is not None and 'hx-disabled-elt="find button[type=submit]"' in form.text
    body = {
        "submission": found.group(1),
        "category": "noise",
        "grid": "hongqi-01",
        "address": "红旗路2号",
        "description": "夜间施工",
        "channel": "hotline",
    }
    before = count()
    first, second = [await coordinator.post("/coordinator/intake", body) for _ in range(2)]
    assert first.headers["HX-Redirect"] == second.headers["HX-Redirect"]
    assert count() == before + 1
    fresh = await coordinator.get("/coordinator/intake")
    assert found.group(1) not in fresh.text, "each form its own key"
    await coordinator.close()


def test_an_age_under_a_minute_is_not_zero_minutes():
    from datetime import UTC, datetime, timedelta

    from web.kit.pages import _age

    now = datetime.now(UTC)
    assert _age({}, now - timedelta(seconds=20)) == "不到1分钟"
    assert _age({}, now - timedelta(minutes=3, seconds=5)) == "3分钟"
    assert _age({}, now - timedelta(hours=2, minutes=1)) == "2小时1分"
