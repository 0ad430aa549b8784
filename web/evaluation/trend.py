"""The evaluation over time and by light, as the evaluation page's charts draw them: a unit's (or
the totals') figures month by month, and the share of lights of a period's due assignments.

Both count the assignment rows of models/evaluation.py by its very conditions (`tally`,
`figure_conditions`), so a month of the trend is that month's evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from core.evaluation_periods import Period, parse_period
from core.indicators import COUNTS, percent, rates_of, score
from models.assignment import Assignment
from models.case import Case
from models.evaluation import figure_conditions, tally
from models.evaluation_public import Counts, Rates

LONGEST_TREND = 36  # months
_A = Assignment


class TrendMonth(BaseModel):
    """One month of a trend: its counts, the rates made of them and the score."""

    period: str = Field(description="the month, 2026-12")
    counts: Counts
    rates: Rates
    score: float | None = Field(description="0–100 by the weights; null if nothing was due")


class Trend(BaseModel):
    """GET /api/evaluation/trend: one unit's figures (or the totals') month by month."""

    by: str
    key: str | None = Field(description="the unit; null: every assignment together (totals)")
    name: str | None = Field(description="the unit's name; null for the totals")
    end: str = Field(description="the last month of the trend")
    weights: dict[str, int] = Field(description="rate -> weight of the score")
    months: list[TrendMonth] = Field(description="oldest first, the last one `end`")


def months_ending(end: Period, months: int) -> list[Period]:
    """Returns the `months` months up to the month `end`, oldest first."""
    found = [end]
    while len(found) < months:
        found.append(found[-1].previous())
    return found[::-1]


def trend(
    *,
    session: Session,
    by: str,
    key: str | None,
    end: Period,
    months: int,
    now: datetime,
    weights: Mapping[str, int],
) -> list[TrendMonth]:
    """Returns a unit's figures (without `key`: every unit's together) for each month up to
    `end`, by one grouped query per month."""
    found = []
    for month in months_ending(end, months):
        tallies = tally(session=session, period=month, by=by, now=now)
        chosen = [tallies[key]] if key is not None and key in tallies else []
        if key is None:
            chosen = list(tallies.values())
        counts = {name: sum(one.counts[name] for one in chosen) for name in COUNTS}
        rates = rates_of(counts)
        found.append(
            TrendMonth(
                period=month.label,
                counts=Counts(**counts),
                rates=Rates(**rates),
                score=score(rates, weights),
            )
        )
    return found


def trend_end(text: str) -> Period:
    """Returns the month a trend ends with (2026-12); ValueError otherwise."""
    period = parse_period(text)
    if period.kind != "month":
        raise ValueError(f"{text!r} is not a month (2026-12)")
    return period


# -- the share of lights ---------------------------------------------------------------------

# The parts of a period's due assignments, in the order the page shows them. A full partition:
# they add up to `due`.
LIGHTS = ("handled_on_time", "handled_late", "open_green", "open_yellow", "open_red", "other")
# The parts that are a count of the evaluation too, so the page links their cases.
LIGHT_FIGURES = {
    "handled_on_time": "handled_on_time",
    "handled_late": "handled_late",
    "open_red": "overdue_open",
}


@dataclass(frozen=True)
class LightShare:
    """How a period's due assignments stood at its as-of instant (see LIGHTS)."""

    parts: dict[str, int]
    due: int

    def percent(self, part: str) -> float | None:
        """Returns a part's share of `due` in percent (two decimals), None when nothing is due."""
        return percent(self.parts[part], self.due)


def light_share(
    *, session: Session, period: Period, by: str, key: str | None, now: datetime
) -> LightShare:
    """Returns the share of lights of the period's due assignments (of one unit with `key`).

    Handled ones by whether the standing report kept the deadline; those still open with the
    unit (not handed on, closed or parked) by the light they showed at the as-of instant: red
    past the deadline in force (= overdue_open), yellow past the case's yellow point (75 % of
    the limit), green before it; `other`: due, not handled and no longer open with the unit."""
    as_of = period.as_of(now)
    conditions = figure_conditions(as_of)
    due = conditions["due"][0]
    red = conditions["overdue_open"][0]
    # The same "still with the unit" as overdue_open's (models/evaluation.py).
    still_open = and_(
        due,
        col(_A.reported_at).is_(None),
        col(_A.ended_at).is_(None),
        col(_A.parked_since).is_(None),
    )
    before_deadline = or_(col(_A.deadline).is_(None), col(_A.deadline) >= as_of)
    yellow = and_(still_open, before_deadline, col(Case.yellow_at) <= as_of)
    green = and_(
        still_open,
        before_deadline,
        or_(col(Case.yellow_at).is_(None), col(Case.yellow_at) > as_of),
    )
    parts = {
        "handled_on_time": conditions["handled_on_time"][0],
        "handled_late": conditions["handled_late"][0],
        "open_green": green,
        "open_yellow": yellow,
        "open_red": red,
    }
    sums = [func.sum(case((cond, 1), else_=0)) for cond in (*parts.values(), due)]
    where = [col(_A.dispatched_at) >= period.start, col(_A.dispatched_at) < period.end]
    if key is not None:
        where.append(col(getattr(_A, by)) == key)
    query = select(*sums).select_from(_A).join(Case, col(Case.number) == col(_A.case_number))
    values = [int(v or 0) for v in session.exec(query.where(*where)).one()]  # type: ignore[call-overload]
    counted = dict(zip(parts, values[:-1], strict=True))
    whole = values[-1]
    counted["other"] = whole - sum(counted.values())
    return LightShare(parts=counted, due=whole)
