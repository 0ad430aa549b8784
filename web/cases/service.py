"""What the API and the pages share: reading a case a user may see, creating it, acting on it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from core import payloads as p
from core.naming import case_workflow_id
from models.case import Case
from models.case_store import get_case, next_number, timeline
from models.db import get_engine, session_scope
from models.reference import Category, Department, Grid
from models.user import User
from web.kit.errors import forbidden, invalid, not_found
from web.kit.temporal import refusal_to_http, start_and_wait
from web.kit.timefmt import iso

CHANNELS = ("hotline", "wechat", "app", "inspector", "video", "superior", "open311")
CREATOR_ROLES = ("coordinator", "inspector", "supervisor")


def actor_of(user: User) -> p.Actor:
    """Returns the workflow's view of a signed-in user."""
    return p.Actor(username=user.username, role=user.role, department=user.department)


def can_see(user: User, case: Case) -> bool:
    """Tells whether a user may see a case: liaisons only their department's (or interim) cases."""
    if user.role != "liaison":
        return True
    return user.department is not None and user.department in (
        case.department,
        case.interim_department,
    )


def visible_case(*, session: Session, user: User, number: str) -> Case:
    """Returns a case the user may see: 404 if unknown, 403 if another department's."""
    case = get_case(session=session, number=number)
    if case is None:
        raise not_found(f"case {number}")
    if not can_see(user, case):
        raise forbidden(f"case {number} belongs to another department")
    return case


def department_names(session: Session) -> dict[str, str]:
    """Returns department and street names by code."""
    return {d.code: d.name for d in session.exec(select(Department))}


def check_department(session: Session, code: str | None, field: str) -> None:
    """Refuses with 422 a department code that does not exist."""
    if code and session.get(Department, code) is None:
        raise invalid(field, f"unknown department {code}")


def case_json(
    case: Case, *, names: dict[str, str], events: list | None = None, staff: bool = True
) -> dict[str, Any]:
    """Returns the API's shape of a case (API.md), with the timeline when `events` is given."""
    out: dict[str, Any] = {
        "number": case.number,
        "status": case.status,
        "category": case.category,
        "description": case.description,
        "grid": case.grid,
        "street": case.street,
        "address": case.address,
        "channel": case.channel,
        "department": case.department,
        "department_name": names.get(case.department or ""),
        "interim_department": case.interim_department,
        "interim_done": case.interim_done,
        "deadline": iso(case.deadline),
        "accept_deadline": iso(case.accept_deadline),
        "yellow_at": iso(case.yellow_at),
        "light": case.light,
        "bounces": case.bounces,
        "reworks": case.reworks,
        "extensions": case.extensions,
        "escalation_level": case.escalation_level,
        "satisfaction": case.satisfaction,
        "extension_pending": case.extension_pending,
        "calendar_fallback": case.calendar_fallback,
        "lat": case.lat,
        "lon": case.lon,
        "created_at": iso(case.created_at),
        "dispatched_at": iso(case.dispatched_at),
        "accepted_at": iso(case.accepted_at),
        "reported_at": iso(case.reported_at),
        "closed_at": iso(case.closed_at),
        "updated_at": iso(case.updated_at),
        "version": case.version,
    }
    if staff:
        out["reporter"] = {
            "name": case.reporter_name,
            "phone": case.reporter_phone,
            "email": case.reporter_email,
        }
    if events is not None:
        out["timeline"] = [
            {
                "at": iso(e.at),
                "actor": e.actor,
                "action": e.action,
                "detail": e.detail,
                "data": e.data,
            }
            for e in events
        ]
    return out


def read_case_json(number: str) -> dict[str, Any]:
    """Reads a case and its timeline from the projection."""
    with session_scope() as session:
        case = get_case(session=session, number=number)
        if case is None:
            raise not_found(f"case {number}")
        return case_json(
            case, names=department_names(session), events=timeline(session=session, number=number)
        )


async def act(client: Client, *, number: str, update: str, inp: Any, current_status: str) -> None:
    """Runs one action as a workflow update; a refusal becomes a 403, 409 or 422."""
    handle = client.get_workflow_handle(case_workflow_id(number))
    try:
        await handle.execute_update(update, inp, result_type=p.CaseView)
    except (WorkflowUpdateFailedError, RPCError) as err:
        raise refusal_to_http(err, current_status=current_status) from None


def _prepare_case(body: dict[str, Any], user: User) -> p.CaseInput:
    with session_scope() as session:
        category = session.get(Category, body["category"])
        if category is None:
            raise invalid("category", f"unknown category {body['category']}")
        grid = session.get(Grid, body["grid"])
        if grid is None:
            raise invalid("grid", f"unknown grid {body['grid']}")
        number = next_number(session=session)
    reporter = body.get("reporter") or {}
    return p.CaseInput(
        number=number,
        category=category.code,
        limit_amount=category.limit_amount,
        limit_unit=category.limit_unit,
        description=body["description"],
        grid=grid.code,
        street=grid.street,
        address=body["address"],
        channel=body["channel"],
        created_by=actor_of(user),
        lat=body.get("lat"),
        lon=body.get("lon"),
        reporter_name=reporter.get("name"),
        reporter_phone=reporter.get("phone"),
        reporter_email=reporter.get("email"),
    )


async def create_case(client: Client, *, body: dict[str, Any], user: User) -> str:
    """Starts the workflow of a new case and waits until its projection row exists."""
    if user.role not in CREATOR_ROLES:
        raise forbidden(f"role {user.role} may not file cases")
    inp = await run_in_threadpool(_prepare_case, body, user)
    await start_and_wait(
        client,
        "CaseWorkflow",
        inp,
        workflow_id=case_workflow_id(inp.number),
        visible=lambda: _exists(inp.number),
        what=f"case {inp.number}",
    )
    return inp.number


def _exists(number: str) -> bool:
    with Session(get_engine()) as session:
        return session.get(Case, number) is not None


def _digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


def reporter_case(*, session: Session, number: str, phone: str) -> Case | None:
    """Returns the case if `phone` is its reporter's number (the citizen's only key), else None."""
    case = get_case(session=session, number=number.strip())
    if case is None or not _digits(phone) or _digits(phone) != _digits(case.reporter_phone):
        return None
    return case


async def rate_as_reporter(
    client: Client, *, number: str, phone: str, satisfaction: str, note: str | None = None
) -> None:
    """Records the reporter's own rating (回访评价) from the public page."""

    def _lookup() -> Case | None:
        with Session(get_engine(), expire_on_commit=False) as session:
            return reporter_case(session=session, number=number, phone=phone)

    case = await run_in_threadpool(_lookup)
    if case is None:
        raise not_found(f"case {number} with this phone number")
    inp = p.RateInput(
        actor=p.Actor(username="reporter", role="citizen"), satisfaction=satisfaction, note=note
    )
    await act(client, number=case.number, update="rate", inp=inp, current_status=case.status)
