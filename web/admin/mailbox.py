"""The development mailbox: the messages scripts/devsmtp.py kept, listed and shown in the app.

For the admin, and in demo mode for everyone signed in, so a demo user sees the mail that would
have gone out.
"""

from __future__ import annotations

import email
import email.utils
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from core.config import load_settings
from models.user import User
from web.kit import pages
from web.kit.deps import CurrentUser
from web.kit.errors import error_responses, forbidden, not_found

router = APIRouter(tags=["admin: mail"])
NAME = re.compile(r"^[\w-]+\.eml$")
SHOWN = 200


def mailbox_dir() -> Path:
    """Returns where the development SMTP server keeps its messages."""
    return load_settings().data_dir / "mailbox"


def may_read(user: User) -> bool:
    """Only admins read the mailbox: it holds every reporter's and officer's mail."""
    return user.role == "admin"


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        return email.message_from_binary_file(fh, policy=policy.default)  # type: ignore[return-value]


def summary(path: Path) -> dict[str, Any]:
    """Returns a message's envelope and headers, for lists."""
    msg = _parse(path)
    return {
        "name": path.name,
        "to": str(msg.get("X-Envelope-To") or msg.get("To") or ""),
        "from": str(msg.get("From") or ""),
        "subject": str(msg.get("Subject") or ""),
        "date": str(msg.get("Date") or ""),
        "message_id": str(msg.get("Message-ID") or ""),
        "key": str(msg.get("X-Liandong-Key") or ""),
    }


def messages(limit: int = SHOWN) -> list[dict[str, Any]]:
    """Returns the newest kept messages first."""
    folder = mailbox_dir()
    if not folder.is_dir():
        return []
    paths = sorted((p for p in folder.iterdir() if NAME.match(p.name)), reverse=True)
    return [summary(p) for p in paths[:limit]]


def message(name: str) -> dict[str, Any]:
    """Returns one message with its plain-text and HTML parts; 404 if unknown."""
    path = mailbox_dir() / name
    if not NAME.match(name) or not path.is_file():
        raise not_found(f"message {name}")
    msg = _parse(path)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return {
        **summary(path),
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
    }


@router.get("/api/admin/mailbox", responses=error_responses(403))
def mailbox_api(user: CurrentUser) -> list[dict[str, Any]]:
    """Lists the development mailbox, newest first."""
    if not may_read(user):
        raise forbidden("the mailbox is for the admin")
    return messages()


def _page_user(request: Request) -> User:
    user = pages.page_user(request)
    if not may_read(user):
        pages.require_role(user, "admin")
    return user


@router.get("/admin/mailbox", response_class=HTMLResponse, include_in_schema=False)
def mailbox_page(request: Request) -> HTMLResponse:
    """The development mailbox: the mail that would have gone out."""
    _page_user(request)
    return pages.render(
        request,
        "admin/mailbox.html",
        {
            "active": "admin-tables",
            "messages": [_local(m) for m in messages()],
            "folder": mailbox_dir(),
        },
    )


def _local(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary with its RFC 2822 date in Beijing time, as every other page shows times."""
    try:
        at = email.utils.parsedate_to_datetime(summary["date"])
    except (TypeError, ValueError):
        return summary
    return {**summary, "date": pages._when(at)}


@router.get("/admin/mailbox/{name}", response_class=HTMLResponse, include_in_schema=False)
def mailbox_message_page(request: Request, name: str) -> HTMLResponse:
    """One kept message: headers, the text part and the HTML part (sandboxed)."""
    _page_user(request)
    if not NAME.match(name) or not (mailbox_dir() / name).is_file():
        raise pages.PageError(404, "error.404")
    return pages.render(
        request,
        "admin/mailbox_message.html",
        {"active": "admin-tables", "m": _local(message(name))},
    )


# The mail's own inline styles may apply inside the preview frame; nothing may run or load.
MAIL_FRAME_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "sandbox; frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
}


@router.get("/admin/mailbox/{name}/html", response_class=HTMLResponse, include_in_schema=False)
def mailbox_message_html(request: Request, name: str) -> HTMLResponse:
    """The HTML part of one kept message, for the page's sandboxed preview frame."""
    _page_user(request)
    if not NAME.match(name) or not (mailbox_dir() / name).is_file():
        raise pages.PageError(404, "error.404")
    return HTMLResponse(message(name)["html"], headers=MAIL_FRAME_HEADERS)
