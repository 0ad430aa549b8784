"""Imports every table module so that metadata.create_all sees them all."""

from models import (  # noqa: F401
    browser_session,
    case,
    idempotency,
    open311,
    operation,
    outbox,
    reference,
    user,
)
