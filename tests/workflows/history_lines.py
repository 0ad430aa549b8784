"""The timeline lines a stored history handed to its projection, and those its replay builds.

A replay only checks the commands (activities, timers, markers), not what an activity is given;
these helpers compare the timeline lines too, so that a history recorded before a patched change
is shown to write the very lines it wrote then.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import (
    Interceptor,
    StartActivityInput,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

PROJECTIONS = ("project_case", "project_operation")
_CONVERTER = DataConverter.default.payload_converter


def _lines(projection: Any) -> list[dict[str, Any]]:
    """Returns a projection's timeline lines as plain JSON (as a history stores them)."""
    [plain] = _CONVERTER.from_payloads(_CONVERTER.to_payloads([projection]))
    return plain["events"]


def recorded_lines(history: WorkflowHistory) -> list[dict[str, Any]]:
    """Returns the lines the history gave its projection activity (none when run locally)."""
    out: list[dict[str, Any]] = []
    for event in history.events:
        attrs = event.activity_task_scheduled_event_attributes
        if event.HasField("activity_task_scheduled_event_attributes") and (
            attrs.activity_type.name in PROJECTIONS
        ):
            [projection] = _CONVERTER.from_payloads(list(attrs.input.payloads))
            out += projection["events"]
    return out


def has_marker(history: WorkflowHistory, patch: str) -> bool:
    """Tells whether the history went through the patch `patch`."""
    for event in history.events:
        marker = event.marker_recorded_event_attributes
        if event.HasField("marker_recorded_event_attributes") and "patch-data" in marker.details:
            [data] = _CONVERTER.from_payloads(list(marker.details["patch-data"].payloads))
            if data["id"] == patch:
                return True
    return False


class LineCapture(Interceptor):
    """Keeps the timeline lines the workflow hands to its projection, on a run or a replay."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        capture = self

        class _Outbound(WorkflowOutboundInterceptor):
            def start_activity(self, input: StartActivityInput):  # type: ignore[override]
                capture.keep(input.activity, input.args)
                return super().start_activity(input)

            def start_local_activity(self, input: StartLocalActivityInput):  # type: ignore[override]
                capture.keep(input.activity, input.args)
                return super().start_local_activity(input)

        class _Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(_Outbound(outbound))

        return _Inbound

    def keep(self, activity: str, args: Any) -> None:
        """Keeps the lines of a projection call."""
        if activity in PROJECTIONS:
            self.lines += _lines(args[0])
