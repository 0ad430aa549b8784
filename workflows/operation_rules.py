"""The checks behind every joint-operation update validator, as the action catalogue says them;
and how a recurring campaign becomes sessions.

Who, which department, which states and guards come from workflows/operation_actions.py; then the
fields, and the session, finding or report an action names. Each refusal is the non-retryable
ApplicationError of core.refusals; the checks never change the state. `check_launch` runs in the
web layer before the workflow is started, and again in the workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo

from core import operation_payloads as o
from core import payloads as p
from core import refusals as r
from core.refusals import Refusal, invalid
from workflows.catalogue import field_refusal, role_refusal
from workflows.operation_actions import OPERATION_ACTIONS, OperationFacts, refusal

REPORT_UNITS = ("working_hours", "working_days", "hours")
MAX_SESSIONS = 400
REPEATS = ("daily", "weekly")


def check(action: str, state: o.OperationState, inp: object, now: datetime) -> None:
    """Runs every check of `action` against the operation; raises the first refusal."""
    actor: p.Actor = inp.actor  # type: ignore[attr-defined]
    refused = refusal(action, actor, OperationFacts.of_state(state, actor.department))
    if refused is None:
        refused = field_refusal(OPERATION_ACTIONS[action], inp)
    if refused is None and action in _CHECKS:
        refused = _CHECKS[action](state, state.department(actor.department), inp, now)
    if refused is not None:
        raise refused.error()


def _conflict(
    code: str,
    message: str,
    state: o.OperationState,
    department: o.DepartmentState | None = None,
) -> Refusal:
    return Refusal(
        code,
        message,
        status=state.status,
        department_status=department.status if department else None,
    )


def _counts(counts: o.Counts) -> Refusal | None:
    for kind, value in counts.as_dict().items():
        if value is None or value < 0:
            return Refusal(r.INVALID_VALUE, f"{kind} must not be negative", field=f"counts.{kind}")
    return None


def _confirm(state, department, inp: o.ConfirmInput, now) -> Refusal | None:
    if inp.people is None or inp.people < 1:
        return Refusal(
            r.NO_PEOPLE, "a confirming department sends at least one person", field="people"
        )
    if inp.vehicles is None or inp.vehicles < 0:
        return Refusal(r.INVALID_VALUE, "vehicles must not be negative", field="vehicles")
    return None


def _rule_decline(state, _actor_department, inp: o.RuleDeclineInput, now) -> Refusal | None:
    department = state.department(inp.department)
    if department is None:
        return Refusal(
            r.INVALID_VALUE, f"department {inp.department} does not take part", field="department"
        )
    if department.status != o.DECLINED:
        return _conflict(
            r.NOT_DECLINED,
            f"department {department.code} is {department.status}; a ruling needs declined",
            state,
            department,
        )
    if not inp.accept and not (inp.reason or "").strip():
        return Refusal(r.MISSING_FIELD, "reason is required to overrule", field="reason")
    return None


def _log_finding(state, department, inp: o.FindingInput, now) -> Refusal | None:
    refused = _counts(inp.counts)
    if refused is not None:
        return refused
    if inp.counts.is_empty() and not (inp.note or "").strip():
        return Refusal(r.EMPTY_FINDING, "a finding needs a count or a note", field="note")
    if inp.session is not None:
        session = state.session(inp.session)
        if session is None:
            return Refusal(
                r.INVALID_VALUE, f"operation has no session {inp.session}", field="session"
            )
        if session.status not in (o.RUNNING, o.ENDED):
            return _conflict(r.SESSION_NOT_STARTED, f"session {inp.session} has not started", state)
    return None


def _spawn_case(state, department, inp: o.SpawnCaseInput, now) -> Refusal | None:
    finding = state.finding(inp.finding)
    if finding is None:
        return Refusal(r.INVALID_VALUE, f"operation has no finding {inp.finding}", field="finding")
    if finding.department != department.code:
        return Refusal(r.WRONG_DEPARTMENT, f"finding {inp.finding} belongs to {finding.department}")
    if finding.case_number:
        return _conflict(
            r.ALREADY_CASE, f"finding {inp.finding} is already case {finding.case_number}", state
        )
    return None


def _report(state, department, inp: o.SessionReportInput, now) -> Refusal | None:
    if state.session(inp.session) is None:
        return Refusal(r.INVALID_VALUE, f"operation has no session {inp.session}", field="session")
    report = state.report(inp.session, department.code)
    if report is None:
        return _conflict(
            r.REPORT_NOT_DUE,
            f"no report of session {inp.session} is due from {department.code}",
            state,
            department,
        )
    if report.filed_at is not None:
        return _conflict(
            r.ALREADY_REPORTED,
            f"{department.code} already reported session {inp.session}",
            state,
            department,
        )
    return _counts(inp.counts)


def _postpone(state, _department, inp: o.PostponeInput, now) -> Refusal | None:
    pending = [s for s in state.sessions if s.status == o.SCHEDULED]
    if inp.start is None or inp.start.tzinfo is None:
        return Refusal(r.MISSING_FIELD, "start (with a time zone) is required", field="start")
    if inp.start <= pending[0].start or inp.start <= now:
        return Refusal(
            r.START_TOO_EARLY,
            "start must be later than the next session and than now",
            field="start",
        )
    return None


# The checks of the fields and of the session, finding or report an action names.
_CHECKS: dict[str, Callable[..., Refusal | None]] = {
    "confirm": _confirm,
    "rule-decline": _rule_decline,
    "log-finding": _log_finding,
    "spawn-case": _spawn_case,
    "report": _report,
    "postpone": _postpone,
}


def check_launch(inp: o.OperationInput, now: datetime | None = None) -> None:
    """Refuses a launch by a wrong role or with a missing or inconsistent field.

    With `now`, also refuses a confirmation deadline or first session in the past. Codes of
    departments and areas are the web layer's to check against the reference data.
    """
    launch = OPERATION_ACTIONS["launch"]
    refused = role_refusal(launch, inp.launched_by.role) or field_refusal(launch, inp)
    if refused is not None:
        raise refused.error()
    if not inp.operation_id.strip():
        raise invalid("operation_id is required", "operation_id", r.MISSING_FIELD)
    if not [a for a in inp.area if a.strip()]:
        raise invalid("area needs at least one grid or street", "area", r.MISSING_FIELD)
    departments = [inp.lead, *inp.cooperating]
    if any(not d.strip() for d in departments) or len(set(departments)) != len(departments):
        raise invalid(
            "departments must be named once each, the lead not among the cooperating",
            "cooperating",
            r.DEPARTMENTS_REPEATED,
        )
    _check_schedule(inp, now)
    if not inp.report_within or inp.report_within <= 0:
        raise invalid("report_within must be a positive number", "report_within")
    if inp.report_unit not in REPORT_UNITS:
        raise invalid(f"report_unit must be one of {', '.join(REPORT_UNITS)}", "report_unit")


def _check_schedule(inp: o.OperationInput, now: datetime | None) -> None:
    if not inp.sessions:
        raise invalid("at least one session is required", "sessions", r.NO_SESSIONS)
    if len(inp.sessions) > MAX_SESSIONS:
        raise invalid(f"at most {MAX_SESSIONS} sessions", "sessions", r.TOO_MANY_SESSIONS)
    windows = sorted(inp.sessions, key=lambda w: w.start)
    for i, window in enumerate(windows):
        if window.start.tzinfo is None or window.end.tzinfo is None:
            raise invalid("session times need a time zone", "sessions")
        if window.end <= window.start:
            raise invalid(f"session {i + 1} ends before it starts", "sessions", r.ENDS_BEFORE_START)
        if i and window.start < windows[i - 1].end:
            raise invalid(
                f"session {i + 1} overlaps the one before", "sessions", r.SESSIONS_OVERLAP
            )
    if inp.confirm_deadline.tzinfo is None or inp.confirm_deadline > windows[0].start:
        raise invalid(
            "the confirmation deadline must fall before the first session",
            "confirm_deadline",
            r.DEADLINE_AFTER_START,
        )
    if now is not None and (inp.confirm_deadline <= now or windows[0].start <= now):
        raise invalid(
            "the confirmation deadline and the first session must lie ahead",
            "confirm_deadline",
            r.IN_THE_PAST,
        )


def expand_sessions(
    *,
    first: date,
    last: date,
    start: time,
    end: time,
    tz: tzinfo,
    repeat: str = "daily",
    weekdays: list[int] | None = None,
) -> list[o.SessionWindow]:
    """Returns the sessions of a recurring campaign, one per matching day from first to last.

    `weekdays` are ISO numbers (Monday 1 .. Sunday 7) and required for `weekly`; an `end` at or
    before `start` runs past midnight into the next day (a night shift, 22:00–02:00).
    """
    if repeat not in REPEATS:
        raise invalid(f"repeat must be one of {', '.join(REPEATS)}", "repeat")
    if last < first:
        raise invalid("the last date is before the first", "last", r.LAST_BEFORE_FIRST)
    days = set(weekdays or ())
    if repeat == "weekly" and (not days or not days <= set(range(1, 8))):
        raise invalid(
            "weekly needs weekdays, numbered Monday 1 to Sunday 7", "weekdays", r.WEEKDAYS_REQUIRED
        )
    overnight = timedelta(days=1) if end <= start else timedelta(0)
    windows: list[o.SessionWindow] = []
    day = first
    while day <= last:
        if repeat == "daily" or day.isoweekday() in days:
            begin = datetime.combine(day, start, tzinfo=tz)
            windows.append(
                o.SessionWindow(start=begin, end=datetime.combine(day + overnight, end, tzinfo=tz))
            )
            if len(windows) > MAX_SESSIONS:
                raise invalid(f"at most {MAX_SESSIONS} sessions", "last", r.TOO_MANY_SESSIONS)
        day += timedelta(days=1)
    if not windows:
        raise invalid("no day in the range matches", "weekdays", r.NO_MATCHING_DAY)
    return windows
