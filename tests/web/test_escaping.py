"""User text is shown as text: descriptions, addresses and reasons never become markup."""

from __future__ import annotations

import pytest
from pages_helpers import Browser, file_by_phone, pages_app

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


def assert_escaped(html: str, where: str) -> None:
    assert "&lt;script&gt;alert(" in html, f"{where}: the text is missing"
    assert SCRIPT not in html and "<img src=x" not in html, f"{where}: markup got through"


async def test_user_text_is_escaped_everywhere_it_is_shown(live):
    coordinator, liaison, citizen = Browser(live), Browser(live), Browser(live)
    await coordinator.login("coordinator")
    await liaison.login("liaison-sw")
    number = await file_by_phone(
        coordinator,
        description=f"井盖 {SCRIPT}",
        address=f"红旗路 {IMG}",
        reporter_name=SCRIPT,
        reporter_phone="13900000001",
    )

    assert_escaped((await coordinator.get(f"/cases/{number}")).text, "case page")
    assert_escaped((await coordinator.get(f"/cases?q={number}")).text, "search list")
    assert_escaped((await coordinator.get(f"/coordinator?queue=new&q={number}")).text, "new queue")
    assert_escaped(
        (await coordinator.get(f"/cases/{number}/act/void", htmx=True)).text, "action dialog"
    )

    await coordinator.act(number, "register-dispatch", {"department": "sw"})
    assert_escaped((await liaison.get(f"/liaison?q={number}")).text, "liaison desk")
    await liaison.act(number, "bounce", {"reason": f"不是我们的 {SCRIPT}"})
    assert_escaped(
        (await coordinator.get(f"/coordinator?queue=bounced&q={number}")).text, "bounced queue"
    )
    page = (await coordinator.get(f"/cases/{number}")).text
    assert page.count("&lt;script&gt;") >= 3, "description, reporter and the bounce reason"

    # A refused form shows the typed text again, escaped.
    refused = await coordinator.act(number, "dispatch", {"department": "nope", "note": SCRIPT})
    assert "&lt;script&gt;" in refused.text and SCRIPT not in refused.text

    await citizen.get("/track")
    public = await citizen.post("/track", {"number": number, "phone": "13900000001"})
    assert_escaped(public.text, "public page")
    for browser in (coordinator, liaison, citizen):
        await browser.close()
