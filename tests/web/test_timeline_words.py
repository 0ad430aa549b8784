"""Timeline lines are written in words where they are shown: every action the workflows record,
in zh-CN and English, with names and labels and never a raw code; older lines too."""

from __future__ import annotations

import ast
import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from operation_helpers import ApiUser
from pages_helpers import Browser, pages_app, text
from sqlmodel import Session

from core.payloads import OVERRIDE_ACTIONS
from core.timeline import FACTS, STEP_ACTIONS
from models.case import CaseEvent
from models.operation import OperationEvent
from web.cases.history import display_names, history, timeline_public
from web.kit.names import Reference
from web.operations.history import timeline_lines

ROOT = Path(__file__).resolve().parents[2]
HISTORIES = ROOT / "tests" / "workflows" / "histories"
ASCII_WORD = re.compile(r"[A-Za-z]")
CASE = {
    "category": "manhole-cover",
    "description": "井盖缺失，行人有坠落风险",
    "grid": "hongqi-01",
    "address": "红旗路1号",
    "channel": "hotline",
}
AT = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
CASE_FACTS: dict[str, Any] = {
    "department": "sw",
    "suggested_department": "cg",
    "departments": ["sz", "gd"],
    "bounces": 2,
    "accept_deadline": "2026-12-01T10:31:00+08:00",
    "deadline": "2026-12-02T16:32:00+08:00",
    "clock": "accept",
    "step": "level2",
    "level": 2,
    "amount": 1.0,
    "unit": "working_days",
    "satisfaction": "basically_satisfied",
    "channel": "hotline",
    "category": "manhole-cover",
    "grid": "hongqi-01",
    "photos": ["0f.png"],
    "on_time": False,
    "make_rule": True,
    "interim_department": "hongqi",
    "street": "hongqi",
    FACTS: 1,
}
CASE_VARIANTS = [
    {},
    {"clock": "handle", "on_time": True, "make_rule": False, "photos": []},
    *({"cause": c} for c in ("verify", "callback", "override", "rating", "arbitrate")),
    {"by": "reporter"},
    *({"override": a} for a in OVERRIDE_ACTIONS),
]
OPERATION_FACTS: dict[str, Any] = {
    "department": "ga",
    "lead": "cg",
    "cooperating": ["ga", "sj"],
    "title": "夜市整治",
    "sessions": 2,
    "session": 1,
    "departments": ["cg", "ga"],
    "deadline": "2026-12-03T11:00:00+08:00",
    "start": "2026-12-04T21:00:00+08:00",
    "level": 1,
    "counts": {"stalls_cleared": 2, "warnings": 1, "fine_amount": 200.5},
    "totals": {"stalls_cleared": 3, "fines": 1},
    "cases": ["2026-12-000001"],
    "people": 4,
    "vehicles": 1,
    "finding": 1,
    "case_number": "2026-12-000001",
    "case_department": "cg",
    "on_time": False,
    FACTS: 1,
}
OPERATION_VARIANTS = [
    {"duty": "confirm", "step": "yellow"},
    {"duty": "report-1", "step": "level2", "level": 2, "on_time": True},
    {"counts": {}, "totals": {}, "cases": [], "cooperating": []},
]


def recorded_actions(*modules: str) -> set[str]:
    """Returns the timeline actions the workflow modules record: `_record(actor, "action", ..)`."""
    found = set(STEP_ACTIONS.values())
    for module in modules:
        tree = ast.parse((ROOT / "workflows" / module).read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "_record"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(node.args[1].value)
    return found


CASE_ACTIONS = sorted(recorded_actions("case.py", "case_core.py"))
OPERATION_ACTIONS = sorted(
    recorded_actions("operation.py", "operation_core.py", "operation_dept.py")
)


@pytest.fixture
def ref(engine) -> Reference:
    with Session(engine) as session:
        return Reference.load(session)


def assert_words(zh: str, en: str, code: str, ref: Reference) -> None:
    """A zh line holds no Latin letter (no code, no English); an en line is filled in, with
    names instead of codes."""
    assert not ASCII_WORD.search(zh), (code, zh)
    words = set(re.findall(r"[\w-]+", en))
    codes = {w for w in words if "_" in w} | (words & {*ref.dept, *ref.grid, *ref.category})
    assert en and "{" not in en and "None" not in words and not codes, (code, en)


def _case_line(action: str, data: dict[str, Any], actor: str, detail: str = "") -> CaseEvent:
    role = {"system": {}, "reporter": {"role": "citizen"}}.get(
        actor, {"role": "liaison", "actor_department": "sw"}
    )
    return CaseEvent(
        case_number="T", seq=1, at=AT, actor=actor, action=action, detail=detail, data=data | role
    )


def test_the_walks_find_the_actions():
    assert {"created", "dispatched", "bounced", "disputed", "escalated", "override"} <= set(
        CASE_ACTIONS
    )
    assert {"launched", "confirmed", "case_spawned", "reminded"} <= set(OPERATION_ACTIONS)


@pytest.mark.parametrize("action", CASE_ACTIONS)
def test_every_case_line_reads_in_both_languages(engine, ref, action):
    with Session(engine) as session:
        events = [
            _case_line(action, CASE_FACTS | variant, actor, "现场已处理")
            for variant in CASE_VARIANTS
            for actor in ("liaison-sw", "system", "reporter")
        ]
        names = display_names(session=session, events=events)
    for public in (False, True):
        zh = history(events, lang="zh", ref=ref, names=names, public=public)
        en = history(events, lang="en", ref=ref, names=names, public=public)
        for z, e in zip(zh, en, strict=True):
            assert z.action != "其他记录", action  # the catalogue names every action
            assert_words(f"{z.who} {z.action} {z.what} {z.why}", e.what, action, ref)
            assert_words(z.what, f"{e.who} {e.action}", action, ref)


@pytest.mark.parametrize("action", OPERATION_ACTIONS)
def test_every_operation_line_reads_in_both_languages(engine, ref, action):
    events = [
        OperationEvent(
            operation_id="T",
            seq=1,
            at=AT,
            actor="liaison-ga",
            action=action,
            department="ga",
            detail="",
            data=OPERATION_FACTS | variant,
        )
        for variant in OPERATION_VARIANTS
    ]
    people = {"liaison-ga": "公安分局联络员"}
    for zh, en in zip(
        timeline_lines(events, lang="zh", departments=ref.dept, people=people, title="夜市"),
        timeline_lines(events, lang="en", departments=ref.dept, people=people, title="夜市"),
        strict=True,
    ):
        assert zh.label != "其他记录", action
        assert_words(f"{zh.who} {zh.label} {zh.what}", f"{en.label} {en.what}", action, ref)


def _stored_lines(path: Path, activity: str) -> list[dict[str, Any]]:
    """Returns the timeline lines a stored history handed to its projection activity."""
    lines = []
    for event in json.loads(path.read_text())["events"]:
        attrs = event.get("activityTaskScheduledEventAttributes") or {}
        if attrs.get("activityType", {}).get("name") == activity:
            for payload in attrs["input"]["payloads"]:
                lines += json.loads(base64.b64decode(payload["data"]))["events"]
    return lines


def test_lines_written_before_the_facts_form_show_only_a_persons_words(ref):
    typed = {"井盖属水务", "需调运专用井盖", "待燃气停气", "已停气", "请尽快处置"}
    typed |= {"已处置完毕", "井盖仍松动", "已重新固定", "市民再次投诉", "再次处置"}
    stored = _stored_lines(HISTORIES / "full-case.json", "project_case")
    events = [
        _case_line(e["action"], e["data"], e["actor"], e["detail"])
        for e in stored
        if "facts" not in e["data"]
    ]
    assert len(events) == len(stored) > 20
    names = {"liaison-sw": "水务集团联络员", "liaison-sz": "市政园林局联络员"}
    for z, e in zip(
        history(events, lang="zh", ref=ref, names=names),
        history(events, lang="en", ref=ref, names=names),
        strict=True,
    ):
        assert z.why in typed or z.why == "", (z.event, z.why)
        assert_words(f"{z.action} {z.what} {z.why}", e.what, z.event, ref)
    said = {(z.event, z.why) for z in history(events, lang="zh", ref=ref, names=names) if z.why}
    assert ("rework", "井盖仍松动") in said and ("bounced", "井盖属水务") in said
    rework = next(z for z in history(events, lang="zh", ref=ref, names={}) if z.event == "rework")
    assert rework.what.startswith("核查未通过，退回水务集团重新处置")

    stored = _stored_lines(HISTORIES / "operation" / "full-operation.json", "project_operation")
    lines = [
        OperationEvent(
            operation_id="T",
            seq=e["seq"],
            at=AT,
            actor=e["actor"],
            action=e["action"],
            department=e["data"].get("department"),
            detail=e["detail"],
            data=e["data"],
        )
        for e in stored
    ]
    shown = timeline_lines(lines, lang="zh", departments=ref.dept, people={}, title="夜市整治")
    assert len(shown) == len(stored) > 20
    for line in shown:
        assert line.why in {"警力不足", "须维持秩序", "会商改期", "烧烤", ""}, line
        assert not ASCII_WORD.search(line.what), line


def test_the_api_line_is_the_persons_words_or_else_the_sentence(ref):
    bounced = _case_line("bounced", CASE_FACTS, "liaison-sw", "井盖属水务")
    accepted = _case_line("accepted", CASE_FACTS, "liaison-sw")
    old = _case_line("registered", {}, "coordinator", "立案")
    out = timeline_public([bounced, accepted, old], ref=ref)
    assert [(x.detail, x.note) for x in out] == [
        ("井盖属水务", "井盖属水务"),
        ("水务集团签收，处置时限 2026-12-02 16:32", None),
        ("立案", None),
    ]
    assert out[0].text == "水务集团退单（第 2 次），建议改派城管执法局"
    assert out[0].data["suggested_department"] == "cg" and FACTS not in out[0].data


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


async def test_a_case_reads_in_words_in_the_api_and_on_its_page(app):
    coordinator = await ApiUser(app).login("coordinator")
    gd = await ApiUser(app).login("liaison-gd")
    number = (await coordinator.post("/api/cases", CASE, 201))["number"]
    await coordinator.call("POST", f"/api/cases/{number}/register", 200)
    await coordinator.post(f"/api/cases/{number}/dispatch", {"department": "gd"})
    bounce = {"reason": "不是供电设施", "suggested_department": "sw"}
    await gd.post(f"/api/cases/{number}/bounce", bounce)

    lines = (await coordinator.get(f"/api/cases/{number}"))["timeline"]
    assert [x["action"] for x in lines] == ["created", "registered", "dispatched", "bounced"]
    assert lines[0]["detail"] == "经12345 热线受理：井盖缺失破损，红旗社区第01网格"
    assert lines[2]["detail"].startswith("派遣至供电局，须在 ") and not lines[2].get("note")
    assert lines[3]["detail"] == lines[3]["note"] == "不是供电设施", "the reason as typed"
    assert lines[3]["text"] == "供电局退单（第 1 次），建议改派水务集团"
    assert (lines[3]["note"], lines[3]["data"]["department"]) == ("不是供电设施", "gd")
    assert all(FACTS not in x["data"] for x in lines)

    browser = Browser(app)
    assert (await browser.login("coordinator")).status_code == 303
    for lang in ("zh", "en"):
        page = (await browser.get(f"/cases/{number}?lang={lang}")).text
        shown = text(page[page.index('<ol class="timeline">') :].split("</ol>")[0])
        assert "不是供电设施" in shown and "水务集团" in shown and "供电局" in shown
        words = set(re.findall(r"[\w-]+", shown))
        assert not words & {"gd", "sw", "manhole-cover", "hongqi-01"}, (lang, shown)
        if lang == "zh":
            assert not ASCII_WORD.search(shown), shown
    await browser.close()
    for user in (coordinator, gd):
        await user.close()


def test_an_operations_timeline_reads_oldest_first_like_a_cases(ref):
    import datetime as dt

    from models.operation import OperationEvent

    start = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    events = [
        OperationEvent(
            operation_id="LH-2026-9999",
            seq=n,
            at=start + dt.timedelta(minutes=n),
            actor="coordinator",
            action=action,
            detail="",
            data={},
        )
        for n, action in enumerate(("launched", "confirmed", "closed"), 1)
    ]
    shown = timeline_lines(events, lang="zh", departments=ref.dept, people={}, title="夜市")
    assert [line.action for line in shown] == ["launched", "confirmed", "closed"]
