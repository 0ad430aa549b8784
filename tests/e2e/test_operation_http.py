"""A joint operation over HTTP only, on the real stack with its real clock: launch → confirm →
the session starts by itself → a finding becomes a case → reports → close. The worker is
SIGKILLed mid-operation and restarted: nothing recorded is lost, nothing is recorded twice.

The session lies a few seconds ahead so the test takes well under a minute and a half; the
launch rules allow any window that lies ahead (workflows/operation_rules.check_launch).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from core.workcal import TZ

pytestmark = pytest.mark.e2e

COUNTS = ("stalls_cleared", "items_seized", "warnings", "fines", "fine_amount")
# Seconds from the launch: the confirmation deadline, the session's start and end.
CONFIRM_BY, STARTS, ENDS = 12, 22, 36


def wait_for(check: Callable[[], dict | None], what: str, within: float) -> dict:
    """Polls `check` every 0.25 s until it returns something; fails after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"never happened within {within:g} s: {what}")


def sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(TZ)).total_seconds()))


def seqs_of(op: dict) -> list[int]:
    return [e["seq"] for e in op["timeline"]]


def test_operation_end_to_end_with_a_worker_crash(stack, api, login):
    coordinator = api("coordinator")
    cg, ga = api("liaison-cg"), api("liaison-ga")
    t0 = datetime.now(TZ).replace(microsecond=0)
    body = {
        "title": "红旗镇夜间露天烧烤联合整治",
        "goal": "清理露天烧烤摊点",
        "area": ["hongqi"],
        "sessions": [
            {
                "start": (t0 + timedelta(seconds=STARTS)).isoformat(),
                "end": (t0 + timedelta(seconds=ENDS)).isoformat(),
            }
        ],
        "lead": "cg",
        "cooperating": ["ga", "hongqi"],
        "confirm_deadline": (t0 + timedelta(seconds=CONFIRM_BY)).isoformat(),
        "report_within": 1,
        "report_unit": "hours",
    }
    op = coordinator.post("/api/operations", body, expect=201)
    oid = op["id"]
    assert op["status"] == "confirming"
    cg.post(f"/api/operations/{oid}/confirm", {"people": 12, "vehicles": 3})
    ga.post(f"/api/operations/{oid}/confirm", {"people": 6, "vehicles": 2})
    before = coordinator.get(f"/api/operations/{oid}")
    assert [e["action"] for e in before["timeline"]] == ["launched", "confirmed", "confirmed"]

    # -- SIGKILL the worker; a confirmation sent meanwhile lands, or is refused in time; the
    # session's start comes due while no worker runs.
    stack.kill_worker()
    assert "worker" not in stack.running()
    answer: dict = {}

    def confirm_while_down() -> None:
        hongqi = login("liaison-hongqi", timeout=120)
        try:
            answer["op"] = hongqi.post(f"/api/operations/{oid}/confirm", {"people": 8})
        except Exception as exc:  # noqa: BLE001  (checked by the main thread)
            answer["error"] = exc
        finally:
            hongqi.close()

    def hongqi_status() -> str:
        got = coordinator.get(f"/api/operations/{oid}")
        return next(d for d in got["departments"] if d["department"] == "hongqi")["status"]

    waiting = threading.Thread(target=confirm_while_down, daemon=True)
    waiting.start()
    sleep_until(t0 + timedelta(seconds=STARTS + 1))
    assert coordinator.get(f"/api/operations/{oid}")["status"] == "confirming"  # no worker
    stack.start_worker()
    waiting.join(60)
    assert not waiting.is_alive(), "the confirmation sent while the worker was down never returned"
    # Either a worker took it in time, or the answer said truthfully it was queued: it lands.
    if "op" not in answer:
        assert "queued" in str(answer.get("error")), answer
        for _ in range(100):
            if hongqi_status() == "confirmed":
                break
            time.sleep(0.3)
    assert hongqi_status() == "confirmed"

    def running() -> dict | None:
        got = coordinator.get(f"/api/operations/{oid}")
        return got if got["status"] == "running" else None

    op = wait_for(running, "the session started by itself after the restart", 30)
    assert op["current_session"] == 1
    assert op["timeline"][: len(before["timeline"])] == before["timeline"]
    assert len(set(seqs_of(op))) == len(seqs_of(op))

    # -- during the session: a finding, and a case from it dispatched by the routing list.
    op = cg.post(
        f"/api/operations/{oid}/findings",
        {"counts": {"stalls_cleared": 4, "items_seized": 9}, "note": "藤山一路烧烤摊 4 处"},
    )
    op = cg.post(
        f"/api/operations/{oid}/findings/1/spawn-case",
        {
            "category": "open-air-bbq",
            "grid": "hongqi-01",
            "address": "红旗镇藤山一路 18 号",
            "description": "露天烧烤，油烟扰民",
        },
    )
    case = op["findings"][0]["case"]
    assert (case["department"], case["status"]) == ("cg", "dispatched")
    listed = cg.get("/api/cases", department="cg", status="dispatched", page_size=200)
    assert case["number"] in [c["number"] for c in listed["items"]]
    assert coordinator.get(f"/api/cases/{case['number']}")["department"] == "cg"

    # -- after the session every department reports; the close totals the reports.
    def reporting() -> dict | None:
        got = coordinator.get(f"/api/operations/{oid}")
        return got if got["status"] == "reporting" else None

    sleep_until(t0 + timedelta(seconds=ENDS))
    op = wait_for(reporting, "the session ended by itself", 20)
    reports = {
        "liaison-cg": dict(zip(COUNTS, (6, 11, 3, 1, 200), strict=True)),
        "liaison-ga": dict(zip(COUNTS, (0, 0, 2, 2, 400), strict=True)),
        "liaison-hongqi": dict(zip(COUNTS, (3, 0, 5, 0, 0), strict=True)),
    }
    for username, counts in reports.items():
        op = api(username).post(
            f"/api/operations/{oid}/reports", {"session": 1, "counts": counts, "note": "本场战果"}
        )
    assert op["status"] == "completed"
    op = coordinator.post(f"/api/operations/{oid}/close", {"note": "整治结束"})
    expected = {k: sum(c[k] for c in reports.values()) for k in COUNTS}
    assert op["status"] == "closed"
    assert op["summary"]["totals"] == expected == op["totals"]["reported"]
    assert [c["number"] for c in op["summary"]["cases"]] == [case["number"]]

    # Nothing recorded before the crash is gone, nothing is there twice.
    assert op["timeline"][: len(before["timeline"])] == before["timeline"]
    assert seqs_of(op) == list(range(1, len(op["timeline"]) + 1))
    actions = [e["action"] for e in op["timeline"]]
    for once in ("launched", "session_started", "session_ended", "case_spawned", "closed"):
        assert actions.count(once) == 1, (once, actions)
    assert actions.count("confirmed") == 3 and actions.count("report_filed") == 3
