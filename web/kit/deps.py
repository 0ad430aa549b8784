"""FastAPI dependencies: the database session, the signed-in user, the Temporal client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from temporalio.client import Client

from models.db import get_engine
from models.user import User
from web.kit.errors import ApiError, forbidden
from web.kit.tokens import read_token

_bearer = HTTPBearer(auto_error=False, description="token from POST /api/token")


def get_session() -> Iterator[Session]:
    """Yields a read session on the projection and reference data."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_temporal(request: Request) -> Client:
    """Returns the app's Temporal client."""
    return request.app.state.temporal


TemporalDep = Annotated[Client, Depends(get_temporal)]


def user_from_request(
    request: Request, session: Session, credentials: HTTPAuthorizationCredentials | None
) -> User | None:
    """Returns the user of a bearer token, or None: /api takes no browser session (no CSRF)."""
    username = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        username = read_token(credentials.credentials)
    if not username:
        return None
    user = session.get(User, username)
    return user if user is not None and user.active else None


def get_current_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    """Returns the signed-in user; 401 without a valid token."""
    # A session of its own, closed at once: an action route awaits a workflow update for a while
    # and must not hold a pooled connection meanwhile.
    with Session(get_engine(), expire_on_commit=False) as session:
        user = user_from_request(request, session, credentials)
    if user is None:
        raise ApiError(
            401, "not logged in: send Authorization: Bearer <token>", code="unauthorized"
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(user: User, *roles: str) -> None:
    """Refuses with 403 unless the user has one of `roles`."""
    if user.role not in roles:
        raise forbidden(f"role {user.role} may not do this; needs {' or '.join(roles)}")
