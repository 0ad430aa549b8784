"""Refusals of a workflow action: non-retryable ApplicationErrors whose `type` is the refusal kind.

The API maps the kind to a status code: `forbidden` (403), `conflict` (409, current status in
details), `invalid` (422, field in details).
"""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

FORBIDDEN = "forbidden"
CONFLICT = "conflict"
INVALID = "invalid"


def forbidden(message: str) -> ApplicationError:
    """Returns the refusal for a role or department that may not act."""
    return ApplicationError(message, {"code": FORBIDDEN}, type=FORBIDDEN, non_retryable=True)


def conflict(message: str, status: str) -> ApplicationError:
    """Returns the refusal for an action the current status does not allow."""
    return ApplicationError(
        message, {"code": CONFLICT, "status": status}, type=CONFLICT, non_retryable=True
    )


def invalid(message: str, field: str) -> ApplicationError:
    """Returns the refusal for a missing or wrong field."""
    return ApplicationError(
        message, {"code": INVALID, "field": field}, type=INVALID, non_retryable=True
    )
