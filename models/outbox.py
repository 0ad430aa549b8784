"""The mail outbox: one row per message to send, written in the transaction of the event it tells.

A row's life (see models/mail_store.py for the transitions and why):

    pending ──claim──▶ claimed ──envelope accepted──▶ sending ──250 to DATA──▶ sent
       ▲                  │                              │
       └──SMTP down/4xx───┘                              └─worker lost, or DATA cut off─▶ unknown
    failed: refused for good (5xx, bad template, too many attempts); admin can retry.
    unknown: may or may not have reached the relay; never re-sent by itself, admin can resend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import AwareDateTime

PENDING = "pending"
CLAIMED = "claimed"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
UNKNOWN = "unknown"
STATUSES = (PENDING, CLAIMED, SENDING, SENT, FAILED, UNKNOWN)


def _at(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), **kw))


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one recipient; `key` names the event it tells so it is enqueued once."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True)  # case/<number>/<seq>/<address> ...
    message_id: str = Field(max_length=128)  # Message-ID header, derived from the key
    kind: str = Field(max_length=48)  # template activities/templates/mail/<kind>.j2
    recipient: str = Field(max_length=254)
    recipient_name: str | None = Field(default=None, max_length=64)
    case_number: str | None = Field(default=None, max_length=32, index=True)
    operation_id: str | None = Field(default=None, max_length=64, index=True)
    context: dict = Field(default_factory=dict, sa_column=Column(JSON))
    subject: str | None = Field(default=None, max_length=300)  # once rendered, for the admin
    status: str = Field(default=PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _at(nullable=False)
    attempt_id: str | None = Field(default=None, max_length=32)
    lease_until: datetime | None = _at()
    last_error: str | None = None
    created_at: datetime = _at(nullable=False)
    updated_at: datetime | None = _at()
    sent_at: datetime | None = _at()


class DigestItem(SQLModel, table=True):
    """A level-2 escalation waiting for a supervisor's daily digest (one mail a working day)."""

    __tablename__ = "mail_digest_item"
    __table_args__ = (UniqueConstraint("case_number", "seq", "recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    recipient_name: str | None = Field(default=None, max_length=64)
    case_number: str = Field(max_length=32, index=True)
    seq: int
    escalated_at: datetime = _at(nullable=False)
    context: dict = Field(default_factory=dict, sa_column=Column(JSON))
    digest_key: str | None = Field(default=None, max_length=400, index=True)
