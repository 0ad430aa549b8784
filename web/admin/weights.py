"""The score's weights (综合评价权重), for the admin: read and set through the API and on a page;
every change is written to the audit log, with the weights before and after, in the same
transaction. The rules are core.indicators.check_weights': whole numbers from 0 to 100, at least
one above 0; the score is the weighted mean, so they need not add up to 100."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, StrictInt
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core.indicators import DEFAULT_WEIGHTS, LOWER_IS_BETTER, RATES, check_weights
from models.audit import SET, AuditEntry, entries, record
from models.db import get_engine, session_scope
from models.evaluation_settings import WEIGHTS, EvaluationSetting, set_weights, weights
from models.public import LocalTime
from models.user import User
from web.evaluation.definitions import RATE_WORDS
from web.kit import pages
from web.kit.csrf import verify_csrf
from web.kit.deps import CurrentUser, require_role
from web.kit.errors import error_responses, invalid
from web.kit.i18n import lang_of

router = APIRouter(tags=["admin: evaluation"])
CSRF = [Depends(verify_csrf)]
PAGE = "/admin/evaluation/weights"
SUBJECT, KEY = EvaluationSetting.__tablename__, WEIGHTS
REASON_MAX = 500
# The page lists the default five first, then the rates that may be weighted too.
ORDER = [*DEFAULT_WEIGHTS, *(name for name in RATES if name not in DEFAULT_WEIGHTS)]


class WeightsBody(BaseModel):
    """New weights: every rate that weighs (a rate left out weighs 0), and why."""

    weights: dict[str, StrictInt] = Field(
        description="rate -> whole number 0–100 (rates of GET /api/evaluation/definitions)"
    )
    reason: str | None = Field(default=None, max_length=REASON_MAX)


class WeightsChange(BaseModel):
    """One change of the weights, from the audit log."""

    at: LocalTime
    actor: str = Field(description="username of the admin")
    role: str
    before: dict[str, int] | None
    after: dict[str, int] | None
    reason: str | None


class WeightsAnswer(BaseModel):
    """The weights in force, the defaults, and the latest changes (newest first)."""

    weights: dict[str, int]
    defaults: dict[str, int]
    changes: list[WeightsChange]


def _change(entry: AuditEntry) -> WeightsChange:
    return WeightsChange(
        at=entry.at,
        actor=entry.actor,
        role=entry.role,
        before=entry.before,
        after=entry.after,
        reason=entry.reason,
    )


def read_weights() -> WeightsAnswer:
    """Returns the weights in force and their latest changes, read in one session."""
    with Session(get_engine()) as session:
        log = entries(session=session, subject=SUBJECT, key=KEY)
        return WeightsAnswer(
            weights=weights(session=session),
            defaults=dict(DEFAULT_WEIGHTS),
            changes=[_change(e) for e in log],
        )


def save_weights(user: User, asked: Mapping[str, object], reason: str | None) -> bool:
    """Sets the weights and logs the change in one transaction; returns False when they are
    those in force already (nothing written). ValueError naming the rate at fault."""
    with session_scope() as session:
        before = weights(session=session)
        if check_weights(asked) == before:
            return False
        after = set_weights(session=session, value=dict(asked))
        record(
            session=session,
            actor=user.username,
            role=user.role,
            subject=SUBJECT,
            key=KEY,
            action=SET,
            before=before,
            after=after,
            reason=reason,
        )
    return True


def _field(err: ValueError) -> tuple[str, str]:
    name, _, message = str(err).partition(": ")
    return ("weights" if name == "weights" else f"weights.{name}"), message


@router.get(
    "/api/admin/evaluation/weights", response_model=WeightsAnswer, responses=error_responses(403)
)
def get_weights(user: CurrentUser) -> WeightsAnswer:
    """Returns the score's weights in force, the defaults and the latest changes (admin)."""
    require_role(user, "admin")
    return read_weights()


@router.put(
    "/api/admin/evaluation/weights",
    response_model=WeightsAnswer,
    responses=error_responses(403, 422),
)
def put_weights(body: WeightsBody, user: CurrentUser) -> WeightsAnswer:
    """Sets the score's weights (admin); a bad one is 422 naming the rate and changes nothing."""
    require_role(user, "admin")
    try:
        save_weights(user, body.weights, body.reason)
    except ValueError as err:
        raise invalid(*_field(err)) from None
    return read_weights()


# -- the page ---------------------------------------------------------------------------------


def _rows(lang: str, shown: Mapping[str, object], errors: Mapping[str, str]) -> list[dict]:
    return [
        {
            "name": name,
            "label": RATE_WORDS[name][1 if lang == "en" else 0],
            "value": shown.get(name, 0),
            "default": DEFAULT_WEIGHTS.get(name, 0),
            "lower_is_better": name in LOWER_IS_BETTER,
            "error": errors.get(name),
        }
        for name in ORDER
    ]


def _words(lang: str, values: Mapping[str, int] | None) -> str:
    if not values:
        return ""
    return "、".join(
        f"{RATE_WORDS[name][1 if lang == 'en' else 0]} {weight}"
        for name, weight in values.items()
        if name in RATE_WORDS
    )


def _page(
    request: Request,
    *,
    shown: Mapping[str, object] | None = None,
    errors: Mapping[str, str] | None = None,
    reason: str = "",
    notice: str | None = None,
) -> HTMLResponse:
    lang, now = lang_of(request), read_weights()
    values = now.weights if shown is None else shown
    numbers = [v for v in values.values() if isinstance(v, int)]
    changes = [
        {"change": c, "before": _words(lang, c.before), "after": _words(lang, c.after)}
        for c in now.changes
    ]
    return pages.render(
        request,
        "admin/weights.html",
        {
            "active": "admin-tables",
            "rows": _rows(lang, values, errors or {}),
            "total": None if errors and len(numbers) < len(values) else sum(numbers),
            "errors": errors or {},
            "reason": reason,
            "notice": notice,
            "changes": changes,
        },
        status_code=422 if errors else 200,
    )


def _typed(form: Mapping[str, Any]) -> tuple[dict[str, object], dict[str, str]]:
    """Returns the weights typed on the page (blank is 0) and the message key of each bad one."""
    typed: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name in ORDER:
        raw = form.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        typed[name] = text
        if not text:
            typed[name] = 0
        elif text.isdecimal() and int(text) <= 100:
            typed[name] = int(text)
        else:
            errors[name] = "weights.error.whole"
    return typed, errors


@router.get(PAGE, response_class=HTMLResponse, include_in_schema=False)
def weights_page(request: Request, user: pages.PageUser) -> HTMLResponse:
    """The weights page: one field per rate, their sum, the latest changes."""
    pages.require_role(user, "admin")
    notice = {"1": "weights.saved", "0": "weights.unchanged"}.get(
        request.query_params.get("saved", "")
    )
    return _page(request, notice=notice)


@router.post(PAGE, response_class=HTMLResponse, include_in_schema=False, dependencies=CSRF)
async def weights_page_save(request: Request, user: pages.PageUser) -> Response:
    """Saves the weights typed (or the defaults); shows what is wrong and saves nothing."""
    pages.require_role(user, "admin")
    form = await request.form()
    raw_reason = form.get("reason")
    reason = raw_reason.strip() if isinstance(raw_reason, str) else ""
    typed, errors = _typed(form)
    if form.get("use_defaults"):
        typed, errors = {name: DEFAULT_WEIGHTS.get(name, 0) for name in ORDER}, {}
    if len(reason) > REASON_MAX:
        errors["reason"] = "weights.error.reason"
    if not errors:
        try:
            changed = await run_in_threadpool(save_weights, user, typed, reason)
        except ValueError:  # every field well formed, but none above 0
            errors["weights"] = "weights.error.none"
        else:
            return pages.redirect(request, f"{PAGE}?saved={int(changed)}")
    return await run_in_threadpool(
        lambda: _page(request, shown=typed, errors=errors, reason=reason)
    )
