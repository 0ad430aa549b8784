"""The liaison's desk (部门联络员): the department's open and interim tasks, most urgent first."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from models.case_query import OPEN_TASKS, liaison_tasks
from web.cases.pages import decorate
from web.cases.query import Filters, Page
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep
from web.kit.pages import PageError, PageUser, page_or_fragment, require_role

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

# The buttons a row offers: the owner's, and the make-safe unit's own (先行处置).
ROW_ACTIONS = ("accept", "bounce", "request-extension", "report", "interim-report")


@router.get("/liaison", response_class=HTMLResponse)
def liaison_desk(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    """Lists the department's tasks with their lights and countdowns; refreshes itself."""
    require_role(user, "liaison")
    if not user.department:
        raise PageError(403, "error.403")
    filters = Filters.from_request(request)
    latest_first = request.query_params.get("sort") == "latest"
    found = liaison_tasks(
        session=session, department=user.department, latest_first=latest_first, **filters.query()
    )
    page = decorate(session, user, Page.of(found, filters))
    keep = {"sort": "latest"} if latest_first else {}
    return page_or_fragment(
        request,
        "liaison/desk.html",
        "cases/_list.html",
        {
            "active": "liaison",
            "page": page,
            "url": "/liaison",
            "params": {**filters.params(), **keep},
            "filters": filters,
            "statuses": OPEN_TASKS,
            "show": ("status", "category", "grid", "light"),
            "list_id": "task-list",
            "refresh": True,
            "row_actions": ROW_ACTIONS,
            "show_department": False,
            "keep": keep,
            "latest_first": latest_first,
        },
    )
