"""The operation projection tells departments by e-mail: one launch mail per participating
department's liaison, reminders only to the late department, and nothing twice on a retry."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from activities.mail_render import render
from core import operation_payloads as o
from core import payloads as p
from core.workcal import TZ
from models import operation_store as store
from models.db import get_engine, session_scope
from models.outbox import OutboxMessage

T0 = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
EVENING = T0 + timedelta(hours=10)
DEPARTMENTS = (("cg", o.LEAD), ("ga", o.COOPERATING), ("hongqi", o.COOPERATING))


def _state(operation_id: str, **changes) -> o.OperationState:
    state = o.OperationState(
        operation_id=operation_id,
        title="红旗镇夏季露天烧烤专项整治",
        goal="清理露天烧烤和占道摊点",
        area=["hongqi", "hongqi-01"],
        lead="cg",
        launched_by="coordinator",
        launched_at=T0,
        confirm_deadline=T0 + timedelta(hours=6),
        report_within=4,
        report_unit="working_hours",
        departments=[o.DepartmentState(code=c, role=r) for c, r in DEPARTMENTS],
        sessions=[o.Session(number=1, start=EVENING, end=EVENING + timedelta(hours=3))],
        version=1,
    )
    return dataclasses.replace(state, **changes)


def _line(seq: int, action: str, detail: str = "", **data) -> p.TimelineEntry:
    return p.TimelineEntry(
        seq=seq,
        at=T0 + timedelta(minutes=seq),
        actor="system",
        action=action,
        detail=detail,
        data=data,
    )


def _project(state: o.OperationState, *events: p.TimelineEntry) -> int:
    projection = o.OperationProjection(
        state=state,
        events=list(events),
        first_start=EVENING,
        last_end=EVENING + timedelta(hours=3),
        sessions_total=1,
        sessions_ended=0,
    )
    with session_scope() as session:
        return store.apply_projection(session=session, projection=projection)


def _mail(operation_id: str) -> list[OutboxMessage]:
    with Session(get_engine()) as session:
        query = select(OutboxMessage).where(OutboxMessage.operation_id == operation_id)
        return list(session.exec(query.order_by(col(OutboxMessage.key))))


def test_launch_tells_each_liaison_once_and_a_retry_tells_nobody(engine):
    op = f"M-{uuid.uuid4().hex[:10]}"
    launched = _line(1, "launched", "发起联合执法", lead="cg", cooperating=["ga", "hongqi"])
    assert _project(_state(op), launched) == 1
    assert _project(_state(op), launched) == 0  # the activity retried

    told = _mail(op)
    assert [(m.kind, m.recipient) for m in told] == [
        ("operation_launch", "liaison-cg@liandong.example"),
        ("operation_launch", "liaison-ga@liandong.example"),
        ("operation_launch", "liaison-hongqi@liandong.example"),
    ]
    context = told[0].context
    assert context["operation"]["area"] == "红旗镇、红旗社区第01网格"
    assert context["operation"]["lead_name"] == "城管执法局"
    assert context["due"] == (T0 + timedelta(hours=6)).astimezone(TZ).isoformat()
    rendered = render("operation_launch", context, public_url="https://liandong.test")
    assert "红旗镇夏季露天烧烤专项整治" in rendered.subject
    assert f"https://liandong.test/operations/{op}" in rendered.text


def test_reminders_go_to_the_late_department_only(engine):
    op = f"M-{uuid.uuid4().hex[:10]}"
    _project(_state(op), _line(1, "launched", "发起"))
    deadline = T0 + timedelta(hours=6)
    reminded = _line(
        2,
        "reminded",
        "ga：确认参加时限将到（黄灯）",
        department="ga",
        duty="confirm",
        step="yellow",
        deadline=deadline,
    )
    escalated = _line(
        3,
        "escalated",
        "hongqi：第1场战果报送超时升级",
        department="hongqi",
        duty="report-1",
        step="level1",
        session=1,
        deadline=EVENING + timedelta(hours=5),
    )
    _project(_state(op, version=2), reminded, escalated)
    _project(_state(op, version=2), reminded, escalated)

    later = [m for m in _mail(op) if m.kind == "operation_reminder"]
    assert [m.recipient for m in later] == [
        "liaison-ga@liandong.example",
        "liaison-hongqi@liandong.example",
    ]
    confirm, report = later
    assert confirm.context["due"] == deadline.astimezone(TZ).isoformat()
    assert len(confirm.context["operation"]["departments"]) == 3
    text = render("operation_reminder", report.context, public_url="https://x").text
    assert "第1场战果尚未报送" in text


def test_cancellation_tells_those_still_taking_part(engine):
    op = f"M-{uuid.uuid4().hex[:10]}"
    _project(_state(op), _line(1, "launched", "发起"))
    departments = [
        o.DepartmentState(code="cg", role=o.LEAD, status=o.CONFIRMED),
        o.DepartmentState(code="ga", role=o.COOPERATING, status=o.WITHDRAWN),
        o.DepartmentState(code="hongqi", role=o.COOPERATING, status=o.DECLINED),
    ]
    state = _state(op, version=2, departments=departments, status=o.CANCELLED)
    _project(state, _line(2, "cancelled", "上级通知暂停"))
    told = [m for m in _mail(op) if m.kind == "operation_cancelled"]
    assert [m.recipient for m in told] == [
        "liaison-cg@liandong.example",
        "liaison-hongqi@liandong.example",
    ]
    assert told[0].context["operation"]["reason"] == "上级通知暂停"


def test_escalations_go_up_the_ladder_once(engine):
    op = f"M-{uuid.uuid4().hex[:10]}"
    _project(_state(op), _line(1, "launched", "发起"))
    confirm_by, report_by = T0 + timedelta(hours=6), EVENING + timedelta(hours=5)
    late_confirm = _line(
        2,
        "escalated",
        "ga：确认参加超时升级：第2级",
        department="ga",
        duty="confirm",
        step="level2",
        level=2,
        deadline=confirm_by,
    )
    report = {"department": "hongqi", "duty": "report-1", "session": 1, "deadline": report_by}
    head_level = _line(3, "escalated", "第1级", step="level1", level=1, **report)
    top_level = _line(4, "escalated", "第2级", step="level2", level=2, **report)
    leaders = _line(5, "escalated", "第3级", step="level3", level=3, **report)
    assert _project(_state(op, version=2), late_confirm, head_level) == 2
    # The activity retried, then the next snapshot carries the rest with the same lines again.
    assert _project(_state(op, version=2), late_confirm, head_level) == 0
    assert _project(_state(op, version=3), late_confirm, head_level, top_level, leaders) == 2

    above = [
        (m.key.split("/")[2], m.recipient) for m in _mail(op) if m.kind == "operation_escalated"
    ]
    assert sorted(above) == [
        ("2", "supervisor@liandong.example"),
        ("3", "head-hongqi@liandong.example"),
        ("4", "supervisor@liandong.example"),
    ]
    reminded = [m.recipient for m in _mail(op) if m.kind == "operation_reminder"]
    assert (
        sorted(reminded)
        == ["liaison-ga@liandong.example"] + ["liaison-hongqi@liandong.example"] * 3
    )

    by_seq = {m.key.split("/")[2]: m for m in _mail(op) if m.kind == "operation_escalated"}
    confirm = by_seq["2"]
    assert confirm.context["due"] == confirm_by.astimezone(TZ).isoformat()
    mail = render("operation_escalated", confirm.context, public_url="https://liandong.test")
    assert "【联合行动督办】" in mail.subject and "公安分局逾期未确认参加" in mail.subject
    assert "值班长您好" in mail.text and "已升级至第 2 级" in mail.text
    assert "has not confirmed it takes part" in mail.text
    assert f"https://liandong.test/operations/{op}" in mail.text
    to_head = render("operation_escalated", by_seq["3"].context, public_url="https://x").text
    assert "负责人：贵单位在联合行动" in to_head and "第1场战果逾期未报送" in to_head
    assert "head of department" in to_head and "report of session 1" in to_head
