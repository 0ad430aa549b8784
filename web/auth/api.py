"""Token login for the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field

from web.auth.signin import SignInRefused, sign_in
from web.kit.deps import CurrentUser, SessionDep
from web.kit.errors import ApiError, error_responses
from web.kit.tokens import issue_token

router = APIRouter(prefix="/api", tags=["auth"])


class Token(BaseModel):
    """A bearer token and who it signs in (API.md)."""

    access_token: str = Field(description="send as `Authorization: Bearer <token>`")
    token_type: str = "bearer"
    role: str = Field(description="coordinator, supervisor, liaison, inspector or admin")
    department: str | None = Field(description="a liaison's department or street code")


class Me(BaseModel):
    """The signed-in user."""

    username: str
    display_name: str
    role: str
    department: str | None
    email: str | None


@router.post("/token", response_model=Token, responses=error_responses(401, 422, 429))
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Token:
    """Exchanges a username and password for a bearer token."""
    try:
        user = sign_in(request, session, username, password)
    except SignInRefused as refused:
        if refused.retry_after:
            wait = refused.retry_after
            raise ApiError(
                429,
                f"too many failed sign-ins; try again in {wait} seconds",
                code="rate_limited",
                retry_after=wait,
                headers={"Retry-After": str(wait)},
            ) from None
        raise ApiError(401, "wrong username or password", code="unauthorized") from None
    token = issue_token(username=user.username, role=user.role, department=user.department)
    return Token(access_token=token, role=user.role, department=user.department)


@router.get("/me", response_model=Me)
def me(user: CurrentUser) -> Me:
    """Returns the signed-in user."""
    return Me(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        department=user.department,
        email=user.email,
    )
