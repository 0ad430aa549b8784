"""Signing in and out of the pages (the same users and passwords as the API), and the desks."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.auth.api import authenticate
from web.kit.csrf import rotate, verify_csrf
from web.kit.deps import SessionDep
from web.kit.pages import DESKS, PageUser, redirect, render, viewer
from web.kit.ratelimit import login_key, minutes, rate_limits

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])


def safe_next(url: str | None, default: str = "/desk") -> str:
    """Returns a local path to go back to after signing in; never another site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """Shows the sign-in form (or the desk, for someone already signed in)."""
    if viewer(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return render(
        request,
        "login.html",
        {
            "active": "login",
            "username": "",
            "error": None,
            "next": safe_next(request.query_params.get("next")),
        },
    )


@router.post("/login")
async def login_submit(request: Request, session: SessionDep) -> Response:
    """Checks the password and starts a browser session."""
    form = await request.form()
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    limiter, key = rate_limits(request).login, login_key(request, username)
    wait = limiter.retry_after(key)
    if wait:
        return render(
            request,
            "login.html",
            {
                "active": "login",
                "username": username,
                "error": "ratelimit.blocked",
                "error_fields": {"minutes": minutes(wait)},
                "next": target,
            },
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(session, username, password) if username else None
    if user is None:
        limiter.fail(key)
        return render(
            request,
            "login.html",
            {"active": "login", "username": username, "error": "login.failed", "next": target},
            status_code=200,
        )
    limiter.clear(key)
    request.session.clear()  # no fixation: a fresh session for the signed-in user
    request.session["user"] = user.username
    rotate(request)
    return redirect(request, target)


@router.post("/logout")
def logout(request: Request) -> Response:
    """Ends the browser session."""
    request.session.clear()
    rotate(request)
    return redirect(request, "/login")


@router.get("/desk")
def desk(user: PageUser) -> RedirectResponse:
    """Sends the user to the desk of their role."""
    return RedirectResponse(DESKS.get(user.role, "/cases"), status_code=303)
