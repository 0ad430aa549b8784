"""Renders an outbox row into an e-mail: Chinese with an English part, plain text and HTML.

Each kind's words live in activities/templates/mail/<kind>.j2 as `{% set %}` blocks (subject,
headline, what to do, extra, in zh and en); the two layouts lay them out with the facts of the
case, the operation or the digest, the deadline and the link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChainableUndefined, Environment, FileSystemLoader

from core.workcal import TZ

TEMPLATES = Path(__file__).resolve().parent / "templates"
PARTS = ("subject", "headline_zh", "todo_zh", "extra_zh", "headline_en", "todo_en", "extra_en")
REPORTER_KINDS = ("case_registered", "case_closed")


def when(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Formats an ISO string or datetime as Shanghai wall-clock time."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ).strftime(fmt)


def _env(*, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=ChainableUndefined,
    )
    env.filters["when"] = when
    return env


_TEXT = _env(html=False)
_HTML = _env(html=True)


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def link_for(kind: str, context: dict[str, Any], public_url: str) -> str:
    """Returns where the mail sends its reader: the case, the public page, the operation."""
    base = public_url.rstrip("/")
    case = context.get("case") or {}
    if kind in REPORTER_KINDS:
        return f"{base}/track?number={quote(case.get('number', ''))}"
    if case.get("number"):
        return f"{base}/cases/{quote(case['number'])}"
    if context.get("operation"):
        return f"{base}/operations/{quote(str(context['operation'].get('id', '')))}"
    return f"{base}/cases?light=red"


def render(kind: str, context: dict[str, Any], *, public_url: str) -> Rendered:
    """Renders one message; raises jinja2 errors for a missing or broken template."""
    base = public_url.rstrip("/")
    values = {
        **context,
        "kind": kind,
        "url": link_for(kind, context, public_url),
        "public_url": base,
        "case_url": lambda number: f"{base}/cases/{quote(number)}",
    }
    out = {}
    for fmt, env in (("txt", _TEXT), ("html", _HTML)):
        words = env.get_template(f"mail/{kind}.j2").make_module(values)
        parts = {name: str(getattr(words, name, "")).strip() for name in PARTS}
        # A kind whose facts the shared layout cannot show names its own (`{% set layout %}`).
        layout = str(getattr(words, "layout", "") or "_layout")
        out[fmt] = env.get_template(f"mail/{layout}.{fmt}.j2").render(values, **parts)
        out["subject"] = re.sub(r"\s+", " ", parts["subject"])
    return Rendered(
        subject=out["subject"],
        text=re.sub(r"\n{3,}", "\n\n", out["txt"]).strip() + "\n",
        html=out["html"],
    )


def build_message(
    *,
    rendered: Rendered,
    sender: str,
    recipient: str,
    recipient_name: str | None,
    message_id: str,
    key: str,
    date: datetime,
) -> EmailMessage:
    """Returns the MIME message: multipart/alternative, UTF-8, with the outbox's Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    user, _, domain = recipient.partition("@")
    msg["To"] = Address(display_name=recipient_name or "", username=user, domain=domain)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["X-Liandong-Key"] = key
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, charset="utf-8", cte="base64")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    return msg


def sender_address(sender: str) -> str:
    """Returns the bare address of the configured sender, for MAIL FROM."""
    return parseaddr(sender)[1] or "noreply@liandong.local"
