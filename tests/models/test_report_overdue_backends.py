"""The monthly report's most overdue cases, by the same SQL on SQLite and PostgreSQL 15: the
open ones timed to the as-of instant, the late ones to their report, furthest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session
from timelines import T0, Timeline, project, three_cases

from core import payloads as p
from core.evaluation_periods import parse_period
from web.evaluation.report_overdue import most_overdue

NOVEMBER = parse_period("2026-11")


def test_the_most_overdue_alike_on_both_backends(backend):
    _a, b, _c = three_cases(backend)
    late = Timeline(T0).dispatch("sw").accept(handle_within=240)
    late.add("reported", "迟了", after=600, on_time=False)
    project(backend, "2026-11-900004", late, department="sw", status=p.REPORTED)
    as_of = T0 + timedelta(days=2)
    with Session(backend) as session:
        found = most_overdue(session=session, period=NOVEMBER, as_of=as_of)
        assert [x.number for x in found] == [b, "2026-11-900004"]
        assert found[0].seconds == pytest.approx((as_of - found[0].deadline).total_seconds(), abs=1)
        assert found[1].seconds == pytest.approx(6 * 3600, abs=1) and found[1].handled
        only = most_overdue(session=session, period=NOVEMBER, as_of=as_of, department="sw", limit=1)
        assert [x.number for x in only] == ["2026-11-900004"]
        assert most_overdue(session=session, period=parse_period("2026-10"), as_of=as_of) == []
