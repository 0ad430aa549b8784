"""A retried spawn activity creates one case, not two, and leaves it dispatched once."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment
from workflow_helpers import liaison

from activities.operation import spawn_case
from core import operation_payloads as o
from models import operation_store as store
from models.case import Case, CaseEvent
from models.db import session_scope

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _finding(operation_id: str) -> None:
    state = o.OperationState(
        operation_id=operation_id,
        title="夜间整治",
        goal="",
        area=["hongqi"],
        lead="cg",
        launched_by="coordinator",
        launched_at=T0,
        confirm_deadline=T0,
        report_within=4,
        report_unit="working_hours",
        departments=[o.DepartmentState(code="cg", role=o.LEAD)],
        sessions=[o.Session(number=1, start=T0, end=T0 + timedelta(hours=3))],
        version=1,
        findings=[
            o.Finding(
                number=1,
                session=1,
                department="cg",
                counts=o.Counts(),
                note="烧烤摊",
                logged_by="liaison-cg",
                at=T0,
            )
        ],
    )
    projection = o.OperationProjection(
        state=state, events=[], first_start=T0, last_end=T0, sessions_total=1, sessions_ended=0
    )
    with session_scope() as session:
        store.apply_projection(session=session, projection=projection)


@pytest.fixture
async def activity_env(time_env, worker_queue):
    env = ActivityEnvironment(client=time_env.client)
    env.info = dataclasses.replace(env.info, task_queue=worker_queue)
    numbers: list[str] = []
    yield env, numbers
    for number in numbers:
        try:
            await time_env.client.get_workflow_handle(f"case-{number}").terminate("test finished")
        except RPCError:
            pass


async def test_retried_spawn_creates_one_case(activity_env, engine):
    env, numbers = activity_env
    operation_id = f"S-{uuid.uuid4().hex[:10]}"
    _finding(operation_id)
    req = o.SpawnCaseRequest(
        operation_id=operation_id,
        operation_title="夜间整治",
        finding=1,
        category="street-vending",
        grid="hongqi-04",
        address="红旗镇金湾路 3 号",
        description="占道经营水果摊",
        actor=liaison("cg"),
    )
    first = await env.run(spawn_case, req)
    numbers.append(first.number)
    again = await env.run(spawn_case, req)
    assert again == first == o.SpawnedCase(number=first.number, department="cg")

    with Session(engine) as session:
        case = session.get(Case, first.number)
        actions = session.exec(
            select(CaseEvent.action)
            .where(CaseEvent.case_number == first.number)
            .order_by(CaseEvent.seq)
        ).all()
    assert (case.status, case.department, case.street) == ("dispatched", "cg", "hongqi")
    assert list(actions) == ["created", "registered", "dispatched"]
