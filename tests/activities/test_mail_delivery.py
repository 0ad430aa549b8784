"""Delivering the outbox over real SMTP: crashes, refusals and outages never duplicate or lose."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import uuid
from datetime import timedelta
from pathlib import Path

import mail_helpers
from aiosmtpd.smtp import Envelope
from mail_helpers import case_state, deliver_all, line, project, rows
from sqlmodel import Session

from activities.mail import deliver, digest_time_after
from core import mail_payloads as m
from core import payloads as p
from core.naming import MAILER_WORKFLOW_ID
from models.calendar_store import load_calendar
from models.db import get_engine, session_scope
from models.mail_store import LEASE, retry
from models.outbox import OutboxMessage
from workflows.mailer import MailerWorkflow

ROOT = Path(__file__).resolve().parents[2]
# The worker dies (os._exit) right after the relay answered 250 to DATA, before `sent` is saved.
CRASH_AFTER_SEND = textwrap.dedent("""
    import asyncio, os, sys
    from datetime import datetime
    from models import mail_store
    def die(**_kwargs):
        os._exit(17)
    mail_store.mark_sent = die
    from activities.mail import deliver
    asyncio.run(deliver(datetime.fromisoformat(sys.argv[1])))
""")


smtp = mail_helpers.smtp  # the fixture


def _registered_case() -> p.CaseState:
    state = case_state()
    project(state, line(1, "created"), line(2, "registered"))
    return state


async def test_killing_the_worker_between_sending_and_recording_sends_no_duplicate(smtp) -> None:
    state = _registered_case()
    (row,) = rows(state.number)
    now = row.next_attempt_at + timedelta(seconds=1)
    crashed = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CRASH_AFTER_SEND,
        now.isoformat(),
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(crashed.communicate(), 60)
    assert crashed.returncode == 17, stderr.decode()
    assert len(smtp.inbox.about(state.number)) == 1
    assert rows(state.number)[0].status == "sending"

    # The activity is retried at once: the claim is still leased, nothing is sent.
    report = await deliver(now + timedelta(seconds=5))
    assert (report.sent, report.unknown) == (0, 0)
    # After the lease the row is known to be in doubt, and still not sent again.
    report = await deliver(now + LEASE + timedelta(seconds=1))
    assert report.unknown == 1
    (row,) = rows(state.number)
    assert row.status == "unknown" and "may have been delivered" in (row.last_error or "")
    await deliver_all(now + LEASE * 3)
    received = smtp.inbox.about(state.number)
    assert len(received) == 1
    assert received[0].msg["Message-ID"] == row.message_id

    # An admin who resends it gets a second copy on purpose, with the same Message-ID.
    with session_scope() as session:
        retry(session=session, row_id=row.id, now=now + LEASE * 3)
    await deliver_all(now + LEASE * 3)
    assert [r.msg["Message-ID"] for r in smtp.inbox.about(state.number)] == [row.message_id] * 2
    assert rows(state.number)[0].status == "sent"


async def test_a_retried_delivery_never_resends_what_was_sent(smtp) -> None:
    state = _registered_case()
    now = rows(state.number)[0].next_attempt_at
    await deliver_all(now)
    await deliver_all(now + timedelta(minutes=10))
    await deliver_all(now + LEASE * 2)
    assert len(smtp.inbox.about(state.number)) == 1
    assert rows(state.number)[0].status == "sent"


async def test_a_refused_recipient_fails_and_a_busy_one_waits(smtp) -> None:
    async def picky(server, session, envelope: Envelope, address: str, rcpt_options):  # noqa: ANN001
        if address.startswith("nobody"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.inbox.handle_RCPT = picky  # type: ignore[attr-defined]
    smtp.stop()
    smtp.start()
    gone, busy = (
        case_state(reporter_email="nobody@example.com"),
        case_state(reporter_email="busy@example.com"),
    )
    for state in (gone, busy):
        project(state, line(1, "registered"))
    now = rows(busy.number)[0].next_attempt_at
    report = await deliver_all(now)
    assert (report.failed, report.deferred) == (1, 1)
    assert rows(gone.number)[0].status == "failed"
    waiting = rows(busy.number)[0]
    assert waiting.status == "pending" and waiting.next_attempt_at > now
    assert "451" in (waiting.last_error or "")
    del smtp.inbox.handle_RCPT  # type: ignore[attr-defined]
    smtp.stop()
    smtp.start()
    await deliver_all(waiting.next_attempt_at)
    assert rows(busy.number)[0].status == "sent"
    assert smtp.inbox.about(gone.number) == []


async def test_an_smtp_outage_delays_then_delivers_everything(smtp, time_env, worker_queue) -> None:
    smtp.stop()
    mailer = await time_env.client.start_workflow(
        MailerWorkflow.run,
        m.MailerInput(poll_seconds=60),
        id=f"{MAILER_WORKFLOW_ID}-{uuid.uuid4().hex[:8]}",
        task_queue=worker_queue,
    )
    try:
        start = await time_env.get_current_time()
        state = case_state(created_at=start)
        project(
            state,
            line(1, "created", at=start),
            line(2, "registered", at=start),
            line(3, "dispatched", at=start, department="sw"),
        )
        await time_env.sleep(timedelta(minutes=3))
        waiting = rows(state.number)
        assert [r.status for r in waiting] == ["pending", "pending"]
        assert all(r.attempts >= 2 and "Connect" in (r.last_error or "") for r in waiting)
        assert all(r.next_attempt_at > start for r in waiting)
        assert smtp.inbox.about(state.number) == []

        smtp.start()  # back after some minutes: the backoff reaches it within the next ones
        await time_env.sleep(timedelta(minutes=10))
        assert [r.status for r in rows(state.number)] == ["sent", "sent"]
        received = smtp.inbox.about(state.number)
        assert sorted(r.rcpt[0] for r in received) == [
            "citizen@example.com",
            "liaison-sw@liandong.example",
        ]
        await time_env.sleep(timedelta(minutes=10))
        assert len(smtp.inbox.about(state.number)) == 2
    finally:
        await mailer.terminate("test finished")


def test_outbox_rows_keep_their_key_unique(engine) -> None:
    state = _registered_case()
    (row,) = rows(state.number)
    with Session(get_engine()) as session:
        session.add(
            OutboxMessage(
                key=row.key,
                message_id="x",
                kind="x",
                recipient="x@y.z",
                next_attempt_at=row.next_attempt_at,
                created_at=row.created_at,
            )
        )
        try:
            session.commit()
        except Exception as err:  # the database itself refuses a second row
            assert "UNIQUE" in str(err).upper()
        else:
            raise AssertionError("a second row with the same key was stored")


async def test_the_mailer_sends_one_digest_at_0830_of_the_next_working_day(
    smtp, time_env, worker_queue
) -> None:
    start = await time_env.get_current_time()
    cal = load_calendar(engine=get_engine())
    at = digest_time_after(start, cal)
    escalated = [case_state(status="dispatched", department="sw") for _ in range(2)]
    for state in escalated:
        project(
            state,
            line(
                1,
                "escalated",
                at=start,
                department="sw",
                level=2,
                deadline=start - timedelta(days=1),
            ),
        )
    mailer = await time_env.client.start_workflow(
        MailerWorkflow.run,
        m.MailerInput(poll_seconds=6 * 3600),
        id=f"{MAILER_WORKFLOW_ID}-{uuid.uuid4().hex[:8]}",
        task_queue=worker_queue,
    )
    try:
        await time_env.sleep(at - start - timedelta(minutes=5))
        assert _digests(smtp) == []
        await time_env.sleep(timedelta(minutes=10))
        (digest,) = _digests(smtp)
        assert all(state.number in digest.text() for state in escalated)
        assert digest.key == f"digest/{at.date().isoformat()}/supervisor@liandong.example"
        (row,) = rows(key_part=digest.key)
        assert abs(row.sent_at - at) < timedelta(minutes=1)
        after = digest_time_after(at, cal)
        assert (await mailer.query(MailerWorkflow.state)).next_digest_at == after
        await time_env.sleep(after - at)
        assert len(_digests(smtp)) == 1  # nothing new escalated: no second mail
    finally:
        await mailer.terminate("test finished")


def _digests(server):  # noqa: ANN001, ANN202
    return [
        r
        for r in server.inbox.received
        if r.key.startswith("digest/") and "supervisor@liandong.example" in r.rcpt
    ]
