"""Replay: the workflow code must rebuild the same commands from recorded histories.

A change that would break cases already running (a new activity call, a reordered timer) fails
here; put it behind `workflow.patched(...)`. A stored history must also hand its projection the
very timeline lines it recorded (history_lines.py). To record a new history after a deliberate,
patched change, keeping the older ones as guards, run:

    LIANDONG_RECORD_HISTORIES=1 LIANDONG_HISTORY_NAME=full-case-vN \
        .venv/bin/pytest tests/workflows/test_replay.py -k record

Stored: full-case (before local activities), full-case-local-activities (before the timeline's
facts form), full-case-timeline-facts (timeline-facts-v1), full-case-created-first
(created-first-v1), full-case-rating-once (rating-once-v1, rule-scope-v1: the reporter's rating,
a ruling for the grid).
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest
from factories import kept_rules
from history_lines import LineCapture, has_marker, recorded_lines
from temporalio.client import WorkflowHistory
from temporalio.worker import Interceptor, Replayer
from workflow_helpers import COORDINATOR, INSPECTOR, SUPERVISOR, CaseDriver, liaison, local, now

from core import payloads as p
from core.timeline import FACTS, FACTS_PATCH
from workflows.case import CaseWorkflow
from workflows.case_core import ARCHIVE_AFTER

HISTORIES = Path(__file__).parent / "histories"
REPORTER = p.Actor(username="reporter", role="citizen")
RECORD = os.environ.get("LIANDONG_RECORD_HISTORIES") == "1"


def _replayer(*interceptors: Interceptor) -> Replayer:
    from worker import RUNNER

    return Replayer(
        workflows=[CaseWorkflow], workflow_runner=RUNNER, interceptors=list(interceptors)
    )


async def full_case(case: CaseDriver) -> None:
    """Drives one case through every kind of step: actions, clocks firing, a dispute and a
    ruling for its grid, park, rework, the reporter's ratings."""
    await case.register()
    await case.dispatch("sz")
    await case.bounce("井盖属水务", suggested="sw")
    await case.dispatch("gd")
    await case.bounce("不是供电设施")
    await case.act(
        CaseWorkflow.arbitrate,
        p.ArbitrateInput(
            actor=SUPERVISOR,
            department="sw",
            interim_department="hongqi",
            make_rule=True,
            rule_scope="grid",
        ),
    )
    await case.act(
        CaseWorkflow.interim_report,
        p.InterimReportInput(actor=liaison("hongqi"), note="已设围挡"),
    )
    await case.sleep_until(local(case.row().accept_deadline) + timedelta(minutes=1))
    await case.accept()
    await case.act(
        CaseWorkflow.request_extension,
        p.ExtensionRequestInput(
            actor=liaison("sw"), amount=1, unit="working_days", reason="需调运专用井盖"
        ),
    )
    await case.act(
        CaseWorkflow.decide_extension, p.ExtensionDecisionInput(actor=COORDINATOR, approve=True)
    )
    await case.act(CaseWorkflow.park, p.ParkInput(actor=SUPERVISOR, reason="待燃气停气"))
    await case.sleep_until(await now(case.env) + timedelta(days=1))
    await case.act(CaseWorkflow.unpark, p.ParkInput(actor=SUPERVISOR, reason="已停气"))
    await case.act(CaseWorkflow.urge, p.UrgeInput(actor=SUPERVISOR, note="请尽快处置"))
    await case.report()
    await case.verify(passed=False, note="井盖仍松动")
    await case.report("已重新固定")
    await case.act(CaseWorkflow.verify, p.VerifyInput(actor=INSPECTOR, passed=True))
    await case.act(
        CaseWorkflow.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied")
    )
    await case.act(
        CaseWorkflow.override,
        p.OverrideInput(actor=SUPERVISOR, action="reopen", reason="市民再次投诉"),
    )
    await case.report("再次处置")
    await case.verify(passed=True)
    await case.act(CaseWorkflow.rate, p.RateInput(actor=REPORTER, satisfaction="dissatisfied"))
    await case.act(
        CaseWorkflow.callback,
        p.CallbackInput(
            actor=COORDINATOR, satisfaction="dissatisfied", reopen=True, note="仍有异响"
        ),
    )
    await case.report("第三次处置")
    await case.verify(passed=True)
    await case.act(
        CaseWorkflow.rate, p.RateInput(actor=REPORTER, satisfaction="basically_satisfied")
    )
    assert case.row().status == "closed"


@pytest.fixture
def rules_kept(engine):
    """The full case writes a ruling: the list is put back afterwards."""
    with kept_rules(engine):
        yield


async def test_a_fresh_history_replays(new_case, rules_kept):
    case = await new_case()
    await full_case(case)
    history = await case.handle.fetch_history()
    assert len(history.events) > 50
    await _replayer().replay_workflow(history)


async def test_a_voided_case_replays_to_completion(new_case):
    case = await new_case()
    await case.act(CaseWorkflow.void, p.VoidInput(actor=COORDINATOR, reason="重复上报"))
    await case.handle.result()
    await _replayer().replay_workflow(await case.handle.fetch_history())


def _stored() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


def test_stored_histories_exist():
    assert _stored(), f"no recorded history under {HISTORIES}"


@pytest.mark.parametrize("path", _stored(), ids=lambda path: path.stem)
async def test_stored_history_replays(path: Path):
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(f"case-{path.stem}", text)
    result = await _replayer().replay_workflow(history)
    assert result.replay_failure is None


@pytest.mark.parametrize("path", _stored(), ids=lambda path: path.stem)
async def test_stored_history_writes_the_lines_it_recorded(path: Path):
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(f"case-{path.stem}", text)
    capture = LineCapture()
    result = await _replayer(capture).replay_workflow(history)
    assert result.replay_failure is None and capture.lines
    # Each history keeps the form it was written in: words in `detail` before the patch, facts
    # (and only what a person typed in `detail`) after it.
    facts_form = has_marker(history, FACTS_PATCH)
    assert {line["data"].get(FACTS) == 1 for line in capture.lines} == {facts_form}
    recorded = recorded_lines(history)  # empty where the projection ran as a local activity
    assert not recorded or capture.lines == recorded


@pytest.mark.skipif(not RECORD, reason="set LIANDONG_RECORD_HISTORIES=1 to record")
async def test_record_full_case_history(new_case, rules_kept):
    case = await new_case()
    await full_case(case)
    # Let the closed case run out its reopening window, so the history ends with completion.
    await case.sleep_until(await now(case.env) + ARCHIVE_AFTER + timedelta(minutes=1))
    assert (await case.handle.result()).status == "closed"
    history = await case.handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    # A new name per workflow version keeps the older histories as replay guards.
    name = os.environ.get("LIANDONG_HISTORY_NAME", "full-case")
    (HISTORIES / f"{name}.json").write_text(history.to_json())
