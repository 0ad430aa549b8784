"""The form of a timeline line: the action code, facts in `data` (codes, deadlines, counts) and
in `detail` only the words a person typed. Sentences are written where a line is shown."""

from __future__ import annotations

from typing import Any

from core import timeline_legacy as legacy

# The workflows' patch that moved generated words out of `detail` (workflow.patched).
FACTS_PATCH = "timeline-facts-v1"
# Set in `data` on every line written in the facts form; older lines lack it.
FACTS = "facts"
# Escalation-ladder step -> the timeline action it records.
STEP_ACTIONS = {
    "yellow": "reminded",
    "overdue": "overdue",
    "level1": "escalated",
    "level2": "escalated",
    "level3": "escalated",
}


def case_line(
    action: str, detail: str | None, data: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """Returns what a person typed on a case's line ("" if nobody did) and the line's facts.

    A line stored before the facts form gets both from its generated words."""
    data, detail = data or {}, detail or ""
    if data.get(FACTS):
        return detail, {k: v for k, v in data.items() if k != FACTS}
    cause = legacy.case_cause(action, detail, data)
    found = data if cause is None else {**data, "cause": cause}
    return legacy.case_typed(action, detail, data), found


def operation_line(
    action: str, detail: str | None, data: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """Returns what a person typed on an operation's line ("" if nobody did) and its facts."""
    data, detail = data or {}, detail or ""
    if data.get(FACTS):
        return detail, {k: v for k, v in data.items() if k != FACTS}
    return legacy.operation_typed(action, detail, data), data
