"""Brute force is slowed: failed citizen look-ups per address, failed sign-ins per address+user."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from factories import saved_case
from pages_helpers import Browser, pages_app

from models.case import Case
from models.db import get_engine
from web.kit.ratelimit import FailureWindow, RateLimits

PHONE = "13912345678"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reported_case(status: str = "dispatched") -> Case:
    """Writes a case row (as the projection would) that a citizen can look up."""
    return saved_case(
        get_engine(),
        status=status,
        description="井盖破损 unique-desc",
        address="红旗路 99 号 unique-addr",
        reporter_phone=PHONE,
    )


async def at(app, address: str) -> Browser:  # noqa: ANN001
    """A browser whose requests come from `address`."""
    browser = Browser(app)
    await browser.http.aclose()
    browser.http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url="http://testserver",
        follow_redirects=False,
    )
    return browser


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        made.state.clock = Clock()
        made.state.rate_limits = RateLimits(
            lookup=FailureWindow(clock=made.state.clock),
            login=FailureWindow(clock=made.state.clock),
            login_spray=FailureWindow(limit=30, clock=made.state.clock),
        )
        yield made


# -- the limiter on its own ---------------------------------------------------------------------


def test_a_window_refuses_after_the_limit_until_the_oldest_failure_leaves() -> None:
    clock = Clock()
    window = FailureWindow(limit=3, window=60, clock=clock)
    for _ in range(2):
        window.fail("a")
        clock.now += 10
    assert window.retry_after("a") == 0
    window.fail("a")  # at 1020: failures at 1000, 1010, 1020
    assert window.retry_after("a") == 40  # the one at 1000 leaves at 1060
    assert window.retry_after("b") == 0, "other keys are not affected"
    clock.now = 1060
    assert window.retry_after("a") == 0
    window.fail("a")
    assert window.retry_after("a") == 10  # now 1010, 1020, 1060: 1010 leaves at 1070
    window.clear("a")
    assert window.retry_after("a") == 0


def test_a_window_forgets_the_oldest_keys_beyond_its_size() -> None:
    clock = Clock()
    window = FailureWindow(limit=1, window=60, clock=clock, max_keys=3)
    for key in ("a", "b", "c", "d"):
        window.fail(key)
    assert window.retry_after("a") == 0 and window.retry_after("d") == 60
    assert len(window._failures) == 3


# -- citizen look-ups ---------------------------------------------------------------------------


async def test_failed_lookups_are_limited_per_address_and_reveal_nothing(app) -> None:
    row = reported_case()
    citizen = await at(app, "203.0.113.7")
    await citizen.get("/track")
    for i in range(10):
        missed = await citizen.post("/track", {"number": row.number, "phone": f"1390000{i:04d}"})
        assert missed.status_code == 200 and "没有找到" in missed.text

    # The right pair is refused now too: the answer must not tell a hit from a miss.
    blocked = await citizen.post("/track", {"number": row.number, "phone": PHONE})
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "600"
    assert "失败次数过多，请 10 分钟后再试" in blocked.text
    assert "unique-desc" not in blocked.text and "unique-addr" not in blocked.text
    assert "track-result" not in blocked.text
    page = await citizen.post("/track", {"number": row.number, "phone": PHONE}, htmx=False)
    assert page.status_code == 429 and "<html" in page.text and "unique-desc" not in page.text
    english = await citizen.post("/track?lang=en", {"number": row.number, "phone": PHONE})
    assert english.status_code == 429 and "Too many failed attempts" in english.text

    # Another address is not affected; this one may try again once the window has passed.
    neighbour = await at(app, "198.51.100.9")
    await neighbour.get("/track")
    found = await neighbour.post("/track", {"number": row.number, "phone": PHONE})
    assert found.status_code == 200 and "unique-desc" in found.text
    app.state.clock.now += 600
    again = await citizen.post("/track", {"number": row.number, "phone": PHONE})
    assert again.status_code == 200 and "unique-desc" in again.text
    for browser in (citizen, neighbour):
        await browser.close()


async def test_successful_lookups_do_not_count(app) -> None:
    row = reported_case()
    citizen = await at(app, "203.0.113.8")
    await citizen.get("/track")
    for _ in range(15):
        found = await citizen.post("/track", {"number": row.number, "phone": PHONE})
        assert found.status_code == 200 and "unique-desc" in found.text
    for _ in range(9):
        assert (await citizen.post("/track", {"number": "nope", "phone": "1"})).status_code == 200
    found = await citizen.post("/track", {"number": row.number, "phone": PHONE})
    assert found.status_code == 200 and "unique-desc" in found.text
    await citizen.close()


async def test_the_rating_form_counts_and_is_refused_like_the_lookup(app) -> None:
    row = reported_case(status="verified")
    citizen = await at(app, "203.0.113.9")
    await citizen.get("/track")
    for i in range(10):
        wrong = await citizen.post(
            f"/track/{row.number}/rate", {"phone": f"1370000{i:04d}", "satisfaction": "satisfied"}
        )
        assert wrong.status_code == 404
    blocked = await citizen.post(
        f"/track/{row.number}/rate", {"phone": PHONE, "satisfaction": "satisfied"}
    )
    assert blocked.status_code == 429 and "失败次数过多" in blocked.text
    assert "unique-desc" not in blocked.text
    lookup = await citizen.post("/track", {"number": row.number, "phone": PHONE})
    assert lookup.status_code == 429, "the same count guards the look-up"
    await citizen.close()


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(app) -> None:
    proxy = await at(app, "10.0.0.1")
    await proxy.get("/track")

    async def miss(client_ip: str) -> int:
        resp = await proxy.http.post(
            "/track",
            data={"number": "nope", "phone": "1"},
            headers={
                "HX-Request": "true",
                "X-CSRF-Token": proxy.csrf,
                "X-Forwarded-For": f"1.2.3.4, {client_ip}",
            },
        )
        return resp.status_code

    # Not trusted: the header is the client's word, and changing it does not help.
    assert [await miss(f"192.0.2.{i}") for i in range(11)] == [200] * 10 + [429]

    app.state.settings = dataclasses.replace(app.state.settings, trust_proxy=True)
    assert [await miss("192.0.2.50") for _ in range(11)] == [200] * 10 + [429]
    assert await miss("192.0.2.51") == 200, "each forwarded client has its own count"
    await proxy.close()


# -- signing in ---------------------------------------------------------------------------------


async def test_failed_sign_ins_are_limited_per_address_and_username(app) -> None:
    office = await at(app, "203.0.113.20")
    await office.get("/login")
    for _ in range(10):
        failed = await office.post(
            "/login", {"username": "coordinator", "password": "wrong"}, htmx=False
        )
        assert failed.status_code == 200 and "用户名或密码不正确" in failed.text

    blocked = await office.post(
        "/login", {"username": "coordinator", "password": "demo"}, htmx=False
    )
    assert blocked.status_code == 429 and "失败次数过多，请 10 分钟后再试" in blocked.text
    assert blocked.headers["Retry-After"] == "600"
    assert (await office.get("/coordinator")).status_code == 303, "not signed in"
    english = await office.post(
        "/login?lang=en", {"username": "coordinator", "password": "demo"}, htmx=False
    )
    assert english.status_code == 429 and "Too many failed attempts" in english.text

    # Another user at the same address, and the same user elsewhere, may still sign in.
    assert (
        await office.post("/login", {"username": "supervisor", "password": "demo"}, htmx=False)
    ).status_code == 303
    home = await at(app, "198.51.100.20")
    assert (await home.login("coordinator")).status_code == 303

    # The API's token login shares the count.
    api = await office.http.post("/api/token", data={"username": "coordinator", "password": "x"})
    assert api.status_code == 429
    assert api.json()["code"] == "rate_limited" and "too many" in api.json()["detail"]
    for browser in (office, home):
        await browser.close()


async def test_a_correct_password_clears_the_count(app) -> None:
    office = await at(app, "203.0.113.21")
    await office.get("/login")
    for _ in range(9):
        await office.post("/login", {"username": "coordinator", "password": "x"}, htmx=False)
    assert (await office.login("coordinator")).status_code == 303
    await office.post("/logout", htmx=False)
    await office.get("/login")
    for _ in range(9):
        failed = await office.post(
            "/login", {"username": "coordinator", "password": "x"}, htmx=False
        )
        assert failed.status_code == 200
    await office.close()


async def test_the_token_api_answers_429_json(app) -> None:
    client = (await at(app, "203.0.113.30")).http
    for _ in range(10):
        wrong = await client.post("/api/token", data={"username": "liaison-sw", "password": "x"})
        assert wrong.status_code == 401
    refused = await client.post("/api/token", data={"username": "liaison-sw", "password": "demo"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "600"
    body = refused.json()
    assert body["code"] == "rate_limited" and body["retry_after"] == 600
    assert "access_token" not in body
    app.state.clock.now += 601
    ok = await client.post("/api/token", data={"username": "liaison-sw", "password": "demo"})
    assert ok.status_code == 200 and ok.json()["access_token"]
    await client.aclose()
