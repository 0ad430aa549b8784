"""Joint-operation pages (联合行动): the operations board, a department's operation tasks, and
one operation with its departments, running totals, findings, reports and the forms to act."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import operation_payloads as o
from models import operation_query as query
from models import operation_store as store
from models.db import get_engine
from models.operation import Operation
from models.user import User
from web.cases.history import display_names
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep, TemporalDep
from web.kit.errors import ApiError
from web.kit.i18n import lang_of
from web.kit.names import Reference, reference
from web.kit.pages import (
    PageError,
    PageUser,
    add_nav_link,
    is_htmx,
    page_or_fragment,
    redirect,
    render,
    templates,
    viewer,
)
from web.operations import service as ops
from web.operations import shape as views
from web.operations.forms import (
    FORMS,
    Facts,
    allowed_forms,
    form_id,
    run_form,
)
from web.operations.history import OperationLine, timeline_lines
from web.operations.launch import router as launch_router

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])
# /operations/new before /operations/{operation_id}.
router.include_router(launch_router)

PAGE_SIZE = 20
RULERS = ("coordinator", "supervisor")
add_nav_link(
    "operations",
    "/operations",
    "nav.operations",
    ("coordinator", "supervisor", "liaison", "inspector", "admin"),
)


# -- the department's tasks (a fragment of the liaison desk) ------------------------------------


def department_operation_tasks(session: Session, department: str) -> dict[str, list]:
    """Returns a department's operation tasks: answers to give, reports to file, sessions on."""
    tasks = store.department_tasks(session=session, department=department)
    ids = {t.operation_id for t in tasks["confirm"] + tasks["report"]}
    rows = query.by_id(session=session, ids=ids)
    return {
        "confirm": [(rows[t.operation_id], t) for t in tasks["confirm"] if t.operation_id in rows],
        "report": [(rows[t.operation_id], t) for t in tasks["report"] if t.operation_id in rows],
        "running": query.running_with(session=session, department=department),
    }


def _viewer_tasks(request: Request | None) -> dict[str, list]:
    user = viewer(request) if request is not None else None
    if user is None or user.role != "liaison" or not user.department:
        return {"confirm": [], "report": [], "running": []}
    with Session(get_engine(), expire_on_commit=False) as session:
        return department_operation_tasks(session, user.department)


def _operation_tasks_global(ctx: Any) -> dict[str, list]:
    return _viewer_tasks(ctx.get("request"))


# The liaison desk includes operations/_tasks.html, which calls operation_tasks().
templates.env.globals["operation_tasks"] = pass_context(_operation_tasks_global)
# The operation pages show a status through op_status(status, departments).
templates.env.globals["op_status"] = views.shown_status


@router.get("/operations/tasks", response_class=HTMLResponse)
def operation_tasks(request: Request, user: PageUser) -> HTMLResponse:
    """Returns the department's operation tasks (the desk's fragment, refreshed by htmx)."""
    return render(request, "operations/_tasks.html", {})


# -- the board ----------------------------------------------------------------------------------


@router.get("/operations", response_class=HTMLResponse)
def operations_board(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    """Lists operations with a status filter; coordinators also see the declines to rule on."""
    status = request.query_params.get("status", "")
    status = status if status in o.STATUSES else ""
    raw = request.query_params.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    listed = views.operation_list(
        session, user, status=status or None, department=None, page=page, page_size=PAGE_SIZE
    )
    declines = store.declines_to_rule(session=session) if user.role in RULERS else []
    ruled = query.by_id(session=session, ids=(d.operation_id for d in declines))
    context = {
        "active": "operations",
        "items": listed.items,
        "total": listed.total,
        "page": page,
        "pages": max(1, math.ceil(listed.total / PAGE_SIZE)),
        "status": status,
        "statuses": o.STATUSES,
        "declines": declines,
        "titles": {key: row.title for key, row in ruled.items()},
        "can_launch": user.role == "coordinator",
    }
    return page_or_fragment(request, "operations/board.html", "operations/_board.html", context)


# -- one operation -------------------------------------------------------------------------------


def _visible(session: Session, user: User, operation_id: str) -> Operation:
    """Returns the operation if the user may see it; an HTML 403 or 404 otherwise."""
    try:
        return ops.visible_operation(session=session, user=user, operation_id=operation_id)
    except ApiError as err:
        message = "error.404" if err.status_code == 404 else "error.403"
        raise PageError(err.status_code, message) from None


def _record(session: Session, user: User, operation_id: str) -> views.OperationRecord:
    """Reads the operation the user may see with all it holds."""
    return views.load_record(session, _visible(session, user, operation_id))


def _facts(record: views.OperationRecord) -> Facts:
    return Facts(
        row=record.row,
        departments=record.departments,
        sessions=record.sessions,
        findings=record.findings,
        reports=record.reports,
    )


def _lines(session: Session, request: Request, facts: Facts, events: list) -> list[OperationLine]:
    return timeline_lines(
        events,
        lang=lang_of(request),
        departments=reference(request).dept,
        people=display_names(session=session, events=events),
        title=facts.row.title,
    )


def _display_name(session: Session, username: str) -> str:
    user = session.get(User, username)
    return user.display_name if user is not None and user.display_name else username


def spawn_defaults(row: Operation, ref: Reference) -> dict[str, str]:
    """Returns what a case from a finding starts with: the operation's category and the first
    grid of its area (a street's first grid when the area names streets only)."""
    area = list(row.area or [])
    grids = [code for code in area if code in ref.grid]
    grids = grids or [g.code for street in area for g in ref.grids if g.street == street]
    return {"category": row.category or "", "grid": grids[0] if grids else ""}


def body_context(
    session: Session, request: Request, user: User, operation_id: str, failed: dict | None = None
) -> dict[str, Any]:
    """Returns what the operation page shows: facts, totals, the user's forms, the timeline."""
    record = _record(session, user, operation_id)
    facts = _facts(record)
    return {
        "active": "operations",
        "op": facts.row,
        "detail": views.operation_public(record, reference(request).dept),
        "facts": facts,
        "forms": allowed_forms(user, facts),
        "failed": failed or {},
        "cases": {c.number: c for c in record.cases},
        "lines": _lines(session, request, facts, record.events),
        "launched_by": _display_name(session, facts.row.launched_by),
        "mine": facts.mine(user),
        "spawn": spawn_defaults(facts.row, reference(request)),
    }


@router.get("/operations/{operation_id}", response_class=HTMLResponse)
def operation_page(
    request: Request, operation_id: str, session: SessionDep, user: PageUser
) -> HTMLResponse:
    """Shows one operation: departments and running totals, sessions, findings, reports."""
    context = body_context(session, request, user, operation_id)
    return page_or_fragment(request, "operations/detail.html", "operations/_body.html", context)


def _status(user: User, operation_id: str) -> str:
    with Session(get_engine()) as session:
        return _visible(session, user, operation_id).status


@router.post("/operations/{operation_id}/act/{action}")
async def act_on_operation(
    request: Request, operation_id: str, action: str, user: PageUser, client: TemporalDep
) -> Response:
    """Runs a form's action through the workflow; a refusal shows in its form, as typed."""
    if action not in FORMS:
        raise PageError(404, "error.404")
    status = await run_in_threadpool(_status, user, operation_id)  # 404 / 403 before anything
    form = await request.form()
    key = str(form.get("key") or "")
    outcome = await run_form(
        client,
        lang=lang_of(request),
        user=user,
        operation_id=operation_id,
        action=action,
        key=key,
        form=form,
        status=status,
    )
    if outcome.ok and not is_htmx(request):
        return redirect(request, f"/operations/{operation_id}")
    if outcome.ok:
        events = {
            "operation-changed": {"id": operation_id, "action": action},
            "flash": outcome.message,
        }
        return Response(
            status_code=200, headers={"HX-Trigger": json.dumps(events), "HX-Reswap": "none"}
        )
    failure = {
        "message": outcome.message,
        "field": outcome.error_field,
        "values": outcome.values,
    }
    return await run_in_threadpool(_refused, request, user, operation_id, action, key, failure)


def _refused(
    request: Request, user: User, operation_id: str, action: str, key: str, failure: dict
) -> HTMLResponse:
    """Shows the operation (or, for htmx, the one form) again with the refusal in its form."""
    with Session(get_engine(), expire_on_commit=False) as session:
        context = body_context(
            session, request, user, operation_id, failed={form_id(action, key): failure}
        )
        if is_htmx(request):
            context |= {"action": action, "key": key, **_one_form(failure)}
            return render(request, "operations/_form.html", context)
        return render(request, "operations/detail.html", context)


def _one_form(failure: dict[str, Any]) -> dict[str, Any]:
    return {
        "values": failure["values"],
        "error": failure["message"],
        "error_field": failure["field"],
    }
