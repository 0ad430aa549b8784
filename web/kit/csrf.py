"""CSRF protection for the pages: a token in the signed session, echoed by every form.

Forms carry it in the hidden field `csrf_token`; htmx sends it in the `X-CSRF-Token` header
(set once with hx-headers on <body>). The JSON API under /api authenticates with bearer tokens
and is not checked here.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SESSION_KEY = "csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class CsrfRefused(Exception):
    """A state-changing page request without the session's CSRF token."""


def csrf_token(request: Request) -> str:
    """Returns the session's CSRF token, creating it on first use."""
    if "session" not in request.scope:
        return ""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate(request: Request) -> str:
    """Replaces the session's token (at sign-in and sign-out) and returns the new one."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return request.session[SESSION_KEY]


async def verify_csrf(request: Request) -> None:
    """Refuses (CsrfRefused → 403) a POST page request whose token does not match the session."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_KEY) if "session" in request.scope else None
    sent = request.headers.get(HEADER)
    if not sent:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfRefused()
