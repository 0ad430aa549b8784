"""The pages over HTTP: sign-in, role-aware navigation, one whole case, refusals shown inline,
and a liaison kept out of another department's case."""

from __future__ import annotations

import json
import re

import pytest
from pages_helpers import case_row, file_by_phone, pages_app, text

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
async def offline(engine):
    """The app without Temporal: enough for pages that only read."""
    async with pages_app() as app:
        yield app


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    """The app acting through the time-skipping Temporal server and a worker."""
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


def nav(html: str) -> str:
    return text(html[html.index('class="mainnav"') : html.index("</nav>")])


async def test_sign_in_role_aware_nav_and_sign_out(offline, browser_of):
    anonymous = await browser_of(offline)
    resp = await anonymous.get("/liaison")
    assert resp.status_code == 303 and resp.headers["location"] == "/login?next=/liaison"
    resp = await anonymous.get("/coordinator", htmx=True)
    assert resp.headers.get("HX-Redirect", "").startswith("/login")

    await anonymous.get("/login")
    wrong = await anonymous.post(
        "/login", {"username": "coordinator", "password": "nope"}, htmx=False
    )
    assert wrong.status_code == 200 and "用户名或密码不正确" in wrong.text
    assert (await anonymous.get("/coordinator")).status_code == 303

    coordinator = await browser_of(offline)
    signed_in = await coordinator.login("coordinator")
    assert signed_in.headers["location"] == "/desk"
    assert (await coordinator.get("/desk")).headers["location"] == "/coordinator"
    page = await coordinator.get("/coordinator")
    assert page.status_code == 200
    assert "指挥中心" in nav(page.text) and "电话受理" in nav(page.text)
    assert "部门任务" not in nav(page.text) and "值班长督办" not in nav(page.text)
    assert "指挥中心派遣员" in page.text  # who is signed in

    liaison = await browser_of(offline, "liaison-sw")
    page = await liaison.get("/liaison")
    assert "部门任务" in nav(page.text) and "指挥中心" not in nav(page.text)
    assert "电话受理" not in nav(page.text) and "水务集团" in page.text
    assert (await liaison.get("/coordinator")).status_code == 403
    assert (await liaison.get("/supervisor")).status_code == 403

    supervisor = await browser_of(offline, "supervisor")
    page = await supervisor.get("/supervisor?view=escalated")
    assert page.status_code == 200 and "值班长督办" in nav(page.text)

    out = await coordinator.post("/logout", htmx=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (await coordinator.get("/coordinator")).status_code == 303


async def test_english_is_switchable_and_remembered(offline, browser_of):
    coordinator = await browser_of(offline, "coordinator")
    page = await coordinator.get("/coordinator?lang=en")
    assert "Coordination centre" in page.text and 'lang="en"' in page.text
    assert "lang=en" in page.headers.get("set-cookie", "")
    coordinator.http.cookies.set("lang", "en")
    again = await coordinator.get("/cases")
    assert "Case search" in again.text
    assert "案件查询" in (await coordinator.get("/cases?lang=zh")).text


async def test_a_whole_case_through_the_desks(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    wrong = await browser_of(live, "liaison-gd")
    right = await browser_of(live, "liaison-sw")

    number = await file_by_phone(coordinator)
    page = await coordinator.get(f"/cases/{number}?filed=1")
    assert "已受理，案件编号" in page.text and "立案并派遣" in page.text
    # The routing suggestion is preselected; the coordinator sends it elsewhere by mistake.
    form = await coordinator.get(f"/cases/{number}/act/register-dispatch", htmx=True)
    assert re.search(r'<option value="sw" selected>', form.text)
    done = await coordinator.act(number, "register-dispatch", {"department": "gd"})
    assert done.status_code == 200, done.text
    events = json.loads(done.headers["HX-Trigger"])
    assert events["case-changed"]["number"] == number and "flash" in events
    assert case_row(number).status == "dispatched" and case_row(number).department == "gd"

    desk = await wrong.get("/liaison")
    assert number in desk.text and "data-deadline" in desk.text
    # A bounce without a reason is refused inline, keeping what was chosen.
    refused = await wrong.act(number, "bounce", {"reason": "   ", "suggested_department": "sw"})
    assert refused.status_code == 200 and "请填写“退单理由”" in refused.text
    assert re.search(r'<option value="sw" selected>', refused.text)
    assert case_row(number).status == "dispatched"
    bounced = await wrong.act(
        number, "bounce", {"reason": "不是供电设施，请改派水务", "suggested_department": "sw"}
    )
    assert bounced.status_code == 200 and case_row(number).status == "bounced"

    queue = await coordinator.get("/coordinator?queue=bounced")
    assert number in queue.text and "不是供电设施，请改派水务" in queue.text
    form = await coordinator.get(f"/cases/{number}/act/dispatch", htmx=True)
    assert re.search(r'<option value="sw" selected>', form.text), "the bounce's suggestion"
    await coordinator.act(number, "dispatch", {"department": "sw"})
    assert case_row(number).department == "sw"
    # The department that bounced it may still read it, but no longer act on it.
    read_only = await wrong.get(f"/cases/{number}")
    assert read_only.status_code == 200
    assert not re.findall(rf'action="/cases/{number}/act/', read_only.text)

    await right.act(number, "accept")
    assert case_row(number).status == "in_progress"
    twice = await right.act(number, "accept")
    assert twice.status_code == 200 and "可能已有其他人先处理了" in twice.text

    not_a_photo = await right.act(
        number,
        "report",
        {"note": "已更换井盖"},
        files={"photos": ("site.jpg", b"hello", "image/jpeg")},
    )
    assert "不是 JPEG、PNG 或 WebP 图片" in not_a_photo.text and "已更换井盖" in not_a_photo.text
    assert case_row(number).status == "in_progress"
    reported = await right.act(
        number, "report", {"note": "已更换井盖"}, files={"photos": ("site.png", PNG, "image/png")}
    )
    assert reported.status_code == 200 and case_row(number).status == "reported"

    page = await coordinator.get(f"/cases/{number}")
    photo = re.search(rf"/cases/{number}/photos/([0-9a-f]{{32}}\.png)", page.text)
    assert photo is not None and "附照片 1 张" in page.text
    served = await right.get(photo.group(0))
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content == PNG
    # The department that bounced it reads it, photos too; one that never had it may not.
    assert (await wrong.get(photo.group(0))).status_code == 200
    stranger = await browser_of(live, "liaison-hb")
    assert (await stranger.get(photo.group(0))).status_code == 403

    await coordinator.act(number, "verify", {"passed": "yes"})
    await coordinator.act(number, "callback", {"satisfaction": "satisfied"})
    assert case_row(number).status == "closed"

    history = text((await coordinator.get(f"/cases/{number}")).text)
    for line in (
        "受理",
        "派遣至供电局",
        "供电局退单（第 1 次）",
        "不是供电设施，请改派水务",
        "派遣至水务集团",
        "水务集团签收",
        "处置完毕",
        "核查通过",
        "回访结果：满意",
        "结案",
    ):
        assert line in history, line

    citizen = await browser_of(live)
    await citizen.get("/track")
    public = await citizen.post("/track", {"number": number, "phone": "138-0013-8000"})
    shown = text(public.text)
    assert "已结案" in shown and "本案已办结" in shown and "水务集团" in shown
    for staff in ("liaison-sw", "liaison-gd", "coordinator", "指挥中心派遣员"):
        assert staff not in shown, staff
    assert "不是供电设施" not in shown  # the bounce is internal


async def test_exactly_the_actions_the_user_may_take(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    liaison = await browser_of(live, "liaison-sw")
    supervisor = await browser_of(live, "supervisor")
    number = await file_by_phone(coordinator)
    await coordinator.act(number, "register-dispatch", {"department": "sw"})

    def offered(html: str) -> set[str]:
        return set(re.findall(rf'action="/cases/{number}/act/([a-z-]+)"', html))

    assert offered((await liaison.get(f"/cases/{number}")).text) == {"accept", "bounce"}
    assert offered((await coordinator.get(f"/cases/{number}")).text) == {"urge"}
    assert offered((await supervisor.get(f"/cases/{number}")).text) == {"urge", "park", "override"}
    await liaison.act(number, "accept")
    assert offered((await liaison.get(f"/cases/{number}")).text) == {"request-extension", "report"}
    await liaison.act(
        number,
        "request-extension",
        {"amount": "2", "unit": "working_hours", "reason": "需协调施工队"},
    )
    assert offered((await liaison.get(f"/cases/{number}")).text) == {"report"}
    # By number: earlier tests (the catalogue walks) leave more requests than one page shows.
    board = await supervisor.get(f"/supervisor?view=extensions&q={number}")
    assert number in board.text and "需协调施工队" in board.text
    assert "decide-extension" in offered((await supervisor.get(f"/cases/{number}")).text)
    # The form a stale page offers refuses in plain words instead of failing.
    stale = await coordinator.get(f"/cases/{number}/act/register", htmx=True)
    assert "不能“立案”" in stale.text


async def test_a_liaison_cannot_see_or_act_on_another_departments_case(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    other = await browser_of(live, "liaison-gd")
    number = await file_by_phone(coordinator, description="另一部门的案件")
    await coordinator.act(number, "register-dispatch", {"department": "sw"})

    page = await other.get(f"/cases/{number}")
    assert page.status_code == 403 and "无权查看" in page.text and "另一部门的案件" not in page.text
    assert (await other.get(f"/cases/{number}/act/accept", htmx=True)).status_code == 403
    acted = await other.act(number, "accept")
    assert acted.status_code == 403
    assert case_row(number).status == "dispatched"
    for url in ("/liaison", "/cases", f"/cases?q={number}"):
        listed = await other.get(url)
        assert listed.status_code == 200 and f'href="/cases/{number}"' not in listed.text, url
    assert (await other.get("/cases/2099-01-999999")).status_code == 404


async def test_the_citizen_rates_a_verified_case_and_it_closes(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    liaison = await browser_of(live, "liaison-sw")
    number = await file_by_phone(coordinator, reporter_phone="139 0000 0002")
    await coordinator.act(number, "register-dispatch", {"department": "sw"})
    await liaison.act(number, "accept")
    await liaison.act(number, "report", {"note": "已修复"})
    await coordinator.act(number, "verify", {"passed": "yes"})

    citizen = await browser_of(live)
    await citizen.get("/track")
    wrong_phone = await citizen.post("/track", {"number": number, "phone": "13900000009"})
    assert "没有找到该案件" in wrong_phone.text and "已修复" not in wrong_phone.text
    found = await citizen.post("/track", {"number": number, "phone": "13900000002"})
    assert f"/track/{number}/rate" in found.text and "请为本次办理结果评价" in found.text
    forged = await citizen.post(
        f"/track/{number}/rate", {"phone": "13900000009", "satisfaction": "satisfied"}
    )
    assert forged.status_code == 404 and case_row(number).status == "verified"
    unrated = await citizen.post(f"/track/{number}/rate", {"phone": "13900000002"})
    assert "请选择" in unrated.text and case_row(number).status == "verified"
    rated = await citizen.post(
        f"/track/{number}/rate", {"phone": "13900000002", "satisfaction": "basically_satisfied"}
    )
    assert "感谢您的评价" in rated.text and "本案已办结" in rated.text
    row = case_row(number)
    assert row.status == "closed" and row.satisfaction == "basically_satisfied"
    assert "市民评价：基本满意" in text((await coordinator.get(f"/cases/{number}")).text)


async def test_arbitration_names_an_owner_and_an_interim_handler(live, browser_of):
    coordinator = await browser_of(live, "coordinator")
    supervisor = await browser_of(live, "supervisor")
    interim = await browser_of(live, "liaison-hongqi")
    number = await file_by_phone(coordinator, description="井盖归属不清")
    await coordinator.act(number, "register-dispatch", {"department": "gd"})
    await (await browser_of(live, "liaison-gd")).act(number, "bounce", {"reason": "不是电力井"})
    await coordinator.act(number, "dispatch", {"department": "tx"})
    await (await browser_of(live, "liaison-tx")).act(number, "bounce", {"reason": "不是通信井"})
    assert case_row(number).status == "disputed"

    board = await supervisor.get("/supervisor?view=disputed")
    assert number in board.text and "不是电力井" in board.text and "不是通信井" in board.text
    same = await supervisor.act(
        number, "arbitrate", {"department": "sw", "interim_department": "sw"}
    )
    assert "先行处置单位不能与责任部门相同" in same.text and case_row(number).status == "disputed"
    await supervisor.act(number, "arbitrate", {"department": "sw", "interim_department": "hongqi"})
    row = case_row(number)
    assert row.status == "dispatched" and row.department == "sw"

    desk = await interim.get("/liaison")
    assert number in desk.text and "先行处置" in desk.text
    page = await interim.get(f"/cases/{number}")
    assert page.status_code == 200 and "您的单位是本案的先行处置单位" in page.text
    # The interim handler's one action is to report the site made safe.
    assert f'action="/cases/{number}/act/interim-report"' in page.text
    assert f'action="/cases/{number}/act/accept"' not in page.text
    await interim.act(number, "interim-report", {"note": "已设围挡和警示灯"})
    assert case_row(number).interim_done is True
    page = await interim.get(f"/cases/{number}")
    assert "已设围挡和警示灯" in page.text and "先行处置完成" in page.text
    assert f'action="/cases/{number}/act/' not in page.text
