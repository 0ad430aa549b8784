"""Helpers of the page tests: a browser-like client per user (cookies, CSRF token, htmx)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from html import unescape
from typing import Any

import httpx
from sqlmodel import Session, col, select

from core.config import load_settings
from core.naming import case_workflow_id
from models.case import Case
from models.db import get_engine
from web.app import create_app

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
HX = {"HX-Request": "true"}


class Browser:
    """One user's browser: its own cookies, the page's CSRF token, form posts like htmx's."""

    def __init__(self, app: Any) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            follow_redirects=False,
        )
        self.csrf = ""

    async def get(self, url: str, *, htmx: bool = False, **kw: Any) -> httpx.Response:
        """GETs a page and remembers its CSRF token."""
        resp = await self.http.get(url, headers=HX if htmx else None, **kw)
        found = TOKEN_RE.search(resp.text)
        if found:
            self.csrf = found.group(1)
        return resp

    async def post(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        htmx: bool = True,
        csrf: bool = True,
        files: Any = None,
    ) -> httpx.Response:
        """POSTs a form with the CSRF token (as htmx does: the X-CSRF-Token header)."""
        headers = dict(HX) if htmx else {}
        body = dict(data or {})
        if csrf and htmx:
            headers["X-CSRF-Token"] = self.csrf
        elif csrf:
            body["csrf_token"] = self.csrf
        return await self.http.post(url, data=body, files=files, headers=headers)

    async def login(self, username: str, password: str = "demo") -> httpx.Response:
        """Signs in through the login form."""
        await self.get("/login")
        resp = await self.post(
            "/login", {"username": username, "password": password, "next": "/desk"}, htmx=False
        )
        await self.get("/track")  # a page with the new session's token
        return resp

    async def act(
        self, number: str, action: str, data: dict[str, Any] | None = None, **kw: Any
    ) -> httpx.Response:
        """Runs an action from its form, as the dialog does."""
        return await self.post(
            f"/cases/{number}/act/{action}", {"where": "dialog", **(data or {})}, **kw
        )

    async def close(self) -> None:
        await self.http.aclose()


def text(html: str) -> str:
    """Returns a page's visible text, roughly (tags dropped, entities decoded)."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def case_row(number: str) -> Case:
    """Reads a case from the projection."""
    with Session(get_engine(), expire_on_commit=False) as session:
        row = session.get(Case, number)
    assert row is not None, number
    return row


@asynccontextmanager
async def pages_app(client: Any = None, task_queue: str | None = None) -> AsyncIterator[Any]:
    """Yields the app wired to a Temporal client; terminates the cases it started afterwards."""
    settings = load_settings()
    if task_queue:
        settings = dataclasses.replace(settings, task_queue=task_queue)
    app = create_app(settings, temporal_client=client)
    app.state.temporal = client  # ASGITransport runs no lifespan
    started = datetime.now(UTC)
    try:
        yield app
    finally:
        if client is not None:
            await _terminate_cases_since(client, started)


async def _terminate_cases_since(client: Any, since: datetime) -> None:
    # Cases left running keep timers on a queue without a worker; the shared time-skipping
    # server would then not skip past them for later tests.
    with Session(get_engine()) as session:
        numbers = session.exec(select(Case.number).where(col(Case.created_at) >= since)).all()
    for number in numbers:
        try:
            await client.get_workflow_handle(case_workflow_id(number)).terminate("test over")
        except Exception:  # noqa: BLE001 - already ended
            pass


async def file_by_phone(browser: Browser, **fields: str) -> str:
    """Files a case through the phone intake form; returns its number."""
    body = {
        "category": "manhole-cover",
        "grid": "hongqi-01",
        "address": "红旗路1号",
        "description": "井盖缺失，行人有坠落风险",
        "channel": "hotline",
        "reporter_name": "张先生",
        "reporter_phone": "13800138000",
        **fields,
    }
    resp = await browser.post("/coordinator/intake", body)
    assert resp.status_code == 200 and "HX-Redirect" in resp.headers, resp.text
    found = re.search(r"/cases/([0-9-]+)", resp.headers["HX-Redirect"])
    assert found is not None
    return found.group(1)
