"""The outbox's state machine: enqueue once, claim with a lease, mark sent, defer or give up.

Every transition is a conditional UPDATE (compare-and-set on status and attempt id) committed on
its own, so two deliveries that overlap (a retried activity beside a slow first attempt) cannot
both send a row. Times are the caller's `now` (the mailer workflow's clock), so the time-skipping
test server and production follow the same rules.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.db import utcnow
from models.outbox import (
    CLAIMED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    STATUSES,
    UNKNOWN,
    OutboxMessage,
)

# A claim outlives any one delivery activity (its start-to-close timeout is 2 minutes).
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=30)
MAX_ATTEMPTS = 200  # about four days of an SMTP outage before a row is marked failed
LOST_IN_SENDING = (
    "the worker stopped after handing the message to the SMTP relay: it may have "
    "been delivered, so it is not re-sent by itself (resend from the admin page)"
)


def message_id_for(key: str, sender: str) -> str:
    """Returns the Message-ID header of an outbox key: the same key, the same Message-ID."""
    domain = sender.rpartition("@")[2].strip(" >") or "liandong.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def backoff(attempts: int) -> timedelta:
    """Returns the wait before attempt `attempts + 1`: 30 s doubling up to 30 minutes."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


def enqueue(
    *,
    session: Session,
    key: str,
    kind: str,
    recipient: str,
    context: dict[str, Any],
    now: datetime,
    sender: str,
    recipient_name: str | None = None,
    case_number: str | None = None,
    operation_id: str | None = None,
) -> bool:
    """Adds a message unless its key is already there; returns whether it was added."""
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first():
        return False
    session.add(
        OutboxMessage(
            key=key,
            message_id=message_id_for(key, sender),
            kind=kind,
            recipient=recipient,
            recipient_name=recipient_name,
            case_number=case_number,
            operation_id=operation_id,
            context=context,
            next_attempt_at=now,
            created_at=utcnow(),
        )
    )
    session.flush()
    return True


def _cas(session: Session, row_id: int, where: list[Any], values: dict[str, Any]) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, *where)
        .values(updated_at=utcnow(), **values)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_expired(*, session: Session, now: datetime) -> int:
    """Frees claims whose worker died; returns how many rows went to `unknown`.

    A row still `claimed` never reached DATA, so it goes back to pending. A row in `sending` had
    its envelope accepted and its DATA under way: it may have been delivered, and SMTP has no way
    to ask, so it becomes `unknown` and is not sent again by itself (at most once).
    """
    expired = [col(OutboxMessage.lease_until) < now]
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == CLAIMED, *expired)
        .values(status=PENDING, attempt_id=None, lease_until=None, updated_at=utcnow())
    )
    lost = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == SENDING, *expired)
        .values(status=UNKNOWN, lease_until=None, last_error=LOST_IN_SENDING, updated_at=utcnow())
    )
    return lost.rowcount  # type: ignore[attr-defined]


def due(*, session: Session, now: datetime, limit: int) -> list[int]:
    """Returns the ids of pending rows whose time has come, oldest first."""
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == PENDING, col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    return [row_id for row_id in session.exec(query) if row_id is not None]


def next_due(*, session: Session) -> datetime | None:
    """Returns when the earliest pending row is due, or None when nothing waits."""
    return session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == PENDING)
    ).one()


def claim(*, session: Session, row_id: int, attempt_id: str, now: datetime) -> OutboxMessage | None:
    """Takes a due pending row for one attempt, with a lease; None if someone else has it."""
    taken = _cas(
        session,
        row_id,
        [OutboxMessage.status == PENDING, col(OutboxMessage.next_attempt_at) <= now],
        {
            "status": CLAIMED,
            "attempt_id": attempt_id,
            "lease_until": now + LEASE,
            "attempts": OutboxMessage.attempts + 1,
        },
    )
    if not taken:
        return None
    session.flush()
    row = session.get(OutboxMessage, row_id)
    if row is not None:
        session.refresh(row)
    return row


def mark_sending(*, session: Session, row_id: int, attempt_id: str, subject: str) -> bool:
    """Records that DATA is about to start: from here on a lost worker means `unknown`."""
    return _cas(
        session,
        row_id,
        [OutboxMessage.status == CLAIMED, OutboxMessage.attempt_id == attempt_id],
        {"status": SENDING, "subject": subject[:300]},
    )


def mark_sent(*, session: Session, row_id: int, attempt_id: str, now: datetime) -> bool:
    """Records that the relay accepted the message (250 after DATA)."""
    return _cas(
        session,
        row_id,
        [col(OutboxMessage.status).in_((SENDING, UNKNOWN)), OutboxMessage.attempt_id == attempt_id],
        {"status": SENT, "sent_at": now, "lease_until": None, "last_error": None},
    )


def defer(*, session: Session, row_id: int, attempt_id: str, now: datetime, error: str) -> str:
    """Puts an attempt that certainly delivered nothing back to pending, later; returns status."""
    row = session.get(OutboxMessage, row_id)
    if row is None:
        return FAILED
    status = FAILED if row.attempts >= MAX_ATTEMPTS else PENDING
    _cas(
        session,
        row_id,
        [col(OutboxMessage.status).in_((CLAIMED, SENDING)), OutboxMessage.attempt_id == attempt_id],
        {
            "status": status,
            "attempt_id": None,
            "lease_until": None,
            "last_error": error[:2000],
            "next_attempt_at": now + backoff(row.attempts),
        },
    )
    return status


def give_up(
    *, session: Session, row_id: int, attempt_id: str, error: str, status: str = FAILED
) -> bool:
    """Ends an attempt as `failed` (refused for good) or `unknown` (DATA cut off)."""
    return _cas(
        session,
        row_id,
        [col(OutboxMessage.status).in_((CLAIMED, SENDING)), OutboxMessage.attempt_id == attempt_id],
        {"status": status, "lease_until": None, "last_error": error[:2000]},
    )


def defer_due(*, session: Session, row_ids: list[int], now: datetime, error: str) -> int:
    """Records an unreachable relay on due rows (they stay pending, later); returns how many."""
    count = 0
    for row in session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.id).in_(row_ids), OutboxMessage.status == PENDING
        )
    ):
        row.attempts += 1
        row.status = FAILED if row.attempts >= MAX_ATTEMPTS else PENDING
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = error[:2000]
        row.updated_at = utcnow()
        session.add(row)
        count += 1
    return count


def retry(*, session: Session, row_id: int, now: datetime) -> OutboxMessage | None:
    """Admin: sends a failed, unknown or waiting message at the next delivery."""
    row = session.get(OutboxMessage, row_id)
    if row is None or row.status in (CLAIMED, SENDING, SENT):
        return row
    row.status, row.next_attempt_at, row.attempt_id, row.lease_until = PENDING, now, None, None
    row.updated_at = utcnow()
    session.add(row)
    return row


def list_outbox(
    *, session: Session, status: str | None = None, page: int = 1, page_size: int = 50
) -> tuple[list[OutboxMessage], int]:
    """Returns one page of messages, newest first, and how many match."""
    query = select(OutboxMessage)
    if status:
        query = query.where(col(OutboxMessage.status).in_(status.split(",")))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(OutboxMessage.id).desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), int(total)


def counts(*, session: Session) -> dict[str, int]:
    """Returns how many messages are in each status."""
    found = dict(
        session.exec(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return {status: int(found.get(status, 0)) for status in STATUSES}
