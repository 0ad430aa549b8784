"""Who may do what to a joint operation, and when; and how a recurring campaign becomes sessions.

The checks raise the refusals of workflows/rules.py (`forbidden`, `conflict`, `invalid`); they
read the state and never change it. `check_launch` runs in the web layer before the workflow is
started, and again in the workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo

from temporalio.exceptions import ApplicationError

from core import operation_payloads as o
from core import payloads as p
from core.refusals import CONFLICT, forbidden, invalid
from workflows.rules import check_reason

ROLES: dict[str, tuple[str, ...]] = {
    "launch": ("coordinator",),
    "confirm": ("liaison",),
    "decline": ("liaison",),
    "rule-decline": ("coordinator", "supervisor"),
    "log-finding": ("liaison",),
    "spawn-case": ("liaison",),
    "report": ("liaison",),
    "close": ("coordinator",),
    "cancel": ("coordinator", "supervisor"),
    "postpone": ("coordinator",),
}
# Actions only the liaison of a participating department may take, for that department.
DEPARTMENT_ACTIONS = ("confirm", "decline", "log-finding", "spawn-case", "report")
_BEFORE_END = (o.CONFIRMING, o.RUNNING, o.REPORTING)
_STARTED = (o.RUNNING, o.REPORTING, o.COMPLETED)
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "confirm": _BEFORE_END,
    "decline": _BEFORE_END,
    "rule-decline": _BEFORE_END,
    "log-finding": _STARTED,
    "spawn-case": _STARTED,
    "report": (o.RUNNING, o.REPORTING),
    "close": (o.REPORTING, o.COMPLETED),
    "cancel": _BEFORE_END,
    "postpone": (o.CONFIRMING, o.REPORTING),
}
REPORT_UNITS = ("working_hours", "working_days", "hours")
MAX_SESSIONS = 400
REPEATS = ("daily", "weekly")


def _conflict(
    message: str, state: o.OperationState, department: o.DepartmentState | None = None
) -> ApplicationError:
    details: dict[str, str] = {"code": CONFLICT, "status": state.status}
    if department is not None:
        details["department_status"] = department.status
    return ApplicationError(message, details, type=CONFLICT, non_retryable=True)


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def check(action: str, state: o.OperationState, inp: object, now: datetime) -> None:
    """Runs every check of `action` against the operation; raises the first refusal."""
    actor: p.Actor = inp.actor  # type: ignore[attr-defined]
    roles = ROLES[action]
    if actor.role not in roles:
        raise forbidden(f"role {actor.role} may not {action}; needs {' or '.join(roles)}")
    department = state.department(actor.department)
    if action in DEPARTMENT_ACTIONS and department is None:
        raise forbidden(
            f"department {actor.department or '-'} does not take part in "
            f"operation {state.operation_id}"
        )
    allowed = ALLOWED_FROM[action]
    if state.status not in allowed:
        raise _conflict(
            f"operation {state.operation_id} is {state.status}; {action} needs "
            f"{' or '.join(allowed)}",
            state,
        )
    _CHECKS[action](state, department, inp, now)


def _needs(
    state: o.OperationState, department: o.DepartmentState, action: str, *statuses: str
) -> None:
    if department.status not in statuses:
        raise _conflict(
            f"department {department.code} is {department.status}; {action} needs "
            f"{' or '.join(statuses)}",
            state,
            department,
        )


def _check_counts(counts: o.Counts) -> None:
    for kind, value in counts.as_dict().items():
        if value is None or value < 0:
            raise invalid(f"{kind} must not be negative", f"counts.{kind}")


def _confirm(state, department, inp: o.ConfirmInput, now) -> None:
    _needs(state, department, "confirm", o.INVITED)
    if inp.people is None or inp.people < 1:
        raise invalid("a confirming department sends at least one person", "people")
    if inp.vehicles is None or inp.vehicles < 0:
        raise invalid("vehicles must not be negative", "vehicles")


def _decline(state, department, inp: o.DeclineInput, now) -> None:
    _needs(state, department, "decline", o.INVITED)
    if department.role == o.LEAD:
        raise _conflict(
            f"{department.code} leads the operation and cannot decline", state, department
        )
    if department.overruled:
        raise _conflict(
            f"the decline of {department.code} was overruled; it must take part", state, department
        )
    check_reason(inp.reason)


def _rule_decline(state, _actor_department, inp: o.RuleDeclineInput, now) -> None:
    if _blank(inp.department):
        raise invalid("department is required", "department")
    department = state.department(inp.department)
    if department is None:
        raise invalid(f"department {inp.department} does not take part", "department")
    _needs(state, department, "a ruling", o.DECLINED)
    if not inp.accept:
        check_reason(inp.reason)


def _log_finding(state, department, inp: o.FindingInput, now) -> None:
    _needs(state, department, "log-finding", o.CONFIRMED)
    _check_counts(inp.counts)
    if inp.counts.is_empty() and _blank(inp.note):
        raise invalid("a finding needs a count or a note", "note")
    if inp.session is not None:
        session = state.session(inp.session)
        if session is None:
            raise invalid(f"operation has no session {inp.session}", "session")
        if session.status not in (o.RUNNING, o.ENDED):
            raise _conflict(f"session {inp.session} has not started", state)


def _spawn_case(state, department, inp: o.SpawnCaseInput, now) -> None:
    finding = state.finding(inp.finding)
    if finding is None:
        raise invalid(f"operation has no finding {inp.finding}", "finding")
    if finding.department != department.code:
        raise forbidden(f"finding {inp.finding} belongs to {finding.department}")
    if finding.case_number:
        raise _conflict(f"finding {inp.finding} is already case {finding.case_number}", state)
    for name in ("category", "grid", "address", "description"):
        if _blank(getattr(inp, name)):
            raise invalid(f"{name} is required", name)


def _report(state, department, inp: o.SessionReportInput, now) -> None:
    session = state.session(inp.session)
    if session is None:
        raise invalid(f"operation has no session {inp.session}", "session")
    report = state.report(inp.session, department.code)
    if report is None:
        raise _conflict(
            f"no report of session {inp.session} is due from {department.code}", state, department
        )
    if report.filed_at is not None:
        raise _conflict(
            f"{department.code} already reported session {inp.session}", state, department
        )
    _check_counts(inp.counts)


def _close(state, _department, inp: o.CloseInput, now) -> None:
    if any(s.status != o.ENDED for s in state.sessions):
        raise _conflict("sessions are still to run; cancel the operation instead", state)


def _cancel(state, _department, inp: o.CancelInput, now) -> None:
    check_reason(inp.reason)


def _postpone(state, _department, inp: o.PostponeInput, now) -> None:
    check_reason(inp.reason)
    pending = [s for s in state.sessions if s.status == o.SCHEDULED]
    if not pending:
        raise _conflict("no session is left to postpone", state)
    if inp.start is None or inp.start.tzinfo is None:
        raise invalid("start (with a time zone) is required", "start")
    if inp.start <= pending[0].start or inp.start <= now:
        raise invalid("start must be later than the next session and than now", "start")


_CHECKS: dict[str, Callable[..., None]] = {
    "confirm": _confirm,
    "decline": _decline,
    "rule-decline": _rule_decline,
    "log-finding": _log_finding,
    "spawn-case": _spawn_case,
    "report": _report,
    "close": _close,
    "cancel": _cancel,
    "postpone": _postpone,
}


def check_launch(inp: o.OperationInput, now: datetime | None = None) -> None:
    """Refuses a launch by a wrong role or with a missing or inconsistent field.

    With `now`, also refuses a confirmation deadline or first session in the past. Codes of
    departments and areas are the web layer's to check against the reference data.
    """
    roles = ROLES["launch"]
    if inp.launched_by.role not in roles:
        raise forbidden(f"role {inp.launched_by.role} may not launch; needs {' or '.join(roles)}")
    for name in ("operation_id", "title", "lead"):
        if _blank(getattr(inp, name)):
            raise invalid(f"{name} is required", name)
    if not [a for a in inp.area if not _blank(a)]:
        raise invalid("area needs at least one grid or street", "area")
    departments = [inp.lead, *inp.cooperating]
    if any(_blank(d) for d in departments) or len(set(departments)) != len(departments):
        raise invalid(
            "departments must be named once each, the lead not among the cooperating", "cooperating"
        )
    if not inp.sessions:
        raise invalid("at least one session is required", "sessions")
    if len(inp.sessions) > MAX_SESSIONS:
        raise invalid(f"at most {MAX_SESSIONS} sessions", "sessions")
    windows = sorted(inp.sessions, key=lambda w: w.start)
    for i, window in enumerate(windows):
        if window.start.tzinfo is None or window.end.tzinfo is None:
            raise invalid("session times need a time zone", "sessions")
        if window.end <= window.start:
            raise invalid(f"session {i + 1} ends before it starts", "sessions")
        if i and window.start < windows[i - 1].end:
            raise invalid(f"session {i + 1} overlaps the one before", "sessions")
    if inp.confirm_deadline.tzinfo is None or inp.confirm_deadline > windows[0].start:
        raise invalid(
            "the confirmation deadline must fall before the first session", "confirm_deadline"
        )
    if now is not None and (inp.confirm_deadline <= now or windows[0].start <= now):
        raise invalid(
            "the confirmation deadline and the first session must lie ahead", "confirm_deadline"
        )
    if not inp.report_within or inp.report_within <= 0:
        raise invalid("report_within must be a positive number", "report_within")
    if inp.report_unit not in REPORT_UNITS:
        raise invalid(f"report_unit must be one of {', '.join(REPORT_UNITS)}", "report_unit")


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
        raise invalid("the last date is before the first", "last")
    days = set(weekdays or ())
    if repeat == "weekly" and (not days or not days <= set(range(1, 8))):
        raise invalid("weekly needs weekdays, numbered Monday 1 to Sunday 7", "weekdays")
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
                raise invalid(f"at most {MAX_SESSIONS} sessions", "last")
        day += timedelta(days=1)
    if not windows:
        raise invalid("no day in the range matches", "weekdays")
    return windows
