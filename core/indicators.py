"""The evaluation's figures (API.md "Evaluation"): the counts, the rates made of them, the score and
the rank. Pure: the counts come from SQL (models/evaluation.py), the words from
web/evaluation/definitions.py."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

COUNTS = (
    "dispatched",
    "accurate_dispatches",
    "bounces",
    "wrongful_bounces",
    "accepted",
    "accepted_on_time",
    "due",
    "handled",
    "handled_on_time",
    "handled_late",
    "overdue_open",
    "reworks",
    "extensions",
    "parked",
    "closed",
    "closed_on_time",
    "rated",
    "satisfied",
    # Beyond API.md: the make-safe-first tasks (先行处置), outside every rate.
    "interim",
    "interim_reported",
)
# rate -> (numerator, denominator), both counts.
RATES: dict[str, tuple[str, str]] = {
    "handling_rate": ("handled", "due"),
    "on_time_handling_rate": ("handled_on_time", "due"),
    "closing_rate": ("closed", "due"),
    "on_time_closing_rate": ("closed_on_time", "due"),
    "rework_rate": ("reworks", "due"),
    "extension_rate": ("extensions", "due"),
    "overdue_open_rate": ("overdue_open", "due"),
    "accurate_dispatch_rate": ("accurate_dispatches", "dispatched"),
    "response_rate": ("accepted_on_time", "dispatched"),
    "resolution_rate": ("closed", "due"),
    "satisfaction_rate": ("satisfied", "rated"),
}
# The hotline's 三率: response, resolution, satisfaction (of the hotline's cases only).
HOTLINE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
HOTLINE = "hotline"
# The rates that score as (100 − rate): the fewer the better.
LOWER_IS_BETTER = ("rework_rate", "extension_rate", "overdue_open_rate")
# 处置率 30, 按期处置率 20, (1 − 返工率) 20, (1 − 超期未处置率) 20, (1 − 延期率) 10.
DEFAULT_WEIGHTS: dict[str, int] = {
    "handling_rate": 30,
    "on_time_handling_rate": 20,
    "rework_rate": 20,
    "overdue_open_rate": 20,
    "extension_rate": 10,
}
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def percent(part: int, whole: int) -> float | None:
    """Returns part / whole as a percentage rounded half-up to two decimals; None if whole is 0.

    Exact in integers: 911 of 972 is 93.7242... and gives 93.72."""
    if whole == 0:
        return None
    hundredths = (part * 20_000 + whole) // (2 * whole)
    return float(Decimal(hundredths) / 100)


def rates_of(counts: Mapping[str, int], names: tuple[str, ...] = tuple(RATES)) -> dict:
    """Returns the rates `names` of a set of counts."""
    return {name: percent(counts[RATES[name][0]], counts[RATES[name][1]]) for name in names}


def check_weights(weights: Mapping[str, object]) -> dict[str, int]:
    """Returns weights fit to score with; ValueError naming the rate at fault."""
    clean: dict[str, int] = {}
    for name, weight in weights.items():
        if name not in RATES:
            raise ValueError(f"{name}: not a rate")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
            raise ValueError(f"{name}: a weight is a whole number from 0 to 100")
        if weight:
            clean[name] = weight
    if not clean:
        raise ValueError("weights: at least one rate must weigh")
    return clean


def score(rates: Mapping[str, float | None], weights: Mapping[str, int]) -> float | None:
    """Returns the weighted mean of the rates as shown (a lower-is-better rate as 100 − rate, each
    held within 0–100), rounded half-up to two decimals; None when no weighted rate exists.

    A weighted rate that is null (its denominator is 0) is left out and the others carry the
    whole weight; with every rate of the default weights over `due`, that only happens when
    the unit had nothing due, and then it has no score."""
    total = Decimal(0)
    weight_sum = 0
    for name, weight in weights.items():
        value = rates.get(name)
        if value is None or not weight:
            continue
        rate = min(max(Decimal(str(value)), Decimal(0)), _HUNDRED)
        total += weight * (_HUNDRED - rate if name in LOWER_IS_BETTER else rate)
        weight_sum += weight
    if not weight_sum:
        return None
    return float((total / weight_sum).quantize(_CENT, rounding=ROUND_HALF_UP))


def ranks(scores: Mapping[str, float | None]) -> dict[str, int | None]:
    """Returns each unit's rank by score, 1 the best; equal scores share a rank (1, 2, 2, 4) and a
    unit without a score has none."""
    scored = [s for s in scores.values() if s is not None]
    return {
        key: None if s is None else 1 + sum(1 for other in scored if other > s)
        for key, s in scores.items()
    }


def change(now: float | None, before: float | None) -> float | None:
    """Returns now − before, rounded half-up to two decimals (percentage points for a rate)."""
    if now is None or before is None:
        return None
    delta = Decimal(str(now)) - Decimal(str(before))
    return float(delta.quantize(_CENT, rounding=ROUND_HALF_UP))
