"""The mailer: one long-running workflow that delivers the outbox and the supervisors' digests.

It sleeps until the earliest of: the poll interval (new rows), the next retry of a deferred
message, or 08:30 of the next working day (the digest); each wake runs activities that do the
work. It never fails on a failed activity: mail waits in the outbox, the next wake tries again.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from core import mail_payloads as m

with workflow.unsafe.imports_passed_through():
    from activities import mail as acts

SHORT_TIMEOUT = timedelta(seconds=30)
SHORT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=5,
)
# Shorter than the outbox lease (5 minutes), so a timed-out attempt's claims outlive it.
DELIVERY_TIMEOUT = timedelta(minutes=2)
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=1), maximum_attempts=3
)
MIN_NAP = timedelta(seconds=5)
WAKES_PER_RUN = 500


@workflow.defn(name="MailerWorkflow")
class MailerWorkflow:
    """Delivers the outbox and, once a working day, the supervisors' digests."""

    @workflow.init
    def __init__(self, inp: m.MailerInput) -> None:
        self.s = inp.state or m.MailerState()
        self._kicked = False

    @workflow.run
    async def run(self, inp: m.MailerInput) -> None:
        poll = timedelta(seconds=inp.poll_seconds)
        for _ in range(WAKES_PER_RUN):
            await self._digest_if_due()
            report = await self._deliver()
            if report is not None and report.more:
                continue
            await self._nap(poll, report)
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(m.MailerInput(poll_seconds=inp.poll_seconds, state=self.s))

    @workflow.signal
    def kick(self) -> None:
        """Delivers at once (the admin asked to retry a message)."""
        self._kicked = True

    @workflow.query
    def state(self) -> m.MailerState:
        """Returns when the next digest goes out."""
        return self.s

    async def _digest_if_due(self) -> None:
        now = workflow.now()
        try:
            if self.s.next_digest_at is None:
                self.s.next_digest_at = await workflow.execute_activity(
                    acts.next_digest_time,
                    m.DigestTimeRequest(after=now),
                    start_to_close_timeout=SHORT_TIMEOUT,
                    retry_policy=SHORT_RETRY,
                )
            if now >= self.s.next_digest_at:
                await workflow.execute_activity(
                    acts.compose_digests,
                    m.DigestRequest(now=now),
                    start_to_close_timeout=SHORT_TIMEOUT,
                    retry_policy=SHORT_RETRY,
                )
                self.s.next_digest_at = await workflow.execute_activity(
                    acts.next_digest_time,
                    m.DigestTimeRequest(after=now),
                    start_to_close_timeout=SHORT_TIMEOUT,
                    retry_policy=SHORT_RETRY,
                )
        except ActivityError:
            workflow.logger.warning("digest step failed; trying again at the next wake")

    async def _deliver(self) -> m.DeliveryReport | None:
        try:
            return await workflow.execute_activity(
                acts.deliver_outbox,
                m.DeliverRequest(now=workflow.now()),
                start_to_close_timeout=DELIVERY_TIMEOUT,
                retry_policy=DELIVERY_RETRY,
            )
        except ActivityError:
            workflow.logger.warning("delivery failed; the outbox keeps the mail for the next wake")
            return None

    async def _nap(self, poll: timedelta, report: m.DeliveryReport | None) -> None:
        now = workflow.now()
        wake = [now + poll]
        if self.s.next_digest_at is not None:
            wake.append(self.s.next_digest_at)
        if report is not None and report.next_due is not None:
            wake.append(report.next_due)
        timeout = max(min(wake) - now, MIN_NAP)
        try:
            await workflow.wait_condition(lambda: self._kicked, timeout=timeout)
        except TimeoutError:
            pass
        self._kicked = False
