"""大联动公开: each unit's monthly handling figures and rank, for everyone, without signing in.

Only published months are shown, from the published figures (the latest version of the month,
models/publication.py), and only counts, rates, score and rank per unit: no case numbers,
addresses, names, phone numbers or descriptions ever reach this page or its JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from models import publication as store
from models.db import get_engine
from models.evaluation_public import EvaluationRow
from models.public import LocalTime
from web.evaluation.publication import checked_month, parse_month
from web.kit import pages
from web.kit.errors import error_responses, not_found

router = APIRouter(tags=["public"])

MonthQuery = Annotated[
    str | None, Query(max_length=7, description="a published month, e.g. 2026-11; default latest")
]


class PublicRow(BaseModel):
    """One unit's published handling figures: counts and rates only."""

    key: str
    name: str
    dispatched: int
    handled: int
    on_time_handling_rate: float | None = Field(description="percent; null: nothing due")
    closing_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    rank: int | None = Field(description="1 = best, ties share; null: not ranked")


class PublicEvaluation(BaseModel):
    """GET /api/public/evaluation: one published month's figures per unit."""

    month: str | None = Field(description="the month shown; null while nothing is published")
    version: int | None
    published_at: LocalTime | None
    months: list[str] = Field(description="every published month, newest first")
    departments: list[PublicRow] = Field(description="handling units: departments and streets")
    streets: list[PublicRow] = Field(description="streets as areas: the cases arising in them")


def _rows(evaluation: dict[str, Any] | None) -> list[PublicRow]:
    """Returns the public lines of a published evaluation: ranked first, best first."""
    if not evaluation:
        return []
    rows = [EvaluationRow.model_validate(row) for row in evaluation.get("rows") or []]
    ordered = sorted(enumerate(rows), key=lambda p: (p[1].rank is None, p[1].rank or 0, p[0]))
    return [
        PublicRow(
            key=row.key,
            name=row.name,
            dispatched=row.counts.dispatched if row.counts else 0,
            handled=row.counts.handled if row.counts else 0,
            on_time_handling_rate=row.rates.on_time_handling_rate if row.rates else None,
            closing_rate=row.rates.closing_rate if row.rates else None,
            satisfaction_rate=row.rates.satisfaction_rate if row.rates else None,
            score=row.score,
            rank=row.rank,
        )
        for _, row in ordered
    ]


def public_figures(month: str | None) -> PublicEvaluation | None:
    """Returns a published month's figures (the latest month by default); None if `month` is
    not published."""
    with Session(get_engine()) as session:
        months = store.published_months(session=session)
        chosen = month or (months[0] if months else None)
        row = store.latest(session=session, month=chosen) if chosen else None
    if row is None:
        if month is not None:
            return None
        return PublicEvaluation(
            month=None, version=None, published_at=None, months=months, departments=[], streets=[]
        )
    return PublicEvaluation(
        month=row.month,
        version=row.version,
        published_at=row.published_at,
        months=months,
        departments=_rows(row.snapshot.get("department")),
        streets=_rows(row.snapshot.get("street")),
    )


@router.get(
    "/api/public/evaluation", response_model=PublicEvaluation, responses=error_responses(404, 422)
)
def get_public_evaluation(month: MonthQuery = None) -> PublicEvaluation:
    """Returns a published month's handling figures and rank per unit (no sign-in; counts and
    rates only)."""
    found = public_figures(checked_month(month) if month is not None else None)
    if found is None:
        raise not_found(f"a publication of {month}")
    return found


@router.get("/public/evaluation", response_class=HTMLResponse, include_in_schema=False)
def public_page(request: Request, month: str | None = None) -> HTMLResponse:
    """The public page (大联动公开): a published month's figures per unit."""
    asked = (month or "").strip() or None
    valid = parse_month(asked) if asked and len(asked) <= 7 else None
    found = public_figures(valid) if (asked is None or valid) else None
    if found is None:  # a month not published (or not a month): the picker, and why
        found = public_figures(None)
        missing = asked
    else:
        missing = None
    return pages.render(
        request,
        "evaluation/public.html",
        {"active": "public-evaluation", "figures": found, "missing": missing},
        status_code=404 if missing else 200,
    )
