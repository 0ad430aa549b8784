"""The joint-operation action catalogue: for each action who may take it, from which states of the
operation and of the actor's department, which fields it needs, and the reason code when refused.

The update validators (workflows/operation_rules.py), the API routes' OpenAPI text
(web/operations/api.py) and the forms an operation page offers (web/operations/forms.py) all read
OPERATION_ACTIONS and `refusal`. Pure: the stdlib and core only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core import operation_payloads as o
from core import payloads as p
from core import refusals as r
from core.refusals import Refusal
from workflows.catalogue import (
    PARTICIPATING,
    Action,
    Guard,
    guard_refusal,
    role_refusal,
    state_refusal,
)

COORDINATOR, SUPERVISOR, LIAISON = "coordinator", "supervisor", "liaison"
_BEFORE_END = (o.CONFIRMING, o.RUNNING, o.REPORTING)
_STARTED = (o.RUNNING, o.REPORTING, o.COMPLETED)


@dataclass(frozen=True)
class OperationFacts:
    """What the catalogue looks at: read alike from the workflow's state and from the rows."""

    status: str
    department_status: str | None = None  # the actor's department; None when it takes no part
    lead: bool = False
    overruled: bool = False
    sessions: tuple[str, ...] = ()  # the status of each session

    @classmethod
    def of(cls, status: str, mine: Any, sessions: Iterable[Any]) -> OperationFacts:
        """Returns the facts of an operation, from the workflow's state or from the rows: its
        status, the actor's department in it (None when it takes no part), its sessions."""
        return cls(
            status=status,
            department_status=mine.status if mine else None,
            lead=bool(mine and mine.role == o.LEAD),
            overruled=bool(mine and mine.overruled),
            sessions=tuple(s.status for s in sessions),
        )

    @classmethod
    def of_state(cls, state: o.OperationState, department: str | None) -> OperationFacts:
        """Returns the facts of the workflow's state for the actor's `department`."""
        return cls.of(state.status, state.department(department), state.sessions)


_NOT_LEAD = Guard(r.LEAD_CANNOT_DECLINE, "the lead department cannot decline", lambda f: not f.lead)
_NOT_OVERRULED = Guard(
    r.DECLINE_OVERRULED,
    "the department's decline was overruled; it must take part",
    lambda f: not f.overruled,
)
_ALL_ENDED = Guard(
    r.SESSIONS_LEFT,
    "sessions are still to run; cancel the operation instead",
    lambda f: all(s == o.ENDED for s in f.sessions),
)
_ONE_LEFT = Guard(
    r.NOTHING_TO_POSTPONE,
    "no session is left to postpone",
    lambda f: any(s == o.SCHEDULED for s in f.sessions),
)

_ENTRIES = (
    Action(
        "launch",
        "Launches a joint operation: explicit sessions or a recurrence.",
        (COORDINATOR,),
        (),
        required=("title", "lead"),
        codes=(
            r.INVALID_VALUE,
            r.DEPARTMENTS_REPEATED,
            r.NO_SESSIONS,
            r.TOO_MANY_SESSIONS,
            r.ENDS_BEFORE_START,
            r.SESSIONS_OVERLAP,
            r.DEADLINE_AFTER_START,
            r.IN_THE_PAST,
            r.NO_MATCHING_DAY,
            r.WEEKDAYS_REQUIRED,
            r.LAST_BEFORE_FIRST,
        ),
    ),
    Action(
        "confirm",
        "The liaison confirms its department's part with the people and vehicles it sends.",
        (LIAISON,),
        _BEFORE_END,
        department=PARTICIPATING,
        department_from=(o.INVITED,),
        codes=(r.NO_PEOPLE, r.INVALID_VALUE),
    ),
    Action(
        "decline",
        "The liaison declines with a reason; the coordinator or supervisor rules on it.",
        (LIAISON,),
        _BEFORE_END,
        department=PARTICIPATING,
        department_from=(o.INVITED,),
        guards=(_NOT_LEAD, _NOT_OVERRULED),
        required=("reason",),
    ),
    Action(
        "rule-decline",
        "Accepts a department's decline, or overrules it with a reason.",
        (COORDINATOR, SUPERVISOR),
        _BEFORE_END,
        required=("department",),
        codes=(r.INVALID_VALUE, r.NOT_DECLINED),
    ),
    Action(
        "log-finding",
        "A confirmed department logs what it found in a session (the current one by default).",
        (LIAISON,),
        _STARTED,
        department=PARTICIPATING,
        department_from=(o.CONFIRMED,),
        codes=(r.INVALID_VALUE, r.EMPTY_FINDING, r.SESSION_NOT_STARTED),
    ),
    Action(
        "spawn-case",
        "Turns the department's finding into a case dispatched by the responsibility list.",
        (LIAISON,),
        _STARTED,
        department=PARTICIPATING,
        required=("category", "grid", "address", "description"),
        codes=(r.INVALID_VALUE, r.ALREADY_CASE, r.NO_ROUTE),
    ),
    Action(
        "report",
        "The department files its report of an ended session.",
        (LIAISON,),
        (o.RUNNING, o.REPORTING),
        department=PARTICIPATING,
        codes=(r.INVALID_VALUE, r.REPORT_NOT_DUE, r.ALREADY_REPORTED),
    ),
    Action(
        "close",
        "Closes the operation with a summary totalling every report.",
        (COORDINATOR,),
        (o.REPORTING, o.COMPLETED),
        guards=(_ALL_ENDED,),
    ),
    Action(
        "cancel",
        "Cancels the operation with a reason.",
        (COORDINATOR, SUPERVISOR),
        _BEFORE_END,
        required=("reason",),
    ),
    Action(
        "postpone",
        "Moves the sessions not yet run to start at `start`, with a reason.",
        (COORDINATOR,),
        (o.CONFIRMING, o.REPORTING),
        guards=(_ONE_LEFT,),
        required=("reason",),
        codes=(r.START_TOO_EARLY,),
    ),
)
OPERATION_ACTIONS: dict[str, Action] = {a.name: a for a in _ENTRIES}


def refusal(action: str, actor: p.Actor, facts: OperationFacts) -> Refusal | None:
    """Returns why `actor` may not take `action` on an operation with `facts` now, or None.

    Looks at the role, the department, the statuses and the guards; the fields and the session,
    finding or report an action names are checked after (workflows/operation_rules.py).
    """
    entry = OPERATION_ACTIONS[action]
    refused = role_refusal(entry, actor.role)
    if refused is None and entry.department == PARTICIPATING and facts.department_status is None:
        refused = Refusal(
            r.WRONG_DEPARTMENT, f"department {actor.department or '-'} does not take part"
        )
    if refused is None:
        refused = state_refusal(entry, facts.status, "the operation")
    mine = facts.department_status
    if refused is None and entry.department_from and mine not in entry.department_from:
        refused = Refusal(
            r.WRONG_DEPARTMENT_STATE,
            f"department {actor.department} is {mine}; {action} needs "
            f"{' or '.join(entry.department_from)}",
            status=facts.status,
            department_status=mine,
        )
    if refused is None:
        refused = guard_refusal(entry, facts, status=facts.status, department_status=mine)
    return refused
