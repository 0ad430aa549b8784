"""A real SMTP server for the mail tests (aiosmtpd), and what a recipient would read."""

from __future__ import annotations

import dataclasses
import email
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import Session, col, select

from activities.mail import deliver
from core import mail_payloads as m
from core import payloads as p
from models.case_store import apply_projection
from models.db import get_engine, session_scope
from models.outbox import CLAIMED, FAILED, PENDING, SENDING, OutboxMessage
from scripts.devstack import free_port

PUBLIC_URL = "https://liandong.test"
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # a Friday, 10:00 in Shanghai


@dataclass
class Received:
    """One message as the SMTP server took it: envelope recipients and the parsed message."""

    rcpt: list[str]
    msg: EmailMessage

    @property
    def key(self) -> str:
        return str(self.msg["X-Liandong-Key"])

    @property
    def subject(self) -> str:
        return str(self.msg["Subject"])

    def text(self) -> str:
        return self.msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    def html(self) -> str:
        return self.msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]


@dataclass
class Inbox:
    """The aiosmtpd handler: keeps every message it accepted."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(rcpt=list(envelope.rcpt_tos), msg=msg))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def about(self, number: str) -> list[Received]:
        """Returns the messages whose outbox key names a case, operation or digest part."""
        return [r for r in self.received if f"/{number}/" in r.key]

    def to(self, address: str, number: str) -> list[Received]:
        return [r for r in self.about(number) if address in r.rcpt]


class SmtpServer:
    """An aiosmtpd Controller on a fixed free port that can go down and come back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, engine):
    """A running SMTP server the mailer is configured for; older outbox rows are set aside."""
    server = SmtpServer()
    server.start()
    monkeypatch.setenv("LIANDONG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LIANDONG_SMTP_PORT", str(server.port))
    monkeypatch.setenv("LIANDONG_SMTP_TLS", "none")
    monkeypatch.setenv("LIANDONG_PUBLIC_URL", PUBLIC_URL)
    with session_scope() as session:  # rows other tests' cases queued are none of ours
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.status).in_((PENDING, CLAIMED, SENDING)))
            .values(status=FAILED, last_error="set aside by a mail test")
        )
    yield server
    server.stop()


async def deliver_all(now: datetime) -> m.DeliveryReport:
    """Runs deliveries until nothing due is left; returns the sum of what they did."""
    total = m.DeliveryReport()
    for _ in range(20):
        report = await deliver(now)
        for name in ("sent", "deferred", "failed", "unknown"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.error = report.error or total.error
        if not report.more:
            return total
    raise AssertionError("delivery never finished")


def rows(case_number: str | None = None, key_part: str | None = None) -> list[OutboxMessage]:
    """Returns outbox rows of a case (or whose key contains `key_part`), oldest first."""
    with Session(get_engine()) as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if case_number:
            query = query.where(OutboxMessage.case_number == case_number)
        if key_part:
            query = query.where(col(OutboxMessage.key).contains(key_part))
        return list(session.exec(query))


# -- cases written straight through the projection (no workflow) --------------------------------


def case_state(number: str | None = None, **changes: object) -> p.CaseState:
    """Returns a case snapshot as the workflow would project it."""
    state = p.CaseState(
        number=number or f"M-{uuid.uuid4().hex[:10]}",
        category="manhole-cover",
        limit_amount=4,
        limit_unit="working_hours",
        description="井盖缺失，行人有坠落危险",
        grid="hongqi-01",
        street="hongqi",
        address="金湾区红旗镇藤山一路 12 号",
        channel="hotline",
        created_at=T0,
        reporter_name="王先生",
        reporter_email="citizen@example.com",
    )
    return dataclasses.replace(state, **changes)  # type: ignore[arg-type]


def line(
    seq: int, action: str, detail: str = "", at: datetime | None = None, **data: object
) -> p.TimelineEntry:
    """Returns one timeline line."""
    return p.TimelineEntry(
        seq=seq,
        at=at or T0 + timedelta(minutes=seq),
        actor="system",
        action=action,
        detail=detail or action,
        data=dict(data),
    )


def project(state: p.CaseState, *events: p.TimelineEntry) -> int:
    """Writes a snapshot and lines as the projection activity does; returns lines written."""
    state.seq = max([state.seq, *(e.seq for e in events)])
    state.version += 1
    with session_scope() as session:
        return apply_projection(
            session=session, projection=p.CaseProjection(state=state, events=list(events))
        )
