"""Dependency-free dataclasses of joint operations (联合执法 / 专项整治).

Inputs, state and projection of the operation workflow and its department children.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from core.payloads import Actor, Clock, ClockStep, TimelineEntry

# Operation statuses.
CONFIRMING = "confirming"  # launched; departments confirm or decline until the first session
RUNNING = "running"  # a session is under way
REPORTING = "reporting"  # no session under way, one has ended: session reports are being filed
COMPLETED = "completed"  # every session ended and every report due is in; awaiting the close
CLOSED = "closed"
CANCELLED = "cancelled"
STATUSES = (CONFIRMING, RUNNING, REPORTING, COMPLETED, CLOSED, CANCELLED)
FINAL_STATUSES = (CLOSED, CANCELLED)

# A participating department's status.
INVITED = "invited"  # must confirm or decline
CONFIRMED = "confirmed"
DECLINED = "declined"  # awaiting the coordinator's ruling
WITHDRAWN = "withdrawn"  # the decline was accepted
DEPARTMENT_STATUSES = (INVITED, CONFIRMED, DECLINED, WITHDRAWN)
LEAD = "lead"
COOPERATING = "cooperating"

# A session's status (RUNNING and CANCELLED as above).
SCHEDULED = "scheduled"
ENDED = "ended"

COUNT_KINDS = ("stalls_cleared", "items_seized", "warnings", "fines", "fine_amount")


@dataclass
class Counts:
    """What enforcement produced: stalls cleared, items seized, warnings, fines and their yuan."""

    stalls_cleared: int = 0
    items_seized: int = 0
    warnings: int = 0
    fines: int = 0
    fine_amount: float = 0.0

    def plus(self, other: Counts) -> Counts:
        """Returns the sum of two counts."""
        return Counts(
            stalls_cleared=self.stalls_cleared + other.stalls_cleared,
            items_seized=self.items_seized + other.items_seized,
            warnings=self.warnings + other.warnings,
            fines=self.fines + other.fines,
            fine_amount=round(self.fine_amount + other.fine_amount, 2),
        )

    def is_empty(self) -> bool:
        """Tells whether nothing was counted."""
        return all(not getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, float]:
        """Returns the counts by kind."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class SessionWindow:
    """One time window of an operation (one evening, one night ...)."""

    start: datetime
    end: datetime


@dataclass
class Session:
    """A session as the operation runs it; numbered from 1."""

    number: int
    start: datetime
    end: datetime
    status: str = SCHEDULED
    started_at: datetime | None = None
    ended_at: datetime | None = None
    report_deadline: datetime | None = None


@dataclass
class DepartmentState:
    """One participating department: its answer, the people it sends and its running totals."""

    code: str
    role: str
    status: str = INVITED
    people: int = 0
    vehicles: int = 0
    note: str | None = None
    decline_reason: str | None = None
    overruled: bool = False
    responded_at: datetime | None = None
    confirmed_on_time: bool | None = None
    escalation_level: int = 0
    found: Counts = field(default_factory=Counts)
    reported: Counts = field(default_factory=Counts)


@dataclass
class Finding:
    """A finding logged during a session; numbered from 1; may become a case."""

    number: int
    session: int
    department: str
    counts: Counts
    note: str
    logged_by: str
    at: datetime
    case_number: str | None = None
    case_department: str | None = None


@dataclass
class SessionReport:
    """A department's report of one session: due at the session's end, filed by the liaison."""

    session: int
    department: str
    deadline: datetime
    counts: Counts = field(default_factory=Counts)
    note: str | None = None
    filed_by: str | None = None
    filed_at: datetime | None = None
    on_time: bool | None = None


@dataclass
class CaseBrief:
    """A case spawned by the operation, as the case projection shows it now."""

    number: str
    finding: int
    department: str | None
    status: str
    light: str | None = None


@dataclass
class DepartmentSummary:
    """One department's share of the closing summary."""

    department: str
    role: str
    status: str
    people: int
    vehicles: int
    reported: Counts
    found: Counts
    reports_filed: int
    reports_missing: list[int] = field(default_factory=list)
    # Findings and reports reconciled (core/operation_results.py); None in summaries from before.
    results: Counts | None = None


@dataclass
class OperationSummary:
    """The closing summary: totals of every department's reports and findings, the two
    reconciled (`results`), and the cases spawned as they stood at the close. Final."""

    totals: Counts
    found: Counts
    sessions: int
    departments: list[DepartmentSummary]
    cases: list[CaseBrief]
    note: str | None = None
    results: Counts | None = None


@dataclass
class OperationState:
    """Everything the operation workflow knows; also what continue-as-new carries over."""

    operation_id: str
    title: str
    goal: str
    area: list[str]
    lead: str
    launched_by: str
    launched_at: datetime
    confirm_deadline: datetime
    report_within: float
    report_unit: str
    departments: list[DepartmentState]
    sessions: list[Session]
    category: str | None = None  # the kind of case the operation targets (its findings' default)
    status: str = CONFIRMING
    confirm_clock: Clock | None = None
    findings: list[Finding] = field(default_factory=list)
    reports: list[SessionReport] = field(default_factory=list)
    summary: OperationSummary | None = None
    postponed: int = 0
    cancel_reason: str | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    seq: int = 0
    version: int = 0
    unprojected: list[TimelineEntry] = field(default_factory=list)
    # Sessions, findings and reports changed since the last projection: "session:2", "finding:7",
    # "report:2:cg". Only those travel to the projection, so its payload stays small.
    dirty: list[str] = field(default_factory=list)

    def department(self, code: str | None) -> DepartmentState | None:
        """Returns a participating department, or None."""
        return next((d for d in self.departments if d.code == code), None)

    def session(self, number: int | None) -> Session | None:
        """Returns a session by number, or None."""
        return next((s for s in self.sessions if s.number == number), None)

    def finding(self, number: int) -> Finding | None:
        """Returns a finding by number, or None."""
        return next((f for f in self.findings if f.number == number), None)

    def report(self, session: int, department: str | None) -> SessionReport | None:
        """Returns the report due from a department for a session, or None."""
        return next(
            (r for r in self.reports if r.session == session and r.department == department), None
        )

    def latest_started(self) -> Session | None:
        """Returns the session running now, or else the last one that ended."""
        started = [s for s in self.sessions if s.status in (RUNNING, ENDED)]
        return started[-1] if started else None


@dataclass
class OperationInput:
    """Launches an operation; `state` is set only when continuing as new."""

    operation_id: str
    title: str
    goal: str
    area: list[str]
    sessions: list[SessionWindow]
    lead: str
    cooperating: list[str]
    confirm_deadline: datetime
    launched_by: Actor
    report_within: float = 4
    report_unit: str = "working_hours"
    category: str | None = None
    state: OperationState | None = None


@dataclass
class OperationView:
    """What an action returns: enough for the caller to read the projection."""

    operation_id: str
    status: str
    version: int


@dataclass
class OperationProjection:
    """What the projection writes: the operation now (with only its changed sessions, findings and
    reports), the schedule's figures and its new timeline lines."""

    state: OperationState
    events: list[TimelineEntry]
    first_start: datetime
    last_end: datetime
    sessions_total: int
    sessions_ended: int
    current_session: int | None = None


# -- the department child's clocks ------------------------------------------------------------


@dataclass
class Duty:
    """Something a department owes by a deadline (`confirm`, `report-3`) and its reminder steps."""

    key: str
    deadline: datetime
    steps: list[ClockStep]
    session: int | None = None


@dataclass
class DepartmentClocks:
    """The department child's state: the duties it watches."""

    operation_id: str
    department: str
    parent_id: str
    duties: list[Duty] = field(default_factory=list)
    finished: bool = False


@dataclass
class DepartmentInput:
    """Starts a department child; `state` is set only when continuing as new."""

    operation_id: str
    department: str
    parent_id: str
    duties: list[Duty] = field(default_factory=list)
    state: DepartmentClocks | None = None


@dataclass
class SettleInput:
    """Tells a department child that a duty is done."""

    key: str


@dataclass
class DutyAlert:
    """Tells the operation that a duty's step came due (reminder, overdue, escalation)."""

    department: str
    key: str
    step: str
    at: datetime
    deadline: datetime
    session: int | None = None


# -- activities -------------------------------------------------------------------------------


@dataclass
class ConfirmClockRequest:
    """Asks for the confirmation clock: a reminder before the deadline, escalation at it."""

    start: datetime
    deadline: datetime


@dataclass
class SpawnCaseRequest:
    """Asks to turn a finding into a case, dispatched by the responsibility list."""

    operation_id: str
    operation_title: str
    finding: int
    category: str
    grid: str
    address: str
    description: str
    actor: Actor


@dataclass
class SpawnedCase:
    """The case a finding became."""

    number: str
    department: str


@dataclass
class CaseLookup:
    """Asks for the current state of the cases an operation spawned."""

    operation_id: str


# -- action inputs: one dataclass per update ----------------------------------------------------


@dataclass
class ConfirmInput:
    actor: Actor
    people: int = 0
    vehicles: int = 0
    note: str | None = None


@dataclass
class DeclineInput:
    actor: Actor
    reason: str = ""


@dataclass
class RuleDeclineInput:
    actor: Actor
    department: str = ""
    accept: bool = False
    reason: str | None = None


@dataclass
class FindingInput:
    actor: Actor
    counts: Counts = field(default_factory=Counts)
    note: str = ""
    session: int | None = None


@dataclass
class SpawnCaseInput:
    actor: Actor
    finding: int = 0
    category: str = ""
    grid: str = ""
    address: str = ""
    description: str = ""


@dataclass
class SessionReportInput:
    actor: Actor
    session: int = 0
    counts: Counts = field(default_factory=Counts)
    note: str | None = None


@dataclass
class CloseInput:
    actor: Actor
    note: str | None = None


@dataclass
class CancelInput:
    actor: Actor
    reason: str = ""


@dataclass
class PostponeInput:
    actor: Actor
    reason: str = ""
    start: datetime | None = None
