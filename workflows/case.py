"""The case workflow: one durable workflow per case owns its whole closed loop (七步闭环).

Every action is an update whose validator refuses a wrong role, department, state or a missing
reason before anything enters history; the handler checks again under the lock, applies the
change, and waits until the projection has written it.
"""

from __future__ import annotations

import asyncio
import dataclasses

from temporalio import workflow

from core import payloads as p
from workflows import rules
from workflows.case_core import CaseCore

with workflow.unsafe.imports_passed_through():
    from activities import case as acts


CREATED_FIRST = "created-first-v1"
# The reporter rates a result once (a later rating no longer overwrites the first).
RATING_ONCE = "rating-once-v1"
# A ruling is written for the grid, community or street the supervisor chose, and its line
# names the rule it wrote; older histories wrote it for the street.
RULE_SCOPE = "rule-scope-v1"


@workflow.defn(name="CaseWorkflow")
class CaseWorkflow(CaseCore):
    """Registers, dispatches, times, escalates and closes one case."""

    @workflow.init
    def __init__(self, inp: p.CaseInput) -> None:
        report = {f.name: getattr(inp, f.name) for f in dataclasses.fields(p.CaseReport)}
        self.s = inp.state or p.CaseState(**report, created_at=workflow.now())
        self._created_by = inp.created_by
        self._origin = {"operation": inp.operation_id, "finding": inp.finding}
        self._continued = inp.state is not None
        self._lock = asyncio.Lock()
        self._wake = False
        # `created` is line 1 before any update can run: a task retried after a worker crash
        # delivers the start and a waiting update together, and the update runs first.
        self._created_first = not self._continued and workflow.patched(CREATED_FIRST)
        if self._created_first:
            self._record_created()

    def _record_created(self) -> None:
        self._record(
            self._created_by,
            "created",
            None,
            channel=self.s.channel,
            category=self.s.category,
            grid=self.s.grid,
            **self._origin,
        )

    @workflow.run
    async def run(self, inp: p.CaseInput) -> p.CaseView:
        if not self._continued:
            async with self._lock:
                if not self._created_first:
                    self._record_created()
                if self.s.unprojected:  # an update that ran first has written it already
                    await self._flush()
        while not self._finished():
            if workflow.info().is_continue_as_new_suggested() and not self._lock.locked():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(dataclasses.replace(inp, state=self.s))
            await self._sleep_until_next()
            await self._fire_due_steps()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view()

    @workflow.query
    def state(self) -> p.CaseState:
        """Returns the workflow's own view of the case."""
        return self.s

    # -- intake ------------------------------------------------------------------------------

    @workflow.update(name="register")
    async def register(self, inp: p.RegisterInput) -> p.CaseView:
        return await self._act("register", inp, self._register)

    @register.validator
    def _check_register(self, inp: p.RegisterInput) -> None:
        rules.check("register", self.s, inp)

    async def _register(self, inp: p.RegisterInput) -> None:
        self.s.status = p.REGISTERED
        self._record(inp.actor, "registered", inp.note)

    @workflow.update(name="void")
    async def void(self, inp: p.VoidInput) -> p.CaseView:
        return await self._act("void", inp, self._void)

    @void.validator
    def _check_void(self, inp: p.VoidInput) -> None:
        rules.check("void", self.s, inp)

    async def _void(self, inp: p.VoidInput) -> None:
        self.s.status = p.VOIDED
        self._set_clock(None)
        self._record(inp.actor, "voided", inp.reason)

    # -- dispatch, accept, bounce, arbitrate ----------------------------------------------------

    @workflow.update(name="dispatch")
    async def dispatch(self, inp: p.DispatchInput) -> p.CaseView:
        return await self._act("dispatch", inp, self._dispatch)

    @dispatch.validator
    def _check_dispatch(self, inp: p.DispatchInput) -> None:
        rules.check("dispatch", self.s, inp)

    async def _dispatch(self, inp: p.DispatchInput) -> None:
        await self._dispatch_to(inp.actor, inp.department, inp.note)

    @workflow.update(name="accept")
    async def accept(self, inp: p.AcceptInput) -> p.CaseView:
        return await self._act("accept", inp, self._accept)

    @accept.validator
    def _check_accept(self, inp: p.AcceptInput) -> None:
        rules.check("accept", self.s, inp)

    async def _accept(self, inp: p.AcceptInput) -> None:
        self.s.status = p.IN_PROGRESS
        self.s.accepted_at = workflow.now()
        await self._start_clock("handle", self.s.limit_amount, self.s.limit_unit)
        self._record(
            inp.actor,
            "accepted",
            inp.note,
            department=self.s.department,
            deadline=self.s.deadline,
        )

    @workflow.update(name="bounce")
    async def bounce(self, inp: p.BounceInput) -> p.CaseView:
        return await self._act("bounce", inp, self._bounce)

    @bounce.validator
    def _check_bounce(self, inp: p.BounceInput) -> None:
        rules.check("bounce", self.s, inp)

    async def _bounce(self, inp: p.BounceInput) -> None:
        department = self.s.department or ""
        self.s.bounces += 1
        self.s.bounce_history.append(
            p.Bounce(
                department=department,
                reason=inp.reason,
                suggested_department=inp.suggested_department,
                at=workflow.now(),
            )
        )
        self.s.department = None
        self._set_clock(None)
        self._record(
            inp.actor,
            "bounced",
            inp.reason,
            department=department,
            suggested_department=inp.suggested_department,
            bounces=self.s.bounces,
        )
        if self.s.bounces >= 2:
            self.s.status = p.DISPUTED
            self._record(
                p.SYSTEM,
                "disputed",
                None,
                departments=[b.department for b in self.s.bounce_history],
                bounces=self.s.bounces,
            )
        else:
            self.s.status = p.BOUNCED

    @workflow.update(name="arbitrate")
    async def arbitrate(self, inp: p.ArbitrateInput) -> p.CaseView:
        return await self._act("arbitrate", inp, self._arbitrate)

    @arbitrate.validator
    def _check_arbitrate(self, inp: p.ArbitrateInput) -> None:
        rules.check("arbitrate", self.s, inp)

    async def _arbitrate(self, inp: p.ArbitrateInput) -> None:
        rule: dict[str, object] = {}
        if inp.make_rule:
            rule = await self._write_rule(inp)
        self._record(
            inp.actor,
            "arbitrated",
            inp.note,
            department=inp.department,
            interim_department=inp.interim_department,
            make_rule=inp.make_rule,
            street=self.s.street,
            category=self.s.category,
            **rule,
        )
        if inp.interim_department:
            self.s.interim_department = inp.interim_department
            self.s.interim_done = False  # a new make-safe task, whoever did the last one
            self._record(
                inp.actor,
                "interim_assigned",
                None,
                department=inp.interim_department,
            )
        await self._dispatch_to(inp.actor, inp.department, None, cause="arbitrate")

    async def _write_rule(self, inp: p.ArbitrateInput) -> dict[str, object]:
        """Writes the ruling into the responsibility list; returns the facts its line names."""
        ruling = p.RuleInput(
            category=self.s.category,
            street=self.s.street,
            department=inp.department,
            decided_by=inp.actor.username,
            case_number=self.s.number,
        )
        if not workflow.patched(RULE_SCOPE):
            await self._call(acts.write_rule, ruling)
            return {}
        ruling.scope = inp.rule_scope or "street"
        ruling.grid = self.s.grid
        ruling.line = self.s.seq + 1  # the arbitrated line, recorded next
        ruling.decided_at = workflow.now()
        rule_id = await self._call(acts.write_rule, ruling)
        return {"rule_id": rule_id, "rule_scope": ruling.scope}

    # -- handling: extension, report, verify, callback ------------------------------------------

    @workflow.update(name="request-extension")
    async def request_extension(self, inp: p.ExtensionRequestInput) -> p.CaseView:
        return await self._act("request-extension", inp, self._request_extension)

    @request_extension.validator
    def _check_request_extension(self, inp: p.ExtensionRequestInput) -> None:
        rules.check("request-extension", self.s, inp)

    async def _request_extension(self, inp: p.ExtensionRequestInput) -> None:
        self.s.extension = p.PendingExtension(
            amount=inp.amount,
            unit=inp.unit,
            reason=inp.reason,
            requested_by=inp.actor.username,
            requested_at=workflow.now(),
        )
        self._record(inp.actor, "extension_requested", inp.reason, amount=inp.amount, unit=inp.unit)

    @workflow.update(name="decide-extension")
    async def decide_extension(self, inp: p.ExtensionDecisionInput) -> p.CaseView:
        return await self._act("decide-extension", inp, self._decide_extension)

    @decide_extension.validator
    def _check_decide_extension(self, inp: p.ExtensionDecisionInput) -> None:
        rules.check("decide-extension", self.s, inp)

    async def _decide_extension(self, inp: p.ExtensionDecisionInput) -> None:
        ext = self.s.extension
        assert ext is not None
        self.s.extension = None
        if not inp.approve:
            self._record(inp.actor, "extension_denied", inp.note)
            return
        await self._extend_clock(ext.amount, ext.unit)
        self.s.extensions += 1
        self._record(
            inp.actor,
            "extension_approved",
            inp.note,
            amount=ext.amount,
            unit=ext.unit,
            deadline=self.s.deadline,
        )

    @workflow.update(name="report")
    async def report(self, inp: p.ReportInput) -> p.CaseView:
        return await self._act("report", inp, self._report)

    @report.validator
    def _check_report(self, inp: p.ReportInput) -> None:
        rules.check("report", self.s, inp)

    async def _report(self, inp: p.ReportInput) -> None:
        now = workflow.now()
        self.s.status = p.REPORTED
        self.s.reported_at = now
        self.s.handled_on_time = self.s.deadline is None or now <= self.s.deadline
        self.s.extension = None
        self._set_clock(None)
        self._record(
            inp.actor,
            "reported",
            inp.note,
            photos=inp.photos or None,
            on_time=self.s.handled_on_time,
        )

    @workflow.update(name="verify")
    async def verify(self, inp: p.VerifyInput) -> p.CaseView:
        return await self._act("verify", inp, self._verify)

    @verify.validator
    def _check_verify(self, inp: p.VerifyInput) -> None:
        rules.check("verify", self.s, inp)

    async def _verify(self, inp: p.VerifyInput) -> None:
        if inp.passed:
            self.s.status = p.VERIFIED
            self._record(inp.actor, "verified", inp.note, passed=True)
        else:
            await self._rework(inp.actor, inp.note, cause="verify")

    @workflow.update(name="callback")
    async def callback(self, inp: p.CallbackInput) -> p.CaseView:
        return await self._act("callback", inp, self._callback)

    @callback.validator
    def _check_callback(self, inp: p.CallbackInput) -> None:
        rules.check("callback", self.s, inp)

    def _record_rating(self, actor: p.Actor, note: str | None, rating: str, **facts: object):
        self.s.satisfaction = rating
        self._record(actor, "callback", note, satisfaction=rating, **facts)

    async def _callback(self, inp: p.CallbackInput) -> None:
        self._record_rating(inp.actor, inp.note, inp.satisfaction, reopen=inp.reopen)
        if inp.reopen:
            await self._rework(inp.actor, None, cause="callback")
        else:
            self._close(inp.actor, "callback")

    @workflow.update(name="interim-report")
    async def interim_report(self, inp: p.InterimReportInput) -> p.CaseView:
        return await self._act("interim-report", inp, self._interim_report)

    @interim_report.validator
    def _check_interim_report(self, inp: p.InterimReportInput) -> None:
        rules.check("interim-report", self.s, inp)

    async def _interim_report(self, inp: p.InterimReportInput) -> None:
        self.s.interim_done = True
        self._record(
            inp.actor,
            "interim_reported",
            inp.note,
            department=self.s.interim_department,
            photos=inp.photos or None,
        )

    @workflow.update(name="rate")
    async def rate(self, inp: p.RateInput) -> p.CaseView:
        return await self._act("rate", inp, self._rate)

    @rate.validator
    def _check_rate(self, inp: p.RateInput) -> None:
        rules.check("rate", self.s, inp)

    async def _rate(self, inp: p.RateInput) -> None:
        # A satisfied reporter closes the case; a dissatisfied one leaves it verified, in the
        # coordinator's callback queue, to close or send back for rework.
        if workflow.patched(RATING_ONCE):
            self.s.reporter_rating = inp.satisfaction
        self._record_rating(inp.actor, inp.note, inp.satisfaction, by="reporter")
        if inp.satisfaction != "dissatisfied":
            self._close(inp.actor, "rating")

    # -- supervision: urge, park, override -------------------------------------------------------

    @workflow.update(name="urge")
    async def urge(self, inp: p.UrgeInput) -> p.CaseView:
        return await self._act("urge", inp, self._urge)

    @urge.validator
    def _check_urge(self, inp: p.UrgeInput) -> None:
        rules.check("urge", self.s, inp)

    async def _urge(self, inp: p.UrgeInput) -> None:
        self._record(inp.actor, "urged", inp.note, department=self.s.department)

    @workflow.update(name="park")
    async def park(self, inp: p.ParkInput) -> p.CaseView:
        return await self._act("park", inp, self._park)

    @park.validator
    def _check_park(self, inp: p.ParkInput) -> None:
        rules.check("park", self.s, inp)

    async def _park(self, inp: p.ParkInput) -> None:
        self.s.parked_from = self.s.status
        self.s.status = p.PARKED
        if self.s.clock is not None:
            self.s.clock.paused_at = workflow.now()
        self.s.light = None
        self._record(inp.actor, "parked", inp.reason)

    @workflow.update(name="unpark")
    async def unpark(self, inp: p.ParkInput) -> p.CaseView:
        return await self._act("unpark", inp, self._unpark)

    @unpark.validator
    def _check_unpark(self, inp: p.ParkInput) -> None:
        rules.check("unpark", self.s, inp)

    async def _unpark(self, inp: p.ParkInput) -> None:
        self.s.status = self.s.parked_from or p.IN_PROGRESS
        self.s.parked_from = None
        if self.s.clock is not None:
            req = p.ResumeClockRequest(clock=self.s.clock, resumed_at=workflow.now())
            self._set_clock(await self._call(acts.resume_clock, req))
        self._record(inp.actor, "unparked", inp.reason, deadline=self.s.deadline)

    @workflow.update(name="override")
    async def override(self, inp: p.OverrideInput) -> p.CaseView:
        return await self._act("override", inp, self._override)

    @override.validator
    def _check_override(self, inp: p.OverrideInput) -> None:
        rules.check("override", self.s, inp)

    async def _override(self, inp: p.OverrideInput) -> None:
        self._record(
            inp.actor,
            "override",
            inp.reason,
            override=inp.action,
            department=inp.department,
            amount=inp.amount,
            unit=inp.unit,
        )
        if inp.action == "reassign":
            await self._dispatch_to(inp.actor, inp.department or "", None, cause="override")
        elif inp.action == "extend":
            await self._extend_clock(inp.amount or 0, inp.unit or "")
            self.s.extensions += 1
        elif inp.action == "close":
            self._close(inp.actor, "override", inp.reason)
        elif inp.action == "reopen":
            self.s.status = p.IN_PROGRESS
            self.s.reporter_rating = None  # a new result to rate
            self.s.closed_at = None
            self.s.reported_at = None
            self.s.handled_on_time = None
            await self._start_clock("handle", self.s.limit_amount, self.s.limit_unit)
