"""The checks behind every case update validator, as the action catalogue says them.

Who, which department, which states and guards come from workflows/case_actions.py; then the
fields the catalogue names, and the two checks that compare fields with each other. Each refusal
is the non-retryable ApplicationError of core.refusals; the checks never change the state.
"""

from __future__ import annotations

from collections.abc import Callable

from core import payloads as p
from core import refusals as r
from core.refusals import Refusal
from workflows.case_actions import CASE_ACTIONS, CaseFacts, refusal
from workflows.catalogue import field_refusal


def _arbitrate(inp: p.ArbitrateInput) -> Refusal | None:
    if inp.interim_department and inp.interim_department == inp.department:
        return Refusal(
            r.INTERIM_IS_OWNER,
            "the interim handler must differ from the owner",
            field="interim_department",
        )
    if inp.rule_scope is not None and (not inp.make_rule or inp.rule_scope not in p.RULE_SCOPES):
        scopes = ", ".join(p.RULE_SCOPES)
        message = f"rule_scope must be one of {scopes}, with make_rule"
        return Refusal(r.INVALID_VALUE, message, field="rule_scope")
    return None


def _callback(inp: p.CallbackInput) -> Refusal | None:
    if inp.reopen and inp.satisfaction != "dissatisfied":
        return Refusal(
            r.INVALID_VALUE, "only a dissatisfied callback can reopen the case", field="reopen"
        )
    return None


# Checks across fields, after the catalogue's own.
_ACROSS: dict[str, Callable[..., Refusal | None]] = {
    "arbitrate": _arbitrate,
    "callback": _callback,
}


def check(action: str, state: p.CaseState, inp: object, *, by_input: bool = True) -> None:
    """Runs every check of `action` against the state; raises the first refusal.

    `by_input=False` leaves out the checks of the input alone (the validator made them).
    """
    actor: p.Actor = inp.actor  # type: ignore[attr-defined]
    option = getattr(inp, "action", None) if action == "override" else None
    refused = refusal(action, actor, CaseFacts.of_state(state), option)
    if refused is None and by_input:
        entry = CASE_ACTIONS[action]
        fields = entry.option(option) or entry
        refused = field_refusal(fields, inp)
    if refused is None and by_input and action in _ACROSS:
        refused = _ACROSS[action](inp)
    if refused is not None:
        raise refused.error()
