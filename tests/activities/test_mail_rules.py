"""Who is told what: the projection's outbox hook, the digest and the operation mail."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from mail_helpers import T0, case_state, line, project, rows
from sqlmodel import Session, col, select

from activities.mail import digest_time_after
from core.workcal import TZ
from models.calendar_store import load_calendar
from models.db import get_engine, session_scope
from models.mail_digest import compose_digests
from models.mail_rules import enqueue_operation_mail
from models.mail_store import message_id_for
from models.outbox import DigestItem, OutboxMessage

SENDER = "联动 <noreply@liandong.test>"


def _told(number: str) -> list[tuple[str, str]]:
    return [(r.kind, r.recipient) for r in rows(number)]


def test_each_event_tells_the_right_people(engine) -> None:
    state = case_state(department="sw", status="dispatched")
    project(
        state,
        line(1, "created"),
        line(2, "registered"),
        line(3, "dispatched", department="gd", accept_deadline=T0 + timedelta(hours=1)),
        line(4, "bounced", "不是供电设施", department="gd", suggested_department="sw"),
        line(5, "dispatched", department="sw"),
        line(6, "reminded", department="sw", clock="accept", level=0, deadline=T0),
        line(7, "urged", "请立即处置", department="sw"),
        line(8, "overdue", department="sw", clock="accept", level=0, deadline=T0),
        line(9, "escalated", department="sw", clock="accept", level=1, deadline=T0),
        line(10, "escalated", department="sw", clock="accept", level=2, deadline=T0),
        line(11, "escalated", department="sw", clock="accept", level=3, deadline=T0),
        line(12, "accepted", department="sw"),
        line(13, "closed", "结案"),
    )
    assert _told(state.number) == [
        ("case_registered", "citizen@example.com"),
        ("case_dispatched", "liaison-gd@liandong.example"),
        ("case_bounced", "coordinator@liandong.example"),
        ("case_dispatched", "liaison-sw@liandong.example"),
        ("case_reminded", "liaison-sw@liandong.example"),
        ("case_urged", "liaison-sw@liandong.example"),
        ("case_overdue", "liaison-sw@liandong.example"),
        ("case_escalated", "head-sw@liandong.example"),
        ("case_closed", "citizen@example.com"),
    ]
    with Session(get_engine()) as session:
        held = session.exec(select(DigestItem).where(DigestItem.case_number == state.number))
        assert [(i.recipient, i.seq) for i in held] == [("supervisor@liandong.example", 10)]
    first = rows(state.number)[1]
    assert first.key == f"case/{state.number}/3/liaison-gd@liandong.example"
    assert first.context["due"] == (T0 + timedelta(hours=1)).astimezone(TZ).isoformat()
    assert first.context["case"]["department_name"] == "水务集团"


def test_a_retried_projection_enqueues_nothing_twice(engine) -> None:
    state = case_state()
    events = [line(1, "created"), line(2, "registered"), line(3, "dispatched", department="sw")]
    assert project(state, *events) == 3
    assert project(state, *events) == 0
    assert project(state, events[2], line(4, "urged", "快", department="sw")) == 1
    assert [k for k, _ in _told(state.number)] == [
        "case_registered",
        "case_dispatched",
        "case_urged",
    ]


def test_a_bounce_that_makes_a_dispute_sends_one_mail(engine) -> None:
    state = case_state(status="disputed")
    project(
        state,
        line(1, "bounced", "非本单位", department="gd"),
        line(2, "dispatched", department="zj"),
    )
    project(
        state,
        line(3, "bounced", "也不是我们的", department="zj"),
        line(4, "disputed", "第2次退单", departments=["gd", "zj"]),
    )
    told = rows(state.number)
    assert [r.kind for r in told if r.recipient.startswith("coordinator")] == [
        "case_bounced",
        "case_disputed",
    ]
    assert told[-1].context["event"]["bounce_reason"] == "也不是我们的"
    assert told[-1].context["event"]["departments_named"] == ["供电局", "住建局"]


def test_no_reporter_address_no_reporter_mail(engine) -> None:
    state = case_state(reporter_email=None)
    project(state, line(1, "registered"), line(2, "closed"))
    assert rows(state.number) == []


def test_operation_mail_goes_to_each_department_once(engine) -> None:
    op = f"op-{uuid.uuid4().hex[:8]}"
    context = {
        "title": "夏季露天烧烤专项整治",
        "area": "红旗镇",
        "lead": "cg",
        "starts_at": T0 + timedelta(days=2),
        "confirm_by": T0 + timedelta(days=1),
    }
    with session_scope() as session:
        added = enqueue_operation_mail(
            session,
            operation_id=op,
            event_seq=1,
            kind="launch",
            departments=["cg", "ga"],
            context=context,
        )
    with session_scope() as session:
        again = enqueue_operation_mail(
            session,
            operation_id=op,
            event_seq=1,
            kind="launch",
            departments=["cg", "ga"],
            context=context,
        )
    assert (added, again) == (2, 0)
    told = rows(key_part=f"operation/{op}/")
    assert [(r.kind, r.recipient) for r in told] == [
        ("operation_launch", "liaison-cg@liandong.example"),
        ("operation_launch", "liaison-ga@liandong.example"),
    ]
    assert told[0].context["operation"]["lead_name"] == "城管执法局"
    assert told[0].context["due"] == context["confirm_by"].astimezone(TZ).isoformat()


def test_one_digest_per_supervisor_per_day(engine) -> None:
    now = datetime(2031, 3, 3, 8, 30, tzinfo=TZ)  # far from other tests' escalations
    cases = [case_state(status="dispatched", department="sw") for _ in range(3)]
    for n, state in enumerate(cases[:2]):
        project(
            state,
            line(
                1,
                "escalated",
                at=now - timedelta(hours=5 - n),
                department="sw",
                level=2,
                deadline=now - timedelta(days=2),
            ),
        )
    with session_scope() as session:
        assert compose_digests(session=session, now=now, day="2031-03-03", sender=SENDER) >= 1
    project(cases[2], line(1, "escalated", at=now + timedelta(hours=1), department="sw", level=2))
    with session_scope() as session:  # a second run the same day adds nothing
        compose_digests(
            session=session, now=now + timedelta(hours=2), day="2031-03-03", sender=SENDER
        )
    with Session(get_engine()) as session:
        digests = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.key).startswith("digest/2031-03-03/"))
        ).all()
        later = session.exec(
            select(DigestItem).where(DigestItem.case_number == cases[2].number)
        ).one()
    assert [d.recipient for d in digests] == ["supervisor@liandong.example"]
    numbers = [item["case"]["number"] for item in digests[0].context["items"]]
    assert numbers[-2:] == [cases[0].number, cases[1].number]
    assert later.digest_key is None  # waits for the next working day's digest


def test_digest_time_is_0830_of_the_next_working_day(engine) -> None:
    cal = load_calendar(engine=engine)

    def at(day: str, hhmm: str) -> datetime:
        return datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")

    assert digest_time_after(at("2026-09-29", "08:00"), cal) == at("2026-09-29", "08:30")
    assert digest_time_after(at("2026-09-29", "08:30"), cal) == at("2026-09-30", "08:30")
    assert digest_time_after(at("2026-09-30", "09:00"), cal) == at("2026-10-08", "08:30")
    assert digest_time_after(at("2026-10-09", "09:00"), cal) == at("2026-10-10", "08:30")


def test_message_id_is_derived_from_the_key() -> None:
    one = message_id_for("case/2026-11-000123/7/a@b.c", SENDER)
    assert one == message_id_for("case/2026-11-000123/7/a@b.c", "x <other@liandong.test>")
    assert one != message_id_for("case/2026-11-000123/8/a@b.c", SENDER)
    assert one.startswith("<") and one.endswith("@liandong.test>")
