"""The monthly report's publications (月通报发布): the list with who, when and why, and a
supervisor's republication, as JSON under /api/evaluation/publications and as a page.

The scheduled publication is the Temporal Schedule's (worker.py, workflows/publication.py); a
republication starts `PublishMonthWorkflow` as the month's next version with its own fixed id, so
two supervisors asking at once publish one version, and the row and mail are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from core import publication_payloads as pp
from core.evaluation_periods import MONTH, parse_period
from core.naming import publication_workflow_id
from models import publication as store
from models.db import get_engine
from models.public import LocalTime
from models.user import User
from web.evaluation.service import READERS
from web.kit import pages
from web.kit.csrf import verify_csrf
from web.kit.deps import CurrentUser, TemporalDep, require_role
from web.kit.errors import ApiError, error_responses, invalid
from web.kit.temporal import start_and_wait

router = APIRouter(tags=["evaluation"])
CSRF = [Depends(verify_csrf)]
# Who may republish a month (a coordinator and a liaison read, or nothing).
REPUBLISHERS = ("supervisor", "admin")
REASON_LENGTH = 500
WAIT_SECONDS = 30.0


class PublicationOut(BaseModel):
    """One publication of a month's report: who, when, why, and whose head was mailed."""

    month: str
    version: int = Field(description="1: the schedule's; 2, 3 ...: republished")
    published_at: LocalTime
    by: str | None = Field(description="who republished (username); null: the schedule")
    trigger: Literal["schedule", "republish"]
    reason: str | None
    mailed: list[str] = Field(description="departments whose head's mail is queued")
    not_mailed: list[str] = Field(description="departments without a head e-mail: not mailed")

    @classmethod
    def of(cls, row: store.PublicationSummary) -> PublicationOut:
        return cls(
            month=row.month,
            version=row.version,
            published_at=row.published_at,
            by=row.published_by,
            trigger=row.trigger,  # type: ignore[arg-type]
            reason=row.reason,
            mailed=row.mailed,
            not_mailed=row.not_mailed,
        )


class PublicationList(BaseModel):
    """GET /api/evaluation/publications: newest month first, its latest version first."""

    items: list[PublicationOut]


class RepublishBody(BaseModel):
    """Why the month is published again (shown with the new version and in the mail)."""

    reason: str = Field(max_length=REASON_LENGTH)

    @field_validator("reason")
    @classmethod
    def _given(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("give the reason for republishing")
        return value


MonthPath = Annotated[str, Path(max_length=7, description="the month, e.g. 2026-11")]


def checked_month(month: str) -> str:
    """Returns a month label (2026-11); 422 naming `month` otherwise."""
    try:
        period = parse_period(month)
    except ValueError:
        period = None
    if period is None or period.kind != MONTH or period.label != month:
        raise invalid("month", f"{month!r} is not a month like 2026-11")
    return month


def _summaries(month: str | None = None) -> list[store.PublicationSummary]:
    with Session(get_engine()) as session:
        return store.summaries(session=session, month=month)


def _latest_version(month: str) -> int:
    with Session(get_engine()) as session:
        return store.latest_version(session=session, month=month)


def _stored(month: str, version: int) -> bool:
    with Session(get_engine()) as session:
        return store.find(session=session, month=month, version=version) is not None


async def republish(client: Client, month: str, reason: str, user: User) -> PublicationOut:
    """Publishes a published month again as its next version; 409 if it was never published or
    a republication is under way, 503 if Temporal is down or the version is not written yet."""
    current = await run_in_threadpool(_latest_version, month)
    if current == 0:
        raise ApiError(
            409,
            f"{month} is not published yet; it is published on the first working day",
            code="not_published",
        )
    version = current + 1
    inp = pp.PublishInput(
        month=month, version=version, trigger=pp.REPUBLISH, by=user.username, reason=reason
    )
    try:
        await start_and_wait(
            client,
            "PublishMonthWorkflow",
            inp,
            workflow_id=publication_workflow_id(month, version),
            visible=lambda: _stored(month, version),
            what=f"publication {month} v{version}",
            seconds=WAIT_SECONDS,
        )
    except WorkflowAlreadyStartedError:
        raise ApiError(409, f"a republication of {month} is under way", code="under_way") from None
    [row] = await run_in_threadpool(lambda: [r for r in _summaries(month) if r.version == version])
    return PublicationOut.of(row)


@router.get(
    "/api/evaluation/publications",
    response_model=PublicationList,
    responses=error_responses(403, 422),
)
def list_publications(
    user: CurrentUser,
    month: Annotated[str | None, Query(max_length=7, description="only this month")] = None,
) -> PublicationList:
    """Lists every publication of the monthly report with who, when and why (supervisors,
    coordinators, admins)."""
    require_role(user, *READERS)
    chosen = checked_month(month) if month is not None else None
    return PublicationList(items=[PublicationOut.of(r) for r in _summaries(chosen)])


@router.post(
    "/api/evaluation/publications/{month}/republish",
    status_code=201,
    response_model=PublicationOut,
    responses=error_responses(403, 409, 422, 503),
)
async def republish_month(
    month: MonthPath, body: RepublishBody, user: CurrentUser, client: TemporalDep
) -> PublicationOut:
    """Publishes a month again as its next version with a reason, and mails every head again
    (supervisors and admins)."""
    require_role(user, *REPUBLISHERS)
    return await republish(client, checked_month(month), body.reason, user)


# -- the page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Notice:
    key: str
    fields: dict[str, object]


def _page(
    request: Request,
    user: User,
    *,
    notice: _Notice | None = None,
    error: _Notice | None = None,
    status_code: int = 200,
    month: str | None = None,
    reason: str = "",
) -> HTMLResponse:
    rows = _summaries()
    latest: dict[str, int] = {}
    for row in rows:
        latest.setdefault(row.month, row.version)
    return pages.render(
        request,
        "evaluation/publications.html",
        {
            "active": "evaluation-publications",
            "rows": rows,
            "latest": latest,
            "can_republish": user.role in REPUBLISHERS,
            "notice": notice,
            "error": error,
            "error_month": month,
            "reason": reason,
            "reason_length": REASON_LENGTH,
        },
        status_code=status_code,
    )


@router.get("/evaluation/publications", response_class=HTMLResponse, include_in_schema=False)
def publications_page(request: Request, user: pages.PageUser) -> HTMLResponse:
    """The publications of the monthly report, and the republish form for supervisors."""
    pages.require_role(user, *READERS)
    done = request.query_params.get("done", "")
    month, _, version = done.partition("/v")
    notice = None
    if version.isdigit() and _stored(month, int(version)):
        notice = _Notice("publication.republish.done", {"month": month, "version": version})
    return _page(request, user, notice=notice)


# API refusal code -> the page's words and status.
_PAGE_ERRORS = {
    "not_published": ("publication.error.not_published", 409),
    "under_way": ("publication.error.under_way", 409),
    "pending": ("publication.error.pending", 503),
    "unavailable": ("publication.error.unavailable", 503),
}


def parse_month(month: str) -> str | None:
    """Returns the month label if `month` is one (2026-11), else None."""
    try:
        return checked_month(month)
    except ApiError:
        return None


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/evaluation/publications/republish", include_in_schema=False, dependencies=CSRF)
async def republish_page(request: Request, user: pages.PageUser, client: TemporalDep) -> Response:
    """The republish form (month, reason): a new version, or the refusal on the page."""
    pages.require_role(user, *REPUBLISHERS)
    form = await request.form()
    month, reason = _field(form, "month"), _field(form, "reason")
    if len(month) > 7 or parse_month(month) is None:
        error, status = _Notice("publication.error.month", {}), 422
    elif not reason or len(reason) > REASON_LENGTH:
        error, status = _Notice("publication.error.reason", {"month": month}), 422
    else:
        try:
            done = await republish(client, month, reason, user)
        except ApiError as err:
            key, status = _PAGE_ERRORS.get(
                str(err.extra.get("code")), ("publication.error.unavailable", 503)
            )
            error = _Notice(key, {"month": month})
        else:
            return pages.redirect(
                request, f"/evaluation/publications?done={done.month}/v{done.version}"
            )
    return await run_in_threadpool(
        lambda: _page(request, user, error=error, status_code=status, month=month, reason=reason)
    )
