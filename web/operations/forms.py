"""Operation actions from the pages: which forms a user sees now (the action catalogue), form
fields to the API's body models, and refusals in plain words. Every action goes through
web/operations/service.act (the workflow)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from core import operation_payloads as o
from models.db import get_engine
from models.operation import (
    Operation,
    OperationDepartment,
    OperationFinding,
    OperationReport,
    OperationSession,
)
from models.user import User
from web.cases.service import actor_of
from web.kit.errors import ApiError
from web.kit.i18n import label, translate
from web.kit.refusals import refusal_words, role_names
from web.operations import api
from web.operations import service as ops
from workflows.operation_actions import OPERATION_ACTIONS, OperationFacts, refusal

# The order forms are offered in.
UI_ORDER = (
    "confirm",
    "decline",
    "log-finding",
    "spawn-case",
    "report",
    "rule-decline",
    "postpone",
    "close",
    "cancel",
)
# action -> (API body model, workflow update, builder of the update input from body, actor, key)
FORMS: dict[str, tuple[type[BaseModel], str, Callable[..., Any]]] = {
    "confirm": (
        api.ConfirmBody,
        "confirm",
        lambda b, a, k: o.ConfirmInput(actor=a, people=b.people, vehicles=b.vehicles, note=b.note),
    ),
    "decline": (
        api.ReasonBody,
        "decline",
        lambda b, a, k: o.DeclineInput(actor=a, reason=b.reason),
    ),
    "rule-decline": (
        api.RuleDeclineBody,
        "rule-decline",
        lambda b, a, k: o.RuleDeclineInput(
            actor=a, department=b.department, accept=b.accept, reason=b.reason
        ),
    ),
    "log-finding": (
        api.FindingBody,
        "log-finding",
        lambda b, a, k: o.FindingInput(
            actor=a, counts=b.counts.payload(), note=b.note, session=b.session
        ),
    ),
    "spawn-case": (
        api.SpawnCaseBody,
        "spawn-case",
        lambda b, a, k: o.SpawnCaseInput(
            actor=a,
            finding=int(k),
            category=b.category,
            grid=b.grid,
            address=b.address,
            description=b.description,
        ),
    ),
    "report": (
        api.ReportBody,
        "report",
        lambda b, a, k: o.SessionReportInput(
            actor=a, session=b.session, counts=b.counts.payload(), note=b.note
        ),
    ),
    "close": (api.NoteBody, "close", lambda b, a, k: o.CloseInput(actor=a, note=b.note)),
    "cancel": (api.ReasonBody, "cancel", lambda b, a, k: o.CancelInput(actor=a, reason=b.reason)),
    "postpone": (
        api.PostponeBody,
        "postpone",
        lambda b, a, k: o.PostponeInput(actor=a, reason=b.reason, start=b.start),
    ),
}


@dataclass
class Facts:
    """What the operation page shows and the forms depend on."""

    row: Operation
    departments: list[OperationDepartment]
    sessions: list[OperationSession]
    findings: list[OperationFinding]
    reports: list[OperationReport]

    def mine(self, user: User) -> OperationDepartment | None:
        """Returns the user's department in the operation, if a liaison of one."""
        if user.role != "liaison":
            return None
        return next((d for d in self.departments if d.department == user.department), None)

    def catalogue_facts(self, user: User) -> OperationFacts:
        """Returns what the action catalogue looks at, as the rows show it for the user."""
        return OperationFacts.of(self.row.status, self.mine(user), self.sessions)


def allowed_forms(user: User, facts: Facts) -> dict[str, list[str]]:
    """Returns the forms the user may use now, each with its keys (finding, session, dept)."""
    seen, actor = facts.catalogue_facts(user), actor_of(user)
    mine = facts.mine(user)
    # The keys a form acts on; the catalogue says whether the form is open at all.
    keys: dict[str, list[str]] = {
        "spawn-case": [
            str(f.number)
            for f in facts.findings
            if mine and f.department == mine.department and not f.case_number
        ],
        "report": [
            str(r.session)
            for r in facts.reports
            if mine and r.department == mine.department and r.status == "due"
        ],
        "rule-decline": [d.department for d in facts.departments if d.status == o.DECLINED],
    }
    out = {}
    for action in UI_ORDER:
        if refusal(action, actor, seen) is None and keys.get(action, [""]):
            out[action] = keys.get(action, [""])
    return out


def form_id(action: str, key: str = "") -> str:
    """Returns the element id of one form on the operation page."""
    return f"opf-{action}-{key}" if key else f"opf-{action}"


def _counts(form: FormData) -> dict[str, str]:
    return {k: str(form.get(k)).strip() for k in o.COUNT_KINDS if str(form.get(k) or "").strip()}


def form_data(action: str, form: FormData, key: str) -> dict[str, Any]:
    """Turns the fields of a form into the dict the API's body model validates."""
    text = {k: v.strip() for k, v in form.items() if isinstance(v, str) and v.strip()}
    names = FORMS[action][0].model_fields
    data: dict[str, Any] = {k: v for k, v in text.items() if k in names and k != "counts"}
    if "counts" in names:
        data["counts"] = _counts(form)
    if action == "rule-decline":
        data["department"] = key
        if form.get("accept") in ("yes", "no"):
            data["accept"] = form.get("accept") == "yes"
        else:
            data.pop("accept", None)
    if action == "report":
        data["session"] = key
    if action == "decline" or action == "cancel" or action == "postpone":
        data.setdefault("reason", "")
    return data


def field_label(lang: str, name: str) -> str:
    """Returns the label of a form field."""
    key = f"count.{name}" if name in o.COUNT_KINDS else f"op.field.{name}"
    return translate(lang, key)


def validation_message(lang: str, err: ValidationError) -> tuple[str, str]:
    """Returns a plain sentence for the first invalid field, and the field."""
    first = err.errors()[0]
    loc = [str(x) for x in first.get("loc", ())]
    name = loc[-1] if loc else "note"
    kind, what = first.get("type", ""), field_label(lang, name)
    if kind == "missing":
        key = "refuse.choose" if name in ("accept", "category", "grid") else "refuse.required"
    elif kind == "string_too_long":
        key = "refuse.too_long"
    elif kind == "string_too_short":
        key = "refuse.required"
    else:
        key = "refuse.invalid_value"
    return translate(lang, key, field=what), name


def refusal_message(lang: str, action: str, err: ApiError) -> tuple[str, str | None]:
    """Returns a refusal of the workflow or the API in plain words, and the field it names."""
    name = err.extra.get("field")
    entry = OPERATION_ACTIONS.get(action)
    words = {
        "action": label(lang, "opaction", action),
        "status": label(lang, "opstatus", err.extra.get("status")),
        "department_status": label(lang, "opdept", err.extra.get("department_status")),
        "field": field_label(lang, name.rsplit(".", 1)[-1]) if name else "",
        "roles": role_names(lang, entry.roles) if entry else "",
    }
    return refusal_words(lang, err, scope="op.", **words), name


@dataclass
class Outcome:
    """What happened to a form: done, or refused with a message for the form."""

    ok: bool
    message: str = ""
    error_field: str | None = None
    values: dict[str, str] = field(default_factory=dict)


def _check_spawn(inp: o.SpawnCaseInput) -> None:
    with Session(get_engine()) as session:
        ops.check_spawn(session, category=inp.category, grid=inp.grid)


async def run_form(
    client: Any,
    *,
    lang: str,
    user: User,
    operation_id: str,
    action: str,
    key: str,
    form: FormData,
    status: str | None = None,
) -> Outcome:
    """Validates a form, then runs the action through the workflow; never raises a refusal."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    model, update, build = FORMS[action]
    try:
        body = model.model_validate(form_data(action, form, key))
        inp = build(body, actor_of(user), key)
    except ValidationError as err:
        message, name = validation_message(lang, err)
        return Outcome(False, message, name, values)
    except ValueError:  # a finding or session key that is not a number
        return Outcome(False, translate(lang, "op.refuse.not_found"), None, values)
    try:
        if action == "spawn-case":
            await run_in_threadpool(_check_spawn, inp)
        await ops.act(client, operation_id=operation_id, update=update, inp=inp, status=status)
    except ApiError as err:
        message, named = refusal_message(lang, action, err)
        return Outcome(False, message, named, values)
    done = label(lang, "opaction", action)
    return Outcome(True, translate(lang, "op.done", action=done, id=operation_id))
