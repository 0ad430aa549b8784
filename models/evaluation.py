"""The evaluation (综合评价): every figure of API.md by SQL aggregates over the assignment rows of a
period (those dispatched in it), per department, street, community, grid, category or channel.

Each count is one condition on an assignment row (`figure_conditions`), summed in one grouped
query per period; the drill-down selects the cases behind a count by the very same condition.
Figures are read as of now, except that `overdue_open` compares the deadline with the period's
end (or now while the period runs): see web/evaluation/definitions.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func
from sqlmodel import Session, col, select

from core.assignment_facts import INTERIM, OWNER, RATED, SATISFIED
from core.evaluation_periods import Period
from core.indicators import COUNTS, HOTLINE, HOTLINE_RATES, RATES, change, ranks, rates_of, score
from models.assignment import Assignment
from models.case import Case
from models.evaluation_public import (
    Comparison,
    Counts,
    Evaluation,
    EvaluationRow,
    HotlineRates,
    Rates,
    Totals,
)

DIMENSIONS = ("department", "street", "community", "grid", "category", "channel")
_A = Assignment
# The counts the hotline's 三率 need.
_HOTLINE_COUNTS = tuple(sorted({c for r in HOTLINE_RATES for c in RATES[r]}))


def figure_conditions(as_of: datetime) -> dict[str, tuple[ColumnElement[bool], Any]]:
    """Returns, per count, the condition an assignment row meets to count, and what it adds
    (1, or its number of reworks or extensions)."""
    owner = col(_A.kind) == OWNER
    accepted = and_(owner, col(_A.accepted_at).is_not(None))
    reported = and_(accepted, col(_A.reported_at).is_not(None))
    bounced = and_(owner, col(_A.bounced_at).is_not(None))
    still_open = and_(
        accepted,
        col(_A.reported_at).is_(None),
        col(_A.ended_at).is_(None),
        col(_A.parked_since).is_(None),
    )
    closed = and_(reported, col(_A.closed_at).is_not(None))
    one = 1
    return {
        "dispatched": (owner, one),
        "accurate_dispatches": (and_(accepted, col(_A.bounced_at).is_(None)), one),
        "bounces": (bounced, one),
        "wrongful_bounces": (and_(bounced, col(_A.wrongful).is_(True)), one),
        "accepted": (accepted, one),
        "accepted_on_time": (and_(accepted, col(_A.accepted_on_time).is_(True)), one),
        "due": (accepted, one),
        "handled": (reported, one),
        "handled_on_time": (and_(reported, col(_A.on_time).is_(True)), one),
        "handled_late": (and_(reported, col(_A.on_time).is_(False)), one),
        "overdue_open": (and_(still_open, col(_A.deadline) < as_of), one),
        "reworks": (and_(owner, col(_A.reworks) > 0), col(_A.reworks)),
        "extensions": (and_(owner, col(_A.extensions) > 0), col(_A.extensions)),
        "parked": (and_(owner, col(_A.parks) > 0), one),
        "closed": (closed, one),
        "closed_on_time": (and_(closed, col(_A.closed_on_time).is_(True)), one),
        "rated": (and_(owner, col(_A.satisfaction).in_(RATED)), one),
        "satisfied": (and_(owner, col(_A.satisfaction).in_(SATISFIED)), one),
        "interim": (col(_A.kind) == INTERIM, one),
        "interim_reported": (
            and_(col(_A.kind) == INTERIM, col(_A.reported_at).is_not(None)),
            one,
        ),
    }


@dataclass
class Tally:
    """A unit's counts in one period, and those of its hotline cases."""

    counts: dict[str, int]
    hotline: dict[str, int]

    @classmethod
    def empty(cls) -> Tally:
        return cls({c: 0 for c in COUNTS}, {c: 0 for c in _HOTLINE_COUNTS})


def _in_period(period: Period) -> list[ColumnElement[bool]]:
    return [col(_A.dispatched_at) >= period.start, col(_A.dispatched_at) < period.end]


def tally(*, session: Session, period: Period, by: str, now: datetime) -> dict[str, Tally]:
    """Returns each unit's counts in the period, by one grouped query."""
    conditions = figure_conditions(period.as_of(now))
    hotline = col(_A.channel) == HOTLINE
    sums = [func.sum(case(conditions[name], else_=0)) for name in COUNTS]
    sums += [
        func.sum(case((and_(conditions[name][0], hotline), conditions[name][1]), else_=0))
        for name in _HOTLINE_COUNTS
    ]
    dimension = col(getattr(_A, by))
    query = select(dimension, *sums).where(*_in_period(period)).group_by(dimension)
    found: dict[str, Tally] = {}
    for key, *values in session.exec(query):  # type: ignore[call-overload]
        numbers = [int(v or 0) for v in values]
        found[str(key)] = Tally(
            dict(zip(COUNTS, numbers[: len(COUNTS)], strict=True)),
            dict(zip(_HOTLINE_COUNTS, numbers[len(COUNTS) :], strict=True)),
        )
    return found


def _sum(tallies: list[Tally]) -> Tally:
    whole = Tally.empty()
    for one in tallies:
        for name, value in one.counts.items():
            whole.counts[name] += value
        for name, value in one.hotline.items():
            whole.hotline[name] += value
    return whole


@dataclass
class _Figures:
    counts: Counts
    rates: Rates
    hotline: HotlineRates
    score: float | None


def _figures(one: Tally, weights: Mapping[str, int]) -> _Figures:
    rates = rates_of(one.counts)
    return _Figures(
        counts=Counts(**one.counts),
        rates=Rates(**rates),
        hotline=HotlineRates(**rates_of(one.hotline, HOTLINE_RATES)),
        score=score(rates, weights),
    )


def _compare(now: _Figures, then: _Figures, period: Period, rank: int | None) -> Comparison:
    current, before = now.rates.model_dump(), then.rates.model_dump()
    return Comparison(
        period=period.label,
        counts=then.counts,
        rates=then.rates,
        score=then.score,
        rank=rank,
        rates_change={name: change(current[name], before[name]) for name in RATES},
        score_change=change(now.score, then.score),
    )


def evaluate(
    *,
    session: Session,
    period: Period,
    by: str,
    now: datetime,
    units: Mapping[str, str],
    weights: Mapping[str, int],
) -> Evaluation:
    """Returns the evaluation of a period by one dimension: a row for each of `units` (code ->
    name, in their order) and for any other code the period's assignments name."""
    periods = (period, period.previous(), period.last_year())
    tallies = [tally(session=session, period=p, by=by, now=now) for p in periods]
    keys = list(units) + sorted(k for k in set().union(*tallies) if k not in units)
    figures = [
        {key: _figures(found.get(key, Tally.empty()), weights) for key in keys} for found in tallies
    ]
    rank_of = [ranks({k: f.score for k, f in by_key.items()}) for by_key in figures]
    rows = []
    for key in keys:
        this, before, year_ago = (by_key[key] for by_key in figures)
        rows.append(
            EvaluationRow(
                key=key,
                name=units.get(key, key),
                counts=this.counts,
                rates=this.rates,
                hotline=this.hotline,
                score=this.score,
                rank=rank_of[0][key],
                mom=_compare(this, before, periods[1], rank_of[1][key]),
                yoy=_compare(this, year_ago, periods[2], rank_of[2][key]),
            )
        )
    whole = [_figures(_sum(list(found.values())), weights) for found in tallies]
    return Evaluation(
        period=period.label,
        by=by,
        start=period.start,
        end=period.end,
        as_of=period.as_of(now),
        previous_period=periods[1].label,
        last_year_period=periods[2].label,
        generated_at=now,
        weights=dict(weights),
        rows=rows,
        totals=Totals(
            counts=whole[0].counts,
            rates=whole[0].rates,
            hotline=whole[0].hotline,
            score=whole[0].score,
            mom=_compare(whole[0], whole[1], periods[1], None),
            yoy=_compare(whole[0], whole[2], periods[2], None),
        ),
    )


def cases_behind(
    *,
    session: Session,
    period: Period,
    by: str,
    key: str | None,
    figure: str,
    now: datetime,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[Case], int, int]:
    """Returns one page of the cases behind a count (newest first), how many cases there are,
    and the count itself; without `key`, behind the total."""
    condition, adds = figure_conditions(period.as_of(now))[figure]
    where = [*_in_period(period), condition]
    if key is not None:
        where.append(col(getattr(_A, by)) == key)
    count = session.exec(select(func.coalesce(func.sum(adds), 0)).where(*where)).one()
    numbers = select(_A.case_number).where(*where)
    total = session.exec(select(func.count(func.distinct(_A.case_number))).where(*where)).one()
    rows = session.exec(
        select(Case)
        .where(col(Case.number).in_(numbers))
        .order_by(col(Case.created_at).desc(), col(Case.number).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total), int(count)
