"""Refusals of a workflow action: non-retryable ApplicationErrors whose `type` is the refusal kind.

The kind sets the API's status code: `forbidden` (403), `conflict` (409, current status in
details), `invalid` (422, field in details). The details carry a stable reason `code` (below)
that the web turns into words; the message is an English detail for logs and integrators.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.exceptions import ApplicationError

FORBIDDEN = "forbidden"
CONFLICT = "conflict"
INVALID = "invalid"
HTTP_STATUS = {FORBIDDEN: 403, CONFLICT: 409, INVALID: 422}

# Reason codes of every workflow: who may not act ...
WRONG_ROLE = "wrong_role"
WRONG_DEPARTMENT = "wrong_department"
# ... what the case or operation does not allow now ...
WRONG_STATE = "wrong_state"
WRONG_DEPARTMENT_STATE = "wrong_department_state"
# ... which field is missing or wrong.
MISSING_FIELD = "missing_field"
INVALID_VALUE = "invalid_value"
# Cases.
EXTENSION_PENDING = "extension_pending"
NO_EXTENSION_PENDING = "no_extension_pending"
INTERIM_ALREADY_REPORTED = "interim_already_reported"
NO_CLOCK = "no_clock"
NO_DEPARTMENT = "no_department"
INTERIM_IS_OWNER = "interim_is_owner"
NO_ROUTE = "no_route"
ALREADY_RATED = "already_rated"
ARCHIVED = "archived"
# Joint operations.
LEAD_CANNOT_DECLINE = "lead_cannot_decline"
DECLINE_OVERRULED = "decline_overruled"
NOT_DECLINED = "not_declined"
SESSIONS_LEFT = "sessions_left"
NOTHING_TO_POSTPONE = "nothing_to_postpone"
SESSION_NOT_STARTED = "session_not_started"
REPORT_NOT_DUE = "report_not_due"
ALREADY_REPORTED = "already_reported"
ALREADY_CASE = "already_case"
NO_PEOPLE = "no_people"
EMPTY_FINDING = "empty_finding"
START_TOO_EARLY = "start_too_early"
# Launching a joint operation: its schedule.
NO_SESSIONS = "no_sessions"
TOO_MANY_SESSIONS = "too_many_sessions"
ENDS_BEFORE_START = "ends_before_start"
SESSIONS_OVERLAP = "sessions_overlap"
DEADLINE_AFTER_START = "deadline_after_start"
IN_THE_PAST = "in_the_past"
DEPARTMENTS_REPEATED = "departments_repeated"
NO_MATCHING_DAY = "no_matching_day"
WEEKDAYS_REQUIRED = "weekdays_required"
LAST_BEFORE_FIRST = "last_before_first"

_BY_KIND = {
    FORBIDDEN: (WRONG_ROLE, WRONG_DEPARTMENT),
    CONFLICT: (
        WRONG_STATE,
        WRONG_DEPARTMENT_STATE,
        EXTENSION_PENDING,
        NO_EXTENSION_PENDING,
        INTERIM_ALREADY_REPORTED,
        NO_CLOCK,
        NO_DEPARTMENT,
        LEAD_CANNOT_DECLINE,
        DECLINE_OVERRULED,
        NOT_DECLINED,
        SESSIONS_LEFT,
        NOTHING_TO_POSTPONE,
        SESSION_NOT_STARTED,
        REPORT_NOT_DUE,
        ALREADY_REPORTED,
        ALREADY_CASE,
        ALREADY_RATED,
        ARCHIVED,
    ),
    INVALID: (
        MISSING_FIELD,
        INVALID_VALUE,
        INTERIM_IS_OWNER,
        NO_ROUTE,
        NO_PEOPLE,
        EMPTY_FINDING,
        START_TOO_EARLY,
        NO_SESSIONS,
        TOO_MANY_SESSIONS,
        ENDS_BEFORE_START,
        SESSIONS_OVERLAP,
        DEADLINE_AFTER_START,
        IN_THE_PAST,
        DEPARTMENTS_REPEATED,
        NO_MATCHING_DAY,
        WEEKDAYS_REQUIRED,
        LAST_BEFORE_FIRST,
    ),
}
# code -> kind
KINDS: dict[str, str] = {code: kind for kind, codes in _BY_KIND.items() for code in codes}


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: its stable code, an English detail, and what it names."""

    code: str
    message: str
    status: str | None = None
    field: str | None = None
    department_status: str | None = None

    @property
    def kind(self) -> str:
        """Returns forbidden, conflict or invalid."""
        return KINDS[self.code]

    def details(self) -> dict[str, str]:
        """Returns the code and whichever of status, field and department status it names."""
        named = {
            "status": self.status,
            "field": self.field,
            "department_status": self.department_status,
        }
        return {"code": self.code, **{k: v for k, v in named.items() if v is not None}}

    def error(self) -> ApplicationError:
        """Returns the non-retryable ApplicationError a validator raises."""
        return ApplicationError(self.message, self.details(), type=self.kind, non_retryable=True)


def forbidden(message: str, code: str = WRONG_ROLE) -> ApplicationError:
    """Returns the refusal for a role or department that may not act."""
    return Refusal(code, message).error()


def conflict(message: str, status: str, code: str = WRONG_STATE) -> ApplicationError:
    """Returns the refusal for an action the current status does not allow."""
    return Refusal(code, message, status=status).error()


def invalid(message: str, field: str, code: str = INVALID_VALUE) -> ApplicationError:
    """Returns the refusal for a missing or wrong field."""
    return Refusal(code, message, field=field).error()
