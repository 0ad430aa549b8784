"""Times as the API and pages show them: ISO 8601 in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime

from core.workcal import TZ


def iso(value: datetime | None) -> str | None:
    """Returns an ISO 8601 string with +08:00, or None."""
    return None if value is None else value.astimezone(TZ).isoformat()


def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Returns a Shanghai wall-clock string for pages, or an empty string."""
    return "" if value is None else value.astimezone(TZ).strftime(fmt)
