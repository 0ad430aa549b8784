"""A joint operation's statuses and results on its pages: 已确认待开始 once everyone confirmed,
findings and reports reconciled in one total that the close makes final, and cases from
findings that link back to the operation and start from its category and grid."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from operation_helpers import ApiUser, clock, eventually, launch_body, launched_operations
from pages_helpers import Browser, pages_app, text
from sqlmodel import Session, select

from core import operation_payloads as o
from core.workcal import TZ
from models.db import get_engine
from models.operation import OperationDepartment, OperationReport
from web.operations.shape import shown_status

pytestmark = pytest.mark.own_clock  # its clock runs ahead of the others'

COUNTS = ("stalls_cleared", "items_seized", "warnings", "fines", "fine_amount")


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        async with launched_operations(time_env.client):
            yield app


async def skip_to(env, moment: datetime) -> None:
    delta = moment - (await env.get_current_time()).astimezone(TZ)
    assert delta > timedelta(0)
    await env.sleep(delta)


def counts(**given: float) -> dict[str, float]:
    return {k: given.get(k, 0) for k in COUNTS}


def status_shown(html: str) -> str:
    found = re.search(r'class="case-head-status">(.*?)</div>', html, re.S)
    assert found is not None
    return text(found.group(1)).strip()


def tamper_after_close(operation_id: str) -> None:
    """Writes a late report of cg straight into the projection, as if it came after the close."""
    with Session(get_engine()) as session:
        late = {"stalls_cleared": 99, "items_seized": 99}
        for row in session.exec(
            select(OperationReport).where(
                OperationReport.operation_id == operation_id, OperationReport.department == "cg"
            )
        ):
            for kind, n in late.items():
                setattr(row, kind, n)
            session.add(row)
        for dept in session.exec(
            select(OperationDepartment).where(
                OperationDepartment.operation_id == operation_id,
                OperationDepartment.department == "cg",
            )
        ):
            dept.reported = {**dept.reported, **late}
            session.add(dept)
        session.commit()


async def board_row(page, oid: str, pages: int = 20) -> str | None:
    """Returns the operation's row on the board, on whichever page it is (the suite's other
    modules launch operations into the same database, newest first)."""
    for number in range(1, pages + 1):
        board = await page.get(f"/operations?page={number}")
        row = re.search(rf'<tr data-operation="{oid}">.*?</tr>', board.text, re.S)
        if row is not None:
            return row.group(0)
        if f"page={number + 1}" not in board.text:
            return None
    return None


async def test_statuses_results_and_cases_from_findings(app, time_env):
    coordinator = await ApiUser(app).login("coordinator")
    cg, ga, hongqi = [await ApiUser(app).login(f"liaison-{c}") for c in ("cg", "ga", "hongqi")]
    page = Browser(app)
    await page.login("coordinator")
    base = await clock(time_env)
    body = launch_body(base, category="open-air-bbq", area=["hongqi"])
    op = await coordinator.post("/api/operations", body, expect=201)
    oid = op["id"]
    assert op["category"] == "open-air-bbq"
    bad = await coordinator.post("/api/operations", {**body, "category": "nope"}, expect=422)
    assert bad["field"] == "category"

    # 待确认 while anyone owes an answer; 已确认待开始 once all have confirmed.
    await cg.act(oid, "confirm", {"people": 10})
    await ga.act(oid, "confirm", {"people": 4})
    assert status_shown((await page.get(f"/operations/{oid}")).text) == "待确认"
    await hongqi.act(oid, "confirm", {"people": 6})
    shown = await page.get(f"/operations/{oid}")
    assert status_shown(shown.text) == "已确认待开始"
    deadline = re.search(r"确认参加时限</dt><dd>(.*?)</dd>", shown.text, re.S)
    assert deadline is not None and "countdown" not in deadline.group(1), "nobody owes it now"
    row = await board_row(page, oid)
    assert row is not None and "已确认待开始" in text(row)
    assert "Confirmed, to start" in (await page.get(f"/operations/{oid}?lang=en")).text
    await page.get(f"/operations/{oid}?lang=zh")

    start = datetime.fromisoformat(op["sessions"][0]["start"])
    await skip_to(time_env, start + timedelta(minutes=1))

    async def in_status(status: str) -> dict | None:
        got = await coordinator.get(f"/api/operations/{oid}")
        return got if got["status"] == status else None

    await eventually(lambda: in_status("running"), "the session started")
    await cg.act(
        oid, "findings", {"counts": counts(stalls_cleared=3, items_seized=2), "note": "烧烤"}
    )
    await ga.act(oid, "findings", {"counts": counts(fines=1, fine_amount=200), "note": "违停"})

    # The spawn form starts from the operation's category and the first grid of its area.
    cg_page = Browser(app)
    await cg_page.login("liaison-cg")
    form = await cg_page.get(f"/operations/{oid}")
    spawn = form.text[form.text.index('id="opf-spawn-case-1"') :]
    assert re.search(r'<option value="open-air-bbq" selected>', spawn)
    assert re.search(r'<option value="hongqi-01" selected>', spawn)
    spawned = await cg_page.post(
        f"/operations/{oid}/act/spawn-case",
        {"key": "1", "category": "open-air-bbq", "grid": "hongqi-01", "address": "藤山一路 8 号"}
        | {"description": "露天烧烤油烟扰民"},
    )
    assert spawned.status_code == 200 and "HX-Trigger" in spawned.headers, spawned.text
    op = await coordinator.get(f"/api/operations/{oid}")
    number = op["findings"][0]["case_number"]
    case = await coordinator.get(f"/api/cases/{number}")
    created = case["timeline"][0]
    assert created["action"] == "created"
    assert (created["data"]["operation"], created["data"]["finding"]) == (oid, 1)
    case_page = await page.get(f"/cases/{number}")
    origin = re.search(r'<dd class="case-origin">(.*?)</dd>', case_page.text, re.S)
    assert origin is not None and f'href="/operations/{oid}"' in origin.group(1)
    assert "来自联合行动" in text(origin.group(1)) and op["title"] in text(origin.group(1))

    await skip_to(time_env, datetime.fromisoformat(op["sessions"][0]["end"]) + timedelta(minutes=1))
    await eventually(lambda: in_status("reporting"), "the session ended")
    # cg's report covers its 3 stalls (5 in all) but leaves out the 2 items it logged; ga's
    # leaves out its fine; hongqi logged nothing.
    await cg.act(oid, "reports", {"session": 1, "counts": counts(stalls_cleared=5, items_seized=1)})
    await ga.act(oid, "reports", {"session": 1, "counts": counts(warnings=1)})
    op = await hongqi.act(oid, "reports", {"session": 1, "counts": counts(stalls_cleared=4)})
    results = counts(stalls_cleared=9, items_seized=2, warnings=1, fines=1, fine_amount=200)
    assert op["totals"]["results"] == results and op["totals"]["final"] is False
    assert op["totals"]["found"] == counts(
        stalls_cleared=3, items_seized=2, fines=1, fine_amount=200
    )
    assert op["totals"]["reported"] == counts(stalls_cleared=9, items_seized=1, warnings=1)
    assert op["totals"]["cases"] == 1
    cg_results = next(d for d in op["departments"] if d["department"] == "cg")["results"]
    assert cg_results == counts(stalls_cleared=5, items_seized=2)

    closed = await coordinator.act(oid, "close", {"note": "专项整治结束"})
    assert closed["summary"]["results"] == results
    assert closed["timeline"][-1]["data"]["results"] == results
    assert closed["totals"]["final"] is True

    # Afterwards the spawned case moves on and a late figure reaches the projection: the closed
    # operation's totals and the case's status in its summary stay as they were at the close.
    await cg.post(f"/api/cases/{number}/accept")
    tamper_after_close(oid)
    after = await coordinator.get(f"/api/operations/{oid}")
    assert after["totals"]["results"] == results
    assert after["totals"]["reported"] == closed["totals"]["reported"]
    html = (await page.get(f"/operations/{oid}")).text
    totals = re.search(r'<tr class="totals">(.*?)</tr>', html, re.S)
    assert totals is not None and "99" not in totals.group(1)
    final = text(totals.group(1))
    assert "行动结束时的最终数字" in final and re.search(r"清理摊点\s+9\b", final)
    summary = html[html.index('id="summary"') :]
    assert "结束时已派遣" in text(summary) and "处置中" not in text(
        summary[: summary.index("</section>")]
    )
    for user in (coordinator, cg, ga, hongqi):
        await user.close()
    for browser in (page, cg_page):
        await browser.close()


def test_ready_is_shown_only_while_confirming_with_everyone_confirmed():
    def depts(*statuses: str) -> list[o.DepartmentState]:
        return [o.DepartmentState(code=f"d{i}", role="x", status=s) for i, s in enumerate(statuses)]

    assert shown_status(o.CONFIRMING, depts(o.CONFIRMED, o.WITHDRAWN, o.CONFIRMED)) == "ready"
    assert shown_status(o.CONFIRMING, depts(o.CONFIRMED, o.INVITED)) == o.CONFIRMING
    assert shown_status(o.CONFIRMING, depts(o.CONFIRMED, o.DECLINED)) == o.CONFIRMING
    assert shown_status(o.CONFIRMING, depts(o.WITHDRAWN)) == o.CONFIRMING
    assert shown_status(o.RUNNING, depts(o.CONFIRMED)) == o.RUNNING
