"""Dependency-free dataclasses of the mailer workflow and its activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class MailerState:
    """What the mailer carries over continue-as-new."""

    next_digest_at: datetime | None = None


@dataclass
class MailerInput:
    """Starts the mailer; `poll_seconds` bounds how long new outbox rows wait to be seen."""

    poll_seconds: float = 30.0
    state: MailerState | None = None


@dataclass
class DeliverRequest:
    """Sends what is due at `now` (the mailer's clock), at most `limit` messages."""

    now: datetime
    limit: int = 50


@dataclass
class DeliveryReport:
    """What one delivery did, and when the next pending message falls due."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    unknown: int = 0
    more: bool = False
    next_due: datetime | None = None
    error: str | None = None


@dataclass
class DigestTimeRequest:
    """Asks for the first digest time (08:30 of a working day) after `after`."""

    after: datetime


@dataclass
class DigestRequest:
    """Composes the supervisors' digests of the working day of `now`."""

    now: datetime
