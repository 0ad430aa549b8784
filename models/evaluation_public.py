"""The evaluation as the API shows it (API.md "Evaluation"): counts, rates, score and rank per
unit, the totals, and the comparisons with the previous period (环比) and last year (同比).
What each figure counts is in GET /api/evaluation/definitions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from models.case_public import CaseList
from models.public import LocalTime

_RATE = "percent, rounded half-up to two decimals; null when its denominator is 0"


class Counts(BaseModel):
    """How many assignments (dispatches of a case to a department) of the period did what."""

    dispatched: int
    accurate_dispatches: int
    bounces: int
    wrongful_bounces: int
    accepted: int
    accepted_on_time: int
    due: int
    handled: int
    handled_on_time: int
    handled_late: int
    overdue_open: int
    reworks: int
    extensions: int
    parked: int
    closed: int
    closed_on_time: int
    rated: int
    satisfied: int
    interim: int = Field(description="make-safe-first tasks (先行处置) given; in no rate")
    interim_reported: int = Field(description="of those, reported made safe")


class Rates(BaseModel):
    """The rates made of the counts (percent)."""

    handling_rate: float | None = Field(description=_RATE)
    on_time_handling_rate: float | None
    closing_rate: float | None
    on_time_closing_rate: float | None
    rework_rate: float | None
    extension_rate: float | None
    overdue_open_rate: float | None
    accurate_dispatch_rate: float | None
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


class HotlineRates(BaseModel):
    """The hotline's 三率, over the assignments of cases that came in by the hotline."""

    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


class Comparison(BaseModel):
    """The same unit in another period, and the change to this one."""

    period: str
    counts: Counts
    rates: Rates
    score: float | None
    rank: int | None = None
    rates_change: dict[str, float | None] = Field(
        description="this period's rate minus that period's, in percentage points"
    )
    score_change: float | None


class EvaluationRow(BaseModel):
    """One unit (department, street, community, grid, category or channel).

    A liaison sees another unit's `score` and `rank` only; the rest is null."""

    key: str
    name: str
    counts: Counts | None = None
    rates: Rates | None = None
    hotline: HotlineRates | None = None
    score: float | None = Field(default=None, description="0–100 by the weights; null if none due")
    rank: int | None = Field(default=None, description="1 = best; equal scores share a rank")
    mom: Comparison | None = Field(default=None, description="环比: the previous period")
    yoy: Comparison | None = Field(default=None, description="同比: the same period last year")


class Totals(BaseModel):
    """Every assignment of the period together."""

    counts: Counts
    rates: Rates
    hotline: HotlineRates
    score: float | None
    mom: Comparison
    yoy: Comparison


class Evaluation(BaseModel):
    """GET /api/evaluation: the figures of every unit of one dimension for one period."""

    period: str = Field(description="2026-12, 2026-Q4, 2026, or 2026-12-01/2026-12-15")
    by: str
    start: LocalTime = Field(description="the period's first instant")
    end: LocalTime = Field(description="the instant after the period (excluded)")
    as_of: LocalTime = Field(description="figures read at the period's end, or now while it runs")
    previous_period: str = Field(description="the period of `mom` (环比)")
    last_year_period: str = Field(description="the period of `yoy` (同比)")
    generated_at: LocalTime
    weights: dict[str, int] = Field(description="rate -> weight of the score")
    rows: list[EvaluationRow]
    totals: Totals | None = Field(description="null for a liaison")


class EvaluationCases(CaseList):
    """GET /api/evaluation/cases: the cases behind one count (a case behind it twice, once)."""

    figure: str
    count: int = Field(description="the count itself, as GET /api/evaluation gives it")
