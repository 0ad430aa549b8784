"""Case actions from the pages: which a user may take now, form fields to the API's body models,
and refusals in plain words. Every action goes through case_actions.perform (the workflow)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from core import payloads as p
from models.case import Case
from models.user import User
from web.cases.actions import ACTIONS, perform
from web.cases.uploads import PhotoRefused, discard, save_photos
from web.kit.errors import ApiError
from web.kit.i18n import label, translate
from workflows.rules import ALLOWED_FROM, DEPARTMENT_ACTIONS, OVERRIDE_FROM, ROLES

# The order actions are offered in; "register-dispatch" is the two-in-one of the console.
UI_ORDER = (
    "register-dispatch",
    "register",
    "dispatch",
    "void",
    "accept",
    "bounce",
    "report",
    "interim-report",
    "request-extension",
    "verify",
    "callback",
    "decide-extension",
    "arbitrate",
    "urge",
    "park",
    "unpark",
    "override",
)
PAGE_ACTIONS = UI_ORDER
BOOL_FIELDS = ("make_rule", "reopen")
YES_NO_FIELDS = ("approve", "passed")
CHOICE_FIELDS = (
    *YES_NO_FIELDS,
    "satisfaction",
    "unit",
    "action",
    "category",
    "grid",
    "channel",
    "department",
)
# Field labels that differ by action.
FIELD_LABELS = {
    ("bounce", "reason"): "field.bounce_reason",
    ("arbitrate", "department"): "field.owner",
    ("override", "action"): "field.override_action",
}
# Refusal details of the workflow that deserve their own sentence.
KNOWN_DETAILS = {
    "already has an extension pending": "refuse.extension_pending",
    "has no extension pending": "refuse.no_extension",
    "no running clock": "refuse.no_clock",
    "interim handler must differ": "refuse.interim_same",
    "names no department": "refuse.no_route",
}


def extension_pending(row: Case) -> bool:
    """Tells whether the department's extension request awaits a decision."""
    return bool(row.extension_pending)


def override_choices(row: Case) -> list[str]:
    """Returns the overrides (reassign, extend, close, reopen) the case's status allows."""
    out = []
    for action in p.OVERRIDE_ACTIONS:
        if row.status not in OVERRIDE_FROM[action]:
            continue
        if action == "extend" and row.yellow_at is None:  # no running clock
            continue
        if action == "reopen" and not row.department:
            continue
        out.append(action)
    return out


def _may(user: User, row: Case, action: str) -> bool:
    if user.role not in ROLES.get(action, ()):
        return False
    if action in DEPARTMENT_ACTIONS and user.department != row.department:
        return False
    if action == "interim-report" and (
        user.department != row.interim_department or row.interim_done
    ):
        return False
    if action == "override":
        return bool(override_choices(row))
    if row.status not in ALLOWED_FROM[action]:
        return False
    if action == "request-extension":
        return not extension_pending(row)
    if action == "decide-extension":
        return extension_pending(row)
    return True


def allowed_actions(user: User, row: Case) -> list[str]:
    """Returns exactly the actions the user may take on the case now (workflows.rules)."""
    out = []
    for action in UI_ORDER:
        if action == "register-dispatch":
            if _may(user, row, "register") and user.role in ROLES["dispatch"]:
                out.append(action)
        elif _may(user, row, action):
            out.append(action)
    return out


def body_model(action: str) -> type[BaseModel]:
    """Returns the API's body model of an action."""
    return ACTIONS[action][0]


def form_values(action: str, form: FormData) -> dict[str, str]:
    """Returns what the user typed, to show again after a refusal."""
    names = set(body_model("dispatch" if action == "register-dispatch" else action).model_fields)
    return {k: v for k, v in form.items() if isinstance(v, str) and (k in names or k == "note")}


def body_data(action: str, form: FormData) -> dict[str, Any]:
    """Turns form fields into the dict the body model validates."""
    data: dict[str, Any] = {}
    for name in body_model(action).model_fields:
        raw = form.get(name)
        if name == "photos":
            continue
        if name in BOOL_FIELDS:
            data[name] = raw in ("on", "1", "true", "yes")
        elif name in YES_NO_FIELDS:
            if raw in ("yes", "no"):
                data[name] = raw == "yes"
        elif isinstance(raw, str) and raw.strip():
            data[name] = raw.strip()
    return data


@dataclass
class Outcome:
    """What happened to an action: done, or refused with a message for the form."""

    ok: bool
    message: str = ""
    error_field: str | None = None
    photos_dropped: bool = False
    values: dict[str, str] = field(default_factory=dict)


def field_label(lang: str, action: str, name: str) -> str:
    """Returns the label of a form field of an action."""
    key = FIELD_LABELS.get((action, name), f"field.{name}")
    return translate(lang, key)


def validation_message(lang: str, action: str, err: ValidationError) -> tuple[str, str]:
    """Returns a plain sentence for the first invalid field, and the field."""
    first = err.errors()[0]
    name = str(first["loc"][0]) if first.get("loc") else "note"
    kind = first.get("type", "")
    what = field_label(lang, action, name)
    if kind == "missing":
        key = "refuse.choose" if name in CHOICE_FIELDS else "refuse.required"
    elif kind == "string_too_long":
        key = "refuse.too_long"
    elif kind in ("greater_than", "less_than_equal", "float_parsing"):
        key = "refuse.positive"
    elif kind in ("literal_error", "bool_parsing"):
        key = "refuse.choose"
    else:
        return translate(lang, "refuse.invalid", field=what, detail=first.get("msg", "")), name
    return translate(lang, key, field=what), name


def refusal_message(lang: str, action: str, err: ApiError) -> tuple[str, str | None]:
    """Returns a refusal of the workflow or the API in plain words, and the field it names."""
    verb = label(lang, "action", action)
    field_name = err.extra.get("field")
    for needle, key in KNOWN_DETAILS.items():
        if needle in err.detail:
            return translate(lang, key), field_name
    if err.status_code == 403:
        return translate(lang, "refuse.forbidden", action=verb), None
    if err.status_code == 404:
        return translate(lang, "refuse.not_found"), None
    if err.status_code == 409:
        status = err.extra.get("status")
        if status:
            return translate(
                lang, "refuse.conflict", action=verb, status=label(lang, "status", status)
            ), None
        return translate(lang, "refuse.conflict_plain", action=verb, detail=err.detail), None
    if err.status_code == 422 and field_name:
        what = field_label(lang, action, field_name)
        if err.detail.endswith("is required") or "required" in err.detail:
            return translate(lang, "refuse.required", field=what), field_name
        return translate(lang, "refuse.invalid", field=what, detail=err.detail), field_name
    if err.status_code == 503:
        return translate(lang, "refuse.pending"), None
    return err.detail, field_name


async def run_action(
    client: Any, *, lang: str, user: User, row: Case, action: str, form: FormData, data_dir: Path
) -> Outcome:
    """Validates the form, then runs the action through perform(); never raises a refusal."""
    values = form_values(action, form)
    steps = ["register", "dispatch"] if action == "register-dispatch" else [action]
    bodies = []
    for step in steps:
        try:
            bodies.append(body_model(step).model_validate(body_data(step, form)))
        except ValidationError as err:
            message, name = validation_message(lang, step, err)
            return Outcome(False, message, name, values=values)
    stored = []
    if action == "report":
        uploads = [f for f in form.getlist("photos") if isinstance(f, UploadFile)]
        try:
            stored = await save_photos(data_dir, row.number, uploads)
        except PhotoRefused as err:
            return Outcome(
                False, translate(lang, err.reason, **err.fields), "photos", values=values
            )
        bodies[0] = bodies[0].model_copy(update={"photos": [s.name for s in stored]})
    for step, body in zip(steps, bodies, strict=True):
        try:
            await perform(client, action=step, number=row.number, body=body, user=user)
        except ApiError as err:
            discard(stored)
            message, named = refusal_message(lang, step, err)
            if step != steps[0]:
                message = translate(lang, "refuse.partly", message=message)
            return Outcome(False, message, named, photos_dropped=bool(stored), values=values)
    return Outcome(
        True,
        translate(lang, "common.done", action=label(lang, "action", action), number=row.number),
    )
