"""The coordination centre (指挥中心): queues to register, dispatch, verify and call back, and
the phone intake form."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from core import payloads as p
from models.case_query import callbacks, status_counts
from models.idempotency import MAX_KEY
from web.cases.api import CaseCreate
from web.cases.forms import refusal_message, validation_message
from web.cases.pages import decorate
from web.cases.query import Filters, Page, search
from web.cases.service import CHANNELS, create_case
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep, TemporalDep
from web.kit.errors import ApiError
from web.kit.i18n import lang_of, translate
from web.kit.pages import (
    PageUser,
    is_htmx,
    page_or_fragment,
    redirect,
    render,
    require_role,
)
from web.map.pages import map_config, map_page_headers

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

QUEUES = {
    "new": p.NEW,
    "registered": p.REGISTERED,
    "bounced": p.BOUNCED,
    "reported": p.REPORTED,
    "verified": p.VERIFIED,
}
ROW_ACTIONS = ("register-dispatch", "register", "dispatch", "void", "verify", "callback")
FILER_ROLES = ("coordinator", "supervisor", "inspector")
INTAKE_FIELDS = (
    "submission",
    "category",
    "grid",
    "address",
    "description",
    "channel",
    "reporter_name",
    "reporter_phone",
    "lat",
    "lon",
)


@router.get("/coordinator", response_class=HTMLResponse)
def coordinator_console(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    """Shows one of the centre's queues with filters; refreshes itself."""
    require_role(user, "coordinator", "supervisor")
    queue = request.query_params.get("queue", "new")
    queue = queue if queue in QUEUES else "new"
    filters = Filters.from_request(request)
    filters.status = QUEUES[queue]
    if queue == "verified":  # the callback tasks: a reporter's 不满意 first
        found = Page.of(callbacks(session=session, **filters.query()), filters)
    else:
        found = search(session=session, user=user, filters=filters)
    page = decorate(session, user, found)
    params = {**filters.params(), "queue": queue}
    params.pop("status", None)
    return page_or_fragment(
        request,
        "coordinator/console.html",
        "cases/_list.html",
        {
            "active": "coordinator",
            "page": page,
            "url": "/coordinator",
            "params": params,
            "filters": filters,
            "show": ("reporter", "department", "category", "grid", "light"),
            "statuses": (),
            "list_id": "queue-list",
            "refresh": True,
            "row_actions": ROW_ACTIONS,
            "show_department": queue != "new",
            "queue": queue,
            "queues": QUEUES,
            "counts": status_counts(session=session, statuses=tuple(QUEUES.values())),
            "tabs": "coordinator/_tabs.html",
            "keep": {"queue": queue},
        },
    )


def _intake_context(
    request: Request,
    values: dict[str, str],
    error: str | None = None,
    error_field: str | None = None,
) -> dict:
    return {
        "active": "intake",
        "submission": values.get("submission") or secrets.token_urlsafe(16),
        "values": values,
        "error": error,
        "error_field": error_field,
        "channels": CHANNELS,
        "map": map_config(request),
    }


@router.get("/coordinator/intake", response_class=HTMLResponse)
def intake_form(request: Request, user: PageUser) -> HTMLResponse:
    """Shows the form for a case taken on the phone (电话受理)."""
    require_role(user, *FILER_ROLES)
    response = page_or_fragment(
        request,
        "coordinator/intake.html",
        "coordinator/_intake_form.html",
        _intake_context(request, {"channel": "hotline"}),
    )
    response.headers.update(map_page_headers(request))  # the place picker's tiles, if any
    return response


@router.post("/coordinator/intake")
async def intake_submit(request: Request, user: PageUser, client: TemporalDep) -> Response:
    """Files the case; on success goes to its page, else shows the form again with the error."""
    require_role(user, *FILER_ROLES)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in INTAKE_FIELDS}
    lang = lang_of(request)
    body: dict[str, Any] = {
        k: values[k] for k in ("category", "grid", "address", "description", "channel") if values[k]
    }
    body["reporter"] = {
        "name": values["reporter_name"] or None,
        "phone": values["reporter_phone"] or None,
    }
    if values["lat"] and values["lon"]:  # the place picked on the map
        body |= {"lat": values["lat"], "lon": values["lon"]}
    elif not values["grid"]:
        message = translate(lang, "map.intake.need_place")
        return await run_in_threadpool(_again, request, values, message, "grid")
    try:
        body = CaseCreate.model_validate(body).model_dump()
    except ValidationError as err:
        message, name = validation_message(lang, "intake", err)
        return await run_in_threadpool(_again, request, values, message, name)
    try:
        # The form's own key: a double click (or a resend) files the case once.
        key = str(form.get("submission") or "")[:MAX_KEY] or None
        number, _ = await create_case(client, body=body, user=user, idempotency_key=key)
    except ApiError as err:
        message, named = refusal_message(lang, "intake", err)
        if named == "lat" and not values["grid"]:
            message, named = translate(lang, "map.intake.outside"), "grid"
        return await run_in_threadpool(_again, request, values, message, named)
    return redirect(request, f"/cases/{number}?filed=1")


def _again(
    request: Request, values: dict[str, str], message: str, field: str | None
) -> HTMLResponse:
    # Run in a worker thread: the form's category and grid lists read the reference data.
    template = "coordinator/_intake_form.html" if is_htmx(request) else "coordinator/intake.html"
    return render(request, template, _intake_context(request, values, message, field))
