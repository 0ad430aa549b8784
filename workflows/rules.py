"""Who may do what to a case, and when: the checks behind every update validator.

Each check raises a non-retryable ApplicationError whose `type` is the refusal kind the API maps
to a status code: `forbidden` (403), `conflict` (409, current status in details), `invalid` (422,
field in details). The checks read the state and never change it.
"""

from __future__ import annotations

from core import payloads as p
from core.refusals import conflict, forbidden, invalid

# Statuses each action may start from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "register": (p.NEW,),
    "void": (p.NEW, p.REGISTERED),
    "dispatch": (p.REGISTERED, p.BOUNCED),
    "accept": (p.DISPATCHED,),
    "bounce": (p.DISPATCHED,),
    "arbitrate": (p.DISPUTED, p.BOUNCED),
    "request-extension": (p.IN_PROGRESS,),
    "decide-extension": (p.IN_PROGRESS, p.PARKED),
    "report": (p.IN_PROGRESS,),
    "verify": (p.REPORTED,),
    "callback": (p.VERIFIED,),
    "interim-report": (p.DISPATCHED, p.IN_PROGRESS, p.BOUNCED, p.DISPUTED, p.PARKED, p.REPORTED),
    "rate": (p.VERIFIED,),
    "urge": (p.DISPATCHED, p.IN_PROGRESS, p.BOUNCED, p.DISPUTED, p.PARKED, p.REPORTED),
    "park": (p.DISPATCHED, p.IN_PROGRESS),
    "unpark": (p.PARKED,),
}
OVERRIDE_FROM: dict[str, tuple[str, ...]] = {
    "reassign": (p.DISPATCHED, p.IN_PROGRESS, p.BOUNCED, p.DISPUTED, p.PARKED, p.REPORTED),
    "extend": (p.DISPATCHED, p.IN_PROGRESS),
    "close": tuple(s for s in p.STATUSES if s not in p.FINAL_STATUSES),
    "reopen": (p.CLOSED,),
}

ROLES: dict[str, tuple[str, ...]] = {
    "register": ("coordinator",),
    "void": ("coordinator",),
    "dispatch": ("coordinator",),
    "accept": ("liaison",),
    "bounce": ("liaison",),
    "arbitrate": ("supervisor",),
    "request-extension": ("liaison",),
    "decide-extension": ("coordinator", "supervisor"),
    "report": ("liaison",),
    "verify": ("coordinator", "inspector"),
    "callback": ("coordinator",),
    "rate": ("citizen",),
    "interim-report": ("liaison",),
    "urge": ("coordinator", "supervisor"),
    "park": ("supervisor",),
    "unpark": ("supervisor",),
    "override": ("supervisor",),
}
# Actions only the liaison of the case's current department may take.
DEPARTMENT_ACTIONS = ("accept", "bounce", "request-extension", "report")


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def check_role(action: str, actor: p.Actor) -> None:
    """Refuses a role that may not take `action`."""
    roles = ROLES[action]
    if actor.role not in roles:
        raise forbidden(f"role {actor.role} may not {action}; needs {' or '.join(roles)}")


def check_department(action: str, state: p.CaseState, actor: p.Actor) -> None:
    """Refuses a liaison acting on a case that is with another department."""
    if action == "interim-report":
        if actor.department is None or actor.department != state.interim_department:
            raise forbidden(
                f"{actor.department or '-'} is not the interim handler of case {state.number}"
            )
    elif action in DEPARTMENT_ACTIONS and actor.department != state.department:
        raise forbidden(
            f"case {state.number} is with department {state.department or '-'}, "
            f"not {actor.department or '-'}"
        )


def check_status(action: str, state: p.CaseState, allowed: tuple[str, ...] | None = None) -> None:
    """Refuses an action the case's current status does not allow."""
    allowed = allowed if allowed is not None else ALLOWED_FROM[action]
    if state.status not in allowed:
        raise conflict(
            f"case {state.number} is {state.status}; {action} needs {' or '.join(allowed)}",
            state.status,
        )


def check_reason(text: str | None, field: str = "reason") -> None:
    """Refuses a missing reason."""
    if _blank(text):
        raise invalid(f"{field} is required", field)


def check_limit(amount: float | None, unit: str | None) -> None:
    """Refuses a time amount that is not positive or a unit that is not known."""
    if amount is None or amount <= 0:
        raise invalid("amount must be a positive number", "amount")
    if unit not in p.LIMIT_UNITS:
        raise invalid(f"unit must be one of {', '.join(p.LIMIT_UNITS)}", "unit")


def check(action: str, state: p.CaseState, inp: object) -> None:
    """Runs every check of `action` against the state; raises the first refusal."""
    actor: p.Actor = inp.actor  # type: ignore[attr-defined]
    check_role(action, actor)
    if action == "override":
        _check_override(state, inp)  # type: ignore[arg-type]
        return
    # A case with no department (bounced, disputed) answers with its status: the liaison who lost
    # a race to a colleague's bounce hears that it was bounced (409), not that it is not theirs.
    if state.department is not None:
        check_department(action, state, actor)
    check_status(action, state)
    check_department(action, state, actor)
    _check_fields(action, state, inp)


def _check_fields(action: str, state: p.CaseState, inp: object) -> None:
    if action in ("void", "bounce", "park", "unpark"):
        check_reason(inp.reason)  # type: ignore[attr-defined]
    elif action == "interim-report":
        check_reason(inp.note, "note")  # type: ignore[attr-defined]
        if state.interim_done:
            raise conflict(
                f"case {state.number}: the interim handler has reported already", state.status
            )
    elif action in ("report", "urge"):
        check_reason(inp.note, "note")  # type: ignore[attr-defined]
    elif action == "dispatch":
        if _blank(inp.department):  # type: ignore[attr-defined]
            raise invalid("department is required", "department")
    elif action == "arbitrate":
        if _blank(inp.department):  # type: ignore[attr-defined]
            raise invalid("department is required", "department")
        if inp.interim_department == inp.department:  # type: ignore[attr-defined]
            raise invalid("the interim handler must differ from the owner", "interim_department")
    elif action == "request-extension":
        check_limit(inp.amount, inp.unit)  # type: ignore[attr-defined]
        check_reason(inp.reason)  # type: ignore[attr-defined]
        if state.extension is not None:
            raise conflict(f"case {state.number} already has an extension pending", state.status)
    elif action == "decide-extension":
        if state.extension is None:
            raise conflict(f"case {state.number} has no extension pending", state.status)
    elif action == "callback":
        if inp.satisfaction not in p.SATISFACTIONS:  # type: ignore[attr-defined]
            raise invalid(
                f"satisfaction must be one of {', '.join(p.SATISFACTIONS)}", "satisfaction"
            )
        if inp.reopen and inp.satisfaction != "dissatisfied":  # type: ignore[attr-defined]
            raise invalid("only a dissatisfied callback can reopen the case", "reopen")
    elif action == "rate":
        if inp.satisfaction not in p.SATISFACTIONS[:3]:  # type: ignore[attr-defined]
            raise invalid(
                f"satisfaction must be one of {', '.join(p.SATISFACTIONS[:3])}", "satisfaction"
            )


def _check_override(state: p.CaseState, inp: p.OverrideInput) -> None:
    if inp.action not in p.OVERRIDE_ACTIONS:
        raise invalid(f"action must be one of {', '.join(p.OVERRIDE_ACTIONS)}", "action")
    check_reason(inp.reason)
    check_status(f"override {inp.action}", state, OVERRIDE_FROM[inp.action])
    if inp.action == "reassign" and _blank(inp.department):
        raise invalid("department is required to reassign", "department")
    if inp.action == "extend":
        check_limit(inp.amount, inp.unit)
        if state.clock is None:
            raise conflict(f"case {state.number} has no running clock to extend", state.status)
    if inp.action == "reopen" and not state.department:
        raise conflict(f"case {state.number} has no department to reopen at", state.status)
