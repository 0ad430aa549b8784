"""Timelines written by hand, line by line in the facts form, and their projection as the case
workflow would write it (for the assignment and evaluation tests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from factories import case_state
from sqlmodel import Session

from core import payloads as p
from core.timeline import FACTS
from core.workcal import TZ
from models.case_store import apply_projection

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


class Timeline:
    """Lines in the facts form, one minute apart unless told."""

    def __init__(self, start: datetime = T0) -> None:
        self.lines: list[p.TimelineEntry] = []
        self.at = start

    def add(self, action: str, detail: str = "", *, after: float = 1, **data: object) -> Timeline:
        self.at += timedelta(minutes=after)
        facts = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
        self.lines.append(
            p.TimelineEntry(
                seq=len(self.lines) + 1,
                at=self.at,
                actor="x",
                action=action,
                detail=detail,
                data={**facts, FACTS: 1},
            )
        )
        return self

    def dispatch(self, department: str, accept_within: float = 60) -> Timeline:
        limit = self.at + timedelta(minutes=1 + accept_within)
        return self.add("dispatched", department=department, accept_deadline=limit)

    def accept(self, handle_within: float = 240, after: float = 1) -> Timeline:
        limit = self.at + timedelta(minutes=after + handle_within)
        return self.add("accepted", after=after, deadline=limit)


def project(engine: Any, number: str, timeline: Timeline, upto: int | None = None, **state: Any):
    """Writes the case and its lines (the first `upto` of them) as one projection."""
    lines = timeline.lines[:upto]
    made = {"status": p.DISPATCHED, "number": number, "created_at": lines[0].at}
    snapshot = case_state(**(made | {"version": len(lines)} | state))
    projection = p.CaseProjection(state=snapshot, events=lines)
    with Session(engine) as session:
        apply_projection(session=session, projection=projection)
        session.commit()


def three_cases(engine: Any, start: datetime = T0, prefix: str = "2026-11-90000") -> list[str]:
    """Writes three cases; returns their numbers. A: sz bounces rightly, sw handles it on time.
    B: sz accepts late and lets it run over. C: sw and sz bounce, arbitration names sw (hongqi
    makes it safe), late report, rework."""
    a = Timeline(start).dispatch("sz").add("bounced", "不是路灯", department="sz").dispatch("sw")
    a.accept().add("reported", "已盖好", on_time=True).add("verified", passed=True)
    a.add("callback", satisfaction="satisfied").add("closed", cause="callback")
    b = Timeline(start).dispatch("sz").accept(after=90)  # 90 minutes: past the accept hour
    c = Timeline(start).dispatch("sw").add("bounced", "不是水务", department="sw").dispatch("sz")
    c.add("bounced", "不是市政", department="sz").add("disputed", departments=["sw", "sz"])
    c.add("arbitrated", department="sw").add("interim_assigned", department="hongqi")
    c.dispatch("sw").accept().add("extension_approved", deadline=c.at + timedelta(hours=6))
    c.add("reported", "已处置", after=600, on_time=False)
    c.add("rework", "仍缺盖", deadline=c.at + timedelta(hours=4), cause="verify")
    c.add("reported", "已补盖", on_time=True).add("verified", passed=True)
    c.add("callback", satisfaction="basically_satisfied").add("closed", cause="callback")
    numbers = [f"{prefix}{n}" for n in (1, 2, 3)]
    cases = (
        (a, "hotline", "sw", p.CLOSED),
        (b, "wechat", "sz", p.IN_PROGRESS),
        (c, "app", "sw", p.CLOSED),
    )
    for number, (timeline, channel, department, status) in zip(numbers, cases, strict=True):
        project(engine, number, timeline, channel=channel, department=department, status=status)
    return numbers
