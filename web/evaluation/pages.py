"""The evaluation's pages (综合评价): the ranking with its pickers, 红黑榜 and charts; the cases
behind any number; and the definitions (口径说明) in words.

Supervisors, coordinators and admins see every figure; a liaison its own department's figures
and everyone's score and rank (service.for_liaison), its own department's trend and lights, and
the cases behind its own department's numbers only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from core.evaluation_periods import Period, date_range, parse_period, this_month
from core.indicators import COUNTS, LOWER_IS_BETTER, RATES
from models.db import get_engine
from models.evaluation import DIMENSIONS, cases_behind
from models.evaluation_public import Evaluation, EvaluationRow
from models.evaluation_settings import weights
from models.reference_store import department_names
from models.user import User
from web.evaluation.definitions import COUNT_WORDS, RATE_WORDS, definitions
from web.evaluation.service import LIAISON, READERS, read_evaluation, units
from web.evaluation.trend import (
    LIGHT_FIGURES,
    LIGHTS,
    LightShare,
    TrendMonth,
    light_share,
    months_ending,
    trend,
)
from web.kit import temporal
from web.kit.csrf import verify_csrf
from web.kit.i18n import lang_of, translate
from web.kit.pages import (
    PageError,
    PageUser,
    add_nav_link,
    page_or_fragment,
    render,
    require_role,
)

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])
add_nav_link("evaluation", "/evaluation", "nav.evaluation", (*READERS, LIAISON))

# The rates of the ranking table, in the order of DOMAIN.md's scoring rule, then the others.
RANKING_RATES = (
    "handling_rate",
    "on_time_handling_rate",
    "rework_rate",
    "overdue_open_rate",
    "extension_rate",
    "closing_rate",
    "satisfaction_rate",
)
RANKING_COUNTS = ("dispatched", "due")
BOARDS = ("department", "street")
BOARD_SIZE = 3
TREND_MONTHS = 12
PAGE_SIZE = 20
KINDS = ("month", "quarter", "year", "range")


class Refused(Exception):
    """A query the page cannot answer: 422 naming the field, the words an i18n key."""

    def __init__(self, at: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.field, self.message, self.fields = at, message, fields


@dataclass(frozen=True)
class Ask:
    """What the page was asked: a period, a dimension and perhaps one unit."""

    period: Period
    by: str
    key: str | None

    def period_params(self) -> dict[str, str]:
        if self.period.kind == "range":
            return {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()}
        return {"period": self.period.label}

    def url(self, path: str, **changes: str | None) -> str:
        """Returns `path` with this query, `changes` applied (None drops a parameter)."""
        merged: dict[str, str | None] = {**self.period_params(), "by": self.by, "key": self.key}
        merged.update(changes)
        return f"{path}?{urlencode({k: v for k, v in merged.items() if v})}"


def _reader(user: User) -> None:
    require_role(user, *READERS, LIAISON)
    if user.role == LIAISON and not user.department:
        raise PageError(403, "error.forbidden")


def _short(text: str) -> str:
    return text if len(text) <= 32 else text[:32] + "…"


def _period(params: QueryParams, now: datetime, lang: str) -> Period:
    text, first, last = (params.get(n) or None for n in ("period", "from", "to"))
    if text and (first or last):
        raise Refused("period", "eval.error.both")
    if text:
        try:
            chosen = parse_period(text)
        except ValueError as err:
            key = "eval.error.far" if str(err).startswith("a year from") else "eval.error.period"
            raise Refused("period", key, value=_short(text)) from None
    elif not first and not last:
        chosen = this_month(now)
    elif not first or not last:
        raise Refused("to" if first else "from", "eval.error.half")
    else:
        days = {}
        for field, value in (("from", first), ("to", last)):
            try:
                days[field] = date.fromisoformat(value)
            except ValueError:
                words = translate(lang, f"eval.field.{field}")
                raise Refused(field, "eval.error.date", field=words, value=_short(value)) from None
        if days["to"] < days["from"]:
            raise Refused("to", "eval.error.backwards")
        try:
            chosen = date_range(days["from"], days["to"])
        except ValueError as err:
            field, _, message = str(err).partition(": ")
            if message.startswith("a year from"):
                raise Refused(field, "eval.error.far", value=days[field].isoformat()) from None
            raise Refused("to", "eval.error.too_long") from None
    try:  # the comparisons and the trend must stay within the calendar
        chosen.previous().start, chosen.last_year().start, chosen.end  # noqa: B018
        months_ending(_last_month(chosen), TREND_MONTHS)[0].start  # noqa: B018
    except (ValueError, OverflowError):
        raise Refused("period", "eval.error.far", value=chosen.label) from None
    return chosen


def _last_month(period: Period) -> Period:
    return parse_period(f"{period.last:%Y-%m}")


def _ask(params: QueryParams, now: datetime, lang: str) -> Ask:
    by = params.get("by") or "department"
    if by not in DIMENSIONS:
        raise Refused("by", "eval.error.by", value=_short(by))
    return Ask(_period(params, now, lang), by, params.get("key") or None)


def _from_form(params: QueryParams) -> dict[str, str]:
    """Returns the canonical query of the pickers' form (kind=month&month=2026-12 ...)."""
    kind = params.get("kind", "")
    if kind not in KINDS:
        raise Refused("kind", "eval.error.period", value=_short(kind))
    if kind == "range":
        chosen = {"from": params.get("from", ""), "to": params.get("to", "")}
        if not all(chosen.values()):  # none at all would mean this month
            raise Refused("to" if chosen["from"] else "from", "eval.error.half")
    elif kind == "quarter":
        chosen = {"period": f"{params.get('quarter_year', '')}-Q{params.get('quarter', '')}"}
    else:
        chosen = {"period": params.get(kind, "")}
    if chosen.get("period") == "":
        raise Refused("period", "eval.error.period", value="")
    keep = {n: params[n] for n in ("by", "lang") if params.get(n)}
    return {**chosen, **keep}


# -- words --------------------------------------------------------------------------------------


def period_words(period: Period, lang: str) -> str:
    """Returns how a page names a period: 2026年12月, 2026年第4季度, 2026年, or a range."""
    first = period.first
    if period.kind == "month":
        return translate(lang, "eval.label.month", y=first.year, m=f"{first.month:02d}")
    if period.kind == "quarter":
        return translate(lang, "eval.label.quarter", y=first.year, q=(first.month - 1) // 3 + 1)
    if period.kind == "year":
        return translate(lang, "eval.label.year", y=first.year)
    return translate(
        lang, "eval.label.range", first=first.isoformat(), last=period.last.isoformat()
    )


def figure_name(figure: str, lang: str) -> str:
    """Returns the name of a count or a rate (from the definitions)."""
    words = COUNT_WORDS.get(figure) or RATE_WORDS[figure]
    return words[1] if lang == "en" else words[0]


def unit_name(by: str, key: str, name: str, lang: str) -> str:
    """Returns a unit's name as shown (channels in the page's language)."""
    return translate(lang, f"channel.{key}") if by == "channel" else name


# -- the evaluation page ------------------------------------------------------------------------


@router.get("/evaluation", response_class=HTMLResponse)
async def evaluation_page(request: Request, user: PageUser) -> Response:
    """Shows the ranking of a period by a dimension, 红黑榜, the charts and every count."""
    _reader(user)
    now = await temporal.server_clock()
    return await run_in_threadpool(_evaluation_page, request, user, now)


def _evaluation_page(request: Request, user: User, now: datetime) -> Response:
    lang, params = lang_of(request), request.query_params
    try:
        if "kind" in params:
            canonical = _from_form(params)
            _ask(QueryParams(canonical), now, lang)
            return RedirectResponse(f"/evaluation?{urlencode(canonical)}", status_code=303)
        ask = _ask(params, now, lang)
    except Refused as refused:
        return _refused(request, "evaluation/index.html", refused, this_month(now))
    if user.role == LIAISON and ask.key not in (None, user.department):
        raise PageError(403, "eval.error.own_department")
    dims = dict.fromkeys((ask.by, *BOARDS))
    found = {by: read_evaluation(user, ask.period, by, now) for by in dims}
    main = found[ask.by]
    if ask.key is not None and ask.key not in {row.key for row in main.rows}:
        unknown = Refused("key", "eval.error.key", value=_short(ask.key))
        return _refused(request, "evaluation/index.html", unknown, ask.period)
    # A liaison's trend and lights are its own department's: the totals hold everyone's counts.
    chart_by, chart_key = (
        ("department", user.department) if user.role == LIAISON else (ask.by, ask.key)
    )
    with Session(get_engine()) as session:
        chosen = weights(session=session)
        months = trend(
            session=session,
            by=chart_by,
            key=chart_key,
            end=_last_month(ask.period),
            months=TREND_MONTHS,
            now=now,
            weights=chosen,
        )
        lights = light_share(
            session=session, period=ask.period, by=chart_by, key=chart_key, now=now
        )
    view = _View(ask, user, lang)
    rows = view.ranked(main)
    chart_unit = next((r for r in found[chart_by].rows if r.key == chart_key), None)
    chart_unit_name = (
        unit_name(chart_by, chart_unit.key, chart_unit.name, lang)
        if chart_unit is not None
        else translate(lang, "eval.chart.all")
    )
    context = {
        "active": "evaluation",
        "ask": ask,
        "ev": main,
        "rows": rows,
        "idle": len(main.rows) - len(rows),
        "empty": not any(row.score is not None or _busy(row) for row in rows),
        "boards": {by: view.board(found[by]) for by in BOARDS},
        "charts": _charts(ask, lang, rows, chart_key, months, lights, user.role == LIAISON),
        "chart_unit": chart_unit_name,
        "chart_selected": chart_key is not None and user.role != LIAISON,
        "lights": lights,
        "light_parts": LIGHTS,
        "light_figures": LIGHT_FIGURES,
        "chart_by": chart_by,
        "chart_key": chart_key,
        "months": TREND_MONTHS,
        "weight_words": ("、" if lang == "zh" else ", ").join(
            translate(lang, "eval.weight_item", rate=figure_name(name, lang), weight=weight)
            for name, weight in chosen.items()
        ),
        "pickers": _pickers(ask.period),
        "liaison": user.role == LIAISON,
        "report_month": f"{ask.period.last:%Y-%m}",
        **view.helpers(),
    }
    return render(request, "evaluation/index.html", context)


def _charts(
    ask: Ask,
    lang: str,
    rows: list[EvaluationRow],
    selected: str | None,
    months: list[TrendMonth],
    lights: LightShare,
    liaison: bool,
) -> dict[str, Any]:
    """Returns what evaluation.js draws: score bars, the trend and the share of lights."""
    scored = [row for row in rows if row.score is not None]
    score = translate(lang, "eval.col.score")
    return {
        "scores": {
            "names": [unit_name(ask.by, r.key, r.name, lang) for r in scored],
            "values": [r.score for r in scored],
            "selected": [r.key == selected for r in scored],
            # A bar selects its unit for the trend and lights (a liaison's are its own).
            "links": [None if liaison else ask.url("/evaluation", key=r.key) for r in scored],
            "label": score,
        },
        "trend": {
            "months": [m.period for m in months],
            "series": [
                {"name": score, "values": [m.score for m in months]},
                {
                    "name": figure_name("on_time_handling_rate", lang),
                    "values": [m.rates.on_time_handling_rate for m in months],
                },
            ],
        },
        "lights": [
            {"part": part, "name": translate(lang, f"eval.light.{part}"), "value": n}
            for part, n in lights.parts.items()
            if n
        ],
    }


def _busy(row: EvaluationRow) -> bool:
    """Tells whether a unit was given anything in the period (as far as the viewer sees)."""
    return row.counts is not None and row.counts.dispatched + row.counts.interim > 0


class _View:
    """What the templates need to show figures: names, links to the cases, the ranking order."""

    def __init__(self, ask: Ask, user: User, lang: str) -> None:
        self.ask, self.user, self.lang = ask, user, lang

    def drill(self, figure: str, key: str | None, by: str | None = None) -> str | None:
        """Returns the drill-down of a count (None where the viewer may not open it)."""
        by = by or self.ask.by
        if self.user.role == LIAISON and (by != "department" or key != self.user.department):
            return None
        return self.ask.url("/evaluation/cases", by=by, key=key, figure=figure)

    def ranked(self, evaluation: Evaluation) -> list[EvaluationRow]:
        """Returns the rows to list, best first: those with something this period (and, for a
        liaison, every ranked unit and its own)."""
        own = self.user.department if self.user.role == LIAISON else None

        order = {row.key: n for n, row in enumerate(evaluation.rows)}
        shown = [
            row for row in evaluation.rows if row.score is not None or row.key == own or _busy(row)
        ]
        return sorted(shown, key=lambda r: (r.rank is None, r.rank or 0, order[r.key]))

    def board(self, evaluation: Evaluation) -> dict[str, Any]:
        """Returns 红黑榜: the three best and the three worst by score (none on both)."""
        scored = sorted(
            (row for row in evaluation.rows if row.score is not None),
            key=lambda row: (row.rank or 0, row.name),
        )
        top = scored[:BOARD_SIZE]
        bottom = scored[max(BOARD_SIZE, len(scored) - BOARD_SIZE) :][::-1]
        return {"top": top, "bottom": bottom, "by": evaluation.by}

    def helpers(self) -> dict[str, Any]:
        lang = self.lang
        return {
            "drill": self.drill,
            "figure_name": lambda figure: figure_name(figure, lang),
            "unit_name": lambda by, row: unit_name(by, row.key, row.name, lang),
            "period_words": lambda period: period_words(period, lang),
            "rate_parts": RATES,
            "lower_is_better": LOWER_IS_BETTER,
            "ranking_rates": RANKING_RATES,
            "ranking_counts": RANKING_COUNTS,
            "all_counts": COUNTS,
            "dimensions": DIMENSIONS,
        }


def _pickers(period: Period) -> dict[str, str]:
    """Returns the pickers' values for a period (each kind preset near it)."""
    last = period.last
    return {
        "kind": period.kind,
        "month": f"{last:%Y-%m}",
        "quarter_year": str(last.year),
        "quarter": str((last.month - 1) // 3 + 1),
        "year": str(last.year),
        "from": period.first.isoformat(),
        "to": last.isoformat(),
    }


def _refused(request: Request, template: str, refused: Refused, period: Period) -> Response:
    lang = lang_of(request)
    context = {
        "active": "evaluation",
        "error": translate(lang, refused.message, **refused.fields),
        "error_field": refused.field,
        "pickers": _pickers(period),
        "ask": None,
        "dimensions": DIMENSIONS,
        "by": request.query_params.get("by")
        if request.query_params.get("by") in DIMENSIONS
        else "department",
    }
    return render(request, template, context, status_code=422)


# -- the cases behind a number ------------------------------------------------------------------


@router.get("/evaluation/cases", response_class=HTMLResponse)
async def evaluation_cases(request: Request, user: PageUser) -> Response:
    """Lists the cases behind one count of one unit (or of the totals) in a period."""
    _reader(user)
    now = await temporal.server_clock()
    return await run_in_threadpool(_evaluation_cases, request, user, now)


def _evaluation_cases(request: Request, user: User, now: datetime) -> Response:
    lang, params = lang_of(request), request.query_params
    try:
        ask = _ask(params, now, lang)
        figure = params.get("figure", "")
        if figure not in COUNTS:
            raise Refused("figure", "eval.error.figure", value=_short(figure))
        raw = params.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
            raise Refused("page", "eval.error.page", value=_short(raw))
    except Refused as refused:
        return _refused(request, "evaluation/cases.html", refused, this_month(now))
    if user.role == LIAISON and (ask.by != "department" or ask.key != user.department):
        raise PageError(403, "eval.error.own_department")
    page = int(raw)
    with Session(get_engine()) as session:
        rows, total, count = cases_behind(
            session=session,
            period=ask.period,
            by=ask.by,
            key=ask.key,
            figure=figure,
            now=now,
            page=page,
            page_size=PAGE_SIZE,
        )
        names = department_names(session=session)
        named = units(session, ask.by)
    unit = translate(lang, "eval.cases.all_units")
    if ask.key is not None:
        if ask.key not in named:
            unknown = Refused("key", "eval.error.key", value=_short(ask.key))
            return _refused(request, "evaluation/cases.html", unknown, ask.period)
        unit = unit_name(ask.by, ask.key, named[ask.key], lang)
    words = COUNT_WORDS[figure]
    context = {
        "active": "evaluation",
        "ask": ask,
        "figure": figure,
        "figure_label": figure_name(figure, lang),
        "figure_what": words[3] if lang == "en" else words[2],
        "unit": unit,
        "period_label": period_words(ask.period, lang),
        "rows": rows,
        "names": names,
        "count": count,
        "total": total,
        "page": {"page": page, "pages": max(1, math.ceil(total / PAGE_SIZE)), "total": total},
        "back": ask.url("/evaluation"),
        "params": {**ask.period_params(), "by": ask.by, "key": ask.key, "figure": figure},
    }
    return page_or_fragment(
        request, "evaluation/cases.html", "evaluation/_cases_list.html", context
    )


# -- 口径说明 ------------------------------------------------------------------------------------


@router.get("/evaluation/definitions", response_class=HTMLResponse)
def evaluation_definitions(request: Request, user: PageUser) -> HTMLResponse:
    """Shows what each figure counts, the rules, the charts' definitions and the weights."""
    _reader(user)
    with Session(get_engine()) as session:
        chosen = weights(session=session)
    found = definitions()
    context = {
        "active": "evaluation",
        "rules": found.rules,
        "counts": [f for f in found.figures if f.kind == "count"],
        "rates": [f for f in found.figures if f.kind == "rate"],
        "weights": chosen,
    }
    return render(request, "evaluation/definitions.html", context)
