"""What the API and the pages share: reading a case a user may see, creating it, acting on it."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from core import payloads as p
from core.naming import case_workflow_id
from models.case import Case
from models.case_public import CasePublic
from models.case_query import bounced_by
from models.case_store import get_case, next_number, timeline
from models.db import get_engine, session_scope
from models.geo import grid_of
from models.idempotency import claim
from models.reference import Category, Department, Grid
from models.user import User
from web.cases.history import timeline_public
from web.kit.errors import forbidden, invalid, not_found
from web.kit.names import Reference
from web.kit.temporal import refusal_to_http, run_update, start_and_wait

CHANNELS = ("hotline", "wechat", "app", "inspector", "video", "superior", "open311")
CREATOR_ROLES = ("coordinator", "inspector", "supervisor")


def actor_of(user: User) -> p.Actor:
    """Returns the workflow's view of a signed-in user."""
    return p.Actor(username=user.username, role=user.role, department=user.department)


def can_see(user: User, case: Case, *, session: Session | None = None) -> bool:
    """Tells whether a user may see a case: liaisons only their department's (or interim) cases,
    and, given a session, those their department bounced (to read, not to act on)."""
    if user.role != "liaison":
        return True
    if user.department is None:
        return False
    if user.department in (case.department, case.interim_department):
        return True
    return session is not None and user.department in bounced_by(session=session, case=case)


def visible_case(*, session: Session, user: User, number: str) -> Case:
    """Returns a case the user may see: 404 if unknown, 403 if another department's."""
    case = get_case(session=session, number=number)
    if case is None:
        raise not_found(f"case {number}")
    if not can_see(user, case, session=session):
        raise forbidden(f"case {number} belongs to another department")
    return case


def check_department(session: Session, code: str | None, field: str) -> None:
    """Refuses with 422 a department code that does not exist."""
    if code and session.get(Department, code) is None:
        raise invalid(field, f"unknown department {code}")


def case_public(session: Session, case: Case) -> CasePublic:
    """Returns the API's shape of a case (API.md) with its timeline."""
    ref = Reference.load(session)  # the names of departments, grids and categories, read once
    public = CasePublic.of(case, names=ref.dept)
    public.timeline = timeline_public(timeline(session=session, number=case.number), ref=ref)
    return public


def read_case(number: str) -> CasePublic:
    """Reads a case and its timeline from the projection, in one session."""
    with session_scope() as session:
        case = get_case(session=session, number=number)
        if case is None:
            raise not_found(f"case {number}")
        return case_public(session, case)


async def act(client: Client, *, number: str, update: str, inp: Any, current_status: str) -> None:
    """Runs one action as a workflow update; a refusal becomes a 403, 409 or 422."""
    handle = client.get_workflow_handle(case_workflow_id(number))
    try:
        await run_update(handle, update, inp, result_type=p.CaseView)
    except (WorkflowUpdateFailedError, RPCError) as err:
        raise refusal_to_http(err, current_status=current_status) from None


def _prepare_case(body: dict[str, Any], user: User) -> p.CaseInput:
    with session_scope() as session:
        category = session.get(Category, body["category"])
        if category is None:
            raise invalid("category", f"unknown category {body['category']}")
        if not category.active:
            raise invalid("category", f"category {category.code} is retired")
        grid = _grid_of_case(session, body)
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
        media_url=body.get("media_url"),
    )


def _grid_of_case(session: Session, body: dict[str, Any]) -> Grid:
    """Returns the grid named in `body`, else the one whose polygon holds its lat/lon: a grid
    given with a point is kept, wherever the point lies (the filer chose it)."""
    lat, lon = body.get("lat"), body.get("lon")
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise invalid(missing, "a point needs both lat and lon")
    if body.get("grid"):
        grid = session.get(Grid, body["grid"])
        if grid is None:
            raise invalid("grid", f"unknown grid {body['grid']}")
        if not grid.active:
            raise invalid("grid", f"grid {grid.code} is retired")
        return grid
    if lat is None or lon is None:
        raise invalid("grid", "give the grid, or lat and lon of the place")
    placed = grid_of(session=session, lat=lat, lon=lon)
    found = session.get(Grid, placed.grid) if placed else None
    if found is None:
        raise invalid("lat", f"no grid holds the point lat {lat}, lon {lon}")
    return found


async def create_case(
    client: Client, *, body: dict[str, Any], user: User, idempotency_key: str | None = None
) -> tuple[str, bool]:
    """Starts the workflow of a new case and waits until its projection row exists.

    Returns the number and whether this call filed it: with an `idempotency_key` seen from the
    same user within a day, the case filed the first time (started again if that start was lost).
    """
    if user.role not in CREATOR_ROLES:
        raise forbidden(f"role {user.role} may not file cases")
    inp = await run_in_threadpool(_prepare_case, body, user)
    filed_now = True
    if idempotency_key:
        number, payload, filed_now = await run_in_threadpool(
            lambda: claim(
                engine=get_engine(),
                username=user.username,
                key=idempotency_key,
                number=inp.number,
                payload=dataclasses.asdict(inp),
            )
        )
        if not filed_now:
            if await run_in_threadpool(_exists, number):
                return number, False
            inp = p.CaseInput(**(payload | {"created_by": p.Actor(**payload["created_by"])}))
    await start_and_wait(
        client,
        "CaseWorkflow",
        inp,
        workflow_id=case_workflow_id(inp.number),
        visible=lambda: _exists(inp.number),
        what=f"case {inp.number}",
        already_started_ok=not filed_now,
    )
    return inp.number, filed_now


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
    client: Client, *, case: Case, satisfaction: str, note: str | None = None
) -> None:
    """Records the reporter's own rating (回访评价) of a case found by reporter_case."""
    inp = p.RateInput(
        actor=p.Actor(username="reporter", role="citizen"), satisfaction=satisfaction, note=note
    )
    await act(client, number=case.number, update="rate", inp=inp, current_status=case.status)
