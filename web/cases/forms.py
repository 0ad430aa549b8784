"""Case actions from the pages: which a user may take now (the action catalogue), form fields
to the API's body models, and refusals in plain words. Every action goes through
web/cases/actions.perform (the workflow)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from core.payloads import CLOSED
from core.refusals import HTTP_STATUS, MISSING_FIELD, Refusal
from models.case import Case
from models.user import User
from web.cases.actions import ACTIONS, perform
from web.cases.service import actor_of
from web.cases.uploads import PhotoRefused, discard, save_photos
from web.kit.errors import ApiError
from web.kit.i18n import label, translate
from web.kit.refusals import refusal_words, role_names
from workflows.case_actions import CASE_ACTIONS, CaseFacts, override_options, refusal
from workflows.case_core import ARCHIVE_AFTER
from workflows.catalogue import role_refusal

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
DISPATCH = CASE_ACTIONS["dispatch"]
BOOL_FIELDS = ("make_rule", "reopen")
YES_NO_FIELDS = ("approve", "passed")
CHOICE_FIELDS = (
    *YES_NO_FIELDS,
    "satisfaction",
    "rule_scope",
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
    # The note is the reason when the work goes back for rework (required then).
    ("verify", "note"): "field.rework_reason",
    ("callback", "note"): "field.rework_reason",
}


def facts_of(row: Case) -> CaseFacts:
    """Returns what the action catalogue looks at, as the case row shows it."""
    # The projection keeps a running clock's yellow point, and the pending extension asked for.
    pending, clock = row.extension_pending is not None, row.yellow_at is not None
    archived = (
        row.status == CLOSED
        and row.closed_at is not None
        and (row.closed_at + ARCHIVE_AFTER <= datetime.now(UTC))
    )
    return CaseFacts.of(row, extension_pending=pending, has_clock=clock, archived=archived)


def override_choices(row: Case) -> list[str]:
    """Returns the overrides (reassign, extend, close, reopen) the case allows now."""
    return list(override_options(facts_of(row)))


def why_not(user: User, row: Case, action: str) -> ApiError | None:
    """Returns the catalogue's refusal of `action` by the user now, as the API would answer it."""
    if action == "register-dispatch":  # registers, then dispatches what it registered
        return why_not(user, row, "register") or _as_api(role_refusal(DISPATCH, user.role))
    facts = facts_of(row)
    # An override is offered when one of its options is open; the first says why not otherwise.
    fallback = "reopen" if facts.status == CLOSED else "close"
    option = (*override_options(facts), fallback)[0] if action == "override" else None
    return _as_api(refusal(action, actor_of(user), facts, option))


def _as_api(refused: Refusal | None) -> ApiError | None:
    if refused is None:
        return None
    return ApiError(
        HTTP_STATUS[refused.kind],
        refused.message,
        code=refused.code,
        status=refused.status,
        field=refused.field,
    )


def allowed_actions(user: User, row: Case) -> list[str]:
    """Returns exactly the actions the user may take on the case now (workflows/case_actions)."""
    return [a for a in UI_ORDER if why_not(user, row, a) is None]


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
        key = "refuse.invalid_value"
    return translate(lang, key, field=what), name


def refusal_message(lang: str, action: str, err: ApiError) -> tuple[str, str | None]:
    """Returns a refusal of the workflow or the API in plain words, and the field it names."""
    name = err.extra.get("field")
    entry = CASE_ACTIONS.get(action)
    words = {
        "action": label(lang, "action", action),
        "status": label(lang, "status", err.extra.get("status")),
        "field": field_label(lang, action, name) if name else "",
        "roles": role_names(lang, entry.roles) if entry else "",
    }
    if err.extra.get("code") == MISSING_FIELD and name in CHOICE_FIELDS:
        return translate(lang, "refuse.choose", **words), name
    return refusal_words(lang, err, **words), name


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
    if "photos" in body_model(steps[0]).model_fields:  # the report and the make-safe report
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
            await perform(client, action=step, case=row, body=body, user=user)
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
