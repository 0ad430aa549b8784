"""A start and an update delivered in one first task (a retry after a worker crash): `created`
is still line 1, the update's line follows, and the reporter's registration mail is queued."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, select
from temporalio.client import WorkflowUpdateStage
from workflow_helpers import COORDINATOR

from core import payloads as p
from models.case_store import timeline
from models.outbox import OutboxMessage
from worker import build_worker
from workflows.case import CaseWorkflow


async def test_an_update_waiting_before_the_first_task_runs_after_created(time_env, engine):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    number = f"T-{uuid.uuid4().hex[:12]}"
    inp = p.CaseInput(
        number=number,
        category="manhole-cover",
        limit_amount=4,
        limit_unit="working_hours",
        description="井盖缺失",
        grid="hongqi-01",
        street="hongqi",
        address="红旗路1号",
        channel="hotline",
        created_by=COORDINATOR,
        reporter_email="reporter@example.com",
    )
    # No worker yet: the start and the update wait together for the first workflow task.
    handle = await time_env.client.start_workflow(
        CaseWorkflow.run, inp, id=f"case-{number}", task_queue=queue
    )
    register = asyncio.create_task(
        handle.start_update(
            "register",
            p.RegisterInput(actor=COORDINATOR),
            wait_for_stage=WorkflowUpdateStage.COMPLETED,
            result_type=p.CaseView,
        )
    )
    await asyncio.sleep(1.0)
    try:
        with ThreadPoolExecutor(max_workers=4) as executor:
            async with build_worker(time_env.client, queue, executor):
                update = await asyncio.wait_for(register, 30)
                view = await update.result()
        assert view.status == p.REGISTERED
        with Session(engine) as session:
            lines = timeline(session=session, number=number)
            mails = session.exec(
                select(OutboxMessage.kind).where(OutboxMessage.case_number == number)
            ).all()
        assert [(e.seq, e.action) for e in lines] == [(1, "created"), (2, "registered")]
        assert "case_registered" in mails
    finally:
        await handle.terminate("test over")
