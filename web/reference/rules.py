"""One line of the responsibility list (权责清单) as a page: what it says, where it came from,
and the supervisor's 撤销. The case page's timeline links the line an arbitration wrote."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from models.db import session_scope, utcnow
from models.reference import Rule
from models.rule_store import get_rule, retract_rule
from models.user import User
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep
from web.kit.pages import PageError, PageUser, redirect, render, require_role

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

# Who may take a line back out of the list: the supervisor who rules, and the administrator.
RETRACTORS = ("supervisor", "admin")


def _names(session: Session, rule: Rule) -> dict[str, str]:
    people = {rule.created_by, rule.retracted_by} - {None}
    found = (session.get(User, name) for name in people)
    return {u.username: u.display_name for u in found if u is not None}


@router.get("/rules/{rule_id}", response_class=HTMLResponse)
def rule_page(request: Request, rule_id: int, session: SessionDep, user: PageUser) -> HTMLResponse:
    """Shows a line of the responsibility list, with 撤销 for a supervisor while it is in force."""
    rule = get_rule(session=session, rule_id=rule_id)
    if rule is None:
        raise PageError(404, "error.404")
    context = {
        "active": "rules",
        "rule": rule,
        "names": _names(session, rule),
        "can_retract": user.role in RETRACTORS and rule.retracted_at is None,
        "retracted": request.query_params.get("retracted") == "1",
    }
    return render(request, "reference/rule.html", context)


@router.post("/rules/{rule_id}/retract")
def retract(request: Request, rule_id: int, user: PageUser) -> Response:
    """Retracts the line (recorded with who and when); it no longer routes cases."""
    require_role(user, *RETRACTORS)
    with session_scope() as session:
        rule = retract_rule(session=session, rule_id=rule_id, by=user.username, at=utcnow())
    if rule is None:
        raise PageError(404, "error.404")
    return redirect(request, f"/rules/{rule_id}?retracted=1")
