"""Mail activities: deliver the outbox over SMTP (aiosmtplib), compose and time the digests.

How a message is sent, and why it is never sent twice by a retry or a restart:

1. `claim` (pending -> claimed, with an attempt id and a 5-minute lease), committed.
2. MAIL FROM and RCPT TO: nothing is delivered yet; a refusal or a broken connection sends the
   row back to pending (or failed, for a 5xx) with the error and the next attempt time.
3. `mark_sending` (claimed -> sending), committed: the point of no return.
4. DATA; the relay answers 250.
5. `mark_sent` (sending -> sent), committed.

SMTP cannot be asked whether it already has a message, so exactly-once is impossible; the only
window in which the outcome is unknown is between 3 and 5, one round trip long. A worker lost in
that window leaves the row in `sending`; when its lease expires it becomes `unknown` and is *not*
re-sent by itself (at most once: a duplicate order to a department is worse than a delayed one,
and the case itself shows the task anyway). The admin page lists unknown rows and can resend
them, with the same Message-ID so that mail clients can fold a duplicate. A worker lost before 3
leaves the row `claimed`; its lease expiry makes it pending again, which is safe: DATA never
started.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

import aiosmtplib
from temporalio import activity

from core import mail_payloads as m
from core import workcal
from core.config import Settings, load_settings
from core.workcal import TZ
from models import mail_digest as digest
from models import mail_store as store
from models.calendar_store import load_calendar
from models.db import get_engine, session_scope
from models.outbox import FAILED, UNKNOWN

from .mail_render import build_message, render, sender_address

DIGEST_AT = time(8, 30)
SMTP_TIMEOUT = 30.0
# A delivery stops claiming after this long, well inside its 2-minute activity timeout.
DELIVERY_BUDGET = 60.0
T = TypeVar("T")


async def _db(fn: Callable[..., T], **kwargs: Any) -> T:
    def run() -> T:
        with session_scope() as session:
            return fn(session=session, **kwargs)

    return await asyncio.to_thread(run)


def _smtp(settings: Settings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=SMTP_TIMEOUT,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        username=settings.smtp_user or None,
        password=settings.smtp_password or None,
    )


def _reason(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:2000]


async def _send_one(
    smtp: aiosmtplib.SMTP, row_id: int, now: datetime, settings: Settings, report: m.DeliveryReport
) -> None:
    """Sends one claimed row; raises SMTPServerDisconnected/OSError when the link is gone."""
    attempt = uuid.uuid4().hex
    row = await _db(store.claim, row_id=row_id, attempt_id=attempt, now=now)
    if row is None:
        return
    try:
        rendered = render(row.kind, row.context, public_url=settings.public_url)
        message = build_message(
            rendered=rendered,
            sender=settings.smtp_sender,
            recipient=row.recipient,
            recipient_name=row.recipient_name,
            message_id=row.message_id,
            key=row.key,
            date=now,
        )
    except Exception as err:  # a template bug: no retry can fix it, the admin can
        await _db(store.give_up, row_id=row_id, attempt_id=attempt, error=_reason(err))
        report.failed += 1
        return
    try:
        await smtp.mail(sender_address(settings.smtp_sender))
        await smtp.rcpt(row.recipient)
    except aiosmtplib.SMTPResponseException as err:
        await _refused(row_id, attempt, now, err, report)
        await smtp.rset()
        return
    except (aiosmtplib.SMTPException, OSError) as err:
        await _db(store.defer, row_id=row_id, attempt_id=attempt, now=now, error=_reason(err))
        report.deferred += 1
        raise
    if not await _db(
        store.mark_sending, row_id=row_id, attempt_id=attempt, subject=rendered.subject
    ):
        await smtp.rset()
        return
    try:
        await smtp.data(message.as_bytes())
    except aiosmtplib.SMTPResponseException as err:  # the relay said no: nothing delivered
        await _refused(row_id, attempt, now, err, report)
        return
    except (aiosmtplib.SMTPException, OSError) as err:  # cut off mid-DATA: may have arrived
        await _db(
            store.give_up, row_id=row_id, attempt_id=attempt, status=UNKNOWN, error=_reason(err)
        )
        report.unknown += 1
        raise
    await _db(store.mark_sent, row_id=row_id, attempt_id=attempt, now=now)
    report.sent += 1


async def _refused(
    row_id: int,
    attempt: str,
    now: datetime,
    err: aiosmtplib.SMTPResponseException,
    report: m.DeliveryReport,
) -> None:
    if err.code >= 500:
        await _db(store.give_up, row_id=row_id, attempt_id=attempt, error=_reason(err))
        report.failed += 1
    elif (
        await _db(store.defer, row_id=row_id, attempt_id=attempt, now=now, error=_reason(err))
        == FAILED
    ):
        report.failed += 1
    else:
        report.deferred += 1


async def deliver(now: datetime, limit: int = 50) -> m.DeliveryReport:
    """Sends the pending messages due at `now`; an unreachable relay defers them all."""
    settings = load_settings()
    report = m.DeliveryReport()
    report.unknown = await _db(store.release_expired, now=now)
    ids = await _db(store.due, now=now, limit=limit)
    if ids and not settings.smtp_host:
        report.error = "no SMTP host configured (LIANDONG_SMTP_HOST)"
    elif ids:
        smtp = _smtp(settings)
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as err:
            report.error = _reason(err)
            report.deferred += await _db(store.defer_due, row_ids=ids, now=now, error=report.error)
        else:
            finished = await _send_all(smtp, ids, now, settings, report)
            report.more = (not finished and report.error is None) or (
                finished and len(ids) == limit
            )
    report.next_due = await _db(store.next_due)
    return report


async def _send_all(
    smtp: aiosmtplib.SMTP,
    ids: list[int],
    now: datetime,
    settings: Settings,
    report: m.DeliveryReport,
) -> bool:
    """Sends the rows over one connection; returns False if it stopped before the last."""
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + DELIVERY_BUDGET
    try:
        for row_id in ids:
            if loop.time() > stop_at:
                return False
            await _send_one(smtp, row_id, now, settings, report)
    except (aiosmtplib.SMTPException, OSError) as err:
        report.error = _reason(err)  # the rest waits for the next wake
        return False
    finally:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()
    return True


def digest_time_after(after: datetime, cal: workcal.WorkCalendar) -> datetime:
    """Returns 08:30 Shanghai of the first working day at which it is later than `after`."""
    day: date = after.astimezone(TZ).date()
    for _ in range(workcal.MAX_DAYS):
        at = datetime.combine(day, DIGEST_AT, tzinfo=TZ)
        if at > after and cal.is_working_day(day):
            return at
        day += timedelta(days=1)
    raise RuntimeError("no working day within ten years")


@activity.defn
async def deliver_outbox(req: m.DeliverRequest) -> m.DeliveryReport:
    """Delivers the due outbox rows over SMTP; never raises for an SMTP problem."""
    return await deliver(req.now, req.limit)


@activity.defn
def compose_digests(req: m.DigestRequest) -> int:
    """Builds today's digest per supervisor from the held level-2 escalations."""
    day = req.now.astimezone(TZ).date().isoformat()
    with session_scope() as session:
        return digest.compose_digests(
            session=session, now=req.now, day=day, sender=load_settings().smtp_sender
        )


@activity.defn
def next_digest_time(req: m.DigestTimeRequest) -> datetime:
    """Returns when the next digest goes out: 08:30 of the next working day."""
    return digest_time_after(req.after, load_calendar(engine=get_engine()))


ALL: list[Callable[..., Any]] = [deliver_outbox, compose_digests, next_digest_time]
