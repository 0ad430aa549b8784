"""Imports every table module so that metadata.create_all sees them all."""

from models import (  # noqa: F401
    assignment,
    audit,
    browser_session,
    case,
    evaluation_settings,
    idempotency,
    open311,
    operation,
    outbox,
    publication,
    reference,
    user,
)
