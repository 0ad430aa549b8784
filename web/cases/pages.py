"""The case pages: search, one case with its history, action forms, and the report photos."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import payloads as p
from models.case import Case, CaseEvent
from models.case_query import bounce_history, rework_history
from models.case_store import timeline
from models.db import get_engine
from models.operation_cases import case_origin
from models.routing import Basis, basis, route
from models.user import User
from web.cases.forms import (
    PAGE_ACTIONS,
    Outcome,
    allowed_actions,
    override_choices,
    refusal_message,
    run_action,
    why_not,
)
from web.cases.history import display_names, history, rework_of
from web.cases.query import Filters, Page, search
from web.cases.service import visible_case
from web.cases.uploads import media_type, photo_path
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep, TemporalDep
from web.kit.errors import ApiError
from web.kit.i18n import lang_of
from web.kit.names import reference
from web.kit.pages import (
    PageError,
    PageUser,
    is_htmx,
    page_or_fragment,
    redirect,
    triggers,
)

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

SEARCH_FILTERS = ("reporter", "status", "department", "category", "grid", "light")
# The forms that preselect a department, and those of them that show the bounce reasons.
ROUTED = ("dispatch", "register-dispatch", "arbitrate")
WITH_BOUNCES = ("dispatch", "arbitrate")
# The statuses a case sent back for rework is handled in again.
REWORKING = (p.IN_PROGRESS, p.PARKED)


def visible_row(session: Session, user: User, number: str) -> Case:
    """Returns a case the user may see; an HTML 403 or 404 otherwise."""
    try:
        return visible_case(session=session, user=user, number=number)
    except ApiError as err:
        raise PageError(
            err.status_code, "error.403" if err.status_code == 403 else "error.404"
        ) from None


def decorate(session: Session, user: User, page: Page) -> Page:
    """Adds to a page of cases what its rows show: the user's actions, bounce and rework
    reasons."""
    page.extra["actions"] = {row.number: allowed_actions(user, row) for row in page.items}
    bounced = [
        r.number
        for r in page.items
        if r.bounces and r.status in (p.BOUNCED, p.DISPUTED, p.REGISTERED)
    ]
    page.extra["bounces"] = bounce_history(session=session, numbers=bounced)
    # A case back with its department for rework shows it, with the reason whoever sent it typed.
    reworked = [r.number for r in page.items if r.reworks and r.status in REWORKING]
    lines = rework_history(session=session, numbers=reworked)
    page.extra["reworks"] = {n: rework_of(found) for n, found in lines.items()}
    return page


def suggestion(bounces: list[CaseEvent], routed: str) -> str:
    """Returns the department to preselect when dispatching: the last bounce's suggestion, else
    what the responsibility list says; never a department that has bounced the case."""
    bounced = {(event.data or {}).get("department") for event in bounces}
    for event in reversed(bounces):
        suggested = (event.data or {}).get("suggested_department")
        if suggested and suggested not in bounced:
            return suggested
    return routed if routed not in bounced else ""


def form_contexts(session: Session, row: Case, actions: list[str]) -> dict[str, dict[str, Any]]:
    """Returns what each action's form shows besides the typed values, each fact read once."""
    bounces: list[CaseEvent] = []
    if row.bounces and any(a in WITH_BOUNCES for a in actions):
        bounces = bounce_history(session=session, numbers=[row.number])[row.number]
    routed = ""
    why: Basis | None = None
    if any(a in ROUTED for a in actions):
        rule = route(session=session, category=row.category, grid=row.grid)
        routed, why = (rule.department, basis(rule)) if rule else ("", None)
    out: dict[str, dict[str, Any]] = {}
    for action in actions:
        shown = bounces if action in WITH_BOUNCES else []
        out[action] = {
            "suggestion": suggestion(shown, routed) if action in ROUTED else "",
            "route_dept": routed if action in ROUTED else "",
            # Which line of the list names route_dept, shown beside the suggestion.
            "route_basis": why if action in ROUTED else None,
            "bounces": shown,
            "overrides": override_choices(row) if action == "override" else [],
        }
    return out


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    """Searches every case the user may see, with filters and paging."""
    filters = Filters.from_request(request)
    page = decorate(session, user, search(session=session, user=user, filters=filters))
    show = (
        SEARCH_FILTERS
        if user.role != "liaison"
        else tuple(f for f in SEARCH_FILTERS if f != "department")
    )
    return page_or_fragment(
        request,
        "cases/list.html",
        "cases/_list.html",
        {
            "active": "cases",
            "page": page,
            "url": "/cases",
            "params": filters.params(),
            "filters": filters,
            "statuses": p.STATUSES,
            "show": show,
            "list_id": "case-list",
            "refresh": False,
            "row_actions": ("verify",) if user.role == "inspector" else (),
            "show_department": True,
        },
    )


@router.get("/cases/{number}", response_class=HTMLResponse)
def case_page(request: Request, number: str, session: SessionDep, user: PageUser) -> HTMLResponse:
    """Shows one case: facts, clock and light, the actions the user may take, its history."""
    row = visible_row(session, user, number)
    events = timeline(session=session, number=number)
    lines = history(
        events,
        lang=lang_of(request),
        ref=reference(request),
        names=display_names(session=session, events=events),
    )
    actions = allowed_actions(user, row)
    interim_only = (
        user.role == "liaison"
        and user.department == row.interim_department
        and user.department != row.department
        and "interim-report" not in actions
    )
    return page_or_fragment(
        request,
        "cases/detail.html",
        "cases/_body.html",
        {
            "row": row,
            "origin": case_origin(session=session, number=number),
            "lines": lines,
            "actions": actions,
            "public": False,
            "forms": form_contexts(session, row, actions),
            "reporter": user.role != "liaison",
            "interim_only": interim_only,
        },
    )


@router.get("/cases/{number}/changed", include_in_schema=False)
def case_changed(number: str, version: int, session: SessionDep, user: PageUser) -> Response:
    """Tells an open case page whether someone else changed the case: 204, or case-changed."""
    row = visible_row(session, user, number)
    if row.version == version:
        return Response(status_code=204)
    return Response(status_code=200, headers=triggers(case_changed={"number": number}))


@router.get("/cases/{number}/act/{action}", response_class=HTMLResponse)
def action_form(
    request: Request, number: str, action: str, session: SessionDep, user: PageUser
) -> HTMLResponse:
    """Returns one action's form: a fragment for the dialog, a page otherwise."""
    if action not in PAGE_ACTIONS:
        raise PageError(404, "error.404")
    row = visible_row(session, user, number)
    context = {
        "row": row,
        "action": action,
        "values": {},
        "error": None,
        "error_field": None,
        "where": "dialog" if is_htmx(request) else "page",
        "photos_dropped": False,
        **form_contexts(session, row, [action])[action],
    }
    refused = why_not(user, row, action)
    if refused is not None:  # a stale page's form: say why, in the catalogue's words
        context["error"] = refusal_message(lang_of(request), action, refused)[0]
    return page_or_fragment(request, "cases/action.html", "cases/_action_form.html", context)


def _visible(user: User, number: str) -> Case:
    with Session(get_engine(), expire_on_commit=False) as session:
        return visible_row(session, user, number)


@router.post("/cases/{number}/act/{action}")
async def act_on_case(
    request: Request, number: str, action: str, user: PageUser, client: TemporalDep
) -> Response:
    """Runs an action through the workflow; a refusal re-renders the form with what was typed."""
    if action not in PAGE_ACTIONS:
        raise PageError(404, "error.404")
    row = await run_in_threadpool(_visible, user, number)
    form = await request.form()
    where = form.get("where") if form.get("where") in ("dialog", "page") else "page"
    outcome = await run_action(
        client,
        lang=lang_of(request),
        user=user,
        row=row,
        action=action,
        form=form,
        data_dir=request.app.state.settings.data_dir,
    )
    if outcome.ok:
        if action == "bounce" and where == "page":
            # The case has left the department: its liaison goes back to the desk's task list.
            return redirect(request, "/liaison")
        if not is_htmx(request):
            return redirect(request, f"/cases/{number}")
        events = {
            "case-changed": {"number": number, "action": action},
            f"case.{action}": {"number": number},
            "flash": outcome.message,
            "close-dialog": True,
        }
        return Response(
            status_code=200, headers={"HX-Trigger": json.dumps(events), "HX-Reswap": "none"}
        )
    return await run_in_threadpool(_refused, request, row, action, outcome, str(where))


def _refused(request: Request, row: Case, action: str, outcome: Outcome, where: str) -> Response:
    """Shows the action's form again with the refusal and what was typed."""
    with Session(get_engine(), expire_on_commit=False) as session:
        context = {
            "row": row,
            "action": action,
            "values": outcome.values,
            "error": outcome.message,
            "error_field": outcome.error_field,
            "where": where,
            "photos_dropped": outcome.photos_dropped,
            **form_contexts(session, row, [action])[action],
        }
    return page_or_fragment(request, "cases/action.html", "cases/_action_form.html", context)


@router.get("/cases/{number}/photos/{name}")
def case_photo(
    request: Request, number: str, name: str, session: SessionDep, user: PageUser
) -> FileResponse:
    """Serves a report photo to a user who may see the case."""
    visible_row(session, user, number)
    path = photo_path(request.app.state.settings.data_dir, number, name)
    if path is None:
        raise PageError(404, "error.404")
    return FileResponse(
        path,
        media_type=media_type(name),
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
