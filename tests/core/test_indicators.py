"""The evaluation's arithmetic: rates rounded half-up, the score, ranks with ties, the periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.evaluation_periods import date_range, parse_period, this_month
from core.indicators import (
    COUNTS,
    DEFAULT_WEIGHTS,
    RATES,
    change,
    check_weights,
    percent,
    ranks,
    rates_of,
    score,
)
from core.workcal import TZ


def test_the_published_closing_rate():
    assert percent(911, 972) == 93.72  # 911 closed of 972 due (DOMAIN.md)


def test_rates_round_half_up_exactly_and_a_zero_denominator_is_null():
    # 3.125 exactly: round() rounds half to even and gives 3.12.
    assert round(1 / 32 * 100, 2) == 3.12
    assert percent(1, 32) == 3.13 and percent(2469, 20000) == 12.35
    assert percent(1, 8) == 12.5 and percent(1, 3) == 33.33 and percent(2, 3) == 66.67
    assert percent(1, 200_000) == 0.0 and percent(1, 2_000) == 0.05
    assert percent(0, 5) == 0.0 and percent(5, 5) == 100.0 and percent(7, 5) == 140.0
    assert percent(0, 0) is None


def test_every_rate_is_made_of_counts():
    assert {part for pair in RATES.values() for part in pair} <= set(COUNTS)
    counts = dict.fromkeys(COUNTS, 0) | {"due": 972, "closed": 911, "handled": 950}
    rates = rates_of(counts)
    assert rates["closing_rate"] == rates["resolution_rate"] == 93.72
    assert rates["handling_rate"] == 97.74 and rates["response_rate"] is None


def test_the_score_weighs_the_rates_as_published():
    rates = {
        "handling_rate": 90.0,
        "on_time_handling_rate": 80.0,
        "rework_rate": 10.0,
        "overdue_open_rate": 5.0,
        "extension_rate": 20.0,
    }
    # (30·90 + 20·80 + 20·90 + 20·95 + 10·80) / 100
    assert score(rates, DEFAULT_WEIGHTS) == 88.0
    assert score({**rates, "rework_rate": 250.0}, DEFAULT_WEIGHTS) == 70.0, "held within 0–100"
    assert score(dict.fromkeys(rates), DEFAULT_WEIGHTS) is None, "nothing due: no score"
    # A null weighted rate leaves the others to carry the weight.
    assert (
        score(
            {"handling_rate": 90.0, "satisfaction_rate": None},
            {"handling_rate": 1, "satisfaction_rate": 1},
        )
        == 90.0
    )
    assert (
        score(
            {"handling_rate": 33.333, "response_rate": 0}, {"handling_rate": 1, "response_rate": 2}
        )
        == 11.11
    )


def test_ranks_share_ties_and_skip_after_them():
    assert ranks({"a": 90.0, "b": 95.5, "c": 90.0, "d": 80.0, "e": None}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "d": 4,
        "e": None,
    }


def test_changes_and_weights():
    assert change(93.72, 90.1) == 3.62 and change(None, 1.0) is None
    assert check_weights({"handling_rate": 50, "rework_rate": 0}) == {"handling_rate": 50}
    for bad in ({"nonsense": 1}, {"handling_rate": -1}, {"handling_rate": 1.5}, {}):
        with pytest.raises(ValueError):
            check_weights(bad)


def test_periods_and_what_they_are_compared_with():
    month = parse_period("2026-03")
    assert (month.start, month.end) == (
        datetime(2026, 3, 1, tzinfo=TZ),
        datetime(2026, 4, 1, tzinfo=TZ),
    )
    assert (month.previous().label, month.last_year().label) == ("2026-02", "2025-03")
    assert parse_period("2026-01").previous().label == "2025-12"
    quarter = parse_period("2026-Q1")
    assert (quarter.last, quarter.previous().label, quarter.last_year().label) == (
        date(2026, 3, 31),
        "2025-Q4",
        "2025-Q1",
    )
    year = parse_period("2026")
    assert (year.previous().label, year.last_year().label) == ("2025", "2025")
    days = date_range(date(2024, 2, 20), date(2024, 2, 29))
    assert days.label == "2024-02-20/2024-02-29"
    assert days.previous().label == "2024-02-10/2024-02-19"
    assert days.last_year().label == "2023-02-20/2023-02-28"
    assert this_month(datetime(2026, 11, 30, 16, 30, tzinfo=TZ)).label == "2026-11"
    # 16:30 UTC on 30 November is already 1 December in Beijing.
    assert this_month(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)).label == "2026-12"
    assert month.as_of(datetime(2026, 3, 9, tzinfo=TZ)) == datetime(2026, 3, 9, tzinfo=TZ)
    assert month.as_of(datetime(2027, 1, 1, tzinfo=TZ)) == month.end
    for bad in ("2026-13", "2026-Q5", "26-01", "2026-1", ""):
        with pytest.raises(ValueError):
            parse_period(bad)
    with pytest.raises(ValueError):
        date_range(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(ValueError):
        date_range(date(2020, 1, 1), date(2026, 1, 1))


def test_a_period_out_of_the_calendar_is_refused() -> None:
    for text in ("0001", "0001-01", "9999-Q4", "1900"):
        with pytest.raises(ValueError, match="a year from"):
            parse_period(text)
    with pytest.raises(ValueError, match="^from: "):
        date_range(date(1, 1, 1), date(1, 2, 1))
    assert parse_period("1901").previous().first.year == 1900
