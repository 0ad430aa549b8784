"""Dependency-free dataclasses of the monthly report's publication (月通报发布).

The schedule's workflow asks whether today is the day to publish; the publication of one month
and version writes the published figures and the heads' mail once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# What made a publication.
SCHEDULE = "schedule"  # the Temporal Schedule, on the first working day of the month
REPUBLISH = "republish"  # a supervisor, with a reason
TRIGGERS = (SCHEDULE, REPUBLISH)
# The scheduled publication of a month is its first version; each republication the next.
FIRST_VERSION = 1

# What one firing of the schedule did.
NOT_DUE = "not_due"  # before the month's first working day
ALREADY = "already_published"  # the month has its first version (or it is under way)
PUBLISHED = "published"


@dataclass
class PublicationCheckInput:
    """Starts the scheduled check; `today` (YYYY-MM-DD, Beijing) replaces the clock in tests."""

    today: str | None = None


@dataclass
class PublicationDayRequest:
    """Asks whether `today` (else the Beijing date of `now`) is a day to publish."""

    now: datetime
    today: str | None = None


@dataclass
class PublicationDay:
    """Today, the month to publish (the one before), its first working day, and what stands."""

    today: str
    month: str
    first_working_day: str
    due: bool  # the first working day has come
    published: bool  # the month has its first version already


@dataclass
class PublicationCheckResult:
    """What one firing of the schedule did (NOT_DUE, ALREADY or PUBLISHED)."""

    today: str
    month: str
    outcome: str


@dataclass
class PublishInput:
    """Publishes one month (YYYY-MM) as `version`: by the schedule, or republished by `by`."""

    month: str
    version: int = FIRST_VERSION
    trigger: str = SCHEDULE
    by: str | None = None
    reason: str | None = None


@dataclass
class PublishRequest:
    """Writes one publication as of `at` (the workflow's start: the same on every retry)."""

    month: str
    version: int
    trigger: str
    at: datetime
    workflow_id: str
    by: str | None = None
    reason: str | None = None


@dataclass
class PublishResult:
    """The publication as stored; `created` is False when an earlier attempt had written it."""

    month: str
    version: int
    published_at: datetime
    created: bool
    mailed: list[str] = field(default_factory=list)
    not_mailed: list[str] = field(default_factory=list)
