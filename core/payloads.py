"""Dependency-free dataclasses that cross the workflow boundary (inputs, state, projection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Case statuses (API.md). A case is open until it is closed or voided.
NEW = "new"
REGISTERED = "registered"
VOIDED = "voided"
DISPATCHED = "dispatched"
IN_PROGRESS = "in_progress"
BOUNCED = "bounced"
DISPUTED = "disputed"
PARKED = "parked"
REPORTED = "reported"
VERIFIED = "verified"
CLOSED = "closed"
STATUSES = (
    NEW,
    REGISTERED,
    VOIDED,
    DISPATCHED,
    IN_PROGRESS,
    BOUNCED,
    DISPUTED,
    PARKED,
    REPORTED,
    VERIFIED,
    CLOSED,
)
FINAL_STATUSES = (VOIDED, CLOSED)

SATISFACTIONS = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")
LIMIT_UNITS = ("working_hours", "working_days", "hours")
OVERRIDE_ACTIONS = ("reassign", "extend", "close", "reopen")
# Where a ruling written into the responsibility list applies, most specific first.
RULE_SCOPES = ("grid", "community", "street")


@dataclass
class Actor:
    """Who acts: resolved and authenticated by the web layer."""

    username: str
    role: str
    department: str | None = None


SYSTEM = Actor(username="system", role="system")


@dataclass
class ClockStep:
    """One rung of a clock: the yellow light, the deadline, or an escalation level."""

    name: str  # yellow | overdue | level1 | level2 | level3
    at: datetime
    fired: bool = False


@dataclass
class Clock:
    """A running deadline (accept or handle) with its yellow point and escalation ladder."""

    kind: str  # accept | handle
    started_at: datetime
    amount: float
    unit: str
    deadline: datetime
    yellow_at: datetime
    steps: list[ClockStep] = field(default_factory=list)
    paused_at: datetime | None = None
    calendar_fallback: bool = False


@dataclass
class ClockRequest:
    """Asks for a new clock that starts now."""

    kind: str
    start: datetime
    amount: float
    unit: str


@dataclass
class ExtendClockRequest:
    """Asks to move a clock's deadline by an approved extension."""

    clock: Clock
    amount: float
    unit: str
    now: datetime


@dataclass
class ResumeClockRequest:
    """Asks to shift a paused clock by the working time it stood still."""

    clock: Clock
    resumed_at: datetime


@dataclass
class TimelineEntry:
    """One append-only line of a case's history."""

    seq: int
    at: datetime
    actor: str
    action: str
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class PendingExtension:
    """An extension asked for by the department, awaiting a decision."""

    amount: float
    unit: str
    reason: str
    requested_by: str
    requested_at: datetime


@dataclass
class Bounce:
    """One 退单: who sent the case back, and why."""

    department: str
    reason: str
    suggested_department: str | None
    at: datetime


@dataclass(kw_only=True)
class CaseReport:
    """What a report says (信息收集): the problem, its category's limit, where, and who told."""

    number: str
    category: str
    limit_amount: float
    limit_unit: str
    description: str
    grid: str
    street: str
    address: str
    channel: str
    lat: float | None = None
    lon: float | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_email: str | None = None
    media_url: str | None = None  # a photo the reporter's app keeps (Open311)


@dataclass(kw_only=True)
class CaseState(CaseReport):
    """Everything the case workflow knows; also what continue-as-new carries over."""

    created_at: datetime
    status: str = NEW
    department: str | None = None
    interim_department: str | None = None
    interim_done: bool = False
    clock: Clock | None = None
    light: str | None = None
    deadline: datetime | None = None
    accept_deadline: datetime | None = None
    bounces: int = 0
    bounce_history: list[Bounce] = field(default_factory=list)
    reworks: int = 0
    extensions: int = 0
    escalation_level: int = 0
    satisfaction: str | None = None
    # The reporter's own rating of the work now reported (once; a rework or reopening clears it).
    reporter_rating: str | None = None
    extension: PendingExtension | None = None
    parked_from: str | None = None
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    reported_at: datetime | None = None
    closed_at: datetime | None = None
    handled_on_time: bool | None = None
    seq: int = 0
    version: int = 0
    unprojected: list[TimelineEntry] = field(default_factory=list)


@dataclass(kw_only=True)
class CaseInput(CaseReport):
    """Starts a case workflow; `state` is set only when continuing as new. A case made from a
    joint operation's finding names the operation and the finding (its `created` line says so)."""

    created_by: Actor
    state: CaseState | None = None
    operation_id: str | None = None
    finding: int | None = None


@dataclass
class CaseProjection:
    """What the projection activity writes: the case as it is now, and its new timeline lines."""

    state: CaseState
    events: list[TimelineEntry]


@dataclass
class RuleInput:
    """A ruling written into the responsibility list: category in the case's grid, community or
    street -> department. `line` (the arbitration's timeline seq) makes the write idempotent;
    inputs of older workflows carry neither scope nor line and mean the street."""

    category: str
    street: str
    department: str
    decided_by: str
    case_number: str
    scope: str = "street"
    grid: str | None = None
    line: int | None = None
    decided_at: datetime | None = None


@dataclass
class CaseView:
    """What an action returns: enough for the caller to read the projection."""

    number: str
    status: str
    version: int


# Action inputs: one dataclass per update.
@dataclass
class RegisterInput:
    actor: Actor
    note: str | None = None


@dataclass
class VoidInput:
    actor: Actor
    reason: str = ""


@dataclass
class DispatchInput:
    actor: Actor
    department: str = ""
    note: str | None = None


@dataclass
class AcceptInput:
    actor: Actor
    note: str | None = None


@dataclass
class BounceInput:
    actor: Actor
    reason: str = ""
    suggested_department: str | None = None


@dataclass
class ArbitrateInput:
    actor: Actor
    department: str = ""
    interim_department: str | None = None
    make_rule: bool = False
    note: str | None = None
    rule_scope: str | None = None  # grid, community or street (the default) when make_rule


@dataclass
class ExtensionRequestInput:
    actor: Actor
    amount: float = 0
    unit: str = ""
    reason: str = ""


@dataclass
class ExtensionDecisionInput:
    actor: Actor
    approve: bool = False
    note: str | None = None


@dataclass
class ReportInput:
    actor: Actor
    note: str = ""
    photos: list[str] = field(default_factory=list)


@dataclass
class VerifyInput:
    actor: Actor
    passed: bool = False
    note: str | None = None


@dataclass
class CallbackInput:
    actor: Actor
    satisfaction: str = ""
    note: str | None = None
    reopen: bool = False


@dataclass
class InterimReportInput:
    """The interim handler (先行处置单位) reports the site made safe, with photos."""

    actor: Actor
    note: str = ""
    photos: list[str] = field(default_factory=list)


@dataclass
class RateInput:
    """A citizen's own rating from the public page (the reporter, checked by phone)."""

    actor: Actor
    satisfaction: str = ""
    note: str | None = None


@dataclass
class UrgeInput:
    actor: Actor
    note: str = ""


@dataclass
class ParkInput:
    actor: Actor
    reason: str = ""


@dataclass
class OverrideInput:
    actor: Actor
    action: str = ""
    reason: str = ""
    department: str | None = None
    amount: float | None = None
    unit: str | None = None
