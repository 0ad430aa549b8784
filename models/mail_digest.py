"""The supervisors' daily digest: level-2 escalations held, then sent as one mail a working day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.case import Case
from models.mail_store import enqueue
from models.outbox import DigestItem, OutboxMessage

DIGEST_SKIPPED = "skipped"


def add_digest_item(
    *,
    session: Session,
    recipient: str,
    recipient_name: str | None,
    case_number: str,
    seq: int,
    escalated_at: datetime,
    context: dict[str, Any],
) -> bool:
    """Holds a level-2 escalation for a supervisor's next digest; once per (case, seq, address)."""
    exists = session.exec(
        select(DigestItem.id).where(
            DigestItem.case_number == case_number,
            DigestItem.seq == seq,
            DigestItem.recipient == recipient,
        )
    ).first()
    if exists:
        return False
    session.add(
        DigestItem(
            recipient=recipient,
            recipient_name=recipient_name,
            case_number=case_number,
            seq=seq,
            escalated_at=escalated_at,
            context=context,
        )
    )
    session.flush()
    return True


def compose_digests(*, session: Session, now: datetime, day: str, sender: str) -> int:
    """Gathers held escalations into one digest per supervisor for `day`; returns how many.

    The digest's key is (day, address): a second run on the same day adds nothing, and whatever
    escalated after the day's digest waits for the next working day's. Cases closed meanwhile are
    left out.
    """
    items = session.exec(
        select(DigestItem)
        .where(col(DigestItem.digest_key).is_(None), col(DigestItem.escalated_at) <= now)
        .order_by(col(DigestItem.escalated_at))
    ).all()
    by_recipient: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_recipient[item.recipient].append(item)
    made = 0
    for recipient, held in by_recipient.items():
        key = f"digest/{day}/{recipient}"
        if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first():
            continue
        entries = []
        for item in held:
            case = session.get(Case, item.case_number)
            if case is None or case.status in ("closed", "voided"):
                item.digest_key = DIGEST_SKIPPED
                continue
            ctx = dict(item.context)
            ctx["case"] = {
                **ctx.get("case", {}),
                "status": case.status,
                "light": case.light,
                "escalation_level": case.escalation_level,
            }
            entries.append(ctx)
            item.digest_key = key
        if entries:
            enqueue(
                session=session,
                key=key,
                kind="supervisor_digest",
                recipient=recipient,
                recipient_name=held[0].recipient_name,
                sender=sender,
                now=now,
                context={"day": day, "items": entries, "count": len(entries)},
            )
            made += 1
    return made
