"""The joint-operation workflow (联合执法 / 专项整治): one durable workflow per operation.

It holds the whole operation — each department's answer and totals, the sessions, findings and
session reports — and is the single entry point for every action. It starts one child per
department (workflows/operation_dept.py) that keeps that department's clocks and signals back
when a reminder or escalation comes due. Every action is an update with a validator; the handler
checks again under the lock, applies the change and waits until the projection has written it.
"""

from __future__ import annotations

import asyncio
import dataclasses

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from core import operation_payloads as o
from workflows import operation_rules as rules
from workflows.case_core import ACTIVITY
from workflows.operation_core import OperationCore, initial_state, summarize
from workflows.operation_dept import ALERT_SIGNAL

with workflow.unsafe.imports_passed_through():
    from activities import operation as acts

# The close reconciles findings with reports into the summary's final results.
RESULTS_PATCH = "operation-results-v1"


@workflow.defn(name="OperationWorkflow")
class OperationWorkflow(OperationCore):
    """Confirms, runs, reports and closes one joint operation across departments."""

    @workflow.init
    def __init__(self, inp: o.OperationInput) -> None:
        self._continued = inp.state is not None
        self.s = inp.state or initial_state(inp)
        self._lock = asyncio.Lock()
        self._wake = False
        self._ready = self._continued

    @workflow.run
    async def run(self, inp: o.OperationInput) -> o.OperationView:
        if not self._continued:
            rules.check_launch(inp)
            await self._launch(inp)
        while not self._finished():
            if workflow.info().is_continue_as_new_suggested() and not self._lock.locked():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(dataclasses.replace(inp, state=self.s))
            await self._sleep_until_next()
            await self._advance()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view()

    @workflow.query
    def state(self) -> o.OperationState:
        """Returns the workflow's own view of the operation."""
        return self.s

    @workflow.signal(name=ALERT_SIGNAL)
    async def duty_alert(self, alert: o.DutyAlert) -> None:
        """A department child reports a reminder or escalation that came due."""
        await workflow.wait_condition(lambda: self._ready)
        async with self._lock:
            if self._duty_alert(alert):
                await self._flush()

    # -- confirming: confirm, decline, rule on a decline ------------------------------------

    @workflow.update(name="confirm")
    async def confirm(self, inp: o.ConfirmInput) -> o.OperationView:
        return await self._act("confirm", inp, self._confirm)

    @confirm.validator
    def _check_confirm(self, inp: o.ConfirmInput) -> None:
        rules.check("confirm", self.s, inp, workflow.now())

    async def _confirm(self, inp: o.ConfirmInput) -> None:
        d = self._mine(inp.actor)
        now = workflow.now()
        d.status, d.people, d.vehicles, d.note = o.CONFIRMED, inp.people, inp.vehicles, inp.note
        d.responded_at, d.confirmed_on_time = now, now <= self.s.confirm_deadline
        await self._tell(d.code, "settle", o.SettleInput(key="confirm"))
        self._record(
            inp.actor,
            "confirmed",
            inp.note,
            department=d.code,
            people=inp.people,
            vehicles=inp.vehicles,
            on_time=d.confirmed_on_time,
        )

    @workflow.update(name="decline")
    async def decline(self, inp: o.DeclineInput) -> o.OperationView:
        return await self._act("decline", inp, self._decline)

    @decline.validator
    def _check_decline(self, inp: o.DeclineInput) -> None:
        rules.check("decline", self.s, inp, workflow.now())

    async def _decline(self, inp: o.DeclineInput) -> None:
        d = self._mine(inp.actor)
        d.status, d.decline_reason, d.responded_at = o.DECLINED, inp.reason, workflow.now()
        await self._tell(d.code, "settle", o.SettleInput(key="confirm"))
        self._record(inp.actor, "declined", inp.reason, department=d.code)

    @workflow.update(name="rule-decline")
    async def rule_decline(self, inp: o.RuleDeclineInput) -> o.OperationView:
        return await self._act("rule-decline", inp, self._rule_decline)

    @rule_decline.validator
    def _check_rule_decline(self, inp: o.RuleDeclineInput) -> None:
        rules.check("rule-decline", self.s, inp, workflow.now())

    async def _rule_decline(self, inp: o.RuleDeclineInput) -> None:
        d = self.s.department(inp.department)
        assert d is not None
        if inp.accept:
            d.status = o.WITHDRAWN
            await self._tell(d.code, "finish")
            self._record(
                inp.actor,
                "decline_accepted",
                inp.reason,
                department=d.code,
            )
            return
        d.status, d.overruled = o.INVITED, True
        await self._tell(d.code, "watch", self._confirm_duty())
        self._record(inp.actor, "decline_overruled", inp.reason, department=d.code)

    # -- sessions: findings, cases from findings, session reports ---------------------------

    @workflow.update(name="log-finding")
    async def log_finding(self, inp: o.FindingInput) -> o.OperationView:
        return await self._act("log-finding", inp, self._log_finding)

    @log_finding.validator
    def _check_log_finding(self, inp: o.FindingInput) -> None:
        rules.check("log-finding", self.s, inp, workflow.now())

    async def _log_finding(self, inp: o.FindingInput) -> None:
        d = self._mine(inp.actor)
        session = self.s.session(inp.session) or self.s.latest_started()
        assert session is not None
        number = len(self.s.findings) + 1
        self.s.findings.append(
            o.Finding(
                number=number,
                session=session.number,
                department=d.code,
                counts=inp.counts,
                note=inp.note or "",
                logged_by=inp.actor.username,
                at=workflow.now(),
            )
        )
        d.found = d.found.plus(inp.counts)
        self._touch("finding", number)
        self._record(
            inp.actor,
            "finding_logged",
            inp.note,
            department=d.code,
            session=session.number,
            finding=number,
            counts=inp.counts.as_dict(),
        )

    @workflow.update(name="spawn-case")
    async def spawn_case(self, inp: o.SpawnCaseInput) -> o.OperationView:
        return await self._act("spawn-case", inp, self._spawn_case)

    @spawn_case.validator
    def _check_spawn_case(self, inp: o.SpawnCaseInput) -> None:
        rules.check("spawn-case", self.s, inp, workflow.now())

    async def _spawn_case(self, inp: o.SpawnCaseInput) -> None:
        finding = self.s.finding(inp.finding)
        assert finding is not None
        req = o.SpawnCaseRequest(
            operation_id=self.s.operation_id,
            operation_title=self.s.title,
            finding=inp.finding,
            category=inp.category,
            grid=inp.grid,
            address=inp.address,
            description=inp.description,
            actor=inp.actor,
        )
        try:
            spawned = await workflow.execute_activity(acts.spawn_case, req, **ACTIVITY)
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.non_retryable:
                # An unknown category or grid: refuse like a validator, nothing changed.
                raise ApplicationError(
                    cause.message, *cause.details, type=cause.type, non_retryable=True
                ) from None
            raise
        finding.case_number, finding.case_department = spawned.number, spawned.department
        self._touch("finding", finding.number)
        self._record(
            inp.actor,
            "case_spawned",
            None,
            department=finding.department,
            finding=finding.number,
            case_number=spawned.number,
            case_department=spawned.department,
        )

    @workflow.update(name="report")
    async def report(self, inp: o.SessionReportInput) -> o.OperationView:
        return await self._act("report", inp, self._report)

    @report.validator
    def _check_report(self, inp: o.SessionReportInput) -> None:
        rules.check("report", self.s, inp, workflow.now())

    async def _report(self, inp: o.SessionReportInput) -> None:
        d = self._mine(inp.actor)
        report = self.s.report(inp.session, d.code)
        assert report is not None
        now = workflow.now()
        report.counts, report.note, report.filed_by = inp.counts, inp.note, inp.actor.username
        report.filed_at, report.on_time = now, now <= report.deadline
        d.reported = d.reported.plus(inp.counts)
        self._touch("report", inp.session, d.code)
        await self._tell(d.code, "settle", o.SettleInput(key=f"report-{inp.session}"))
        self._record(
            inp.actor,
            "report_filed",
            inp.note,
            department=d.code,
            session=inp.session,
            on_time=report.on_time,
            counts=inp.counts.as_dict(),
        )
        self._settle_status()

    # -- the end: close, cancel, postpone ----------------------------------------------------

    @workflow.update(name="close")
    async def close(self, inp: o.CloseInput) -> o.OperationView:
        return await self._act("close", inp, self._close)

    @close.validator
    def _check_close(self, inp: o.CloseInput) -> None:
        rules.check("close", self.s, inp, workflow.now())

    async def _close(self, inp: o.CloseInput) -> None:
        cases = await workflow.execute_activity(
            acts.read_spawned_cases, o.CaseLookup(operation_id=self.s.operation_id), **ACTIVITY
        )
        # The summary keeps the results as they stand now: the closed operation's final figures.
        results = workflow.patched(RESULTS_PATCH)
        summary = summarize(self.s, cases, inp.note, results=results)
        self.s.summary = summary
        self._end(o.CLOSED, inp.actor)
        await self._finish_departments()
        missing = [
            (x.department, x.reports_missing) for x in summary.departments if x.reports_missing
        ]
        self._record(
            inp.actor,
            "closed",
            inp.note,
            totals=summary.totals.as_dict(),
            results=summary.results.as_dict() if summary.results else None,
            cases=[c.number for c in cases],
            missing_reports=dict(missing) or None,
        )

    @workflow.update(name="cancel")
    async def cancel(self, inp: o.CancelInput) -> o.OperationView:
        return await self._act("cancel", inp, self._cancel)

    @cancel.validator
    def _check_cancel(self, inp: o.CancelInput) -> None:
        rules.check("cancel", self.s, inp, workflow.now())

    async def _cancel(self, inp: o.CancelInput) -> None:
        for session in self.s.sessions:
            if session.status in (o.SCHEDULED, o.RUNNING):
                session.status = o.CANCELLED
                self._touch("session", session.number)
        self.s.cancel_reason = inp.reason
        self._end(o.CANCELLED, inp.actor)
        await self._finish_departments()
        self._record(inp.actor, "cancelled", inp.reason)

    @workflow.update(name="postpone")
    async def postpone(self, inp: o.PostponeInput) -> o.OperationView:
        return await self._act("postpone", inp, self._postpone)

    @postpone.validator
    def _check_postpone(self, inp: o.PostponeInput) -> None:
        rules.check("postpone", self.s, inp, workflow.now())

    async def _postpone(self, inp: o.PostponeInput) -> None:
        assert inp.start is not None
        pending = [x for x in self.s.sessions if x.status == o.SCHEDULED]
        shift = inp.start - pending[0].start
        for session in pending:
            session.start, session.end = session.start + shift, session.end + shift
            self._touch("session", session.number)
        if self.s.status == o.CONFIRMING:
            # Before the first session the confirmation deadline moves along, and its clock
            # starts again for the departments that have not answered.
            self.s.confirm_deadline += shift
            await self._start_confirm_clock()
            for d in self.s.departments:
                if d.status == o.INVITED:
                    await self._tell(d.code, "watch", self._confirm_duty())
        self.s.postponed += 1
        self._record(
            inp.actor,
            "postponed",
            inp.reason,
            start=pending[0].start,
            shift_minutes=int(shift.total_seconds() // 60),
            confirm_deadline=self.s.confirm_deadline,
        )
