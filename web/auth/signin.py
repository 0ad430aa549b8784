"""Signing in, for the API and the pages alike: limits, constant work, demo passwords in demo only.

Failures are counted per (address, username), so a stranger cannot lock a real user out from
elsewhere, and per address across usernames, so spraying one password over many names stops too.
An unknown username costs the same bcrypt work as a known one: the answer time tells nothing.
"""

from __future__ import annotations

from functools import cache

from sqlmodel import Session
from starlette.requests import Request

from models.seed import DEMO_PASSWORD
from models.user import User, hash_password, verify_password
from web.kit.ratelimit import client_address, login_key, rate_limits


class SignInRefused(Exception):
    """Sign-in refused: wrong name or password, or `retry_after` seconds to wait first."""

    def __init__(self, retry_after: int = 0) -> None:
        super().__init__(
            "too many failed sign-ins" if retry_after else "wrong username or password"
        )
        self.retry_after = retry_after


@cache
def _dummy_hash() -> str:
    return hash_password("not a password of anyone")


def authenticate(session: Session, username: str, password: str, *, demo: bool) -> User | None:
    """Returns the active user whose password matches, or None; the demo password only in demo."""
    user = session.get(User, username) if username else None
    if user is None:
        verify_password(password, _dummy_hash())  # the same work as for a real user
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    if password == DEMO_PASSWORD and not demo:
        return None  # a demo account, or a demo password, outside demo mode
    return user


def sign_in(request: Request, session: Session, username: str, password: str) -> User:
    """Checks the limits and the password; counts a failure. Raises SignInRefused."""
    limits = rate_limits(request)
    pair, address = login_key(request, username), client_address(request)
    wait = max(limits.login.retry_after(pair), limits.login_spray.retry_after(address))
    if wait:
        raise SignInRefused(wait)
    demo = request.app.state.settings.demo
    user = authenticate(session, username, password, demo=demo)
    if user is None:
        limits.login.fail(pair)
        limits.login_spray.fail(address)
        raise SignInRefused()
    limits.login.clear(pair)
    return user
