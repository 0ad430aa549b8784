"""Cases: file, read and list (API.md); the actions live in web/cases/actions.py."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import payloads as p
from core import refusals as r
from models.case import Case
from models.case_public import CaseList, CasePublic
from models.case_store import list_cases
from models.db import get_engine
from models.idempotency import MAX_KEY
from models.reference_store import department_names
from web.cases.query import liaison_scope
from web.cases.service import case_public, create_case, read_case, visible_case
from web.cases.uploads import PhotoRefused, save_photos
from web.kit.deps import CurrentUser, SessionDep, TemporalDep
from web.kit.errors import ApiError, error_responses, forbidden, invalid

router = APIRouter(prefix="/api/cases", tags=["cases"])

Channel = Literal["hotline", "wechat", "app", "inspector", "video", "superior", "open311"]


class Reporter(BaseModel):
    name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)


class CaseCreate(BaseModel):
    category: str
    description: str = Field(min_length=1, max_length=2000)
    grid: str | None = Field(
        default=None,
        max_length=32,
        description="the grid code; without it, the grid whose polygon holds `lat`/`lon`. "
        "Given with a point, the grid given is kept.",
    )
    address: str = Field(min_length=1, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    channel: Channel
    reporter: Reporter | None = None


@router.post(
    "", status_code=201, response_model=CasePublic, responses=error_responses(403, 422, 503)
)
async def file_case(
    body: CaseCreate,
    user: CurrentUser,
    client: TemporalDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=MAX_KEY)] = None,
) -> CasePublic:
    """Files a new case (status new); coordinators, inspectors and supervisors.

    The case's grid is `grid`, or, without one, the grid whose polygon holds `lat`/`lon` (422
    naming `lat` when none does). When both are given the grid given is kept, even if the point
    lies elsewhere: whoever files the case chose it, and a phone's position can be off.

    With an `Idempotency-Key` header sent before by the same user within 24 h: the case filed
    then, with status 200, and no second case.
    """
    if not body.description.strip():
        raise invalid("description", "must not be blank")
    number, filed_now = await create_case(
        client, body=body.model_dump(), user=user, idempotency_key=idempotency_key
    )
    if not filed_now:
        response.status_code = 200
    return await run_in_threadpool(read_case, number)


@router.get("/{number}", response_model=CasePublic, responses=error_responses(403, 404))
def get_case(number: str, session: SessionDep, user: CurrentUser) -> CasePublic:
    """Returns one case with its timeline."""
    return case_public(session, visible_case(session=session, user=user, number=number))


class CaseFilters(BaseModel):
    """The filters of GET /api/cases (API.md); an empty one filters nothing."""

    status: str | None = Field(None, max_length=200, description="one status, or several, a,b")
    department: str | None = Field(None, max_length=32, description="department or street code")
    light: Literal["green", "yellow", "red"] | None = None
    category: str | None = Field(None, max_length=32, description="category code")
    grid: str | None = Field(None, max_length=32, description="grid code")
    street: str | None = Field(None, max_length=32, description="street code")
    q: str | None = Field(None, max_length=100, description="number, description or address")
    phone: str | None = Field(None, max_length=32, description="reporter's phone, exact")
    reporter: str | None = Field(None, max_length=64, description="reporter's name contains")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=200)


@router.get("", response_model=CaseList, responses=error_responses(422))
def find_cases(
    session: SessionDep, user: CurrentUser, filters: Annotated[CaseFilters, Query()]
) -> CaseList:
    """Lists cases newest first with filters; a liaison sees only its department's cases."""
    page, page_size = filters.page, filters.page_size
    if user.role == "liaison" and not user.department:
        return CaseList(items=[], total=0, page=page, page_size=page_size)
    rows, total = list_cases(
        session=session, visible_to=liaison_scope(user), **filters.model_dump()
    )
    names = department_names(session=session) if rows else {}
    return CaseList(
        items=[CasePublic.of(r, names=names) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


class PhotosUploaded(BaseModel):
    photos: list[str] = Field(description="names to send in a report's `photos`")


# Who may attach photos to a case: those who report on it or verify it.
PHOTO_ROLES = ("liaison", "inspector", "coordinator", "supervisor")


@router.post(
    "/{number}/photos",
    status_code=201,
    response_model=PhotosUploaded,
    responses=error_responses(403, 404, 409, 413, 422),
)
async def upload_photos(
    request: Request, number: str, user: CurrentUser, photo: list[UploadFile]
) -> PhotosUploaded:
    """Stores up to six photos (JPEG, PNG, WebP; 5 MB each) for a report on the case."""
    if user.role not in PHOTO_ROLES:
        raise forbidden(f"role {user.role} may not attach photos")

    def visible() -> Case:
        with Session(get_engine(), expire_on_commit=False) as session:
            return visible_case(session=session, user=user, number=number)

    case = await run_in_threadpool(visible)
    if case.status in p.FINAL_STATUSES:
        raise ApiError(
            409, f"case {number} is {case.status}", code=r.WRONG_STATE, status=case.status
        )
    try:
        stored = await save_photos(request.app.state.settings.data_dir, number, photo)
    except PhotoRefused as refused:
        raise invalid("photo", refused.reason.removeprefix("refuse.")) from None
    return PhotosUploaded(photos=[s.name for s in stored])
