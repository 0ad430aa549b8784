"""The audit log of administration (API.md "Administration"): one row per change, with who made
it, when, to what, and the value before and after, written in the same transaction as the change
(`record`), so a change and its entry are committed together or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime, jsonable, utcnow

CREATE, UPDATE, DELETE, SET = "create", "update", "delete", "set"
# A row made inactive (kept, with its history), or put back in use.
RETIRE, RESTORE = "retire", "restore"
ACTIONS = (CREATE, UPDATE, DELETE, SET, RETIRE, RESTORE)


class AuditEntry(SQLModel, table=True):
    """One change an administrator made: a row created, updated or deleted, or a setting set."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_subject_key", "subject", "key", "at"),
        Index("ix_audit_entry_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(AwareDateTime(), nullable=False))
    actor: str = Field(max_length=64)  # the username
    role: str = Field(max_length=16)  # the actor's role at the time
    subject: str = Field(max_length=64)  # the table or setting changed: department, weights ...
    key: str = Field(max_length=200)  # which row of it: a code, an id; the setting's name
    action: str = Field(max_length=8)  # create | update | delete | set
    before: Any = Field(default=None, sa_column=Column(JSON))  # None when created
    after: Any = Field(default=None, sa_column=Column(JSON))  # None when deleted
    reason: str | None = Field(default=None, max_length=500)


def record(
    *,
    session: Session,
    actor: str,
    role: str,
    subject: str,
    key: str,
    action: str,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Adds an entry for a change made in `session`'s transaction (the caller commits both);
    `before` and `after` are stored as JSON, instants in ISO 8601."""
    if action not in ACTIONS:
        raise ValueError(f"action: one of {', '.join(ACTIONS)}, not {action!r}")
    entry = AuditEntry(
        at=at or utcnow(),
        actor=actor,
        role=role,
        subject=subject,
        key=key,
        action=action,
        before=jsonable(before),
        after=jsonable(after),
        reason=(reason or "").strip() or None,
    )
    session.add(entry)
    return entry


def entries(
    *, session: Session, subject: str | None = None, key: str | None = None, limit: int = 20
) -> list[AuditEntry]:
    """Returns the latest entries, newest first: of one subject (and key), or of all."""
    query = select(AuditEntry)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    if key is not None:
        query = query.where(AuditEntry.key == key)
    order = (col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    return list(session.exec(query.order_by(*order).limit(limit)))
