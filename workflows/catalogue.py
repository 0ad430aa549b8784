"""What an entry of an action catalogue says, and the checks every catalogue shares.

workflows/case_actions.py and workflows/operation_actions.py each hold one table of `Action`s.
The update validators, the API's OpenAPI text and the buttons a page shows all read them, so they
cannot disagree. Pure: the stdlib and core only, so the web may import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core import refusals as r
from core.refusals import Refusal

# Department rules: whose liaison may take an action.
CASE_DEPARTMENT = "case_department"  # the liaison of the case's current department
INTERIM_HANDLER = "interim_handler"  # the liaison of the case's interim handler (先行处置单位)
PARTICIPATING = "participating"  # the liaison of a department taking part in the operation
_WHOSE = {
    CASE_DEPARTMENT: "of the case's department",
    INTERIM_HANDLER: "of the case's interim handler (先行处置单位)",
    PARTICIPATING: "of a department taking part",
}


@dataclass(frozen=True)
class Guard:
    """A condition beyond the status (an extension pending, a clock running) and its refusal."""

    code: str
    message: str
    holds: Callable[[Any], bool]


@dataclass(frozen=True)
class Action:
    """One action: who may take it, from which states, with which fields; why it is refused."""

    name: str
    summary: str
    roles: tuple[str, ...]
    start_from: tuple[str, ...]
    department: str | None = None  # CASE_DEPARTMENT, INTERIM_HANDLER, PARTICIPATING or anyone
    department_from: tuple[str, ...] = ()  # the statuses the actor's department must be in
    required: tuple[str, ...] = ()  # text fields that must not be blank
    # (text field, another field, its value): the text is required only when the other has it
    required_when: tuple[tuple[str, str, Any], ...] = ()
    positive: tuple[str, ...] = ()  # number fields that must be above zero
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field, the values it may take)
    guards: tuple[Guard, ...] = ()
    codes: tuple[str, ...] = ()  # further codes the action's own field checks refuse with
    options: tuple[Action, ...] = ()  # the sub-actions of `override`, chosen by its `action`

    def option(self, name: str | None) -> Action | None:
        """Returns the sub-action called `name`, or None."""
        return next((o for o in self.options if o.name == name), None)

    def refusal_codes(self) -> tuple[str, ...]:
        """Returns every code the action may be refused with (for its OpenAPI text)."""
        codes = [r.WRONG_ROLE]
        if self.department:
            codes.append(r.WRONG_DEPARTMENT)
        if self.start_from or self.options:
            codes.append(r.WRONG_STATE)
        if self.department_from:
            codes.append(r.WRONG_DEPARTMENT_STATE)
        codes += [g.code for g in self.guards]
        if self.required or self.required_when or self.positive or self.choices:
            codes.append(r.MISSING_FIELD)
        if self.positive or self.choices:
            codes.append(r.INVALID_VALUE)
        codes += self.codes
        for sub in self.options:
            codes += sub.refusal_codes()
        return tuple(dict.fromkeys(codes))

    def describe(self) -> str:
        """Returns the OpenAPI description (its summary is the title): who, from which states,
        with which fields, refused with which codes."""
        who = " or ".join(self.roles)
        if self.department:
            who += f" {_WHOSE[self.department]}"
        lines = [f"- **Who:** {who}"]
        if self.options:
            lines.append(f"- **`action`:** one of {', '.join(o.name for o in self.options)}")
            lines += [f"- **`action={o.name}`:** {_states_and_fields(o)}" for o in self.options]
        else:
            lines.append(f"- {_states_and_fields(self)}")
        if self.department_from:
            lines.append(f"- **Your department:** {', '.join(self.department_from)}")
        refused = ", ".join(f"`{c}` ({r.HTTP_STATUS[r.KINDS[c]]})" for c in self.refusal_codes())
        lines.append(f"- **Refused with** (`code` of the error body): {refused}")
        return "\n".join(lines)


def _states_and_fields(action: Action) -> str:
    states = ", ".join(action.start_from) or "(starts a new one)"
    fields = [*action.required, *action.positive, *(name for name, _ in action.choices)]
    fields += [f"{name} when {when} is {_value(v)}" for name, when, v in action.required_when]
    needs = f"; **requires:** {', '.join(fields)}" if fields else ""
    return f"**From:** {states}{needs}"


def _value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def role_refusal(action: Action, role: str) -> Refusal | None:
    """Refuses a role that may not take the action."""
    if role in action.roles:
        return None
    return Refusal(
        r.WRONG_ROLE, f"role {role} may not {action.name}; needs {' or '.join(action.roles)}"
    )


def state_refusal(action: Action, status: str, what: str, verb: str = "") -> Refusal | None:
    """Refuses an action the status of `what` (the case, the operation) does not allow."""
    if status in action.start_from:
        return None
    allowed = " or ".join(action.start_from)
    return Refusal(
        r.WRONG_STATE,
        f"{what} is {status}; {verb or action.name} needs {allowed}",
        status=status,
    )


def guard_refusal(action: Action, facts: Any, **named: str | None) -> Refusal | None:
    """Refuses with the first guard of the action that does not hold."""
    for guard in action.guards:
        if not guard.holds(facts):
            return Refusal(guard.code, guard.message, **named)
    return None


def choice_refusal(field: str, value: Any, allowed: tuple[str, ...]) -> Refusal | None:
    """Refuses a blank choice or a value that is not among those allowed."""
    if _blank(value):
        return Refusal(r.MISSING_FIELD, f"{field} is required", field=field)
    if value not in allowed:
        return Refusal(r.INVALID_VALUE, f"{field} must be one of {', '.join(allowed)}", field=field)
    return None


def field_refusal(action: Action, inp: object) -> Refusal | None:
    """Refuses a blank required field, a number not above zero or a value not among the choices."""
    for name in action.required:
        if _blank(getattr(inp, name, None)):
            return Refusal(r.MISSING_FIELD, f"{name} is required", field=name)
    for name, when, value in action.required_when:
        if getattr(inp, when, None) == value and _blank(getattr(inp, name, None)):
            message = f"{name} is required when {when} is {_value(value)}"
            return Refusal(r.MISSING_FIELD, message, field=name)
    for name in action.positive:
        value = getattr(inp, name, None)
        if value is None:
            return Refusal(r.MISSING_FIELD, f"{name} is required", field=name)
        if value <= 0:
            return Refusal(r.INVALID_VALUE, f"{name} must be a positive number", field=name)
    for name, allowed in action.choices:
        refused = choice_refusal(name, getattr(inp, name, None), allowed)
        if refused is not None:
            return refused
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
