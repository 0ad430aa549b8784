"""The supervisor's board (值班长): stuck cases by kind, with arbitration, overrides, parking and
extension decisions, and the late duties of joint operations (联合行动督办)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from core import payloads as p
from models.case_query import escalated, pending_extensions, stuck_counts
from models.operation_escalation import escalated_duties
from web.cases.pages import decorate
from web.cases.query import Filters, Page, search
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep
from web.kit.pages import PageUser, page_or_fragment, require_role

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

VIEWS = ("overdue", "escalated", "disputed", "parked", "extensions", "operations")
ROW_ACTIONS = ("arbitrate", "decide-extension", "unpark", "override", "park", "urge")
LEVELS = (1, 2, 3)


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor_board(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    """Shows one kind of stuck case (or the late operation duties) with its age; refreshes."""
    require_role(user, "supervisor", "coordinator")
    view = request.query_params.get("view", "overdue")
    view = view if view in VIEWS else "overdue"
    if view == "operations":
        return _operation_escalations(request, session)
    filters = Filters.from_request(request)
    chosen = filters.params()  # before the view adds its own condition
    level = request.query_params.get("level", "")
    level_no = int(level) if level.isdigit() and int(level) in LEVELS else None
    if view == "overdue":
        filters.light = "red"
        page = search(session=session, user=user, filters=filters)
    elif view == "escalated":
        found = escalated(session=session, level=level_no, **filters.query())
        page = Page.of(found, filters)
    elif view == "extensions":
        page = Page.of(pending_extensions(session=session, **filters.query()), filters)
    else:
        filters.status = p.DISPUTED if view == "disputed" else p.PARKED
        page = search(session=session, user=user, filters=filters)
    keep = {"view": view, **({"level": str(level_no)} if level_no else {})}
    params = {**chosen, **keep}
    shown = ("department", "category", "grid") + (("light",) if view != "overdue" else ())
    return page_or_fragment(
        request,
        "supervisor/board.html",
        "cases/_list.html",
        {
            "active": "supervisor",
            "page": decorate(session, user, page),
            "url": "/supervisor",
            "params": params,
            "filters": filters,
            "show": shown,
            "statuses": (),
            "list_id": "stuck-list",
            "refresh": True,
            "row_actions": ROW_ACTIONS,
            "show_age": True,
            "show_department": True,
            "view": view,
            "views": VIEWS,
            "levels": LEVELS,
            "level": level_no,
            "keep": keep,
            "counts": _counts(session),
            "tabs": "supervisor/_tabs.html",
        },
    )


def _counts(session: Session, operations: int | None = None) -> dict[str, int]:
    if operations is None:
        operations = len(escalated_duties(session=session))
    return {**stuck_counts(session=session), "operations": operations}


def _operation_escalations(request: Request, session: Session) -> HTMLResponse:
    # The operation duties past their deadline: who, what, since when, which level.
    duties = escalated_duties(session=session)
    return page_or_fragment(
        request,
        "supervisor/board.html",
        "supervisor/_operations.html",
        {
            "active": "supervisor",
            "view": "operations",
            "views": VIEWS,
            "duties": duties,
            "counts": _counts(session, len(duties)),
            "tabs": "supervisor/_tabs.html",
        },
    )
