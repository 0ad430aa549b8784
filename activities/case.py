"""Case activities: the working-time clocks, the projection writes and the routing rulings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from core import payloads as p
from core import workcal
from models.calendar_store import load_calendar
from models.case_store import TimelineConflict, apply_projection
from models.db import get_engine, session_scope
from models.rule_store import Ruling, write_ruling

# Escalation ladder after a deadline, in working minutes (API.md: 4 h, 1 day, 3 days).
LADDER = (("overdue", 0), ("level1", 4 * 60), ("level2", 420), ("level3", 3 * 420))
YELLOW_FRACTION = 0.75


def _calendar() -> workcal.WorkCalendar:
    return load_calendar(engine=get_engine())


def _whole_minute(moment: datetime, unit: str) -> datetime:
    # Working clocks count whole minutes: an action at 16:30:00.4 starts at 16:30, so its 1-hour
    # deadline is 17:30 and not pushed past the night by the 0.4 s that would fall after closing.
    # Natural-hour clocks keep the instant, or a short limit would end before it began.
    return moment if unit == "hours" else moment.replace(second=0, microsecond=0)


def _yellow(start: datetime, deadline: datetime, unit: str, cal: workcal.WorkCalendar) -> datetime:
    if unit == "hours":
        return start + (deadline - start) * YELLOW_FRACTION
    spent = workcal.working_minutes_between(start, deadline, cal) * YELLOW_FRACTION
    return workcal.add_working_minutes(start, spent, cal)


def _steps(deadline: datetime, yellow: datetime, cal: workcal.WorkCalendar) -> list[p.ClockStep]:
    steps = [p.ClockStep(name="yellow", at=yellow)]
    for name, minutes in LADDER:
        at = workcal.add_working_minutes(deadline, minutes, cal) if minutes else deadline
        steps.append(p.ClockStep(name=name, at=at))
    return steps


def _carry_fired(old: list[p.ClockStep], new: list[p.ClockStep], now: datetime) -> None:
    # A step that already fired and is still in the past must not fire (and notify) again.
    fired = {s.name for s in old if s.fired}
    for step in new:
        step.fired = step.name in fired and step.at <= now


def build_clock(req: p.ClockRequest, cal: workcal.WorkCalendar) -> p.Clock:
    """Returns a fresh clock: deadline, yellow point and escalation ladder from `req.start`."""
    start = _whole_minute(req.start, req.unit)
    deadline = workcal.add_limit(start, req.amount, req.unit, cal)
    yellow = workcal.elapse(start, req.amount, req.unit, YELLOW_FRACTION, cal)
    steps = _steps(deadline, yellow, cal)
    return p.Clock(
        kind=req.kind,
        started_at=start,
        amount=req.amount,
        unit=req.unit,
        deadline=deadline,
        yellow_at=yellow,
        steps=steps,
        calendar_fallback=workcal.uses_fallback(start, steps[-1].at, cal),
    )


def extend(req: p.ExtendClockRequest, cal: workcal.WorkCalendar) -> p.Clock:
    """Returns the clock with its deadline moved by an approved extension."""
    old = req.clock
    deadline = workcal.add_limit(old.deadline, req.amount, req.unit, cal)
    if any(s.name == "yellow" and not s.fired for s in old.steps):
        # 75% of limit + extension is the old yellow point plus 75% of the time added. Counting
        # from `started_at` instead would include the days a parked clock stood still.
        if old.unit == "hours":
            yellow = old.yellow_at + (deadline - old.deadline) * YELLOW_FRACTION
        else:
            added = workcal.working_minutes_between(old.deadline, deadline, cal)
            yellow = workcal.add_working_minutes(old.yellow_at, added * YELLOW_FRACTION, cal)
    else:
        yellow = _yellow(old.started_at, deadline, old.unit, cal)
    steps = _steps(deadline, yellow, cal)
    _carry_fired(old.steps, steps, req.now)
    return p.Clock(
        kind=old.kind,
        started_at=old.started_at,
        amount=old.amount,
        unit=old.unit,
        deadline=deadline,
        yellow_at=yellow,
        steps=steps,
        paused_at=old.paused_at,
        calendar_fallback=workcal.uses_fallback(old.started_at, steps[-1].at, cal),
    )


def resume(req: p.ResumeClockRequest, cal: workcal.WorkCalendar) -> p.Clock:
    """Returns the clock shifted by the working time it stood still while parked (挂账)."""
    old = req.clock
    resumed = _whole_minute(req.resumed_at, old.unit)
    paused = _whole_minute(old.paused_at or req.resumed_at, old.unit)
    steps = []
    for step in old.steps:
        if step.fired:
            steps.append(p.ClockStep(name=step.name, at=step.at, fired=True))
        elif old.unit == "hours" and step.name in ("yellow", "overdue"):
            steps.append(
                p.ClockStep(name=step.name, at=resumed + max(step.at - paused, timedelta(0)))
            )
        else:
            left = workcal.working_minutes_between(paused, step.at, cal)
            steps.append(
                p.ClockStep(name=step.name, at=workcal.add_working_minutes(resumed, left, cal))
            )
    by_name = {s.name: s.at for s in steps}
    return p.Clock(
        kind=old.kind,
        started_at=old.started_at,
        amount=old.amount,
        unit=old.unit,
        deadline=by_name["overdue"],
        yellow_at=by_name["yellow"],
        steps=steps,
        calendar_fallback=workcal.uses_fallback(old.started_at, steps[-1].at, cal),
    )


@activity.defn
def compute_clock(req: p.ClockRequest) -> p.Clock:
    """Computes a new accept or handling clock on the working calendar."""
    return build_clock(req, _calendar())


@activity.defn
def extend_clock(req: p.ExtendClockRequest) -> p.Clock:
    """Moves a clock's deadline by an approved extension."""
    return extend(req, _calendar())


@activity.defn
def resume_clock(req: p.ResumeClockRequest) -> p.Clock:
    """Restarts a parked clock."""
    return resume(req, _calendar())


@activity.defn
def project_case(projection: p.CaseProjection) -> int:
    """Writes the case row and its new timeline lines; returns how many lines were new."""
    try:
        with session_scope() as session:
            return apply_projection(session=session, projection=projection)
    except TimelineConflict as conflict:
        # Retrying cannot mend a history that disagrees with what was recorded: stop and say so.
        raise ApplicationError(str(conflict), type="TimelineConflict", non_retryable=True) from None


@activity.defn
def write_rule(rule: p.RuleInput) -> int:
    """Writes a supervisor's ruling into the responsibility list (确权 → 权责清单); returns the
    id of its line."""
    ruling = Ruling(
        category=rule.category,
        scope=rule.scope,
        grid=rule.grid,
        street=rule.street,
        department=rule.department,
        case_number=rule.case_number,
        case_line=rule.line,
        decided_by=rule.decided_by,
        decided_at=rule.decided_at,
    )
    try:
        with session_scope() as session:
            return write_ruling(session=session, ruling=ruling).id or 0
    except LookupError as unknown:
        raise ApplicationError(str(unknown), type="UnknownArea", non_retryable=True) from None


ALL: list[Callable[..., Any]] = [
    compute_clock,
    extend_clock,
    resume_clock,
    project_case,
    write_rule,
]
