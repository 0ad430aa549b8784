"""Refusals in words: the reason code of an API error chooses the sentence, in the page's language.

The codes come from the workflows' action catalogues (core/refusals.py) and from the API's own
checks (web/kit/errors.py); the error's English detail is never shown on a page.
"""

from __future__ import annotations

from typing import Any

from core.refusals import KINDS, WRONG_STATE
from web.kit.errors import ApiError
from web.kit.i18n import CATALOGUE, label, translate

# The API's own codes, then bare HTTP statuses, as the reason they stand for on a page.
_API_CODES = {"invalid": "invalid_value", "conflict": WRONG_STATE}
_BY_STATUS = {403: "forbidden", 404: "not_found", 409: WRONG_STATE, 422: "invalid_value"}


def reason(err: ApiError) -> str:
    """Returns the reason code of an API error: its own, or the one its HTTP status stands for."""
    code = str(err.extra.get("code") or "")
    if code in KINDS or f"refuse.{code}" in CATALOGUE:
        return code
    return _API_CODES.get(code) or _BY_STATUS.get(err.status_code, code)


def role_names(lang: str, roles: tuple[str, ...] | list[str]) -> str:
    """Returns role codes as their names, listed as the language lists them."""
    return ("、" if lang != "en" else ", ").join(label(lang, "role", r) for r in roles)


def refusal_words(lang: str, err: ApiError, *, scope: str = "", **fields: Any) -> str:
    """Returns the sentence of an API error's reason: the scope's own (`op.`) first, then the
    shared one. `fields` name the action, status, field and roles in the page's words."""
    code = reason(err)
    if code == WRONG_STATE and not fields.get("status"):
        code = "wrong_state_plain"  # the workflow has ended: no status to name
    for key in (f"{scope}refuse.{code}", f"refuse.{code}"):
        if key in CATALOGUE:
            return translate(lang, key, **fields)
    return translate(lang, "error.http", status=err.status_code)
