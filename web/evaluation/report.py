"""The monthly report (月通报) and the evaluation's downloads.

`/evaluation/report/{YYYY-MM}` is the printable report of a month: both rankings with every
unit's figures, the 红黑榜, the changes against last month, the most overdue cases and the
口径. `GET /api/evaluation.xlsx` and `.csv` (bearer) and `/evaluation/export.xlsx` and `.csv`
(the signed-in browser) give the figures of GET /api/evaluation as files (web/evaluation/export.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from core.evaluation_periods import MONTH, Period, parse_period, this_month
from models.calendar_store import load_calendar
from models.db import get_engine
from models.evaluation import DIMENSIONS
from models.evaluation_public import Evaluation, EvaluationRow
from models.reference import Category
from models.user import User
from web.evaluation.api import Dimension, From, PeriodText, To
from web.evaluation.definitions import COUNT_WORDS, RATE_WORDS
from web.evaluation.export import (
    CSV,
    XLSX,
    csv_text,
    disposition,
    file_names,
    period_words,
    weights_words,
    workbook,
)
from web.evaluation.monthly import month_figures
from web.evaluation.report_overdue import WORST, late_words, most_overdue
from web.evaluation.service import (
    LIAISON,
    READERS,
    check_reader,
    for_liaison,
    period_of,
    read_evaluation,
)
from web.kit import temporal
from web.kit.deps import CurrentUser
from web.kit.errors import ApiError, error_responses, invalid
from web.kit.i18n import lang_of, translate
from web.kit.pages import PageError, PageUser, add_nav_link, render

router = APIRouter()

Kinds = Annotated[
    Dimension | None, Query(description="one kind of unit; none: a sheet (or block) of each")
]
MONTH_TEXT = re.compile(r"\d{4}-\d{2}")
# The figures the report's ranking tables show of each unit.
TABLE_COUNTS = (
    "dispatched",
    "due",
    "handled",
    "handled_on_time",
    "overdue_open",
    "reworks",
    "extensions",
    "closed",
)
TABLE_RATES = (
    "handling_rate",
    "on_time_handling_rate",
    "closing_rate",
    "rework_rate",
    "extension_rate",
    "overdue_open_rate",
    "satisfaction_rate",
)
CHANGED_RATES = ("handling_rate", "on_time_handling_rate")
FILE = {"xlsx": XLSX, "csv": CSV}

add_nav_link("report", "/evaluation/report", "nav.report", (*READERS, LIAISON))


async def _now() -> datetime:
    # The clock the cases' deadlines run on, as for GET /api/evaluation.
    return await temporal.server_clock()


def _comparable(period: Period, field: str) -> Period:
    # The figures compare with the period before and a year before: both must be dates.
    try:
        period.previous()
        period.last_year()
    except ValueError:
        raise invalid(field, f"{period.label} is outside the years that can be evaluated") from None
    return period


# -- the files --------------------------------------------------------------------------------


def evaluation_file(
    user: User, period: Period, by: str | None, now: datetime, lang: str, kind: str
) -> Response:
    """Returns the evaluation of a period as `kind` (xlsx or csv), as `user` may see it: one
    kind of unit, or every kind."""
    found = [read_evaluation(user, period, one, now) for one in ((by,) if by else DIMENSIONS)]
    if kind == "xlsx":
        body = workbook(found, period, lang, restricted=user.role == LIAISON)
    else:
        body = csv_text(found, lang)
    name, fallback = file_names(period, by, lang, kind)
    return Response(
        body, media_type=FILE[kind], headers={"Content-Disposition": disposition(name, fallback)}
    )


_FILE_ANSWER = {
    200: {
        "description": "the file",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}} for media in FILE.values()
        },
    },
    **error_responses(403, 422),
}


async def _api_file(
    request: Request,
    user: User,
    kind: str,
    period: str | None,
    first: date | None,
    last: date | None,
    by: str | None,
) -> Response:
    check_reader(user)
    now = await _now()
    chosen = _comparable(period_of(period, first, last, now), "period" if period else "to")
    return await run_in_threadpool(evaluation_file, user, chosen, by, now, lang_of(request), kind)


@router.get(
    "/api/evaluation.xlsx", tags=["evaluation"], response_class=Response, responses=_FILE_ANSWER
)
async def evaluation_xlsx(
    request: Request,
    user: CurrentUser,
    period: PeriodText = None,
    from_: From = None,
    to: To = None,
    by: Kinds = None,
) -> Response:
    """Returns GET /api/evaluation's figures as xlsx: without `by`, a sheet per kind of unit
    (rates as fractions formatted 0.00%: 93.72 is the cell value 0.9372)."""
    return await _api_file(request, user, "xlsx", period, from_, to, by)


@router.get(
    "/api/evaluation.csv", tags=["evaluation"], response_class=Response, responses=_FILE_ANSWER
)
async def evaluation_csv(
    request: Request,
    user: CurrentUser,
    period: PeriodText = None,
    from_: From = None,
    to: To = None,
    by: Kinds = None,
) -> Response:
    """Returns GET /api/evaluation's figures as CSV (UTF-8 with BOM, rates in percent);
    without `by`, every kind of unit, named in the first column."""
    return await _api_file(request, user, "csv", period, from_, to, by)


def _page_reader(user: User) -> None:
    try:
        check_reader(user)
    except ApiError:
        raise PageError(403, "error.role", roles=(*READERS, LIAISON)) from None


def _page_query(request: Request, now: datetime) -> tuple[Period, str | None]:
    """Returns the period and kind of unit a page's query names; an HTML 422 naming the field."""
    params = request.query_params

    def day(name: str) -> date | None:
        text = params.get(name) or None
        try:
            return None if text is None else date.fromisoformat(text)
        except ValueError:
            raise PageError(422, "report.error.query", field=name, value=text) from None

    by = params.get("by") or None
    if by is not None and by not in DIMENSIONS:
        raise PageError(422, "report.error.query", field="by", value=by)
    try:
        period = period_of(params.get("period") or None, day("from"), day("to"), now)
        return _comparable(period, "period"), by
    except ApiError as err:
        field = err.extra.get("field", "period")
        raise PageError(
            422, "report.error.query", field=field, value=params.get(field, "")
        ) from None


async def _page_file(request: Request, user: User, kind: str) -> Response:
    _page_reader(user)
    now = await _now()
    period, by = _page_query(request, now)
    return await run_in_threadpool(evaluation_file, user, period, by, now, lang_of(request), kind)


@router.get("/evaluation/export.xlsx", include_in_schema=False)
async def page_xlsx(request: Request, user: PageUser) -> Response:
    """Downloads the evaluation as xlsx from a page (the query of GET /api/evaluation.xlsx)."""
    return await _page_file(request, user, "xlsx")


@router.get("/evaluation/export.csv", include_in_schema=False)
async def page_csv(request: Request, user: PageUser) -> Response:
    """Downloads the evaluation as CSV from a page (the query of GET /api/evaluation.csv)."""
    return await _page_file(request, user, "csv")


# -- the report page ------------------------------------------------------------------------------


def _month(text: str) -> Period:
    try:
        if not MONTH_TEXT.fullmatch(text):
            raise ValueError(text)
        period = parse_period(text)
        if period.kind != MONTH:
            raise ValueError(text)
        return _comparable(period, "month")
    except (ValueError, ApiError):
        raise PageError(422, "report.error.month", value=text[:16]) from None


@router.get("/evaluation/report", include_in_schema=False)
async def report_index(request: Request, user: PageUser) -> Response:
    """Sends the browser to the report of the month asked for (?month=), else of last month."""
    _page_reader(user)
    asked = request.query_params.get("month")
    month = _month(asked) if asked else this_month(await _now()).previous()
    return RedirectResponse(f"/evaluation/report/{month.label}", status_code=303)


@router.get("/evaluation/report/{month}", response_class=HTMLResponse, include_in_schema=False)
async def report_page(request: Request, month: str, user: PageUser) -> HTMLResponse:
    """Shows the monthly report (月通报) of a month, printable on A4."""
    _page_reader(user)
    period = _month(month)
    now = await _now()
    return await run_in_threadpool(_report, request, user, period, now)


def ranked(evaluation: Evaluation) -> list[EvaluationRow]:
    """Returns the rows best first; units without a score last, in their order."""
    return sorted(evaluation.rows, key=lambda row: (row.rank is None, row.rank or 0))


def boards(rows: list[EvaluationRow]) -> tuple[list[EvaluationRow], list[EvaluationRow]]:
    """Returns the 红榜 (the best three) and the 黑榜 (the worst three, worst first)."""
    scored = [row for row in rows if row.rank is not None]
    best = scored[:3]
    return best, [row for row in reversed(scored) if row not in best][:3]


def changed(rows: list[EvaluationRow]) -> list[EvaluationRow]:
    """Returns the rows to compare with last month: those with a score in either month."""
    return [r for r in rows if r.mom and (r.score is not None or r.mom.score is not None)]


def rank_move(row: EvaluationRow, lang: str) -> str:
    """Returns how the rank moved since last month, in words."""
    before = row.mom.rank if row.mom else None
    if row.rank is None:
        return translate(lang, "report.unranked")
    if before is None:
        return translate(lang, "report.rank_new")
    if before == row.rank:
        return translate(lang, "report.rank_same")
    key = "report.rank_up" if before > row.rank else "report.rank_down"
    return translate(lang, key, n=abs(before - row.rank))


def _report(request: Request, user: User, period: Period, now: datetime) -> HTMLResponse:
    lang = lang_of(request)
    figures = month_figures(period, now, ("department", "street"))
    liaison = user.role == LIAISON
    shown = {
        by: for_liaison(found, user.department or "") if liaison else found
        for by, found in figures.by.items()
    }
    rows = {by: ranked(found) for by, found in shown.items()}
    department = shown["department"]
    with Session(get_engine()) as session:
        worst = most_overdue(
            session=session,
            period=period,
            as_of=department.as_of,
            department=user.department if liaison else None,
        )
        natural = {c.code for c in session.exec(select(Category)) if c.limit_unit == "hours"}
    cal = load_calendar(engine=get_engine())
    following = parse_period(f"{period.end:%Y-%m}")
    words = lambda pairs: {k: (v[1] if lang == "en" else v[0]) for k, v in pairs.items()}  # noqa: E731
    return render(
        request,
        "evaluation/report.html",
        {
            "active": "report",
            "period": period,
            "period_words": period_words(period, lang),
            "figures": figures,
            "shown": shown,
            "rows": rows,
            "boards": {by: boards(found) for by, found in rows.items()},
            "changes": {by: changed(found) for by, found in rows.items()},
            "moves": {
                by: {row.key: rank_move(row, lang) for row in found} for by, found in rows.items()
            },
            "worst": [
                (w, late_words(w, lang, cal, natural_only=w.category in natural)) for w in worst
            ],
            "liaison": liaison,
            "count_cols": TABLE_COUNTS,
            "rate_cols": TABLE_RATES,
            "changed_rates": CHANGED_RATES,
            "count_words": words({c: COUNT_WORDS[c][:2] for c in TABLE_COUNTS}),
            "rate_words": words(RATE_WORDS),
            "weights": weights_words(department.weights, lang),
            "previous": period.previous().label,
            "following": following.label if following.first <= this_month(now).first else None,
            "query": f"period={period.label}",
            "worst_n": WORST,
        },
    )
