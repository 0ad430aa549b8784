"""The assignment facts of a timeline stored before the facts form (words in `detail`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from history_lines import recorded_lines
from temporalio.client import WorkflowHistory

from core.assignment_facts import CaseHeader, assignments
from core.payloads import TimelineEntry

HISTORIES = Path(__file__).resolve().parent / "histories"


def test_the_stored_history_before_the_facts_form():
    raw = json.loads((HISTORIES / "full-case.json").read_text())
    lines = [
        TimelineEntry(
            seq=line["seq"],
            at=datetime.fromisoformat(line["at"]),
            actor=line["actor"],
            action=line["action"],
            detail=line["detail"],
            data=line["data"],
        )
        for line in recorded_lines(WorkflowHistory.from_json("case", raw))
    ]
    header = CaseHeader("2026-11-000001", "manhole-cover", "hongqi-01", "hongqi", None, "hotline")
    sz, sw = assignments(header, lines)
    assert (sz.department, sz.bounce_reason, sz.wrongful) == ("sz", "井盖属水务", False)
    assert sz.accepted_at is None and sz.ended_at == sz.bounced_at
    # Accepted a minute after its accept deadline; extended, parked a day, reworked, reopened.
    assert sw.accepted_on_time is False
    assert (sw.extensions, sw.reworks, sw.parks, sw.parked_seconds) == (1, 1, 1, 86400)
    assert sw.on_time is True and sw.late_reports == 0
    assert sw.closed_at == lines[-1].at and sw.reported_at == lines[20].at
    assert sw.closed_on_time is False, "accepted late: not every deadline met"
    assert sw.satisfaction == "basically_satisfied"
