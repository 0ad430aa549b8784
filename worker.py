"""The Temporal worker: the only place that registers workflows and activities."""

from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.case import ALL as CASE_ACTIVITIES
from activities.mail import ALL as MAIL_ACTIVITIES
from activities.operation import ALL as OPERATION_ACTIVITIES
from core.config import load_settings
from core.mail_payloads import MailerInput
from core.naming import MAILER_WORKFLOW_ID
from core.temporal import connect
from models.db import get_engine
from models.schema import init_db
from workflows.case import CaseWorkflow
from workflows.mailer import MailerWorkflow
from workflows.operation import OperationWorkflow
from workflows.operation_dept import OperationDepartmentWorkflow

WORKFLOWS = [CaseWorkflow, OperationWorkflow, OperationDepartmentWorkflow, MailerWorkflow]
ACTIVITIES = [*CASE_ACTIVITIES, *OPERATION_ACTIVITIES, *MAIL_ACTIVITIES]
# Payload dataclasses are plain data: passing them through keeps one datetime class on both sides
# of the sandbox, so the converter recognises it.
RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "core.payloads", "core.operation_payloads", "core.mail_payloads"
    )
)


def build_worker(
    client: Client, task_queue: str, executor: ThreadPoolExecutor, **options: Any
) -> Worker:
    """Returns a worker with every workflow and activity of Liandong (`options` for tests)."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=ACTIVITIES,
        activity_executor=executor,
        workflow_runner=RUNNER,
        # A crashed worker's cached cases move to a live worker after this, not the default 10 s:
        # an action sent meanwhile has a deadline (web/kit/temporal.py TAKE_WITHIN).
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=3),
        **options,
    )


async def start_mailer(client: Client, task_queue: str) -> None:
    """Starts the one mailer workflow unless it already runs (fixed id: idempotent)."""
    await client.start_workflow(
        MailerWorkflow.run,
        MailerInput(),
        id=MAILER_WORKFLOW_ID,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


async def main() -> None:
    """Connects to Temporal and runs the worker until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings()
    init_db(get_engine())
    client = await connect(settings)
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = build_worker(client, settings.task_queue, executor)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with worker:
            await start_mailer(client, settings.task_queue)
            print("worker started", flush=True)
            await stop.wait()
            # Leaving the block shuts the worker down gracefully: running activities finish.


if __name__ == "__main__":
    asyncio.run(main())
