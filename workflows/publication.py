"""The monthly report's publication (月通报发布): the schedule's check and one month's publication.

The Temporal Schedule `evaluation-publication` (worker.py) starts `PublicationCheckWorkflow` at
09:00 Beijing time on days 1–12 of every month. It asks the working calendar whether the month's
first working day has come (after National Day it can be the 8th) and, if so and the month before
is not published yet, starts that month's publication as a child with the fixed id
`evaluation-publish-<month>`: a second start for the month is refused by Temporal while that
workflow runs or has completed, and the row and mail it writes are unique in the database even
when the id can be used again. A firing missed while the service was down is made up by the next
one (the schedule's catch-up window, or the next day's firing).

`PublishMonthWorkflow` also carries a supervisor's republication (version 2, 3 ..., with who and
why), started by the web with the id `evaluation-publish-<month>-v<version>`.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from core import publication_payloads as pp
from core.naming import publication_workflow_id

with workflow.unsafe.imports_passed_through():
    from activities import publication as acts

CHECK_TIMEOUT = timedelta(seconds=30)
CHECK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=20,
)
# The figures of every dimension of a large district take a while; an outage of the database
# only delays the publication (no attempt limit: it is published once the database is back).
# The activity beats after each dimension (one takes under 2 s at a million cases): an attempt
# lost with its worker is retried after PUBLISH_HEARTBEAT, not after the whole timeout. An
# attempt that only stalls (a long wait for the database) is harmless when retried beside it:
# the unique row lets one commit.
PUBLISH_TIMEOUT = timedelta(minutes=10)
PUBLISH_HEARTBEAT = timedelta(seconds=20)
PUBLISH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5)
)


@workflow.defn(name="PublishMonthWorkflow")
class PublishMonthWorkflow:
    """Publishes one month's report as one version: the figures, the row, the heads' mail."""

    @workflow.run
    async def run(self, inp: pp.PublishInput) -> pp.PublishResult:
        req = pp.PublishRequest(
            month=inp.month,
            version=inp.version,
            trigger=inp.trigger,
            # The publish instant: this run's start, the same for every attempt of the activity.
            at=workflow.now(),
            workflow_id=workflow.info().workflow_id,
            by=inp.by,
            reason=inp.reason,
        )
        return await workflow.execute_activity(
            acts.publish_month,
            req,
            start_to_close_timeout=PUBLISH_TIMEOUT,
            heartbeat_timeout=PUBLISH_HEARTBEAT,
            retry_policy=PUBLISH_RETRY,
        )


@workflow.defn(name="PublicationCheckWorkflow")
class PublicationCheckWorkflow:
    """One firing of the schedule: publishes last month's report once its day has come."""

    @workflow.run
    async def run(self, inp: pp.PublicationCheckInput) -> pp.PublicationCheckResult:
        day = await workflow.execute_activity(
            acts.check_publication_day,
            pp.PublicationDayRequest(now=workflow.now(), today=inp.today),
            start_to_close_timeout=CHECK_TIMEOUT,
            retry_policy=CHECK_RETRY,
        )
        if not day.due:
            return pp.PublicationCheckResult(day.today, day.month, pp.NOT_DUE)
        if day.published:
            return pp.PublicationCheckResult(day.today, day.month, pp.ALREADY)
        try:
            child = await workflow.start_child_workflow(
                PublishMonthWorkflow.run,
                pp.PublishInput(month=day.month),
                id=publication_workflow_id(day.month),
                # A publication that failed or was terminated may run again; one that completed
                # (or runs) may not.
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            )
        except WorkflowAlreadyStartedError:
            return pp.PublicationCheckResult(day.today, day.month, pp.ALREADY)
        await child
        return pp.PublicationCheckResult(day.today, day.month, pp.PUBLISHED)
