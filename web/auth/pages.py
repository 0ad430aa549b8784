"""Signing in and out of the pages (the same users and passwords as the API), and the desks."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from models.browser_session import open_session, revoke
from models.db import get_engine
from web.auth.signin import SignInRefused, sign_in
from web.kit.csrf import rotate, verify_csrf
from web.kit.deps import SessionDep
from web.kit.pages import DESKS, PageUser, redirect, render, viewer
from web.kit.ratelimit import minutes

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
    try:
        user = await run_in_threadpool(sign_in, request, session, username, password)
    except SignInRefused as refused:
        wait = refused.retry_after
        return render(
            request,
            "login.html",
            {
                "active": "login",
                "username": username,
                "error": "ratelimit.blocked" if wait else "login.failed",
                "error_fields": {"minutes": minutes(wait)} if wait else {},
                "next": target,
            },
            status_code=429 if wait else 200,
            headers={"Retry-After": str(wait)} if wait else None,
        )
    request.session.clear()  # no fixation: a fresh session for the signed-in user
    request.session["sid"] = await run_in_threadpool(
        open_session, engine=get_engine(), username=user.username
    )
    rotate(request)
    return redirect(request, target)


@router.post("/logout")
def logout(request: Request) -> Response:
    """Ends the browser session, on the server too: the old cookie signs nobody in."""
    sid = request.session.get("sid")
    if sid:
        revoke(engine=get_engine(), sid=sid)
    request.session.clear()
    rotate(request)
    return redirect(request, "/login")


@router.get("/desk")
def desk(user: PageUser) -> RedirectResponse:
    """Sends the user to the desk of their role."""
    return RedirectResponse(DESKS.get(user.role, "/cases"), status_code=303)
