"""The Temporal worker: the only place that registers workflows and activities."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.case import ALL as CASE_ACTIVITIES
from activities.mail import ALL as MAIL_ACTIVITIES
from activities.operation import ALL as OPERATION_ACTIVITIES
from activities.publication import ALL as PUBLICATION_ACTIVITIES
from core.config import load_settings
from core.mail_payloads import MailerInput
from core.naming import MAILER_WORKFLOW_ID, PUBLICATION_SCHEDULE_ID
from core.publication_payloads import PublicationCheckInput
from core.temporal import connect
from models.db import get_engine
from models.schema import init_db
from workflows.case import CaseWorkflow
from workflows.mailer import MailerWorkflow
from workflows.operation import OperationWorkflow
from workflows.operation_dept import OperationDepartmentWorkflow
from workflows.publication import PublicationCheckWorkflow, PublishMonthWorkflow

WORKFLOWS = [
    CaseWorkflow,
    OperationWorkflow,
    OperationDepartmentWorkflow,
    MailerWorkflow,
    PublicationCheckWorkflow,
    PublishMonthWorkflow,
]
ACTIVITIES = [
    *CASE_ACTIVITIES,
    *OPERATION_ACTIVITIES,
    *MAIL_ACTIVITIES,
    *PUBLICATION_ACTIVITIES,
]
# Payload dataclasses are plain data: passing them through keeps one datetime class on both sides
# of the sandbox, so the converter recognises it.
RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "core.payloads",
        "core.operation_payloads",
        "core.mail_payloads",
        "core.publication_payloads",
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


def publication_schedule(task_queue: str) -> Schedule:
    """Returns the monthly report's schedule: 09:00 Beijing time on days 1–12 of every month.

    The first working day can come as late as about the 8th (after National Day or the Spring
    Festival); each firing's workflow publishes last month's report once that day has come. A
    firing missed while Temporal was down runs when it is back within a day, and the next day's
    firing makes up anything older; SKIP: never two checks at once.
    """
    return Schedule(
        action=ScheduleActionStartWorkflow(
            PublicationCheckWorkflow.run,
            PublicationCheckInput(),
            id=f"{PUBLICATION_SCHEDULE_ID}-check",
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    second=[ScheduleRange(0)],
                    minute=[ScheduleRange(0)],
                    hour=[ScheduleRange(9)],
                    day_of_month=[ScheduleRange(1, 12)],
                    comment="月通报: 09:00 on days 1-12; published on the first working day",
                )
            ],
            time_zone_name="Asia/Shanghai",
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
    )


async def ensure_publication_schedule(client: Client, task_queue: str) -> None:
    """Creates the publication schedule, or brings an existing one up to date (keeping whether
    an operator paused it): idempotent, run at every worker start."""
    schedule = publication_schedule(task_queue)
    try:
        await client.create_schedule(PUBLICATION_SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:

        def keep_state(update: ScheduleUpdateInput) -> ScheduleUpdate:
            state = update.description.schedule.state
            return ScheduleUpdate(schedule=dataclasses.replace(schedule, state=state))

        await client.get_schedule_handle(PUBLICATION_SCHEDULE_ID).update(keep_state)


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
            await ensure_publication_schedule(client, settings.task_queue)
            print("worker started", flush=True)
            await stop.wait()
            # Leaving the block shuts the worker down gracefully: running activities finish.


if __name__ == "__main__":
    asyncio.run(main())
