"""Signing in cannot be abused: bearer-only API, no demo passwords in production, spraying
limited, unknown names cost the same work, and signing out ends the session on the server."""

from __future__ import annotations

import dataclasses

import pytest
from pages_helpers import Browser, pages_app

import models.user
from core.config import Settings, load_settings, production_problems
from web.app import create_app
from web.auth import signin


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        yield made


async def test_the_api_refuses_a_browser_session_without_a_token(app):
    browser = Browser(app)
    assert (await browser.login("coordinator")).status_code == 303
    assert (await browser.get("/coordinator")).status_code == 200, "the pages take the session"
    body = {"category": "noise", "description": "d", "grid": "hongqi-01", "address": "a"}
    for method, path in (("GET", "/api/cases"), ("POST", "/api/cases"), ("GET", "/api/me")):
        answer = await browser.http.request(method, path, json=body)
        assert answer.status_code == 401, (method, path, answer.text)
    await browser.close()


async def test_demo_passwords_do_not_sign_in_outside_demo_mode(engine):
    settings = dataclasses.replace(load_settings(), demo=False)
    app = create_app(settings)
    browser = Browser(app)
    refused = await browser.login("coordinator")
    assert refused.status_code == 200 and "用户名或密码不正确" in refused.text
    token = await browser.http.post("/api/token", data={"username": "admin", "password": "demo"})
    assert token.status_code == 401
    await browser.close()


def test_production_needs_a_real_secret_key_and_no_demo(monkeypatch):
    base = dataclasses.replace(load_settings(), demo=False, production=True)
    monkeypatch.delenv("LIANDONG_SECRET_KEY", raising=False)
    assert production_problems(base)
    with pytest.raises(RuntimeError, match="LIANDONG_SECRET_KEY"):
        create_app(base)
    for weak in ("changeme", "secret", "short-key"):
        monkeypatch.setenv("LIANDONG_SECRET_KEY", weak)
        assert production_problems(base), weak
    monkeypatch.setenv("LIANDONG_SECRET_KEY", "k" * 48)
    assert production_problems(base) == []
    demo: Settings = dataclasses.replace(base, demo=True)
    assert "LIANDONG_DEMO" in production_problems(demo)[0]
    assert production_problems(dataclasses.replace(base, production=False, demo=True)) == []


async def test_spraying_one_address_over_many_usernames_is_stopped(app):
    client = Browser(app).http
    for n in range(30):
        wrong = await client.post("/api/token", data={"username": f"nobody-{n}", "password": "x"})
        assert wrong.status_code == 401
    sprayed = await client.post("/api/token", data={"username": "supervisor", "password": "demo"})
    assert sprayed.status_code == 429 and sprayed.json()["code"] == "rate_limited"
    await client.aclose()


async def test_an_unknown_username_costs_the_same_password_work(app, monkeypatch):
    checks: list[str] = []
    real = models.user.bcrypt.checkpw

    def counted(password: bytes, hashed: bytes) -> bool:
        checks.append(hashed.decode()[:7])
        return real(password, hashed)

    monkeypatch.setattr(models.user.bcrypt, "checkpw", counted)
    client = Browser(app).http
    await client.post("/api/token", data={"username": "coordinator", "password": "wrong"})
    await client.post("/api/token", data={"username": "no-such-user", "password": "wrong"})
    assert len(checks) == 2 and checks[0][:4] == checks[1][:4] == "$2b$"
    assert signin._dummy_hash().startswith("$2b$10$"), "the same cost as the users' hashes"
    await client.aclose()


async def test_signing_out_revokes_the_session_on_the_server(app):
    browser = Browser(app)
    await browser.login("coordinator")
    stolen = dict(browser.http.cookies)
    assert (await browser.get("/coordinator")).status_code == 200
    await browser.post("/logout", htmx=False)
    thief = Browser(app)
    thief.http.cookies.update(stolen)
    after = await thief.get("/coordinator")
    assert after.status_code == 303 and "/login" in after.headers["location"]
    for b in (browser, thief):
        await b.close()


async def test_pages_and_api_answers_are_never_cached(app):
    browser = Browser(app)
    await browser.login("coordinator")
    token = await browser.http.post(
        "/api/token", data={"username": "coordinator", "password": "demo"}
    )
    assert token.headers["Cache-Control"] == "no-store"
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    answers = [
        await browser.get("/coordinator"),
        await browser.get("/track"),
        await browser.http.get("/api/cases", headers=bearer),
        await browser.http.get("/open311/v2/services.json"),
    ]
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store", answer.url
    static = await browser.http.get("/static/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    await browser.close()
