"""The action catalogues walked through the workflows: every case and operation action × role ×
status is accepted exactly when the catalogue allows it, refused with the catalogue's code
otherwise, and a refused action changes nothing (workflow state, row version and timeline)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalogue_walk import (
    ACTORS,
    CASE_ITEMS,
    case_input,
    case_states,
    expected,
    gather_limited,
    start_prepared,
    terminate,
)
from operation_walk import (
    BY_KEY,
    OP_ITEMS,
    OP_STAFF,
    end_operations,
    op_expected,
    op_input,
    op_states,
    start_operation,
)
from sqlmodel import Session
from temporalio import workflow
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from workflow_helpers import now

from core import operation_payloads as o
from core import payloads as p
from core.refusals import KINDS
from models.case_store import get_case, timeline
from models.operation_store import get_operation
from models.operation_store import timeline as op_timeline
from workflows.case import CaseWorkflow
from workflows.case_actions import CASE_ACTIONS
from workflows.operation import OperationWorkflow
from workflows.operation_actions import OPERATION_ACTIONS


async def _answer(
    handle: WorkflowHandle, update: str, inp: Any, view: type = p.CaseView
) -> str | None:
    """Returns the refusal code of an update, or None when it was accepted."""
    try:
        await handle.execute_update(update, inp, result_type=view)
    except WorkflowUpdateFailedError as err:
        details = err.cause.details[0] if err.cause.details else {}  # type: ignore[union-attr]
        assert KINDS[details["code"]] == err.cause.type, details  # type: ignore[union-attr]
        return details["code"]
    return None


def _seen(engine: Any, number: str) -> tuple[int, int]:
    with Session(engine) as session:
        row = get_case(session=session, number=number)
        assert row is not None
        return row.version, len(timeline(session=session, number=number))


def test_the_catalogue_covers_every_update_of_the_case_workflow(engine):
    updates = workflow._Definition.must_from_class(CaseWorkflow).updates
    assert set(updates) == set(CASE_ACTIONS)
    assert {item.split(":")[0] for item in CASE_ITEMS} == set(CASE_ACTIONS)
    # A voided case takes no action at all (its workflow has ended).
    voided = case_states(datetime.now(UTC))["voided"]
    assert all(expected(item, actor, voided) for item in CASE_ITEMS for actor in ACTORS.values())


async def test_every_case_action_role_and_status_answers_as_the_catalogue_says(
    time_env, worker_queue, engine
):
    states = {k: v for k, v in case_states(await now(time_env)).items() if k != "voided"}
    client = time_env.client
    handles = dict(
        zip(
            states,
            await gather_limited(
                [lambda s=s: start_prepared(client, worker_queue, s) for s in states.values()]
            ),
            strict=True,
        )
    )
    started = list(handles.values())
    try:
        combos = [(n, i, a) for n in states for i in CASE_ITEMS for a in ACTORS]
        wanted = {c: expected(c[1], ACTORS[c[2]], states[c[0]]) for c in combos}
        refused = [c for c in combos if wanted[c] is not None]
        got = await gather_limited(
            [lambda c=c: _answer(handles[c[0]], *case_input(c[1], ACTORS[c[2]])) for c in refused]
        )
        wrong = [(c, wanted[c], g) for c, g in zip(refused, got, strict=True) if g != wanted[c]]
        assert not wrong, wrong[:10]
        # Nothing a refusal touched changed: the workflow's state, the row and its timeline.
        for name, handle in handles.items():
            state = await handle.query(CaseWorkflow.state)
            assert (state.version, state.seq, state.status) == (1, 1, states[name].status)
            assert _seen(engine, states[name].number) == (1, 1), name

        # Each allowed attempt on a case of its own in that status: accepted, and projected.
        allowed = [c for c in combos if wanted[c] is None]
        assert len(allowed) > 40  # the walk reaches every action somewhere

        async def accept(combo: tuple[str, str, str]) -> str | None:
            name, item, actor = combo
            fresh = case_states(await now(time_env))[name]
            handle = await start_prepared(client, worker_queue, fresh)
            started.append(handle)
            answer = await _answer(handle, *case_input(item, ACTORS[actor]))
            version, lines = _seen(engine, fresh.number)
            assert (version, lines > 1) == (2, True), combo
            return answer

        answers = await gather_limited([lambda c=c: accept(c) for c in allowed], limit=8)
        assert [(c, a) for c, a in zip(allowed, answers, strict=True) if a] == []
    finally:
        await terminate(started)


async def test_every_operation_action_role_and_status_answers_as_the_catalogue_says(
    time_env, worker_queue, engine
):
    client = time_env.client
    states = op_states(await now(time_env))
    handles = dict(
        zip(
            states,
            [await start_operation(client, worker_queue, s) for s in states.values()],
            strict=True,
        )
    )
    started = list(handles.values())
    try:
        combos = [(n, i, u) for n in states for i in OP_ITEMS for u in OP_STAFF]
        wanted = {c: op_expected(*c, states[c[0]]) for c in combos}
        refused = [c for c in combos if wanted[c] is not None]

        async def attempt(handle: WorkflowHandle, combo: tuple[str, str, str]) -> str | None:
            name, item, user = combo
            inp = op_input(item, OP_STAFF[user], states[name])
            return await _answer(handle, item, inp, o.OperationView)

        got = await gather_limited([lambda c=c: attempt(handles[c[0]], c) for c in refused])
        wrong = [(c, wanted[c], g) for c, g in zip(refused, got, strict=True) if g != wanted[c]]
        assert not wrong, wrong[:10]
        for (_name, item, _user), code in BY_KEY.items():
            assert code in OPERATION_ACTIONS[item].refusal_codes(), (item, code)
        for name, handle in handles.items():  # nothing a refusal touched changed
            state = await handle.query(OperationWorkflow.state)
            assert (state.version, state.seq) == (1, 1), name
            assert state.departments == states[name].departments, name
            with Session(engine) as session:
                row = get_operation(session=session, operation_id=state.operation_id)
                lines = op_timeline(session=session, operation_id=state.operation_id)
            assert (row and row.version, len(lines)) == (1, 1), name

        # Each allowed attempt, on an operation of its own in that status: accepted, projected.
        allowed = [c for c in combos if wanted[c] is None]
        assert len(allowed) > 20

        async def accept(combo: tuple[str, str, str]) -> str | None:
            fresh = op_states(await now(time_env))[combo[0]]
            handle = await start_operation(client, worker_queue, fresh)
            started.append(handle)
            states[combo[0]] = fresh
            answer = await attempt(handle, combo)
            with Session(engine) as session:
                row = get_operation(session=session, operation_id=fresh.operation_id)
            assert row is not None and row.version == 2, combo
            return answer

        answers = [await accept(c) for c in allowed]
        assert [(c, a) for c, a in zip(allowed, answers, strict=True) if a] == []
    finally:
        await end_operations(client, started)
