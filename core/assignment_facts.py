"""Assignments (one dispatch of a case to one department, or one make-safe task) and their facts,
derived from the case's timeline by one pure function: the projection and the backfill both
call `assignments`, so they cannot disagree.

Where the workflow moved a clock without writing the new deadline on a line (a supervisor's
`override extend`, the restart of a parked dispatch, `override reopen`), the deadline comes from
the next line that names it (the ladder's lines do), and for the case's current assignment
from the case itself (`CaseHeader`), which always holds the clock in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.timeline import STEP_ACTIONS, case_line

OWNER, INTERIM = "owner", "interim"
KINDS = (OWNER, INTERIM)
# A rating that says something about the result; `unreachable` says nobody answered.
RATED = ("satisfied", "basically_satisfied", "dissatisfied")
SATISFIED = ("satisfied", "basically_satisfied")
_STEPS = frozenset(STEP_ACTIONS.values())


class Line(Protocol):
    """A timeline line: a stored models.case.CaseEvent or a core.payloads.TimelineEntry."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def action(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class CaseHeader:
    """What the case row adds: where, what, how it came in, and the clocks now in force."""

    number: str
    category: str
    grid: str
    street: str
    community: str | None
    channel: str
    accept_deadline: datetime | None = None
    deadline: datetime | None = None


@dataclass
class AssignmentFacts:
    """One assignment as the timeline tells it; a report or close undone later is cleared."""

    case_number: str
    seq: int  # the line that began it: `dispatched` or `interim_assigned`
    kind: str  # owner | interim
    department: str
    dispatched_at: datetime
    category: str = ""
    grid: str = ""
    street: str = ""
    community: str | None = None
    channel: str = ""
    accept_deadline: datetime | None = None
    accepted_at: datetime | None = None
    accepted_on_time: bool | None = None
    bounced_at: datetime | None = None
    bounce_reason: str | None = None
    wrongful: bool = False  # the department bounced it and was later named its owner
    deadline: datetime | None = None  # the handling deadline in force (extensions count)
    reported_at: datetime | None = None  # the report that stands (none after a rework)
    on_time: bool | None = None  # that report came at or before the deadline in force
    late_reports: int = 0  # reports, standing or reworked, that came after their deadline
    extensions: int = 0  # approved extension requests
    reworks: int = 0  # failed verifications and reopening callbacks of its reports
    parks: int = 0
    parked_seconds: int = 0  # parks that ended; one still running began at parked_since
    parked_since: datetime | None = None
    ended_at: datetime | None = None  # bounced, handed on by a later dispatch, or case closed
    closed_at: datetime | None = None  # the case closed while it held it (cleared on reopen)
    closed_on_time: bool | None = None  # closed, reported, and every deadline met
    satisfaction: str | None = None  # the last rating of its result (unreachable left out)


def when(value: Any) -> datetime | None:
    """Returns an instant a line's facts hold, as stored (ISO 8601) or in memory."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def assignments(case: CaseHeader, lines: Iterable[Line]) -> list[AssignmentFacts]:
    """Returns a case's assignments, oldest first, from its timeline lines."""
    walk = _Walk(case)
    for line in sorted(lines, key=lambda line: line.seq):
        walk.line(line)
    return walk.finish()


class _Walk:
    """The timeline read line by line: which assignment is current, and what happened to it."""

    def __init__(self, case: CaseHeader) -> None:
        self.case = case
        self.found: list[AssignmentFacts] = []
        self.owner: AssignmentFacts | None = None  # the dispatch that holds the case
        self.interim: AssignmentFacts | None = None  # the make-safe task that is open

    def begin(self, line: Line, kind: str, department: str) -> AssignmentFacts:
        c = self.case
        made = AssignmentFacts(
            case_number=c.number,
            seq=line.seq,
            kind=kind,
            department=department,
            dispatched_at=line.at,
            category=c.category,
            grid=c.grid,
            street=c.street,
            community=c.community,
            channel=c.channel,
        )
        self.found.append(made)
        return made

    def line(self, line: Line) -> None:
        typed, facts = case_line(line.action, line.detail, dict(line.data or {}))
        action, at = line.action, line.at
        if action == "dispatched":
            department = str(facts.get("department") or "")
            _end(self.owner, at)
            for earlier in self.found:
                if earlier.kind == OWNER and earlier.department == department:
                    earlier.wrongful = earlier.wrongful or earlier.bounced_at is not None
            self.owner = self.begin(line, OWNER, department)
            self.owner.accept_deadline = when(facts.get("accept_deadline"))
        elif action == "interim_assigned":
            _end(self.interim, at)
            self.interim = self.begin(line, INTERIM, str(facts.get("department") or ""))
        elif action == "interim_reported" and self.interim is not None:
            self.interim.reported_at = at
            self.interim.ended_at = at
            self.interim = None
        elif action == "closed":
            _end(self.interim, at)
            self.interim = None
            if self.owner is not None:
                _end(self.owner, at)
                self.owner.closed_at = at
        elif self.owner is not None:
            self.owner_line(self.owner, action, at, typed, facts)

    def owner_line(
        self, owner: AssignmentFacts, action: str, at: datetime, typed: str, facts: dict
    ) -> None:
        deadline = when(facts.get("deadline"))
        if action == "accepted":
            owner.accepted_at, owner.deadline = at, deadline
        elif action == "bounced":
            owner.bounced_at, owner.bounce_reason = at, typed or None
            _end(owner, at)
            self.owner = None
        elif action in _STEPS and deadline is not None:
            if facts.get("clock") == "accept":
                owner.accept_deadline = deadline
            else:
                owner.deadline = deadline
        elif action == "extension_approved":
            owner.extensions += 1
            owner.deadline = deadline or owner.deadline
        elif action == "parked":
            owner.parks += 1
            owner.parked_since = at
        elif action == "unparked":
            _unpark(owner, at)
            owner.deadline = deadline or owner.deadline
        elif action == "reported":
            on_time = facts.get("on_time")
            if on_time is None:  # a line that does not say: judged on the deadline known
                on_time = owner.deadline is None or at <= owner.deadline
            owner.reported_at, owner.on_time = at, bool(on_time)
            owner.late_reports += 0 if on_time else 1
        elif action == "rework":
            owner.reworks += 1
            owner.reported_at = owner.on_time = None
            owner.deadline = deadline or owner.deadline
        elif action == "callback" and facts.get("satisfaction") in RATED:
            owner.satisfaction = str(facts["satisfaction"])
        elif action == "override" and facts.get("override") == "reopen":
            owner.reported_at = owner.on_time = owner.closed_at = owner.ended_at = None

    def finish(self) -> list[AssignmentFacts]:
        owner, c = self.owner, self.case
        if owner is not None:
            # The case's own clocks are those of its current assignment, whatever moved them.
            owner.accept_deadline = c.accept_deadline or owner.accept_deadline
            if owner.accepted_at is not None:
                owner.deadline = c.deadline or owner.deadline
        for made in self.found:
            if made.kind == OWNER:
                _judge(made)
        return self.found


def _unpark(made: AssignmentFacts, at: datetime) -> None:
    if made.parked_since is not None:
        made.parked_seconds += max(0, int((at - made.parked_since).total_seconds()))
        made.parked_since = None


def _end(made: AssignmentFacts | None, at: datetime) -> None:
    if made is not None and made.ended_at is None:
        made.ended_at = at
        _unpark(made, at)


def _judge(made: AssignmentFacts) -> None:
    """Sets whether it was accepted in time and closed with every deadline met."""
    if made.accepted_at is not None:
        limit = made.accept_deadline
        made.accepted_on_time = limit is None or made.accepted_at <= limit
    if made.closed_at is None:
        made.closed_on_time = None
    else:
        made.closed_on_time = bool(
            made.reported_at is not None and made.accepted_on_time and made.late_reports == 0
        )
