"""Mail administration: the outbox and its retry, addresses, API keys, the development mailbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import aiosmtplib
import open311_helpers
import pytest
from aiosmtpd.controller import Controller
from pages_helpers import Browser
from sqlmodel import Session, select

from core.config import load_settings
from models.db import get_engine, session_scope
from models.mail_store import enqueue, give_up
from models.outbox import OutboxMessage
from models.reference import Department
from models.user import User
from scripts.devsmtp import MailboxHandler
from scripts.devstack import free_port

api, web = open311_helpers.api, open311_helpers.web  # the fixtures


def _failed_row() -> OutboxMessage:
    key = f"test/{uuid.uuid4().hex}/someone@example.com"
    with session_scope() as session:
        enqueue(
            session=session,
            key=key,
            kind="case_registered",
            recipient="someone@example.com",
            context={"case": {"number": "X"}},
            now=datetime.now(UTC),
            sender="a@b.c",
        )
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        row.status, row.attempt_id = "claimed", "a1"
        session.flush()
        give_up(session=session, row_id=row.id, attempt_id="a1", error="550 no such mailbox")
        return row


async def test_the_outbox_is_for_the_admin_and_failed_mail_can_be_retried(api) -> None:
    web = api
    row = _failed_row()
    await web.call("GET", "/api/admin/outbox", expect=401)
    await web.call("GET", "/api/admin/outbox", "coordinator", expect=403)
    listed = await web.call("GET", "/api/admin/outbox?status=failed&page_size=200", "admin")
    assert listed["counts"]["failed"] >= 1
    mine = next(m for m in listed["items"] if m["id"] == row.id)
    assert (mine["status"], mine["last_error"]) == ("failed", "550 no such mailbox")
    retried = await web.call("POST", f"/api/admin/outbox/{row.id}/retry", "admin")
    assert retried["status"] == "pending"
    await web.call("POST", "/api/admin/outbox/999999999/retry", "admin", expect=404)


async def test_users_set_their_address_and_the_admin_a_heads(web) -> None:
    with Session(get_engine()) as session:
        before = session.get(User, "inspector").email  # type: ignore[union-attr]
        head_before = session.get(Department, "sw").head_email  # type: ignore[union-attr]
    try:
        me = await web.call(
            "PUT", "/api/me/email", "inspector", json={"email": "new-inspector@liandong.example"}
        )
        assert me == {"username": "inspector", "email": "new-inspector@liandong.example"}
        assert (await web.call("GET", "/api/me", "inspector"))["email"] == me["email"]
        bad = await web.call(
            "PUT", "/api/me/email", "inspector", json={"email": "nope"}, expect=422
        )
        assert bad["field"] == "email"
        await web.call(
            "PUT",
            "/api/admin/departments/sw/head-email",
            "coordinator",
            json={"email": "x@y.z"},
            expect=403,
        )
        await web.call(
            "PUT",
            "/api/admin/departments/nowhere/head-email",
            "admin",
            json={"email": "x@y.z"},
            expect=404,
        )
        head = await web.call(
            "PUT",
            "/api/admin/departments/sw/head-email",
            "admin",
            json={"email": "boss-sw@liandong.example"},
        )
        assert head["head_email"] == "boss-sw@liandong.example"
        heads = await web.call("GET", "/api/admin/departments", "admin")
        assert {
            "code": "sw",
            "name": "水务集团",
            "kind": "department",
            "head_email": "boss-sw@liandong.example",
            "active": True,
        } in heads["items"]  # the administration list of web/admin/tables_api.py
    finally:
        with session_scope() as session:
            session.get(User, "inspector").email = before  # type: ignore[union-attr]
            session.get(Department, "sw").head_email = head_before  # type: ignore[union-attr]


async def test_api_keys_are_shown_once_and_can_be_revoked(web) -> None:
    await web.call("POST", "/api/admin/open311/keys", "supervisor", json={"name": "x"}, expect=403)
    created = await web.call(
        "POST", "/api/admin/open311/keys", "admin", json={"name": "12345 热线对接"}, expect=201
    )
    assert created["key"].startswith(created["prefix"]) and created["active"]
    listed = await web.call("GET", "/api/admin/open311/keys", "admin")
    assert created["id"] in [k["id"] for k in listed]
    assert all("key" not in k for k in listed)
    revoked = await web.call("DELETE", f"/api/admin/open311/keys/{created['id']}", "admin")
    assert revoked["active"] is False and revoked["revoked_at"]
    await web.call("DELETE", "/api/admin/open311/keys/999999999", "admin", expect=404)


async def test_the_admin_pages_render_and_act(api) -> None:
    web = api
    row = _failed_row()
    browser = Browser(web.app)
    try:
        assert (await browser.get("/admin/outbox")).status_code == 303  # to /login
        await browser.login("admin")
        page = await browser.get("/admin/outbox?status=failed")
        assert page.status_code == 200 and "someone@example.com" in page.text
        resp = await browser.post(f"/admin/outbox/{row.id}/retry", htmx=False)
        assert resp.status_code == 303
        assert (
            await browser.post(f"/admin/outbox/{row.id}/retry", htmx=False, csrf=False)
        ).status_code == 403
        with Session(get_engine()) as session:
            assert session.get(OutboxMessage, row.id).status == "pending"  # type: ignore[union-attr]
        page = await browser.get("/admin/open311")
        assert page.status_code == 200
        created = await browser.post("/admin/open311", {"name": "页面创建"}, htmx=False)
        assert created.status_code == 200 and "l311_" in created.text
        assert (await browser.get("/admin/departments")).status_code == 200
    finally:
        await browser.close()


@pytest.fixture
def devsmtp():
    """The development SMTP server's handler on a free port, writing to the data dir."""
    port = free_port()
    controller = Controller(
        MailboxHandler(load_settings().data_dir / "mailbox"), hostname="127.0.0.1", port=port
    )
    controller.start()
    yield port
    controller.stop()


async def test_the_development_mailbox_keeps_and_shows_mail(
    web, devsmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = f"【待签收】测试 {uuid.uuid4().hex[:6]}"
    message = (
        f"From: noreply@liandong.test\r\nTo: liaison-sw@liandong.example\r\n"
        f"Subject: =?utf-8?b?{__import__('base64').b64encode(subject.encode()).decode()}?="
        "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n请签收 Please accept\r\n"
    )
    await aiosmtplib.send(
        message.encode(),
        sender="noreply@liandong.test",
        recipients=["liaison-sw@liandong.example"],
        hostname="127.0.0.1",
        port=devsmtp,
    )
    kept = await web.call("GET", "/api/admin/mailbox", "admin")
    mine = next(m for m in kept if m["subject"] == subject)
    assert mine["to"] == "liaison-sw@liandong.example"
    # Everyone's mail is in there: admins only, in demo mode too.
    await web.call("GET", "/api/admin/mailbox", "liaison-sw", expect=403)

    browser = Browser(web.app)
    liaison = Browser(web.app)
    try:
        await liaison.login("liaison-sw")
        assert (await liaison.get("/admin/mailbox")).status_code == 403
        await browser.login("admin")
        page = await browser.get("/admin/mailbox")
        assert page.status_code == 200 and subject in page.text
        shown = await browser.get(f"/admin/mailbox/{mine['name']}")
        assert shown.status_code == 200 and "Please accept" in shown.text
        assert "+0000" not in shown.text and "GMT" not in shown.text, "Beijing time"
        assert (await browser.get("/admin/mailbox/..%2Fsecret.key")).status_code == 404
    finally:
        await browser.close()
        await liaison.close()
