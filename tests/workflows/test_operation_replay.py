"""Replay: the operation and department workflows rebuild the same commands from their histories.

A stored history must also hand its projection the very timeline lines it recorded
(history_lines.py). To record new histories after a deliberate, patched change, keeping the older
ones as guards, run:

    LIANDONG_RECORD_HISTORIES=1 LIANDONG_HISTORY_VERSION=-vN \
        .venv/bin/pytest tests/workflows/test_operation_replay.py -k record

Stored: full-operation and department-sj (before the timeline's facts form), their
-timeline-facts twins (timeline-facts-v1), and -results (operation-results-v1: the close keeps
the findings and reports reconciled; the launch names a category).
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest
from history_lines import LineCapture, has_marker, recorded_lines
from operation_driver import OperationDriver, evening, operations
from temporalio.client import WorkflowHistory
from temporalio.worker import Interceptor, Replayer
from workflow_helpers import COORDINATOR, liaison, now

from core import operation_payloads as o
from core.timeline import FACTS, FACTS_PATCH
from workflows.operation import OperationWorkflow as Op
from workflows.operation_core import LINGER
from workflows.operation_dept import OperationDepartmentWorkflow

HISTORIES = Path(__file__).parent / "histories" / "operation"
RECORD = os.environ.get("LIANDONG_RECORD_HISTORIES") == "1"


def _replayer(*interceptors: Interceptor) -> Replayer:
    from worker import RUNNER

    return Replayer(
        workflows=[Op, OperationDepartmentWorkflow],
        workflow_runner=RUNNER,
        interceptors=list(interceptors),
    )


@pytest.fixture
async def launch(time_env, worker_queue, engine):
    async with operations(time_env, worker_queue, engine) as start:
        yield start


async def full_operation(launch, env) -> OperationDriver:
    """Drives one operation through every kind of step: answers, clocks, a case, a close."""
    t0 = await now(env)
    deadline = t0 + timedelta(days=2)
    nights = [evening(t0 + timedelta(days=3)), evening(t0 + timedelta(days=4))]
    op = await launch(nights, deadline, cooperating=("ga", "sj"), category="open-air-bbq")
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("cg"), people=6, vehicles=2))
    await op.act(Op.decline, o.DeclineInput(actor=liaison("ga"), reason="警力不足"))
    await op.act(
        Op.rule_decline, o.RuleDeclineInput(actor=COORDINATOR, department="ga", reason="须维持秩序")
    )
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("ga"), people=3))
    await op.act(
        Op.postpone,
        o.PostponeInput(
            actor=COORDINATOR, reason="会商改期", start=nights[0].start + timedelta(hours=1)
        ),
    )
    await op.sleep_until(deadline + timedelta(hours=1, minutes=1))
    await op.eventually(lambda: bool(op.lines("escalated", "sj")), "sj escalated")
    await op.act(Op.confirm, o.ConfirmInput(actor=liaison("sj"), people=2))
    await op.sleep_until(nights[0].start + timedelta(hours=1, minutes=1))
    await op.act(
        Op.log_finding,
        o.FindingInput(actor=liaison("cg"), counts=o.Counts(stalls_cleared=2), note="烧烤"),
    )
    await op.act(
        Op.spawn_case,
        o.SpawnCaseInput(
            actor=liaison("cg"),
            finding=1,
            category="open-air-bbq",
            grid="hongqi-01",
            address="红旗镇",
            description="露天烧烤",
        ),
    )
    for night in nights:
        await op.sleep_until(night.end + timedelta(hours=1, minutes=1))
        for code in ("cg", "ga"):
            session = (await op.state()).latest_started().number
            await op.act(
                Op.report,
                o.SessionReportInput(
                    actor=liaison(code), session=session, counts=o.Counts(warnings=1)
                ),
            )
    await op.sleep_until(await now(env) + timedelta(days=3))
    await op.eventually(lambda: bool(op.lines("overdue", "sj")), "sj overdue")
    await op.act(Op.close, o.CloseInput(actor=COORDINATOR))
    return op


async def test_a_fresh_history_replays(launch, time_env):
    op = await full_operation(launch, time_env)
    history = await op.handle.fetch_history()
    assert len(history.events) > 100
    await _replayer().replay_workflow(history)
    child = time_env.client.get_workflow_handle(f"operation-{op.operation_id}-sj")
    await _replayer().replay_workflow(await child.fetch_history())


def _stored() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


def test_stored_histories_exist():
    assert _stored(), f"no recorded history under {HISTORIES}"


@pytest.mark.parametrize("path", _stored(), ids=lambda path: path.stem)
async def test_stored_history_replays(path: Path):
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(path.stem, text)
    result = await _replayer().replay_workflow(history)
    assert result.replay_failure is None


@pytest.mark.parametrize(
    "path", [x for x in _stored() if x.stem.startswith("full-")], ids=lambda path: path.stem
)
async def test_stored_history_writes_the_lines_it_recorded(path: Path):
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(path.stem, text)
    capture = LineCapture()
    result = await _replayer(capture).replay_workflow(history)
    assert result.replay_failure is None and capture.lines
    facts_form = has_marker(history, FACTS_PATCH)
    assert {line["data"].get(FACTS) == 1 for line in capture.lines} == {facts_form}
    assert capture.lines == recorded_lines(history)


@pytest.mark.skipif(not RECORD, reason="set LIANDONG_RECORD_HISTORIES=1 to record")
async def test_record_full_operation_history(launch, time_env):
    op = await full_operation(launch, time_env)
    await op.sleep_until(await now(time_env) + LINGER + timedelta(minutes=1))
    assert (await op.handle.result()).status == "closed"
    HISTORIES.mkdir(parents=True, exist_ok=True)
    child = time_env.client.get_workflow_handle(f"operation-{op.operation_id}-sj")
    # A new suffix per workflow version keeps the older histories as replay guards.
    version = os.environ.get("LIANDONG_HISTORY_VERSION", "")
    for name, handle in (("full-operation", op.handle), ("department-sj", child)):
        history = await handle.fetch_history()
        (HISTORIES / f"{name}{version}.json").write_text(history.to_json())
