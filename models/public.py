"""What the API's shapes share: instants written as ISO 8601 in Asia/Shanghai (+08:00)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

from core.workcal import TZ


def local_iso(value: datetime) -> str:
    """Returns an instant as ISO 8601 with the +08:00 offset."""
    return value.astimezone(TZ).isoformat()


# An instant held as a datetime and written in Shanghai time, whatever zone the row gave it.
LocalTime = Annotated[
    datetime,
    PlainSerializer(local_iso, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": "ISO 8601, Asia/Shanghai (+08:00)"}
    ),
]
