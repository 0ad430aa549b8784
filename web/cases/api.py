"""Cases: file, read and list (API.md); the actions live in case_actions.py."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from models.case_store import list_cases, timeline
from web.cases.service import case_json, create_case, department_names, read_case_json, visible_case
from web.kit.deps import CurrentUser, SessionDep, TemporalDep
from web.kit.errors import invalid

router = APIRouter(prefix="/api/cases", tags=["cases"])

Channel = Literal["hotline", "wechat", "app", "inspector", "video", "superior", "open311"]


class Reporter(BaseModel):
    name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)


class CaseCreate(BaseModel):
    category: str
    description: str = Field(min_length=1, max_length=2000)
    grid: str
    address: str = Field(min_length=1, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    channel: Channel
    reporter: Reporter | None = None


class TimelineEntryOut(BaseModel):
    at: str
    actor: str
    action: str
    detail: str
    data: dict[str, Any] = {}


class CaseOut(BaseModel):
    number: str
    status: str
    category: str
    description: str
    grid: str
    address: str
    channel: str
    department: str | None
    deadline: str | None
    accept_deadline: str | None
    light: str | None
    bounces: int
    reworks: int
    escalation_level: int
    satisfaction: str | None
    created_at: str
    closed_at: str | None
    timeline: list[TimelineEntryOut] = []
    model_config = {"extra": "allow"}


class CasePage(BaseModel):
    items: list[CaseOut]
    total: int
    page: int
    page_size: int


@router.post("", status_code=201, response_model=CaseOut)
async def file_case(body: CaseCreate, user: CurrentUser, client: TemporalDep) -> dict:
    """Files a new case (status new); coordinators, inspectors and supervisors."""
    if not body.description.strip():
        raise invalid("description", "must not be blank")
    number = await create_case(client, body=body.model_dump(), user=user)
    return await run_in_threadpool(read_case_json, number)


@router.get("/{number}", response_model=CaseOut)
def get_case(number: str, session: SessionDep, user: CurrentUser) -> dict:
    """Returns one case with its timeline."""
    case = visible_case(session=session, user=user, number=number)
    return case_json(
        case, names=department_names(session), events=timeline(session=session, number=number)
    )


@router.get("", response_model=CasePage)
def find_cases(
    session: SessionDep,
    user: CurrentUser,
    status: str | None = None,
    department: str | None = None,
    light: str | None = None,
    category: str | None = None,
    grid: str | None = None,
    street: str | None = None,
    q: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
) -> dict:
    """Lists cases newest first with filters; a liaison sees only its department's cases."""
    visible_to = user.department if user.role == "liaison" else None
    if user.role == "liaison" and not visible_to:
        return {"items": [], "total": 0, "page": page, "page_size": page_size}
    rows, total = list_cases(
        session=session,
        status=status,
        department=department,
        light=light,
        category=category,
        grid=grid,
        street=street,
        q=q,
        visible_to=visible_to,
        page=page,
        page_size=page_size,
    )
    names = department_names(session)
    return {
        "items": [case_json(r, names=names) for r in rows],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
