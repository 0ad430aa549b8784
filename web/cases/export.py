"""Any filtered case list as xlsx: `GET /api/cases.xlsx` (bearer) and `/cases/export.xlsx` (the
signed-in browser, linked from the case search as “导出 Excel”), with the filters and the
visibility of GET /api/cases, newest first, at most CAP cases (the file says so when it holds
fewer than match). Names, not codes; times as Excel date-times in Beijing time.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from models.case import Case
from models.case_store import case_conditions
from models.db import get_engine
from models.user import User
from web.cases.api import CaseFilters
from web.cases.query import liaison_scope
from web.evaluation.export import (
    BOLD,
    HEAD_ALIGN,
    HEAD_FILL,
    WHEN,
    XLSX,
    disposition,
    naive_local,
)
from web.kit import temporal
from web.kit.deps import CurrentUser
from web.kit.errors import error_responses
from web.kit.i18n import label, lang_of, translate
from web.kit.names import Reference
from web.kit.pages import PageError, PageUser

router = APIRouter()

CAP = 50_000
FILTERS = ("status", "department", "light", "category", "grid", "street", "q", "phone", "reporter")
# column -> (its label's key, how its value is shown, its width)
COLUMNS: dict[str, tuple[str, str, float]] = {
    "number": ("field.number", "text", 18),
    "status": ("field.status", "status", 16),
    "category": ("field.category", "category", 16),
    "description": ("field.description", "text", 48),
    "address": ("field.address", "text", 30),
    "grid": ("field.grid", "grid", 22),
    "street": ("field.street", "department", 12),
    "channel": ("field.channel", "channel", 14),
    "department": ("field.department", "department", 14),
    "interim_department": ("field.interim_department", "department", 14),
    "light": ("field.light", "light", 8),
    "created_at": ("field.created_at", "when", 17),
    "dispatched_at": ("export.col.dispatched_at", "when", 17),
    "accept_deadline": ("field.accept_deadline", "when", 17),
    "accepted_at": ("export.col.accepted_at", "when", 17),
    "deadline": ("field.deadline", "when", 17),
    "reported_at": ("export.col.reported_at", "when", 17),
    "closed_at": ("field.closed_at", "when", 17),
    "bounces": ("field.bounces", "count", 9),
    "reworks": ("field.reworks", "count", 9),
    "extensions": ("export.col.extensions", "count", 9),
    "escalation_level": ("field.escalation_level", "count", 9),
    "satisfaction": ("field.satisfaction", "satisfaction", 12),
    "reporter_name": ("field.reporter_name", "text", 12),
    "reporter_phone": ("field.reporter_phone", "text", 15),
}
# A liaison's pages do not show who reported a case; nor does its file.
REPORTER = ("reporter_name", "reporter_phone")


def columns_for(user: User) -> list[str]:
    """Returns the columns a user's file holds."""
    return [c for c in COLUMNS if user.role != "liaison" or c not in REPORTER]


def matching(
    session: Session, user: User, filters: CaseFilters, cap: int = CAP
) -> tuple[int, Iterator[Case]]:
    """Returns how many cases the user may see match, and the newest `cap` of them, streamed."""
    if user.role == "liaison" and not user.department:
        return 0, iter(())
    chosen = filters.model_dump(include=set(FILTERS))
    where = case_conditions(visible_to=liaison_scope(user), **chosen)
    total = session.exec(select(func.count()).select_from(Case).where(*where)).one()
    rows = session.exec(
        select(Case)
        .where(*where)
        .order_by(col(Case.created_at).desc(), col(Case.number).desc())
        .limit(cap)
        .execution_options(yield_per=1000)
    )
    return int(total), iter(rows)


def _converter(kind: str, ref: Reference, lang: str, sheet: WriteOnlyWorksheet) -> Any:
    """Returns how a column's value becomes its cell: names for codes, Excel date-times."""
    names: Mapping[str, str] | None = {
        "category": ref.category,
        "grid": ref.grid,
        "department": ref.dept,
    }.get(kind)
    if kind == "when":

        def when(found: datetime | None) -> Any:
            if found is None:
                return None
            cell = WriteOnlyCell(sheet, value=naive_local(found))
            cell.number_format = WHEN
            return cell

        return when
    if kind == "text":
        return lambda found: _text(sheet, found)
    if kind == "count":
        return lambda found: found
    if names is not None:
        return lambda found: names.get(found, found) if found else None
    return lambda found: label(lang, kind, found) or None  # status, channel, light, satisfaction


def _text(sheet: WriteOnlyWorksheet, found: str | None) -> Any:
    if not found:
        return None
    found = ILLEGAL_CHARACTERS_RE.sub("", found)
    if found.startswith("="):  # text, never a formula
        cell = WriteOnlyCell(sheet, value=found)
        cell.data_type = "s"
        return cell
    return found


def _filter_words(filters: CaseFilters, ref: Reference, lang: str) -> str:
    named = {"department": ref.dept, "street": ref.dept, "category": ref.category, "grid": ref.grid}
    keys = {
        "q": "common.keyword",
        "phone": "field.reporter_phone",
        "reporter": "field.reporter_name",
    }
    words = []
    for name in FILTERS:
        given = getattr(filters, name)
        if not given:
            continue
        if name == "status":
            shown = "、".join(label(lang, "status", s) for s in given.split(","))
        elif name == "light":
            shown = label(lang, "light", given)
        else:
            shown = named.get(name, {}).get(given, given)
        words.append(f"{translate(lang, keys.get(name, f'field.{name}'))}：{shown}")
    return "；".join(words) or translate(lang, "export.cases.no_filter")


def case_workbook(user: User, filters: CaseFilters, now: datetime, lang: str) -> bytes:
    """Returns the xlsx of the cases a user may see that match the filters."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(translate(lang, "export.cases.sheet"))
    names = columns_for(user)
    sheet.freeze_panes = "B2"  # the header row and the case number stay in view
    for index, name in enumerate(names):
        sheet.column_dimensions[get_column_letter(index + 1)].width = COLUMNS[name][2]
    header = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=translate(lang, COLUMNS[name][0]))
        cell.font, cell.fill, cell.alignment = BOLD, HEAD_FILL, HEAD_ALIGN
        header.append(cell)
    sheet.append(header)
    with Session(get_engine()) as session:
        ref = Reference.load(session)
        cells = [(n, _converter(COLUMNS[n][1], ref, lang, sheet)) for n in names]
        total, rows = matching(session, user, filters, cap=CAP)
        written = 0
        for row in rows:
            sheet.append([convert(getattr(row, n)) for n, convert in cells])
            written += 1
    _about(book, user, filters, ref, lang, now=now, total=total, written=written)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _about(
    book: Workbook,
    user: User,
    filters: CaseFilters,
    ref: Reference,
    lang: str,
    *,
    now: datetime,
    total: int,
    written: int,
) -> None:
    t = lambda key, **kw: translate(lang, key, **kw)  # noqa: E731
    about = book.create_sheet(t("export.meta.sheet"))
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    title = WriteOnlyCell(about, value=t("export.cases.title", district=t("report.district")))
    title.font = Font(bold=True, size=14)
    about.append([title])
    generated = WriteOnlyCell(about, value=naive_local(now))
    generated.number_format = WHEN
    about.append([t("export.meta.generated"), generated])
    about.append([t("export.cases.filters"), _filter_words(filters, ref, lang)])
    about.append([t("export.cases.total"), total])
    about.append([t("export.cases.rows"), written])
    if written < total:
        warning = WriteOnlyCell(about, value=t("export.cases.capped", total=total, cap=CAP))
        warning.font = Font(bold=True, color="C53030")
        about.append([warning])
        book.active = 1  # open on the warning
    about.append([t("export.cases.order")])
    about.append([t("export.cases.times")])
    if user.role == "liaison":
        about.append([t("export.cases.liaison")])


def case_file(user: User, filters: CaseFilters, now: datetime, lang: str) -> Response:
    """Returns the case list's xlsx as a download."""
    body = case_workbook(user, filters, now, lang)
    stamp = f"{naive_local(now):%Y%m%d-%H%M}"
    name = f"{translate(lang, 'report.district')}{translate(lang, 'export.cases.file')}-{stamp}"
    return Response(
        body,
        media_type=XLSX,
        headers={
            "Content-Disposition": disposition(f"{name}.xlsx", f"liandong-cases-{stamp}.xlsx")
        },
    )


@router.get(
    "/api/cases.xlsx",
    tags=["cases"],
    response_class=Response,
    responses={
        200: {
            "description": "the file",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        },
        **error_responses(422),
    },
)
async def cases_xlsx(
    request: Request, user: CurrentUser, filters: Annotated[CaseFilters, Query()]
) -> Response:
    """Returns the cases of GET /api/cases with the same filters as xlsx, newest first, every
    page (at most 50,000 cases; the 说明 sheet says how many match); `page` is ignored."""
    now = await temporal.wall_clock()
    return await run_in_threadpool(case_file, user, filters, now, lang_of(request))


@router.get("/cases/export.xlsx", include_in_schema=False)
async def page_cases_xlsx(request: Request, user: PageUser) -> Response:
    """Downloads the case search's list as xlsx (the query of /cases)."""
    asked = {k: v for k, v in request.query_params.items() if k in FILTERS and v}
    try:
        filters = CaseFilters.model_validate(asked)
    except ValidationError as err:
        field = str(err.errors()[0]["loc"][0])
        raise PageError(
            422, "report.error.query", field=field, value=asked.get(field, "")
        ) from None
    now = await temporal.wall_clock()
    return await run_in_threadpool(case_file, user, filters, now, lang_of(request))


def export_link(params: Mapping[str, str], lang: str) -> Markup:
    """Returns the search page's “导出 Excel” link for these filters; htmx swaps in a new one
    each time the list's filters change the page's URL."""
    query = urlencode([(k, v) for k, v in params.items() if k in FILTERS and v])
    return Markup(
        '<a class="button" id="case-export" href="{}" hx-get="/cases/export-link" '
        'hx-trigger="htmx:pushedIntoHistory from:body" hx-swap="outerHTML" download>{}</a>'
    ).format(
        "/cases/export.xlsx" + (f"?{query}" if query else ""),
        translate(lang, "export.cases.button"),
    )


@router.get("/cases/export-link", response_class=HTMLResponse, include_in_schema=False)
def export_link_fragment(request: Request, user: PageUser) -> HTMLResponse:
    """Returns the export link for the filters of the page's current URL (HX-Current-URL)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    params = dict(parse_qsl(current.query)) if current.path == "/cases" else {}
    return HTMLResponse(export_link(params, lang_of(request)), headers={"Vary": "HX-Current-URL"})
