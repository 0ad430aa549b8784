"""Who is told what: new timeline lines of a case (or events of an operation) become outbox rows.

Called inside the projection's transaction, so a message exists exactly when its event does; a
retried projection finds its lines stored, tells nobody again, and the outbox key
(case, seq, address) refuses a second row anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.config import load_settings
from core.payloads import CaseState, TimelineEntry
from core.timeline import case_line
from core.workcal import TZ
from models.db import jsonable
from models.mail_digest import add_digest_item
from models.mail_store import enqueue
from models.reference import Category, Department
from models.user import User

# timeline action -> template, for the liaisons of the department the line names.
LIAISON_MAIL = {
    "dispatched": "case_dispatched",
    "reminded": "case_reminded",
    "urged": "case_urged",
    "overdue": "case_overdue",
    "rework": "case_rework",
    "interim_assigned": "case_interim",
}
COORDINATOR_MAIL = {"bounced": "case_bounced", "disputed": "case_disputed"}
REPORTER_MAIL = {"registered": "case_registered", "closed": "case_closed"}
OPERATION_MAIL = {
    "launch": "operation_launch",
    "reminder": "operation_reminder",
    "escalation": "operation_escalated",
    "postponement": "operation_postponed",
    "cancellation": "operation_cancelled",
}
OPERATION_DUE = {
    "launch": "confirm_by",
    "reminder": "starts_at",
    "escalation": "starts_at",
    "postponement": "starts_at",
}
# The deadline a mail names as "by when": the clock's own, else the case's current one.
DUE_FIELD = {
    "dispatched": "accept_deadline",
    "reminded": "deadline",
    "overdue": "deadline",
    "escalated": "deadline",
    "rework": "deadline",
}


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None = None


def liaisons(session: Session, department: str | None) -> list[Recipient]:
    """Returns the liaisons of a department or street that have an e-mail address."""
    if not department:
        return []
    users = session.exec(
        select(User).where(
            User.role == "liaison",
            User.department == department,
            col(User.active).is_(True),
            col(User.email).is_not(None),
        )
    )
    return [Recipient(u.email, u.display_name) for u in users if u.email]


def staff(session: Session, role: str) -> list[Recipient]:
    """Returns the active users of a role that have an e-mail address."""
    users = session.exec(
        select(User).where(
            User.role == role, col(User.active).is_(True), col(User.email).is_not(None)
        )
    )
    return [Recipient(u.email, u.display_name) for u in users if u.email]


def head(session: Session, department: str | None) -> list[Recipient]:
    """Returns the department head's address, if the department has one."""
    row = session.get(Department, department) if department else None
    if row is None or not row.head_email:
        return []
    return [Recipient(row.head_email, f"{row.name}负责人")]


def _case_context(session: Session, state: CaseState, names: dict[str, str]) -> dict[str, Any]:
    category = session.get(Category, state.category)
    return jsonable(
        {
            "number": state.number,
            "category": state.category,
            "category_name": category.name if category else state.category,
            "description": state.description,
            "address": state.address,
            "grid": state.grid,
            "status": state.status,
            "department": state.department,
            "department_name": names.get(state.department or "", state.department),
            "deadline": state.deadline,
            "accept_deadline": state.accept_deadline,
            "reporter_name": state.reporter_name,
            "channel": state.channel,
        }
    )


def _due(state: CaseState, event: TimelineEntry) -> Any:
    field = DUE_FIELD.get(event.action)
    if field and event.data.get(field):
        return event.data[field]
    if event.action == "urged":
        return state.accept_deadline if state.status == "dispatched" else state.deadline
    return None


def _audience(
    session: Session, state: CaseState, event: TimelineEntry, batch: set[str]
) -> tuple[str | None, list[Recipient]]:
    action, data = event.action, event.data
    if action in LIAISON_MAIL:
        return LIAISON_MAIL[action], liaisons(session, data.get("department") or state.department)
    if action == "escalated" and data.get("level") == 1:
        return "case_escalated", head(session, data.get("department") or state.department)
    if action in COORDINATOR_MAIL:
        if action == "bounced" and "disputed" in batch:
            return None, []  # the dispute mail of the same moment tells the bounce too
        return COORDINATOR_MAIL[action], staff(session, "coordinator")
    if action in REPORTER_MAIL and state.reporter_email:
        return REPORTER_MAIL[action], [Recipient(state.reporter_email, state.reporter_name)]
    return None, []


def enqueue_case_mail(*, session: Session, state: CaseState, events: list[TimelineEntry]) -> int:
    """Enqueues the mail that new timeline lines call for; returns how many rows were added."""
    if not events:
        return 0
    names = {d.code: d.name for d in session.exec(select(Department))}
    sender, batch = load_settings().smtp_sender, {e.action for e in events}
    case = _case_context(session, state, names)
    added = 0
    notes = {e.action: case_line(e.action, e.detail, e.data)[0] for e in events}
    for event in events:
        note, facts = case_line(event.action, event.detail, event.data)
        if event.action == "rework" and facts.get("cause") == "callback":
            note = note or notes.get("callback", "")  # the coordinator's words at the callback
        ctx = {
            "case": case,
            "due": jsonable(_due(state, event)),
            "event": jsonable(
                {
                    "seq": event.seq,
                    "action": event.action,
                    "detail": event.detail,
                    "note": note,
                    "at": event.at,
                    "actor": event.actor,
                    "data": facts,
                }
            ),
        }
        ctx["event"]["department_names"] = {
            k: names.get(str(v), v)
            for k, v in event.data.items()
            if k in ("department", "suggested_department", "actor_department")
        }
        ctx["event"]["departments_named"] = [
            names.get(d, d) for d in event.data.get("departments", [])
        ]
        if event.action == "disputed":
            ctx["event"]["bounce_reason"] = notes.get("bounced") or None
        if event.action == "escalated" and event.data.get("level") == 2:
            for who in staff(session, "supervisor"):
                added += add_digest_item(
                    session=session,
                    recipient=who.email,
                    recipient_name=who.name,
                    case_number=state.number,
                    seq=event.seq,
                    escalated_at=event.at,
                    context=ctx,
                )
            continue
        kind, recipients = _audience(session, state, event, batch)
        if kind is None:
            continue
        for who in {r.email.lower(): r for r in recipients}.values():
            added += enqueue(
                session=session,
                key=f"case/{state.number}/{event.seq}/{who.email.lower()}",
                kind=kind,
                recipient=who.email,
                recipient_name=who.name,
                context=ctx,
                now=event.at,
                sender=sender,
                case_number=state.number,
            )
    return added


def enqueue_operation_mail(
    session: Session,
    *,
    operation_id: str,
    event_seq: int,
    kind: str,
    departments: list[str],
    context: dict[str, Any],
    now: datetime | None = None,
    to: list[str] | None = None,
    recipients: list[Recipient] | None = None,
) -> int:
    """Tells each participating department's liaisons of an operation event; returns rows added.

    For the operations projection, in its own transaction. `kind` is launch, reminder,
    escalation, postponement or cancellation; `context` may hold title, area, lead, starts_at,
    ends_at, confirm_by, reason, note and due (datetimes or ISO strings). `to` tells only some of
    the `departments` (a reminder to the one that is late); `recipients` tells these people
    instead of the liaisons (the late department's head, the supervisors). Idempotent on
    (operation, event_seq, address).
    """
    template = OPERATION_MAIL[kind]
    names = {d.code: d.name for d in session.exec(select(Department))}
    sender, now = load_settings().smtp_sender, now or datetime.now(TZ)
    operation = jsonable(
        {**context, "id": operation_id, "departments": [names.get(d, d) for d in departments]}
    )
    if operation.get("lead"):
        operation["lead_name"] = names.get(operation["lead"], operation["lead"])
    added = 0
    for department in departments if to is None else to:
        ctx = {
            "operation": operation,
            "department": department,
            "department_name": names.get(department, department),
            "due": operation.get("due") or operation.get(OPERATION_DUE.get(kind, "")),
        }
        people = liaisons(session, department) if recipients is None else recipients
        for who in {r.email.lower(): r for r in people}.values():
            added += enqueue(
                session=session,
                key=f"operation/{operation_id}/{event_seq}/{who.email.lower()}",
                kind=template,
                recipient=who.email,
                recipient_name=who.name,
                context=ctx,
                now=now,
                sender=sender,
                operation_id=operation_id,
            )
    return added
