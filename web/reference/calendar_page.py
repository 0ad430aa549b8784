"""The holiday table as a page (/admin/calendar): a year's holidays and make-up working days
(调休) with their names, a year picker, and for the admin the publishing of a year from the State
Council's notice (pasted, or a day added or removed). Every change goes through the same store
path and audit entry as PUT /api/calendar/{year}. A year without data falls back to Monday–Friday;
the page warns of it, and so does every page of an admin or supervisor (`calendar_gaps`) while
this year, or from December on the next, has no published table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core.workcal import TZ
from models import reference_store as store
from models.audit import AuditEntry, entries
from models.calendar_store import load_calendar
from models.db import get_engine, session_scope
from models.user import User
from web.kit import pages
from web.kit.csrf import verify_csrf
from web.reference.calendar import (
    AUDIT_SUBJECT,
    NAME_MAX,
    YearIn,
    YearOut,
    YearProblem,
    publish,
    read_year,
    year_problem,
)
from web.reference.calendar_paste import PasteError, as_lines, parse_days

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE = "/admin/calendar"
READERS = ("admin", "supervisor", "coordinator")
EDITORS = ("admin",)
# Who sees the fallback warning on every page: those who can fix it or must answer for it.
WARNED = ("admin", "supervisor")
FIRST_YEAR, LAST_YEAR = 1900, 2200
KINDS = ("holiday", "workday")
DONE = ("published", "unchanged", "added", "removed")

pages.add_nav_link("calendar", PAGE, "nav.calendar", ("supervisor", "coordinator"))


def today() -> date:
    """Returns today's date in Asia/Shanghai (tests put another day here)."""
    return datetime.now(TZ).date()


def missing_years(known: Iterable[int], on: date) -> list[int]:
    """Returns the years that need a table and have none: this one, and from December on the
    next (a December case's deadline reaches into it)."""
    wanted = [on.year, on.year + 1] if on.month == 12 else [on.year]
    held = set(known)
    return [year for year in wanted if year not in held]


def calendar_gaps() -> list[int]:
    """The template global behind the warning: the years missing now (the calendar is cached)."""
    return missing_years(load_calendar(engine=get_engine()).known_years, today())


pages.templates.env.globals["calendar_gaps"] = calendar_gaps


# -- reading --------------------------------------------------------------------------------


def _rows(table: YearOut) -> list[dict[str, Any]]:
    kinds = {d: "holiday" for d in table.holidays} | {d: "workday" for d in table.workdays}
    return [
        {"day": day, "weekday": day.weekday(), "kind": kinds[day], "name": table.names.get(day, "")}
        for day in sorted(kinds)
    ]


def _history(log: list[AuditEntry]) -> list[dict[str, Any]]:
    return [
        {
            "entry": e,
            "holidays": len((e.after or {}).get("holidays", [])),
            "workdays": len((e.after or {}).get("workdays", [])),
        }
        for e in log
    ]


def _picker(covered: list[int], year: int, now: date) -> list[int]:
    near = {now.year - 1, now.year, now.year + 1, year}
    return sorted(near | {y for y in covered if y >= now.year - 1})


def _page(
    request: Request,
    user: User,
    year: int,
    *,
    notice: str | None = None,
    errors: list[tuple[str, dict[str, Any]]] | None = None,
    typed: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = today()
    with Session(get_engine()) as session:
        table = read_year(session, year)
        covered = store.covered_years(session=session)
        log = entries(session=session, subject=AUDIT_SUBJECT, key=str(year))
    paste = {
        "holidays": as_lines(table.holidays, table.names),
        "workdays": as_lines(table.workdays, table.names),
        **(typed or {}),
    }
    return pages.render(
        request,
        "reference/calendar.html",
        {
            "active": "calendar",
            "year": year,
            "table": table,
            "rows": _rows(table),
            "gaps": missing_years(covered, now),
            "covered": covered,
            "picker": _picker(covered, year, now),
            "can_edit": user.role in EDITORS,
            "paste": paste,
            "typed_day": {k: (typed or {}).get(k, "") for k in ("day", "kind", "name")},
            "notice": notice,
            "errors": errors or [],
            "history": _history(log),
        },
        status_code=status_code,
    )


def _year_of(text: str | None, default: int) -> int | None:
    if text is None or text == "":
        return default
    if not text.strip().isdecimal() or len(text.strip()) > 4:
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


@router.get(PAGE, response_class=HTMLResponse)
def calendar_page(request: Request, user: pages.PageUser) -> HTMLResponse:
    """A year's holidays and make-up days, the fallback warning, and the admin's forms."""
    pages.require_role(user, *READERS)
    year = _year_of(request.query_params.get("year"), today().year)
    if year is None:
        return _page(request, user, today().year, errors=[("cal.error.year", {})], status_code=422)
    done = request.query_params.get("done")
    notice = f"cal.{done}" if done in DONE else None
    return _page(request, user, year, notice=notice)


# -- changing ---------------------------------------------------------------------------------


def _problem_words(problem: YearProblem, year: int) -> tuple[str, dict[str, Any]]:
    key = {
        "other_year": "cal.error.other_year",
        "weekday": "cal.error.weekday",
        "both": "cal.error.both",
        "unnamed": "cal.error.no_such_day",
        "name_long": "cal.error.name",
    }[problem.code]
    return key, {"day": problem.day.isoformat() if problem.day else "", "year": year}


def _save(user: User, year: int, body: YearIn) -> tuple[str, dict[str, Any]] | bool:
    """Publishes a checked table; returns whether it changed, or the words of its problem."""
    problem = year_problem(year, body)
    if problem is not None:
        return _problem_words(problem, year)
    with session_scope() as session:
        return publish(session=session, user=user, year=year, body=body)


def _body(table: YearOut) -> dict[date, tuple[str, str]]:
    """Returns a year's table as day -> (kind, name), for a change of one day."""
    days = {d: ("holiday", table.names.get(d, "")) for d in table.holidays}
    return days | {d: ("workday", table.names.get(d, "")) for d in table.workdays}


def _year_in(days: Mapping[date, tuple[str, str]]) -> YearIn:
    return YearIn(
        holidays=[d for d, (kind, _) in days.items() if kind == "holiday"],
        workdays=[d for d, (kind, _) in days.items() if kind == "workday"],
        names={d: name for d, (_, name) in days.items() if name},
    )


def _change_day(user: User, year: int, form: Mapping[str, str], *, remove: bool) -> Any:
    """Adds a day to a published year, or removes one; the words of a refusal otherwise."""
    raw = form.get("day", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return "cal.error.day", {}
    with Session(get_engine()) as session:
        table = read_year(session, year)
    if not table.covered:
        return "cal.error.not_covered", {"year": year}
    days = _body(table)
    if remove:
        if day not in days:
            return "cal.error.no_such_day", {"day": raw}
        del days[day]
    else:
        kind, name = form.get("kind", ""), form.get("name", "").strip()
        if kind not in KINDS:
            return "cal.error.kind", {}
        if len(name) > NAME_MAX:
            return "cal.error.name", {}
        days[day] = (kind, name)
    return _save(user, year, _year_in(days))


def _pasted(year: int, form: Mapping[str, str]) -> YearIn | tuple[str, dict[str, Any]]:
    found: dict[str, list] = {}
    names: dict[date, str] = {}
    for field in ("holidays", "workdays"):
        try:
            days = parse_days(form.get(field, ""), year=year)
        except PasteError as err:
            return err.problem, {"line": err.line, "text": err.text, "field": field}
        found[field] = [d.day for d in days]
        names |= {d.day: d.name for d in days if d.name}
    return YearIn(holidays=found["holidays"], workdays=found["workdays"], names=names)


def _publish_pasted(user: User, year: int, form: Mapping[str, str]) -> Any:
    body = _pasted(year, form)
    return body if isinstance(body, tuple) else _save(user, year, body)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _path_year(text: str) -> int:
    year = _year_of(text, 0)
    if not year:
        raise pages.PageError(422, "cal.error.year")
    return year


async def _answer(
    request: Request, user: User, year: int, outcome: Any, done: str, typed: Mapping[str, str]
) -> Response:
    """Sends the browser back to the year with what happened, or shows why nothing changed."""
    if isinstance(outcome, bool):
        done = done if outcome else "unchanged"
        return pages.redirect(request, f"{PAGE}?year={year}&done={done}")
    return await run_in_threadpool(
        lambda: _page(request, user, year, errors=[outcome], typed=typed, status_code=422)
    )


@router.post(PAGE + "/{year}/publish")
async def publish_pasted(request: Request, year: str, user: pages.PageUser) -> Response:
    """Publishes a year from the pasted lists of days off and make-up days (admin)."""
    pages.require_role(user, *EDITORS)
    number, form = _path_year(year), await _form(request)
    typed = {k: form.get(k, "") for k in ("holidays", "workdays")}
    outcome = await run_in_threadpool(_publish_pasted, user, number, form)
    return await _answer(request, user, number, outcome, "published", typed)


@router.post(PAGE + "/{year}/add")
async def add_day(request: Request, year: str, user: pages.PageUser) -> Response:
    """Adds (or renames) a day off or a make-up day in a published year (admin)."""
    pages.require_role(user, *EDITORS)
    number, form = _path_year(year), await _form(request)
    outcome = await run_in_threadpool(lambda: _change_day(user, number, form, remove=False))
    typed = {k: form.get(k, "") for k in ("day", "kind", "name")}
    return await _answer(request, user, number, outcome, "added", typed)


@router.post(PAGE + "/{year}/remove")
async def remove_day(request: Request, year: str, user: pages.PageUser) -> Response:
    """Removes a day from a published year (admin)."""
    pages.require_role(user, *EDITORS)
    number, form = _path_year(year), await _form(request)
    outcome = await run_in_threadpool(lambda: _change_day(user, number, form, remove=True))
    return await _answer(request, user, number, outcome, "removed", {})
