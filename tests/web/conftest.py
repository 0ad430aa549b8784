"""Fixtures of the web tests: no request may run SQL on the event loop thread; signed-in
browsers."""

from __future__ import annotations

import pytest
from loop_guard import LoopGuard
from pages_helpers import Browser


@pytest.fixture(autouse=True)
def sql_off_the_event_loop():
    """Fails a test whose requests ran synchronous SQL on the event loop (see loop_guard)."""
    with LoopGuard() as guard:
        yield guard
    offences = sorted(set(guard.offences))
    assert not offences, "SQL on the event loop:\n" + "\n".join(offences)


@pytest.fixture
async def browser_of():
    """Makes signed-in browsers; closes them afterwards."""
    made: list[Browser] = []

    async def make(app, username: str | None = None) -> Browser:
        browser = Browser(app)
        made.append(browser)
        if username:
            resp = await browser.login(username)
            assert resp.status_code == 303, resp.text
        return browser

    yield make
    for browser in made:
        await browser.close()
