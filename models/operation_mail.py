"""Who hears of a joint operation by e-mail: the operation projection's new timeline lines of
launch, reminders and escalations, postponement and cancellation become outbox rows. An
escalation also goes up the ladder as a case's does: level 1 to the late department's head,
level 2 to the supervisors (值班长).

Called inside the projection's transaction with exactly the lines it wrote, so a retried
projection tells nobody again; the outbox key (operation, seq, address) refuses a second row.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core import operation_payloads as o
from core.payloads import TimelineEntry
from core.timeline import operation_line
from models.mail_rules import Recipient, enqueue_operation_mail, head, staff
from models.reference import Department, Grid

# timeline action -> mail kind (models/mail_rules.OPERATION_MAIL)
MAIL_KIND = {
    "launched": "launch",
    "reminded": "reminder",
    "overdue": "reminder",
    "escalated": "reminder",
    "postponed": "postponement",
    "cancelled": "cancellation",
}
# The escalation levels that reach above the department (the ladder of API.md): the
# report ladder's level 1 its head, the confirmation's and report ladder's level 2 the supervisors.
HEAD_LEVEL = 1
SUPERVISOR_LEVEL = 2


def area_names(session: Session, codes: list[str]) -> str:
    """Returns an area as words: street and grid names joined by 、."""
    if not codes:
        return ""
    streets = session.exec(select(Department).where(col(Department.code).in_(codes)))
    grids = session.exec(select(Grid).where(col(Grid.code).in_(codes)))
    names = {d.code: d.name for d in streets} | {g.code: g.name for g in grids}
    return "、".join(names.get(c, c) for c in codes)


def _context(
    session: Session, projection: o.OperationProjection, event: TimelineEntry
) -> dict[str, Any]:
    state = projection.state
    note, data = operation_line(event.action, event.detail, event.data)
    context: dict[str, Any] = {
        "title": state.title,
        "area": area_names(session, state.area),
        "lead": state.lead,
        "starts_at": projection.first_start,
        "ends_at": projection.last_end,
        "confirm_by": state.confirm_deadline,
        "sessions": projection.sessions_total,
    }
    if event.action == "launched":
        context["note"] = state.goal or None
    elif event.action == "postponed":
        context["reason"] = note
        context["starts_at"] = data.get("start") or projection.first_start
        context["confirm_by"] = data.get("confirm_deadline") or state.confirm_deadline
    elif event.action == "cancelled":
        context["reason"] = note
    else:  # a reminder or escalation of one department's duty: the template words its step
        duty = str(data.get("duty") or "")
        context |= {
            "due": data.get("deadline"),
            "duty": "confirm" if duty == "confirm" else "report",
            "session": data.get("session"),
            "step": data.get("step"),
            "level": data.get("level"),
        }
    return context


def above(session: Session, event: TimelineEntry) -> list[Recipient]:
    """Returns who above the late department hears of an escalation line: its head or the
    supervisors, by level."""
    level, department = event.data.get("level"), event.data.get("department")
    if level == HEAD_LEVEL:
        return head(session, department)
    if level == SUPERVISOR_LEVEL:
        return staff(session, "supervisor")
    return []


def enqueue_operation_events(
    *, session: Session, projection: o.OperationProjection, events: list[TimelineEntry]
) -> int:
    """Enqueues the mail that new operation timeline lines call for; returns rows added."""
    state = projection.state
    taking_part = [d.code for d in state.departments if d.status != o.WITHDRAWN]
    added = 0
    for event in events:
        kind = MAIL_KIND.get(event.action)
        if kind is None:
            continue
        to = None
        if kind == "reminder":
            department = event.data.get("department")
            if not department:
                continue
            to = [department]
        context = _context(session, projection, event)
        added += enqueue_operation_mail(
            session,
            operation_id=state.operation_id,
            event_seq=event.seq,
            kind=kind,
            departments=taking_part,
            context=context,
            now=event.at,
            to=to,
        )
        if event.action == "escalated" and to:
            added += enqueue_operation_mail(
                session,
                operation_id=state.operation_id,
                event_seq=event.seq,
                kind="escalation",
                departments=taking_part,
                context=context,
                now=event.at,
                to=to,
                recipients=above(session, event),
            )
    return added
