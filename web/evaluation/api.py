"""The evaluation's JSON API (API.md "Evaluation"): the figures, what each one counts, and the
cases behind a count."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core.indicators import COUNTS
from models.case_public import CasePublic
from models.db import get_engine
from models.evaluation import cases_behind
from models.evaluation_public import Evaluation, EvaluationCases
from models.evaluation_settings import weights
from models.reference_store import department_names
from web.evaluation.definitions import Definitions, definitions
from web.evaluation.service import LIAISON, check_reader, period_of, read_evaluation, units
from web.evaluation.trend import LONGEST_TREND, Trend, months_ending, trend, trend_end
from web.kit import temporal
from web.kit.deps import CurrentUser
from web.kit.errors import error_responses, forbidden, invalid

router = APIRouter(prefix="/api/evaluation", tags=["evaluation"])

Dimension = Literal["department", "street", "community", "grid", "category", "channel"]
Figure = Literal[COUNTS]  # type: ignore[valid-type]
PeriodText = Annotated[
    str | None,
    Query(max_length=16, description="2026-12 (month), 2026-Q4 (quarter) or 2026 (year)"),
]
From = Annotated[date | None, Query(alias="from", description="first day of a range")]
To = Annotated[date | None, Query(description="last day of a range (included)")]
By = Annotated[Dimension, Query(description="the units the rows are")]


async def _now() -> datetime:
    # The clock the cases' deadlines run on (the workflow service's; the wall clock in service).
    return await temporal.server_clock()


@router.get("", response_model=Evaluation, responses=error_responses(403, 422))
async def get_evaluation(
    user: CurrentUser,
    period: PeriodText = None,
    from_: From = None,
    to: To = None,
    by: By = "department",
) -> Evaluation:
    """Returns every count, rate, score and rank of one period per unit (supervisors,
    coordinators, admins; a liaison gets its own department's row and everyone's score and
    rank)."""
    check_reader(user)
    now = await _now()
    chosen = period_of(period, from_, to, now)
    return await run_in_threadpool(read_evaluation, user, chosen, by, now)


@router.get("/definitions", response_model=Definitions, responses=error_responses(403))
def get_definitions(user: CurrentUser) -> Definitions:
    """Returns what each figure counts (口径说明), in zh-CN and English."""
    check_reader(user)
    return definitions()


@router.get("/cases", response_model=EvaluationCases, responses=error_responses(403, 422))
async def get_cases_behind(
    user: CurrentUser,
    figure: Annotated[Figure, Query(description="a count of GET /api/evaluation")],
    period: PeriodText = None,
    from_: From = None,
    to: To = None,
    by: By = "department",
    key: Annotated[str | None, Query(max_length=32, description="the unit; none: all")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> EvaluationCases:
    """Returns the cases behind one count (same shape as GET /api/cases), newest first; a
    liaison only those behind its own department's counts (by department)."""
    check_reader(user)
    if user.role == LIAISON and (by != "department" or key != user.department):
        raise forbidden("a liaison sees the cases behind its own department's figures only")
    now = await _now()
    chosen = period_of(period, from_, to, now)

    def read() -> EvaluationCases:
        with Session(get_engine()) as session:
            rows, total, count = cases_behind(
                session=session,
                period=chosen,
                by=by,
                key=key,
                figure=figure,
                now=now,
                page=page,
                page_size=page_size,
            )
            names = department_names(session=session) if rows else {}
        return EvaluationCases(
            items=[CasePublic.of(r, names=names) for r in rows],
            total=total,
            page=page,
            page_size=page_size,
            figure=figure,
            count=count,
        )

    return await run_in_threadpool(read)


@router.get("/trend", response_model=Trend, responses=error_responses(403, 422))
async def get_trend(
    user: CurrentUser,
    by: By = "department",
    key: Annotated[str | None, Query(max_length=32, description="the unit; none: totals")] = None,
    months: Annotated[int, Query(ge=1, le=LONGEST_TREND, description="how many months")] = 12,
    end: Annotated[
        str | None, Query(max_length=16, description="the last month, 2026-12; this month")
    ] = None,
) -> Trend:
    """Returns one unit's counts, rates and score month by month (without `key`: the totals),
    oldest first, ending with `end`. A liaison gets its own department's only (by=department,
    key=its department): the totals hold every other department's counts."""
    check_reader(user)
    if user.role == LIAISON and (by != "department" or key != user.department):
        raise forbidden("a liaison sees the trend of its own department only")
    now = await _now()
    try:
        last = trend_end(end) if end is not None else period_of(None, None, None, now)
        months_ending(last, months)  # reaches no further back than the calendar
    except ValueError as err:
        raise invalid("end", str(err)) from None

    def read() -> Trend:
        with Session(get_engine()) as session:
            named = units(session, by)
            if key is not None and key not in named:
                raise invalid("key", f"{key!r} is not a unit of {by}")
            chosen = weights(session=session)
            found = trend(
                session=session, by=by, key=key, end=last, months=months, now=now, weights=chosen
            )
        return Trend(
            by=by,
            key=key,
            name=named[key] if key is not None else None,
            end=last.label,
            weights=chosen,
            months=found,
        )

    return await run_in_threadpool(read)
