"""The liaison desk's rows: a case sent back for rework says so and why; a make-safe unit (先行处置)
sees its own task and button, and its report takes photos like the completion report."""

from __future__ import annotations

import re

import pytest
from factories import saved_case
from operation_helpers import ApiUser
from pages_helpers import Browser, case_row, file_by_phone, pages_app, text

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


@pytest.fixture
async def offline(engine):
    async with pages_app() as app:
        yield app


async def signed_in(app, username: str) -> Browser:
    browser = Browser(app)
    assert (await browser.login(username)).status_code == 303
    return browser


def row_html(html: str, number: str) -> str:
    """Returns one case's row of a list."""
    found = re.search(rf'<tr [^>]*data-number="{number}".*?</tr>', html, re.S)
    assert found is not None, f"{number} is not on the list"
    return found.group(0)


def desk_row(html: str, number: str) -> str:
    """Returns the visible text of one case's row on a list."""
    return text(row_html(html, number))


async def test_a_case_back_for_rework_shows_rework_and_the_reason_on_the_desk(live):
    coordinator = await signed_in(live, "coordinator")
    sw = await signed_in(live, "liaison-sw")
    number = await file_by_phone(coordinator)
    await coordinator.act(number, "register-dispatch", {"department": "sw"})
    await sw.act(number, "accept")
    desk = await sw.get(f"/liaison?q={number}")
    assert "返工" not in desk_row(desk.text, number), "not reworked yet"

    await sw.act(number, "report", {"note": "已更换井盖"})
    await coordinator.act(number, "verify", {"passed": "no", "note": "井盖型号不符，仍有晃动"})
    assert case_row(number).status == "in_progress" and case_row(number).reworks == 1
    row = desk_row((await sw.get(f"/liaison?q={number}")).text, number)
    assert "返工" in row and "核查未通过" in row and "井盖型号不符，仍有晃动" in row

    # Sent back again from the callback: the desk shows the newer reason, not the old one.
    await sw.act(number, "report", {"note": "已换成标准井盖"})
    await coordinator.act(number, "verify", {"passed": "yes"})
    await coordinator.act(
        number,
        "callback",
        {"satisfaction": "dissatisfied", "reopen": "on", "note": "市民反映夜间仍有异响"},
    )
    assert case_row(number).reworks == 2
    row = desk_row((await sw.get(f"/liaison?q={number}&lang=en")).text, number)
    assert "Rework" in row and "dissatisfied at callback" in row and "市民反映夜间仍有异响" in row
    assert "井盖型号不符" not in row
    for browser in (coordinator, sw):
        await browser.close()


async def test_the_make_safe_unit_sees_its_own_task_and_button(offline, engine):
    row = saved_case(
        engine, status="in_progress", department="sw", interim_department="hongqi", reworks=0
    )
    hongqi = await signed_in(offline, "liaison-hongqi")
    desk = await hongqi.get(f"/liaison?q={row.number}")
    mine = row_html(desk.text, row.number)
    assert "先行处置，消除隐患" in text(mine) and "水务" in text(mine), "its task, and whose case"
    assert f'href="/cases/{row.number}/act/interim-report"' in mine
    for owner_action in ("accept", "bounce", "report", "request-extension"):
        assert f'/cases/{row.number}/act/{owner_action}"' not in mine, owner_action
    assert "countdown" not in mine, "the owner's clock is not the make-safe unit's"
    # The owner sees its own buttons and no make-safe task.
    sw = await signed_in(offline, "liaison-sw")
    theirs = row_html((await sw.get(f"/liaison?q={row.number}")).text, row.number)
    assert f'href="/cases/{row.number}/act/report"' in theirs
    assert "interim-report" not in theirs and "先行处置，消除隐患" not in text(theirs)

    done = saved_case(
        engine,
        status="in_progress",
        department="sw",
        interim_department="hongqi",
        interim_done=True,
    )
    after = row_html((await hongqi.get(f"/liaison?q={done.number}")).text, done.number)
    assert "已先行处置" in text(after) and "/act/" not in after
    for browser in (hongqi, sw):
        await browser.close()


async def disputed_to_sw_with_hongqi_making_safe(app) -> str:
    coordinator = await ApiUser(app).login("coordinator")
    supervisor = await ApiUser(app).login("supervisor")
    case = {
        "category": "manhole-cover",
        "description": "井盖归属不清",
        "grid": "hongqi-01",
        "address": "红旗路1号",
        "channel": "hotline",
    }
    number = (await coordinator.post("/api/cases", case, 201))["number"]
    await coordinator.post(f"/api/cases/{number}/register")
    for department, reason in (("gd", "不是电力井"), ("tx", "不是通信井")):
        await coordinator.post(f"/api/cases/{number}/dispatch", {"department": department})
        liaison = await ApiUser(app).login(f"liaison-{department}")
        await liaison.post(f"/api/cases/{number}/bounce", {"reason": reason})
        await liaison.close()
    await supervisor.post(
        f"/api/cases/{number}/arbitrate", {"department": "sw", "interim_department": "hongqi"}
    )
    for user in (coordinator, supervisor):
        await user.close()
    return number


async def test_the_make_safe_report_takes_photos_from_the_dialog(live):
    number = await disputed_to_sw_with_hongqi_making_safe(live)
    hongqi = await signed_in(live, "liaison-hongqi")
    dialog = await hongqi.get(f"/cases/{number}/act/interim-report", htmx=True)
    assert 'enctype="multipart/form-data"' in dialog.text and 'name="photos"' in dialog.text
    assert re.search(r'<textarea name="note"[^>]*required', dialog.text), "the note is required"

    refused = await hongqi.act(
        number,
        "interim-report",
        {"note": "已设围挡"},
        files=[("photos", ("x.png", b"not an image", "image/png"))],
    )
    assert "x.png" in refused.text and case_row(number).interim_done is False
    done = await hongqi.act(
        number,
        "interim-report",
        {"note": "已设围挡和警示灯"},
        files=[("photos", ("site.png", PNG, "image/png"))],
    )
    assert done.status_code == 200 and case_row(number).interim_done is True
    page = await hongqi.get(f"/cases/{number}")
    photos = re.findall(rf'<img src="/cases/{number}/photos/([0-9a-f]{{32}}\.png)"', page.text)
    assert len(photos) == 1 and "附照片 1 张" in page.text
    served = await hongqi.get(f"/cases/{number}/photos/{photos[0]}")
    assert served.status_code == 200 and served.content == PNG
    await hongqi.close()


async def test_the_make_safe_report_api_takes_only_uploaded_photos(live):
    number = await disputed_to_sw_with_hongqi_making_safe(live)
    hongqi = await ApiUser(live).login("liaison-hongqi")
    refused = await hongqi.post(
        f"/api/cases/{number}/interim-report",
        {"note": "已设围挡", "photos": ["a" * 32 + ".png"]},
        422,
    )
    assert refused["field"] == "photos"
    up = await hongqi.call(
        "POST", f"/api/cases/{number}/photos", 201, files=[("photo", ("p.png", PNG, "image/png"))]
    )
    done = await hongqi.post(
        f"/api/cases/{number}/interim-report", {"note": "已设围挡", "photos": up["photos"]}
    )
    line = done["timeline"][-1]
    assert line["action"] == "interim_reported" and line["data"]["photos"] == up["photos"]
    await hongqi.close()
