"""Clocks on the working calendar: the light, the escalation ladder, extensions and parking."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from workflow_helpers import (
    COORDINATOR,
    SUPERVISOR,
    assert_close,
    assert_exact,
    clean_friday,
    liaison,
    local,
    now,
    sleep_until,
    to_minute,
    working_day_at,
)

from activities.case import build_clock, resume
from core import payloads as p
from core import workcal
from core.workcal import TZ
from workflows.case import CaseWorkflow

CLOCK_ACTIONS = ("reminded", "overdue", "escalated")


def _clock_lines(case) -> list[tuple[str, str, int, datetime]]:
    return [
        (e.action, e.data["step"], e.data["level"], to_minute(e.at))
        for e in case.events()
        if e.action in CLOCK_ACTIONS
    ]


async def test_unaccepted_dispatch_climbs_the_ladder_over_a_weekend(new_case, time_env, calendar):
    friday = clean_friday(calendar, await now(time_env))
    case = await new_case()
    await case.register()
    await sleep_until(time_env, friday)
    await case.dispatch("sw")

    def on(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(friday.date() + timedelta(days=days), time(hour, minute), TZ)

    row = case.row()
    assert to_minute(row.dispatched_at) == friday
    # 1 working hour to accept; yellow at 75% of it.
    assert_exact(row.accept_deadline, on(0, 17))
    assert_exact(row.yellow_at, on(0, 16, 45))
    assert (row.light, row.escalation_level) == ("green", 0)

    await case.sleep_until(on(0, 16, 50))
    row = case.row()
    assert (row.status, row.light, row.escalation_level) == ("dispatched", "yellow", 0)

    await case.sleep_until(on(0, 17, 5))
    row = case.row()
    assert (row.light, row.escalation_level) == ("red", 0)

    # Office hours are 08:30-12:00 and 14:00-17:30, so the ladder after the Friday 17:00 deadline
    # is Monday 12:00 (0.5 h Friday + 3.5 h), Monday 17:00 (+7 h) and Wednesday 17:00 (+21 h).
    # Level 1: 4 working hours after the deadline.
    await case.sleep_until(on(3, 11, 55))
    assert case.row().escalation_level == 0
    await case.sleep_until(on(3, 12, 5))
    assert case.row().escalation_level == 1

    # Level 2: 1 working day (7 working hours) after the deadline.
    await case.sleep_until(on(3, 17, 5))
    assert case.row().escalation_level == 2
    # Level 3: 3 working days (21 working hours) after the deadline.
    await case.sleep_until(on(5, 16, 55))
    assert case.row().escalation_level == 2
    await case.sleep_until(on(5, 17, 5))
    row = case.row()
    assert (row.status, row.light, row.escalation_level) == ("dispatched", "red", 3)

    assert _clock_lines(case) == [
        ("reminded", "yellow", 0, on(0, 16, 45)),
        ("overdue", "overdue", 0, on(0, 17)),
        ("escalated", "level1", 1, on(3, 12)),
        ("escalated", "level2", 2, on(3, 17)),
        ("escalated", "level3", 3, on(5, 17)),
    ]
    for line in case.events()[-5:]:
        assert (line.actor, line.data["clock"], line.data["department"]) == (
            "system",
            "accept",
            "sw",
        )
    # The same numbers straight from the calendar functions.
    deadline = workcal.add_limit(friday, 1, "working_hours", calendar)
    assert deadline == on(0, 17)
    assert workcal.add_working_minutes(deadline, 4 * 60, calendar) == on(3, 12)
    assert workcal.add_limit(deadline, 1, "working_days", calendar) == on(3, 17)
    assert workcal.add_limit(deadline, 3, "working_days", calendar) == on(5, 17)


async def test_handling_clock_climbs_the_ladder_after_accept(new_case, time_env, calendar):
    case = await new_case()
    await case.register()
    await case.dispatch("sw")
    await case.accept()
    row = case.row()
    accepted = to_minute(row.accepted_at)  # clocks count whole minutes
    deadline = workcal.add_limit(accepted, 4, "working_hours", calendar)
    steps = {
        "yellow": workcal.add_working_minutes(accepted, 180, calendar),
        "overdue": deadline,
        "level1": workcal.add_working_minutes(deadline, 240, calendar),
        "level2": workcal.add_working_minutes(deadline, 420, calendar),
        "level3": workcal.add_working_minutes(deadline, 3 * 420, calendar),
    }
    assert_exact(row.deadline, deadline)
    assert_exact(row.yellow_at, steps["yellow"])
    assert (row.light, row.escalation_level) == ("green", 0)

    seen = []
    for name, light, level in [
        ("yellow", "yellow", 0),
        ("overdue", "red", 0),
        ("level1", "red", 1),
        ("level2", "red", 2),
        ("level3", "red", 3),
    ]:
        await case.sleep_until(steps[name] + timedelta(minutes=1))
        row = case.row()
        seen.append((row.status, row.light, row.escalation_level))
        assert seen[-1] == ("in_progress", light, level), name
    lines = [e for e in case.events() if e.action in CLOCK_ACTIONS]
    assert [(e.action, e.data["step"], e.data["clock"]) for e in lines] == [
        ("reminded", "yellow", "handle"),
        ("overdue", "overdue", "handle"),
        ("escalated", "level1", "handle"),
        ("escalated", "level2", "handle"),
        ("escalated", "level3", "handle"),
    ]
    for line in lines:
        assert_close(line.at, steps[line.data["step"]])

    # Reporting late stops the clock and records that the deadline was missed.
    await case.report()
    row = case.row()
    assert (row.status, row.light, row.handled_on_time) == ("reported", None, False)


async def test_approved_extension_moves_the_deadline(new_case, calendar):
    case = await new_case()
    await case.in_progress("sw")
    before = case.row().deadline
    await case.act(
        CaseWorkflow.request_extension,
        p.ExtensionRequestInput(
            actor=liaison("sw"), amount=1, unit="working_days", reason="需调运专用井盖"
        ),
    )
    row = case.row()
    assert row.extension_pending["amount"] == 1
    assert_exact(row.deadline, before)

    await case.act(
        CaseWorkflow.decide_extension, p.ExtensionDecisionInput(actor=COORDINATOR, approve=True)
    )
    row = case.row()
    # One working day is 7 working hours on the calendar.
    assert_exact(row.deadline, workcal.add_working_minutes(before, 420, calendar))
    assert workcal.working_minutes_between(before, row.deadline, calendar) == 420
    assert (row.extensions, row.extension_pending, row.status) == (1, None, "in_progress")
    approved = case.last("extension_approved")
    assert approved.actor == "coordinator"
    assert (approved.data["amount"], approved.data["unit"]) == (1, "working_days")
    assert case.actions()[-2:] == ["extension_requested", "extension_approved"]


async def test_denied_extension_leaves_the_deadline(new_case):
    case = await new_case()
    await case.in_progress("sw")
    before = case.row().deadline
    await case.act(
        CaseWorkflow.request_extension,
        p.ExtensionRequestInput(
            actor=liaison("sw"), amount=4, unit="working_hours", reason="人手不足"
        ),
    )
    await case.act(
        CaseWorkflow.decide_extension,
        p.ExtensionDecisionInput(actor=SUPERVISOR, approve=False, note="井盖缺失须当日处置"),
    )
    row = case.row()
    assert_exact(row.deadline, before)
    assert (row.extensions, row.extension_pending) == (0, None)
    denied = case.last("extension_denied")
    assert (denied.actor, denied.detail) == ("supervisor", "井盖缺失须当日处置")


async def test_park_stops_the_clock(new_case, time_env, calendar):
    case = await new_case()
    # Accepted at 09:00 of a working day: 4 working hours end at 15:00 (lunch 12:00-14:00).
    await sleep_until(time_env, working_day_at(calendar, await now(time_env), 9))
    await case.in_progress("sw")
    accepted = case.row()
    deadline = local(accepted.deadline)
    assert deadline.time() == time(15, 0)

    # Park after 1.5 working hours: 2.5 working hours remain.
    await case.sleep_until(deadline.replace(hour=10, minute=30))
    await case.act(CaseWorkflow.park, p.ParkInput(actor=SUPERVISOR, reason="待燃气公司停气"))
    parked_at = to_minute(case.last("parked").at)
    remaining = workcal.working_minutes_between(parked_at, deadline, calendar)
    assert remaining == 150
    row = case.row()
    assert (row.status, row.light) == ("parked", None)

    # Several days pass, far beyond the deadline and the whole ladder.
    await case.sleep_until(local(parked_at) + timedelta(days=6))
    row = case.row()
    assert (row.status, row.light, row.escalation_level) == ("parked", None, 0)
    assert case.actions()[-1] == "parked"

    await case.act(CaseWorkflow.unpark, p.ParkInput(actor=SUPERVISOR, reason="已停气"))
    unparked_at = to_minute(case.last("unparked").at)
    row = case.row()
    assert (row.status, row.department, row.light) == ("in_progress", "sw", "green")
    assert local(row.deadline) == workcal.add_working_minutes(unparked_at, remaining, calendar)
    assert workcal.working_minutes_between(unparked_at, row.deadline, calendar) == remaining
    assert not [a for a in case.actions() if a in CLOCK_ACTIONS]
    assert case.row().escalation_level == 0

    # The clock runs again: overdue at the shifted deadline, not before.
    await case.sleep_until(local(row.deadline) - timedelta(minutes=1))
    assert case.row().light == "yellow"
    await case.sleep_until(local(row.deadline) + timedelta(minutes=1))
    assert (case.row().light, case.actions()[-1]) == ("red", "overdue")


def test_clocks_count_whole_minutes():
    """An action a fraction of a second past 11:00 still has its 1-hour deadline at 12:00."""
    cal = workcal.WorkCalendar.weekdays_only()
    friday = datetime(2026, 11, 27, 11, 0, 0, 400_000, tzinfo=TZ)
    clock = build_clock(
        p.ClockRequest(kind="accept", start=friday, amount=1, unit="working_hours"), cal
    )
    at = {step.name: step.at for step in clock.steps}
    assert (clock.started_at, clock.deadline) == (
        friday.replace(microsecond=0),
        friday.replace(hour=12, microsecond=0),
    )
    assert at["level1"] == datetime(2026, 11, 30, 9, 0, tzinfo=TZ)  # 3.5 h Friday, 0.5 Monday

    clock.paused_at = friday.replace(minute=30, second=59)
    monday = datetime(2026, 11, 30, 9, 15, 0, 900_000, tzinfo=TZ)
    resumed = resume(p.ResumeClockRequest(clock=clock, resumed_at=monday), cal)
    # 30 working minutes were left at the pause: 09:15 + 30 min.
    assert resumed.deadline == datetime(2026, 11, 30, 9, 45, tzinfo=TZ)


async def test_extension_after_parking_keeps_the_light_green(new_case, time_env, calendar):
    """Yellow at 75% of limit + extension counts handling time only, not the parked days."""
    case = await new_case()
    await sleep_until(time_env, working_day_at(calendar, await now(time_env), 9))
    await case.in_progress("sw")
    deadline = local(case.row().deadline)
    # 1.5 of 4 working hours pass, then the case is parked for a week.
    await case.sleep_until(deadline.replace(hour=10, minute=30))
    await case.act(CaseWorkflow.park, p.ParkInput(actor=SUPERVISOR, reason="待燃气公司停气"))
    await case.sleep_until(local(case.last("parked").at) + timedelta(days=7))
    await case.act(CaseWorkflow.unpark, p.ParkInput(actor=SUPERVISOR, reason="已停气"))
    unparked_at = to_minute(case.last("unparked").at)

    await case.act(
        CaseWorkflow.request_extension,
        p.ExtensionRequestInput(
            actor=liaison("sw"), amount=4, unit="working_hours", reason="需调运专用井盖"
        ),
    )
    await case.act(
        CaseWorkflow.decide_extension, p.ExtensionDecisionInput(actor=COORDINATOR, approve=True)
    )
    await case.settle()
    # 8 working hours in all, 1.5 used: yellow after 6, i.e. 4.5 working hours after unparking.
    row = case.row()
    assert (row.light, case.actions()[-1]) == ("green", "extension_approved")
    yellow = workcal.add_working_minutes(unparked_at, 270, calendar)
    assert_exact(row.yellow_at, yellow)
    await case.sleep_until(yellow - timedelta(minutes=1))
    assert case.row().light == "green"
    await case.sleep_until(yellow + timedelta(minutes=1))
    assert (case.row().light, case.actions()[-1]) == ("yellow", "reminded")
