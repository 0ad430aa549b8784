"""Operation actions from the pages: which forms a user sees now, form fields to the API's body
models, and refusals in plain words. Every action goes through operation_service.act."""

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
from web.operations import api
from web.operations import service as ops
from workflows.operation_rules import ALLOWED_FROM, ROLES

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
# Refusals of the workflow that deserve their own sentence.
KNOWN_DETAILS = {
    "leads the operation": "op.refuse.lead",
    "was overruled": "op.refuse.overruled",
    "sessions are still to run": "op.refuse.sessions_left",
    "already reported session": "op.refuse.already_reported",
    "is already case": "op.refuse.already_case",
    "has not started": "op.refuse.not_started",
    "at least one person": "op.refuse.people",
    "a count or a note": "op.refuse.finding_empty",
    "no session is left": "op.refuse.nothing_to_postpone",
    "later than the next session": "op.refuse.postpone_start",
    "must fall before the first session": "op.refuse.deadline_order",
    "must lie ahead": "op.refuse.past",
    "overlaps": "op.refuse.overlap",
    "ends before it starts": "op.refuse.ends_before",
    "named once each": "op.refuse.departments_once",
    "no day in the range": "op.refuse.no_days",
    "weekly needs weekdays": "op.refuse.weekdays",
    "last date is before": "op.refuse.last_before_first",
    "at most": "op.refuse.too_many",
    "unknown grid or street": "op.refuse.unknown_area",
    "either sessions": "op.refuse.no_sessions",
    "no department on the responsibility list": "refuse.no_route",
    "takes no more actions": "op.refuse.finished",
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


def allowed_forms(user: User, facts: Facts) -> dict[str, list[str]]:
    """Returns the forms the user may use now, each with its keys (finding, session, dept)."""
    status, out = facts.row.status, {}

    def may(action: str) -> bool:
        return user.role in ROLES[action] and status in ALLOWED_FROM[action]

    mine = facts.mine(user)
    if mine is not None:
        if mine.status == o.INVITED and may("confirm"):
            out["confirm"] = [""]
            if mine.role != o.LEAD and not mine.overruled:
                out["decline"] = [""]
        if mine.status == o.CONFIRMED and may("log-finding"):
            out["log-finding"] = [""]
        if may("spawn-case"):
            keys = [
                str(f.number)
                for f in facts.findings
                if f.department == mine.department and not f.case_number
            ]
            if keys:
                out["spawn-case"] = keys
        if may("report"):
            due = [
                str(r.session)
                for r in facts.reports
                if r.department == mine.department and r.status == "due"
            ]
            if due:
                out["report"] = due
    if may("rule-decline"):
        declined = [d.department for d in facts.departments if d.status == o.DECLINED]
        if declined:
            out["rule-decline"] = declined
    if may("postpone") and any(s.status == o.SCHEDULED for s in facts.sessions):
        out["postpone"] = [""]
    if may("close") and all(s.status == o.ENDED for s in facts.sessions):
        out["close"] = [""]
    if may("cancel"):
        out["cancel"] = [""]
    return {a: out[a] for a in UI_ORDER if a in out}


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
        return translate(lang, "refuse.invalid", field=what, detail=first.get("msg", "")), name
    return translate(lang, key, field=what), name


def refusal_message(lang: str, action: str, err: ApiError) -> tuple[str, str | None]:
    """Returns a refusal of the workflow or the API in plain words, and the field it names."""
    verb = label(lang, "opaction", action)
    name = err.extra.get("field")
    for needle, key in KNOWN_DETAILS.items():
        if needle in err.detail:
            return translate(lang, key), name
    if err.status_code == 403:
        return translate(lang, "op.refuse.forbidden", action=verb), None
    if err.status_code == 404:
        return translate(lang, "op.refuse.not_found"), None
    if err.status_code == 409:
        status, mine = err.extra.get("status"), err.extra.get("department_status")
        if mine:
            return translate(
                lang, "op.refuse.department", action=verb, status=label(lang, "opdept", mine)
            ), None
        if status:
            return translate(
                lang, "op.refuse.conflict", action=verb, status=label(lang, "opstatus", status)
            ), None
        return translate(lang, "op.refuse.conflict_plain", action=verb, detail=err.detail), None
    if err.status_code == 422 and name:
        what = field_label(lang, name.rsplit(".", 1)[-1])
        if "required" in err.detail:
            return translate(lang, "refuse.required", field=what), name
        return translate(lang, "refuse.invalid", field=what, detail=err.detail), name
    return err.detail, name


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
    client: Any, *, lang: str, user: User, operation_id: str, action: str, key: str, form: FormData
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
        await ops.act(client, operation_id=operation_id, update=update, inp=inp)
    except ApiError as err:
        message, named = refusal_message(lang, action, err)
        return Outcome(False, message, named, values)
    done = label(lang, "opaction", action)
    return Outcome(True, translate(lang, "op.done", action=done, id=operation_id))
