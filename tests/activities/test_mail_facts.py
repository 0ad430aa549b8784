"""Mail written from timeline facts: the rework says why in words (and the person's words), an
operation reminder says its step; older lines with generated words still read well."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

from mail_helpers import T0, case_state, project, rows
from sqlmodel import select

from activities.mail_render import render
from core import operation_payloads as o
from core import payloads as p
from core.timeline import FACTS
from models import operation_store as store
from models.db import session_scope
from models.outbox import OutboxMessage

URL = "https://liandong.test"


def _line(seq: int, action: str, detail: str = "", facts: bool = True, **data) -> p.TimelineEntry:
    marker = {FACTS: 1} if facts else {}
    return p.TimelineEntry(
        seq=seq,
        at=T0 + timedelta(minutes=seq),
        actor="inspector",
        action=action,
        detail=detail,
        data={**data, **marker, "role": "inspector"},
    )


def _rework_text(*lines: p.TimelineEntry) -> str:
    state = case_state(department="sw", status="in_progress")
    project(state, *lines)
    [mail] = [r for r in rows(state.number) if r.kind == "case_rework"]
    return render(mail.kind, mail.context, public_url=URL).text


def test_the_rework_mail_says_why_with_the_persons_words(engine):
    deadline = T0 + timedelta(hours=4)
    failed = _rework_text(
        _line(1, "rework", "井盖仍松动", department="sw", deadline=deadline, cause="verify")
    )
    assert "核查未通过：井盖仍松动" in failed and "Verification failed: 井盖仍松动" in failed

    callback = _line(1, "callback", "市民反映仍有异响", satisfaction="dissatisfied", reopen=True)
    reopened = _line(2, "rework", department="sw", deadline=deadline, cause="callback")
    text = _rework_text(callback, reopened)
    assert "回访不满意：市民反映仍有异响" in text
    assert "The reporter was not satisfied: 市民反映仍有异响" in text


def test_an_older_rework_line_reads_without_its_generated_words(engine):
    plain = _line(1, "rework", "返工：退回 sw 重新处置", facts=False, department="sw")
    text = _rework_text(plain)
    assert "核查未通过" in text and "返工：退回 sw" not in text
    noted = _line(1, "rework", "核查未通过：井盖仍松动", facts=False, department="sw")
    assert "核查未通过：井盖仍松动" in _rework_text(noted)


def test_an_operation_reminder_says_its_step(engine):
    op = f"M-{uuid.uuid4().hex[:10]}"
    start = T0 + timedelta(hours=10)
    state = o.OperationState(
        operation_id=op,
        title="夏季露天烧烤专项整治",
        goal="",
        area=["hongqi"],
        lead="cg",
        launched_by="coordinator",
        launched_at=T0,
        confirm_deadline=T0 + timedelta(hours=6),
        report_within=4,
        report_unit="working_hours",
        departments=[o.DepartmentState(code="cg", role=o.LEAD)],
        sessions=[o.Session(number=1, start=start, end=start + timedelta(hours=3))],
        version=1,
    )
    reminded = _line(1, "reminded", department="cg", duty="confirm", step="yellow")
    projection = o.OperationProjection(
        state=dataclasses.replace(state),
        events=[reminded],
        first_start=start,
        last_end=start + timedelta(hours=3),
        sessions_total=1,
        sessions_ended=0,
    )
    with session_scope() as session:
        store.apply_projection(session=session, projection=projection)
        [mail] = session.exec(select(OutboxMessage).where(OutboxMessage.operation_id == op))
        kind, context = mail.kind, mail.context
    text = render(kind, context, public_url=URL).text
    assert "提醒：联合行动“夏季露天烧烤专项整治”即将开始（确认参加时限将到）。" in text
