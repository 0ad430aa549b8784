"""CSRF: every state-changing page request needs the session's token; the bearer API does not."""

from __future__ import annotations

import pytest
from pages_helpers import Browser, case_row, file_by_phone, pages_app
from sqlmodel import Session, func, select

from models.case import Case
from models.db import get_engine


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


@pytest.fixture
async def coordinator(live):
    browser = Browser(live)
    await browser.login("coordinator")
    yield browser
    await browser.close()


def case_count() -> int:
    with Session(get_engine()) as session:
        return session.exec(select(func.count()).select_from(Case)).one()


async def test_sign_in_without_the_token_is_refused(engine):
    async with pages_app() as app:
        browser = Browser(app)
        await browser.get("/login")
        resp = await browser.post(
            "/login", {"username": "coordinator", "password": "demo"}, htmx=False, csrf=False
        )
        assert resp.status_code == 403 and "操作未执行" in resp.text
        browser.csrf = "forged"
        resp = await browser.post(
            "/login", {"username": "coordinator", "password": "demo"}, htmx=False
        )
        assert resp.status_code == 403
        assert (await browser.get("/coordinator")).status_code == 303  # still signed out
        await browser.close()


async def test_actions_and_filing_without_the_token_change_nothing(live, coordinator):
    number = await file_by_phone(coordinator)
    before = case_count()

    for htmx in (True, False):
        refused = await coordinator.post(
            f"/cases/{number}/act/register", {"note": "x"}, htmx=htmx, csrf=False
        )
        assert refused.status_code == 403 and "操作未执行" in refused.text
    filed = await coordinator.post("/coordinator/intake", {"category": "noise"}, csrf=False)
    assert filed.status_code == 403
    assert case_row(number).status == "new" and case_count() == before

    # The token of another session does not do either.
    other = Browser(live)
    await other.login("coordinator")
    coordinator_token, coordinator.csrf = coordinator.csrf, other.csrf
    assert (await coordinator.act(number, "register")).status_code == 403
    assert case_row(number).status == "new"
    await other.close()

    coordinator.csrf = coordinator_token
    assert (await coordinator.act(number, "register")).status_code == 200
    assert case_row(number).status == "registered"
    # Logging out needs the token too.
    assert (await coordinator.post("/logout", csrf=False, htmx=False)).status_code == 403


async def test_the_bearer_api_needs_no_csrf_token(live, coordinator):
    number = await file_by_phone(coordinator)
    api = coordinator.http
    token = (
        await api.post("/api/token", data={"username": "coordinator", "password": "demo"})
    ).json()["access_token"]
    resp = await api.post(
        f"/api/cases/{number}/register", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "registered"
