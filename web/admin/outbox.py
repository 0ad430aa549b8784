"""Mail administration: the outbox (pending, failed, unknown, sent) with retry, and addresses.

JSON under /api (bearer token), pages under /admin (browser session + CSRF). Retrying a row
makes it pending now and wakes the mailer; an `unknown` row retried is a deliberate resend.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client
from temporalio.service import RPCError

from core.naming import MAILER_WORKFLOW_ID
from models import mail_store as store
from models.db import session_scope, utcnow
from models.outbox import STATUSES, OutboxMessage
from models.reference import Department
from models.user import User
from web.kit import pages
from web.kit.csrf import verify_csrf
from web.kit.deps import CurrentUser, SessionDep, TemporalDep, require_role
from web.kit.errors import error_responses, invalid, not_found
from web.kit.timefmt import iso

router = APIRouter(tags=["admin: mail"])
CSRF = [Depends(verify_csrf)]
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class EmailBody(BaseModel):
    email: str | None = Field(default=None, max_length=254)


def checked_email(value: str | None) -> str | None:
    """Returns a plausible address, None to clear it; 422 otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    if not EMAIL.match(value):
        raise invalid("email", f"not an e-mail address: {value}")
    return value


def message_json(row: OutboxMessage) -> dict[str, Any]:
    """Returns an outbox row as the admin API shows it."""
    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "status": row.status,
        "recipient": row.recipient,
        "recipient_name": row.recipient_name,
        "case_number": row.case_number,
        "operation_id": row.operation_id,
        "subject": row.subject,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "next_attempt_at": iso(row.next_attempt_at),
        "created_at": iso(row.created_at),
        "sent_at": iso(row.sent_at),
        "message_id": row.message_id,
    }


async def wake_mailer(client: Client) -> None:
    """Asks the mailer to deliver now (nothing happens if it is not running)."""
    try:
        await client.get_workflow_handle(MAILER_WORKFLOW_ID).signal("kick")
    except RPCError:
        pass


def _retry(row_id: int) -> OutboxMessage:
    with session_scope() as session:
        row = store.retry(session=session, row_id=row_id, now=utcnow())
    if row is None:
        raise not_found(f"message {row_id}")
    return row


# The departments' page with their heads' addresses is web/admin/tables_pages.py's, and the
# list of GET /api/admin/departments is web/admin/tables_api.py's.


@router.get("/api/admin/outbox", responses=error_responses(403, 422))
def outbox(
    session: SessionDep,
    user: CurrentUser,
    status: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict:
    """Lists outgoing mail, newest first, with the count in each status."""
    require_role(user, "admin")
    rows, total = store.list_outbox(session=session, status=status, page=page, page_size=page_size)
    return {
        "items": [message_json(r) for r in rows],
        "total": total,
        "counts": store.counts(session=session),
        "page": page,
        "page_size": page_size,
    }


@router.post("/api/admin/outbox/{row_id}/retry", responses=error_responses(403, 404, 422))
async def retry_message(row_id: int, user: CurrentUser, client: TemporalDep) -> dict:
    """Sends a failed, unknown or waiting message at once (unknown: a deliberate resend)."""
    require_role(user, "admin")
    row = await run_in_threadpool(_retry, row_id)
    await wake_mailer(client)
    return message_json(row)


@router.put("/api/me/email", responses=error_responses(422))
def set_my_email(body: EmailBody, user: CurrentUser) -> dict:
    """Sets (or clears, with null) the signed-in user's own e-mail address."""
    email = checked_email(body.email)
    with session_scope() as session:
        row = session.get(User, user.username)
        assert row is not None
        row.email = email
        session.add(row)
    return {"username": user.username, "email": email}


def _set_head_email(code: str, email: str | None) -> Department:
    with session_scope() as session:
        row = session.get(Department, code)
        if row is None:
            raise not_found(f"department {code}")
        row.head_email = email
        session.add(row)
    return row


@router.put("/api/admin/departments/{code}/head-email", responses=error_responses(403, 404, 422))
def set_head_email(code: str, body: EmailBody, user: CurrentUser) -> dict:
    """Sets (or clears) the address of a department head (told at escalation level 1)."""
    require_role(user, "admin")
    row = _set_head_email(code, checked_email(body.email))
    return {"code": row.code, "name": row.name, "head_email": row.head_email}


# -- pages ------------------------------------------------------------------------------------


def _admin(user: User) -> None:
    pages.require_role(user, "admin")


@router.get("/admin/outbox", response_class=HTMLResponse, include_in_schema=False)
def outbox_page(
    request: Request,
    session: SessionDep,
    user: pages.PageUser,
    status: str = "pending,claimed,sending,unknown,failed",
    page: int = Query(1, ge=1),
) -> HTMLResponse:
    """The outbox: what waits, what failed, what may or may not have gone, what went."""
    _admin(user)
    rows, total = store.list_outbox(session=session, status=status or None, page=page)
    return pages.render(
        request,
        "admin/outbox.html",
        {
            "active": "admin-tables",
            "rows": rows,
            "total": total,
            "page": page,
            "status": status,
            "statuses": STATUSES,
            "counts": store.counts(session=session),
        },
    )


@router.post("/admin/outbox/{row_id}/retry", include_in_schema=False, dependencies=CSRF)
async def outbox_retry_page(
    request: Request, row_id: int, user: pages.PageUser, client: TemporalDep
) -> Response:
    """The retry button of the outbox page."""
    _admin(user)
    await run_in_threadpool(_retry, row_id)
    await wake_mailer(client)
    return pages.redirect(request, request.headers.get("referer") or "/admin/outbox")
