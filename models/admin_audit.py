"""Reading the audit log of administration: newest first, by subject, key and actor, a page at a
time; and what changed between an entry's before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit import AuditEntry


def audit_log(
    *,
    session: Session,
    subject: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[AuditEntry], int]:
    """Returns a page of entries, newest first, and how many match."""
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.subject, subject),
        (AuditEntry.key, key),
        (AuditEntry.actor, actor),
    ):
        if value:
            query = query.where(col(column) == value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    order = (col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    rows = session.exec(query.order_by(*order).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def subjects(*, session: Session) -> list[str]:
    """Returns the subjects the log holds, by name."""
    query = select(AuditEntry.subject).distinct().order_by(col(AuditEntry.subject))
    return list(session.exec(query))


@dataclass(frozen=True)
class Difference:
    """One field an entry changed: its value before and after (None when absent)."""

    field: str
    before: Any
    after: Any


def differences(entry: AuditEntry) -> list[Difference]:
    """Returns the fields whose value differs between before and after, in the after's order
    (every field of a row created; of a setting, the whole value when it is not an object)."""
    before, after = entry.before, entry.after
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [Difference("value", before, after)]
    before, after = before or {}, after or {}
    names = [*after, *(k for k in before if k not in after)]
    return [
        Difference(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)
    ]
