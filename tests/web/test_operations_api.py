"""Joint operations over /api/operations on the time-skipping server: launch to close, the
recurring launch, postpone and cancel, and every refusal as an integrator sees it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from operation_helpers import (
    ApiUser,
    clock,
    eventually,
    launch_body,
    launched_operations,
    outbox,
)
from pages_helpers import pages_app

from core.naming import operation_workflow_id
from core.workcal import TZ

ID_RE = re.compile(r"^LH-\d{4}-\d{4}$")
COUNTS = ("stalls_cleared", "items_seized", "warnings", "fines", "fine_amount")

pytestmark = pytest.mark.own_clock  # its clock runs ahead of the others'


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        async with launched_operations(time_env.client):
            yield app


@pytest.fixture
async def users(app):
    made: dict[str, ApiUser] = {}

    async def user(username: str) -> ApiUser:
        if username not in made:
            made[username] = await ApiUser(app).login(username)
        return made[username]

    yield user
    for u in made.values():
        await u.close()


def times_are_local(op: dict) -> None:
    for name in ("launched_at", "confirm_deadline", "first_start", "last_end"):
        assert op[name].endswith("+08:00"), (name, op[name])
    for s in op["sessions"]:
        assert s["start"].endswith("+08:00") and s["end"].endswith("+08:00")
    for e in op["timeline"]:
        assert e["at"].endswith("+08:00")


def dept(op: dict, code: str) -> dict:
    return next(d for d in op["departments"] if d["department"] == code)


async def skip_to(env, moment: datetime) -> None:
    delta = moment - (await env.get_current_time()).astimezone(TZ)
    assert delta > timedelta(0)
    await env.sleep(delta)


async def test_launch_confirm_run_report_close(app, users, time_env):
    coordinator, supervisor = await users("coordinator"), await users("supervisor")
    cg, ga, hongqi = (
        await users("liaison-cg"),
        await users("liaison-ga"),
        await users("liaison-hongqi"),
    )
    sw = await users("liaison-sw")
    base = await clock(time_env)
    op = await coordinator.post("/api/operations", launch_body(base), expect=201)
    oid = op["id"]
    assert ID_RE.match(oid), oid
    assert (op["status"], op["lead"], op["sessions_total"]) == ("confirming", "cg", 1)
    assert [(d["department"], d["role"], d["status"]) for d in op["departments"]] == [
        ("cg", "lead", "invited"),
        ("ga", "cooperating", "invited"),
        ("hongqi", "cooperating", "invited"),
    ]
    assert [e["action"] for e in op["timeline"]] == ["launched"]
    times_are_local(op)

    # The launch reached every participating department's liaison by mail, once each.
    launch_mail = [m for m in outbox(oid) if m.kind == "operation_launch"]
    assert sorted(m.recipient for m in launch_mail) == [
        "liaison-cg@liandong.example",
        "liaison-ga@liandong.example",
        "liaison-hongqi@liandong.example",
    ]

    # Lists: a liaison sees only the operations its department takes part in.
    listed = await coordinator.get("/api/operations", status="confirming", page_size=200)
    assert oid in [i["id"] for i in listed["items"]]
    assert oid in [i["id"] for i in (await ga.get("/api/operations", page_size=200))["items"]]
    assert oid not in [i["id"] for i in (await sw.get("/api/operations", page_size=200))["items"]]
    assert (await sw.get("/api/operations", department="cg"))["total"] == 0
    await sw.get(f"/api/operations/{oid}", expect=403)
    await sw.act(oid, "confirm", {"people": 3}, expect=403)

    # Confirmations; a decline is overruled and then confirmed.
    await coordinator.act(oid, "confirm", {"people": 3}, expect=403)
    op = await cg.act(oid, "confirm", {"people": 12, "vehicles": 3, "note": "执法队两个中队"})
    assert (dept(op, "cg")["status"], dept(op, "cg")["people"]) == ("confirmed", 12)
    refused = await ga.act(oid, "confirm", {"people": 0}, expect=422)
    assert refused["field"] == "people"
    await ga.act(oid, "confirm", {"people": 6, "vehicles": 2})
    await cg.act(oid, "decline", {"reason": "牵头单位"}, expect=409)
    assert (await hongqi.act(oid, "decline", {}, expect=422))["field"] == "reason"
    op = await hongqi.act(oid, "decline", {"reason": "本周有防汛任务"})
    assert (dept(op, "hongqi")["status"], dept(op, "hongqi")["decline_reason"]) == (
        "declined",
        "本周有防汛任务",
    )
    await hongqi.act(oid, "rule-decline", {"department": "hongqi", "accept": False}, expect=403)
    no_reason = {"department": "hongqi", "accept": False}
    assert (await coordinator.act(oid, "rule-decline", no_reason, expect=422))["field"] == "reason"
    op = await supervisor.act(oid, "rule-decline", {**no_reason, "reason": "属地须配合劝离"})
    assert (dept(op, "hongqi")["status"], dept(op, "hongqi")["overruled"]) == ("invited", True)
    await hongqi.act(oid, "confirm", {"people": 8, "vehicles": 1})

    # Nothing is found before the session, and it cannot close yet.
    finding = {"counts": {"stalls_cleared": 3, "items_seized": 2}, "note": "藤山一路烧烤摊占道"}
    assert (await cg.act(oid, "findings", finding, expect=409))["status"] == "confirming"
    await coordinator.act(oid, "close", {}, expect=409)

    # The session starts by itself.
    start = datetime.fromisoformat(op["sessions"][0]["start"])
    await skip_to(time_env, start + timedelta(minutes=1))

    async def running():
        got = await coordinator.get(f"/api/operations/{oid}")
        return got if got["status"] == "running" else None

    op = await eventually(running, "the session started")
    assert op["current_session"] == 1 and op["sessions"][0]["status"] == "running"

    op = await cg.act(oid, "findings", finding)
    await ga.act(oid, "findings", {"counts": {"fines": 1, "fine_amount": 200}, "note": "违停"})
    assert op["findings"][0]["counts"]["stalls_cleared"] == 3
    assert dept(op, "cg")["found"]["stalls_cleared"] == 3

    # A finding becomes a case dispatched to the routed department; bad codes are refused first.
    spawn = {
        "category": "open-air-bbq",
        "grid": "hongqi-01",
        "address": "红旗镇藤山一路 8 号",
        "description": "露天烧烤油烟扰民",
    }
    path = f"{oid}/findings/1/spawn-case"
    assert (await cg.post(f"/api/operations/{path}", {**spawn, "grid": "nowhere-9"}, 422))[
        "field"
    ] == "grid"
    assert (await cg.post(f"/api/operations/{path}", {**spawn, "category": "nope"}, 422))[
        "field"
    ] == "category"
    await ga.post(f"/api/operations/{path}", spawn, expect=403)  # cg's finding
    op = await cg.post(f"/api/operations/{path}", spawn)
    case = op["findings"][0]["case"]
    assert (case["department"], case["status"]) == ("cg", "dispatched")
    await cg.post(f"/api/operations/{path}", spawn, expect=409)
    seen = await coordinator.get(f"/api/cases/{case['number']}")
    assert (seen["status"], seen["department"]) == ("dispatched", "cg")

    # After the session each department reports; the totals add up.
    await skip_to(time_env, datetime.fromisoformat(op["sessions"][0]["end"]) + timedelta(minutes=1))

    async def reporting():
        got = await coordinator.get(f"/api/operations/{oid}")
        return got if got["status"] == "reporting" else None

    op = await eventually(reporting, "the session ended")
    assert sorted((r["department"], r["status"]) for r in op["reports"]) == [
        ("cg", "due"),
        ("ga", "due"),
        ("hongqi", "due"),
    ]
    reports = {
        cg: dict(zip(COUNTS, (5, 7, 2, 0, 0), strict=True)),
        ga: dict(zip(COUNTS, (0, 0, 1, 3, 600.5), strict=True)),
        hongqi: dict(zip(COUNTS, (4, 0, 6, 0, 0), strict=True)),
    }
    for who, counts in reports.items():
        op = await who.act(oid, "reports", {"session": 1, "counts": counts, "note": "本场战果"})
    await cg.act(oid, "reports", {"session": 1, "counts": {}}, expect=409)
    assert op["status"] == "completed"
    expected = {k: sum(c[k] for c in reports.values()) for k in COUNTS}
    assert op["totals"]["reported"] == expected

    await cg.act(oid, "close", {}, expect=403)
    op = await coordinator.act(oid, "close", {"note": "专项整治结束"})
    assert op["status"] == "closed" and op["closed_at"].endswith("+08:00")
    assert op["summary"]["totals"] == expected
    assert [c["number"] for c in op["summary"]["cases"]] == [case["number"]]
    assert (await coordinator.act(oid, "cancel", {"reason": "晚了"}, expect=409))["status"] == (
        "closed"
    )
    seqs = [e["seq"] for e in op["timeline"]]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_recurring_launch_postpone_cancel_and_a_finished_workflow(app, users, time_env):
    coordinator, cg, ga = (
        await users("coordinator"),
        await users("liaison-cg"),
        await users("liaison-ga"),
    )
    base = await clock(time_env)
    first = (base + timedelta(days=1)).date()
    last = first + timedelta(days=20)
    recurrence = {
        "first_date": first.isoformat(),
        "last_date": last.isoformat(),
        "repeat": "weekly",
        "weekdays": [5, 6],
        "start_time": "22:00",
        "end_time": "02:00",
    }
    body = launch_body(base, sessions=None, recurrence=recurrence)
    body["confirm_deadline"] = (base + timedelta(hours=12)).replace(tzinfo=None).isoformat()
    op = await coordinator.post("/api/operations", body, expect=201)
    oid = op["id"]
    days = [first + timedelta(days=n) for n in range(21)]
    nights = [d for d in days if d.isoweekday() in (5, 6)]
    assert op["sessions_total"] == len(nights) == len(op["sessions"])
    one = op["sessions"][0]
    assert one["start"] == f"{nights[0].isoformat()}T22:00:00+08:00"
    assert one["end"] == f"{(nights[0] + timedelta(days=1)).isoformat()}T02:00:00+08:00"
    # A naive time is Beijing time.
    assert op["confirm_deadline"].endswith("+08:00")

    # Postpone: only the coordinator, with a reason and a later start.
    later = datetime.fromisoformat(one["start"]) + timedelta(days=7)
    await cg.act(oid, "postpone", {"reason": "台风", "start": later.isoformat()}, expect=403)
    assert (await coordinator.act(oid, "postpone", {"reason": "台风"}, expect=422))["field"] == (
        "start"
    )
    assert (await coordinator.act(oid, "postpone", {"start": later.isoformat()}, expect=422))[
        "field"
    ] == "reason"
    op = await coordinator.act(oid, "postpone", {"reason": "台风过境", "start": later.isoformat()})
    assert op["postponed"] == 1 and op["sessions"][0]["start"] == later.isoformat()
    postponed = [m for m in outbox(oid) if m.kind == "operation_postponed"]
    assert len(postponed) == 3 and all(
        m.context["operation"]["reason"] == "台风过境" for m in postponed
    )

    await ga.act(oid, "decline", {"reason": "警力不足"})
    assert (await coordinator.act(oid, "cancel", {}, expect=422))["field"] == "reason"
    op = await coordinator.act(oid, "cancel", {"reason": "上级通知暂停"})
    assert op["status"] == "cancelled" and op["cancel_reason"] == "上级通知暂停"
    assert {s["status"] for s in op["sessions"]} == {"cancelled"}
    cancelled = [m for m in outbox(oid) if m.kind == "operation_cancelled"]
    assert len(cancelled) == 3  # ga's decline was never ruled on: it is still told
    assert (
        await coordinator.act(
            oid, "postpone", {"reason": "x", "start": later.isoformat()}, expect=409
        )
    )["status"] == "cancelled"

    # Once the workflow has finished, an action is a 409 naming the status.
    await time_env.client.get_workflow_handle(operation_workflow_id(oid)).terminate("archived")
    refused = await cg.act(oid, "confirm", {"people": 2}, expect=409)
    assert refused["status"] == "cancelled" and "no more actions" in refused["detail"]


async def test_launch_refusals(app, users, time_env):
    coordinator, cg = await users("coordinator"), await users("liaison-cg")
    base = await clock(time_env)
    await cg.post("/api/operations", launch_body(base), expect=403)
    cases = [
        ({"area": ["hongqi", "mars-01"]}, "area"),
        ({"area": []}, "area"),
        ({"lead": "xx"}, "lead"),
        ({"cooperating": ["ga", "nope"]}, "cooperating"),
        ({"cooperating": ["cg"]}, "cooperating"),
        ({"title": ""}, "title"),
        ({"sessions": None}, "sessions"),
        ({"confirm_deadline": (base + timedelta(hours=3)).isoformat()}, "confirm_deadline"),
        ({"confirm_deadline": datetime.now(TZ).replace(year=2020).isoformat()}, "confirm_deadline"),
        ({"report_unit": "weeks"}, "report_unit"),
        (
            {
                "sessions": [
                    {"start": (base + timedelta(hours=3)).isoformat(), "end": base.isoformat()}
                ]
            },
            "sessions",
        ),
        (
            {
                "recurrence": {
                    "first_date": "2031-01-01",
                    "last_date": "2031-01-10",
                    "repeat": "weekly",
                    "start_time": "20:00",
                    "end_time": "23:00",
                }
            },
            "sessions",  # both sessions and a recurrence
        ),
        (
            {
                "sessions": None,
                "recurrence": {
                    "first_date": "2031-01-01",
                    "last_date": "2031-01-10",
                    "repeat": "weekly",
                    "start_time": "20:00",
                    "end_time": "23:00",
                },
            },
            "recurrence.weekdays",
        ),
    ]
    before = (await coordinator.get("/api/operations"))["total"]
    for changes, field in cases:
        refused = await coordinator.post("/api/operations", launch_body(base, **changes), 422)
        assert refused["field"] == field, (changes, refused)
        assert refused["detail"]
    assert (await coordinator.get("/api/operations"))["total"] == before

    await coordinator.get("/api/operations/LH-2099-9999", expect=404)
    await cg.act("LH-2099-9999", "confirm", {"people": 1}, expect=404)
    anonymous = ApiUser(app)
    await anonymous.get("/api/operations", expect=401)
    await anonymous.close()
