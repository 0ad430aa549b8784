"""The case action catalogue: for each action who may take it, from which states, which fields it
needs, and the reason code when refused.

The update validators (workflows/rules.py), the API routes' OpenAPI text (web/cases/actions.py)
and the buttons a case page shows (web/cases/forms.py) all read CASE_ACTIONS and `refusal`.
Pure: the stdlib and core only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import payloads as p
from core import refusals as r
from core.refusals import Refusal
from workflows.catalogue import (
    CASE_DEPARTMENT,
    INTERIM_HANDLER,
    Action,
    Guard,
    choice_refusal,
    guard_refusal,
    role_refusal,
    state_refusal,
)

COORDINATOR, SUPERVISOR, LIAISON = "coordinator", "supervisor", "liaison"
INSPECTOR, CITIZEN = "inspector", "citizen"
# Every status from the first dispatch until the case is reported done.
_HANDLED = (p.DISPATCHED, p.IN_PROGRESS, p.BOUNCED, p.DISPUTED, p.PARKED, p.REPORTED)
_OPEN = tuple(s for s in p.STATUSES if s not in p.FINAL_STATUSES)


@dataclass(frozen=True)
class CaseFacts:
    """What the catalogue looks at: read alike from the workflow's state and from the case row."""

    status: str
    department: str | None = None
    interim_department: str | None = None
    interim_done: bool = False
    extension_pending: bool = False
    has_clock: bool = False
    rated: bool = False  # the reporter has rated the work now reported
    archived: bool = False  # closed long enough ago that its workflow has ended (ARCHIVE_AFTER)

    @classmethod
    def of(
        cls, case: Any, *, extension_pending: bool, has_clock: bool, archived: bool = False
    ) -> CaseFacts:
        """Returns the facts of a case: the workflow's state or the projection's row."""
        return cls(
            status=case.status,
            department=case.department,
            interim_department=case.interim_department,
            interim_done=case.interim_done,
            extension_pending=extension_pending,
            has_clock=has_clock,
            rated=case.reporter_rating is not None,
            archived=archived,
        )

    @classmethod
    def of_state(cls, state: p.CaseState) -> CaseFacts:
        """Returns the facts of the workflow's state."""
        pending, clock = state.extension is not None, state.clock is not None
        return cls.of(state, extension_pending=pending, has_clock=clock)


_NOT_ASKED = Guard(
    r.EXTENSION_PENDING, "an extension is already pending", lambda f: not f.extension_pending
)
_ASKED = Guard(r.NO_EXTENSION_PENDING, "no extension is pending", lambda f: f.extension_pending)
_NOT_MADE_SAFE = Guard(
    r.INTERIM_ALREADY_REPORTED,
    "the interim handler has reported already",
    lambda f: not f.interim_done,
)
_CLOCK = Guard(r.NO_CLOCK, "no clock is running to extend", lambda f: f.has_clock)
_LIVE = Guard(
    r.ARCHIVED, "the case is archived: its file is closed for good", lambda f: not f.archived
)
_OWNED = Guard(r.NO_DEPARTMENT, "the case has no department to reopen at", lambda f: f.department)
_NOT_RATED = Guard(
    r.ALREADY_RATED, "the reporter has rated this result already", lambda f: not f.rated
)
_LIMIT = (("unit", p.LIMIT_UNITS),)
# Sending the work back for rework needs a reason the department can act on.
_REWORK_REASON_VERIFY = (("note", "passed", False),)
_REWORK_REASON_CALLBACK = (("note", "reopen", True),)

OVERRIDES = (
    Action(
        "reassign",
        "Dispatches the case to another department at once.",
        (SUPERVISOR,),
        _HANDLED,
        required=("reason", "department"),
    ),
    Action(
        "extend",
        "Moves the running clock's deadline.",
        (SUPERVISOR,),
        (p.DISPATCHED, p.IN_PROGRESS),
        required=("reason",),
        positive=("amount",),
        choices=_LIMIT,
        guards=(_CLOCK,),
    ),
    Action("close", "Closes the case.", (SUPERVISOR,), _OPEN, required=("reason",)),
    Action(
        "reopen",
        "Reopens a closed case at its department.",
        (SUPERVISOR,),
        (p.CLOSED,),
        required=("reason",),
        guards=(_LIVE, _OWNED),
    ),
)

_ENTRIES = (
    Action("register", "Registers a new report as a case (立案).", (COORDINATOR,), (p.NEW,)),
    Action(
        "void",
        "Voids an invalid, duplicate or out-of-scope report.",
        (COORDINATOR,),
        (p.NEW, p.REGISTERED),
        required=("reason",),
    ),
    Action(
        "dispatch",
        "Dispatches the case to a department (by default the one the responsibility list names) "
        "and starts the accept clock.",
        (COORDINATOR,),
        (p.REGISTERED, p.BOUNCED),
        required=("department",),
        codes=(r.NO_ROUTE,),
    ),
    Action(
        "accept",
        "Accepts the case; the handling clock starts.",
        (LIAISON,),
        (p.DISPATCHED,),
        department=CASE_DEPARTMENT,
    ),
    Action(
        "bounce",
        "Sends the case back as not the department's; the second bounce makes it disputed.",
        (LIAISON,),
        (p.DISPATCHED,),
        department=CASE_DEPARTMENT,
        required=("reason",),
    ),
    Action(
        "arbitrate",
        "Rules which department owns the case (确权), optionally naming an interim handler, and "
        "dispatches it there; `make_rule` writes the ruling into the responsibility list for the "
        "case's `rule_scope`: grid, community or street (the default).",
        (SUPERVISOR,),
        (p.DISPUTED, p.BOUNCED),
        required=("department",),
        codes=(r.INTERIM_IS_OWNER, r.INVALID_VALUE),
    ),
    Action(
        "request-extension",
        "Asks for more time; the coordinator or supervisor decides.",
        (LIAISON,),
        (p.IN_PROGRESS,),
        department=CASE_DEPARTMENT,
        required=("reason",),
        positive=("amount",),
        choices=_LIMIT,
        guards=(_NOT_ASKED,),
    ),
    Action(
        "decide-extension",
        "Approves (the deadline moves) or denies the pending extension request.",
        (COORDINATOR, SUPERVISOR),
        (p.IN_PROGRESS, p.PARKED),
        guards=(_ASKED,),
    ),
    Action(
        "report",
        "Reports the work done, with photos.",
        (LIAISON,),
        (p.IN_PROGRESS,),
        department=CASE_DEPARTMENT,
        required=("note",),
    ),
    Action(
        "verify",
        "Verifies the work: passed, or back to the department for rework with a note saying why.",
        (COORDINATOR, INSPECTOR),
        (p.REPORTED,),
        required_when=_REWORK_REASON_VERIFY,
    ),
    Action(
        "callback",
        "Records the reporter's satisfaction and closes the case, or reopens it for rework.",
        (COORDINATOR,),
        (p.VERIFIED,),
        required_when=_REWORK_REASON_CALLBACK,
        choices=(("satisfaction", p.SATISFACTIONS),),
        codes=(r.INVALID_VALUE,),
    ),
    Action(
        "rate",
        "The reporter's own rating from the public page, once per result: satisfied closes the "
        "case, dissatisfied leaves it to the coordinator's callback.",
        (CITIZEN,),
        (p.VERIFIED,),
        choices=(("satisfaction", p.SATISFACTIONS[:3]),),
        guards=(_NOT_RATED,),
    ),
    Action(
        "interim-report",
        "The interim handler reports the site made safe (先行处置).",
        (LIAISON,),
        _HANDLED,
        department=INTERIM_HANDLER,
        required=("note",),
        guards=(_NOT_MADE_SAFE,),
    ),
    Action(
        "urge",
        "Records a 督办 and notifies the department.",
        (COORDINATOR, SUPERVISOR),
        _HANDLED,
        required=("note",),
    ),
    Action(
        "park",
        "Stops the clock (挂账).",
        (SUPERVISOR,),
        (p.DISPATCHED, p.IN_PROGRESS),
        required=("reason",),
    ),
    Action("unpark", "Restarts the clock.", (SUPERVISOR,), (p.PARKED,), required=("reason",)),
    Action(
        "override",
        "Forces a stuck case on: reassign, extend, close or reopen.",
        (SUPERVISOR,),
        (),
        options=OVERRIDES,
    ),
)
CASE_ACTIONS: dict[str, Action] = {a.name: a for a in _ENTRIES}


def _stranger(action: Action, department: str | None, facts: CaseFacts) -> Refusal | None:
    """Refuses a liaison whose department is not the one the action's department rule names."""
    if action.department == CASE_DEPARTMENT:
        if department is None or department != facts.department:
            return Refusal(
                r.WRONG_DEPARTMENT,
                f"the case is with department {facts.department or '-'}, not {department or '-'}",
            )
    elif action.department == INTERIM_HANDLER:
        if department is None or department != facts.interim_department:
            return Refusal(
                r.WRONG_DEPARTMENT, f"{department or '-'} is not the case's interim handler"
            )
    return None


def override_options(facts: CaseFacts) -> tuple[str, ...]:
    """Returns the overrides a case with `facts` allows now, whatever the role."""
    return tuple(o.name for o in OVERRIDES if _option_refusal(o, facts) is None)


def _option_refusal(option: Action, facts: CaseFacts) -> Refusal | None:
    return state_refusal(option, facts.status, "the case", f"override {option.name}") or (
        guard_refusal(option, facts, status=facts.status)
    )


def refusal(
    action: str, actor: p.Actor, facts: CaseFacts, option: str | None = None
) -> Refusal | None:
    """Returns why `actor` may not take `action` (with the override `option`) now, or None.

    Looks at the role, the department, the status and the guards; the fields are checked after
    (workflows/rules.py).
    """
    entry = CASE_ACTIONS[action]
    refused = role_refusal(entry, actor.role)
    if refused is not None:
        return refused
    if entry.options:
        chosen = entry.option(option)
        if chosen is None:
            return choice_refusal("action", option, tuple(o.name for o in entry.options))
        return _option_refusal(chosen, facts)
    stranger = _stranger(entry, actor.department, facts)
    # A case with no department (bounced, disputed) answers with its status: the liaison who lost
    # a race to a colleague's bounce hears that it was bounced (409), not that it is not theirs.
    if stranger is not None and facts.department is not None:
        return stranger
    return (
        state_refusal(entry, facts.status, "the case")
        or stranger
        or guard_refusal(entry, facts, status=facts.status)
    )
