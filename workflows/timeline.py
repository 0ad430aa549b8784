"""Writes a timeline line as facts, for the case and the operation workflows alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow

from core import payloads as p
from core.timeline import FACTS, FACTS_PATCH

# (action, note, data) -> the detail and data a line held before the facts form.
Before = Callable[[str, str | None, dict[str, Any]], tuple[str, dict[str, Any]]]


def entry(
    seq: int, actor: p.Actor, action: str, note: str | None, data: dict[str, Any], before: Before
) -> p.TimelineEntry:
    """Returns one line: `note` is only what a person typed, `data` the facts (None left out)."""
    data = {k: v for k, v in data.items() if v is not None}
    if workflow.patched(FACTS_PATCH):
        detail = note or ""
        data[FACTS] = 1
    else:
        # A history recorded before the facts form replays with the words it wrote then.
        detail, data = before(action, note, data)
    if actor.username != "system":
        data.setdefault("role", actor.role)
        if actor.department:
            data.setdefault("actor_department", actor.department)
    return p.TimelineEntry(
        seq=seq, at=workflow.now(), actor=actor.username, action=action, detail=detail, data=data
    )
