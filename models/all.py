"""Imports every table module so that metadata.create_all sees them all."""

from models import case, open311, operation, outbox, reference, user  # noqa: F401
