"""Pure rules of joint operations: recurring sessions, launch checks and the closing summary."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

import pytest
from temporalio.exceptions import ApplicationError
from workflow_helpers import COORDINATOR, liaison

from core import operation_payloads as o
from core.workcal import TZ
from workflows.operation_core import summarize
from workflows.operation_rules import check_launch, expand_sessions

# 2026-06-01 is a Monday.
MON = date(2026, 6, 1)


def sh(d: date, h: int, mi: int = 0) -> datetime:
    return datetime.combine(d, time(h, mi), tzinfo=TZ)


def test_nightly_campaign_is_one_session_per_night():
    windows = expand_sessions(
        first=MON, last=MON + timedelta(days=4), start=time(20), end=time(23), tz=TZ
    )
    assert [(w.start, w.end) for w in windows] == [
        (sh(MON + timedelta(days=n), 20), sh(MON + timedelta(days=n), 23)) for n in range(5)
    ]


def test_weekly_campaign_keeps_its_weekdays_and_runs_past_midnight():
    windows = expand_sessions(
        first=MON,
        last=MON + timedelta(days=13),
        start=time(22),
        end=time(2),
        tz=TZ,
        repeat="weekly",
        weekdays=[5, 6],
    )
    assert [w.start.date().isoweekday() for w in windows] == [5, 6, 5, 6]
    assert windows[0].start == sh(MON + timedelta(days=4), 22)
    assert windows[0].end == sh(MON + timedelta(days=5), 2)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"repeat": "monthly"}, "repeat"),
        ({"repeat": "weekly"}, "weekdays"),
        ({"repeat": "weekly", "weekdays": [8]}, "weekdays"),
        ({"last": MON - timedelta(days=1)}, "last"),
        ({"last": MON + timedelta(days=900)}, "last"),
    ],
)
def test_bad_recurrences_are_refused(kw, field):
    args = {
        "first": MON,
        "last": MON + timedelta(days=6),
        "start": time(20),
        "end": time(23),
        "tz": TZ,
        **kw,
    }
    with pytest.raises(ApplicationError) as info:
        expand_sessions(**args)
    assert (info.value.type, info.value.details[0]["field"]) == ("invalid", field)


def _launch(**changes) -> o.OperationInput:
    inp = o.OperationInput(
        operation_id="LH-2026-0001",
        title="夏季专项整治",
        goal="",
        area=["hongqi"],
        sessions=[o.SessionWindow(sh(MON, 20), sh(MON, 23))],
        lead="cg",
        cooperating=["ga", "sj"],
        confirm_deadline=sh(MON - timedelta(days=3), 17, 30),
        launched_by=COORDINATOR,
    )
    return dataclasses.replace(inp, **changes)


def test_a_sound_launch_passes():
    check_launch(_launch(), now=sh(MON - timedelta(days=7), 9))


@pytest.mark.parametrize(
    ("changes", "kind", "field"),
    [
        ({"launched_by": liaison("cg")}, "forbidden", None),
        ({"title": " "}, "invalid", "title"),
        ({"area": []}, "invalid", "area"),
        ({"cooperating": ["cg"]}, "invalid", "cooperating"),
        ({"sessions": []}, "invalid", "sessions"),
        ({"sessions": [o.SessionWindow(sh(MON, 23), sh(MON, 20))]}, "invalid", "sessions"),
        (
            {
                "sessions": [
                    o.SessionWindow(sh(MON, 20), sh(MON, 23)),
                    o.SessionWindow(sh(MON, 22), sh(MON, 23, 30)),
                ]
            },
            "invalid",
            "sessions",
        ),
        ({"confirm_deadline": sh(MON, 21)}, "invalid", "confirm_deadline"),
        ({"report_within": 0}, "invalid", "report_within"),
        ({"report_unit": "weeks"}, "invalid", "report_unit"),
    ],
)
def test_bad_launches_are_refused(changes, kind, field):
    with pytest.raises(ApplicationError) as info:
        check_launch(_launch(**changes))
    assert info.value.type == kind
    if field:
        assert info.value.details[0]["field"] == field


def test_a_launch_in_the_past_is_refused():
    with pytest.raises(ApplicationError) as info:
        check_launch(_launch(), now=sh(MON, 9))
    assert info.value.details[0]["field"] == "confirm_deadline"


def test_summary_totals_the_filed_reports_only():
    state = o.OperationState(
        operation_id="x",
        title="t",
        goal="",
        area=["hongqi"],
        lead="cg",
        launched_by="c",
        launched_at=sh(MON, 9),
        confirm_deadline=sh(MON, 17),
        report_within=4,
        report_unit="working_hours",
        departments=[
            o.DepartmentState(code="cg", role=o.LEAD, status=o.CONFIRMED),
            o.DepartmentState(code="ga", role=o.COOPERATING, status=o.CONFIRMED),
        ],
        sessions=[o.Session(number=1, start=sh(MON, 20), end=sh(MON, 23), status=o.ENDED)],
    )
    filed = o.Counts(stalls_cleared=4, fines=1, fine_amount=200.5)
    state.reports = [
        o.SessionReport(
            session=1, department="cg", deadline=sh(MON, 23), counts=filed, filed_at=sh(MON, 23, 30)
        ),
        o.SessionReport(session=1, department="ga", deadline=sh(MON, 23)),
    ]
    summary = summarize(state, [], "好")
    assert (summary.totals, summary.sessions, summary.note) == (filed, 1, "好")
    ga = summary.departments[1]
    assert (ga.reports_filed, ga.reports_missing) == (0, [1])
