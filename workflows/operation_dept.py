"""One department's part in a joint operation: the clocks of what it owes (child workflow).

The operation (parent) holds the department's state and decides; this child watches the
department's duties — confirming in time, filing each session report — and tells the parent when
a reminder or escalation step comes due. The parent tells it when a duty is done
(`DepartmentLinks`, the parent's side of the link).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import FailureError
from temporalio.workflow import ParentClosePolicy

from core import operation_payloads as o
from core import payloads as p
from core.timeline import STEP_ACTIONS

with workflow.unsafe.imports_passed_through():
    from core.naming import operation_department_workflow_id

ALERT_SIGNAL = "duty-alert"


async def sleep_until(wake_at: datetime | None, woken: Callable[[], bool]) -> None:
    """Waits until `wake_at` (for ever when None) or until `woken()` holds."""
    timeout = None if wake_at is None else wake_at - workflow.now()
    if timeout is not None and timeout <= timedelta(0):
        return
    try:
        await workflow.wait_condition(woken, timeout=timeout)
    except TimeoutError:
        pass


@workflow.defn(name="OperationDepartmentWorkflow")
class OperationDepartmentWorkflow:
    """Reminds and escalates one department's duties in an operation until it is finished."""

    @workflow.init
    def __init__(self, inp: o.DepartmentInput) -> None:
        self.s = inp.state or o.DepartmentClocks(
            operation_id=inp.operation_id,
            department=inp.department,
            parent_id=inp.parent_id,
            duties=list(inp.duties),
        )
        self._wake = False

    @workflow.run
    async def run(self, inp: o.DepartmentInput) -> None:
        while not self.s.finished:
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(dataclasses.replace(inp, state=self.s))
            await sleep_until(self._next_wake(), lambda: self._wake)
            self._wake = False
            await self._fire_due_steps()
        await workflow.wait_condition(workflow.all_handlers_finished)

    @workflow.query
    def duties(self) -> list[o.Duty]:
        """Returns the duties still watched."""
        return self.s.duties

    @workflow.signal(name="watch")
    def watch(self, duty: o.Duty) -> None:
        """Starts watching a duty, replacing one with the same key (a postponed deadline)."""
        self.s.duties = [d for d in self.s.duties if d.key != duty.key] + [duty]
        self._wake = True

    @workflow.signal(name="settle")
    def settle(self, inp: o.SettleInput) -> None:
        """Stops watching a duty that is done."""
        self.s.duties = [d for d in self.s.duties if d.key != inp.key]
        self._wake = True

    @workflow.signal(name="finish")
    def finish(self) -> None:
        """Ends the department's part: the operation closed, was cancelled or let it go."""
        self.s.finished = True
        self._wake = True

    def _next_wake(self):
        pending = [step.at for d in self.s.duties for step in d.steps if not step.fired]
        return min(pending) if pending else None

    async def _fire_due_steps(self) -> None:
        parent = workflow.get_external_workflow_handle(self.s.parent_id)
        for duty in list(self.s.duties):
            for step in duty.steps:
                # A signal may have settled or replaced the duty while the last alert was sent.
                if self.s.finished or not any(d is duty for d in self.s.duties):
                    break
                if step.fired or step.at > workflow.now():
                    continue
                step.fired = True
                alert = o.DutyAlert(
                    department=self.s.department,
                    key=duty.key,
                    step=step.name,
                    at=step.at,
                    deadline=duty.deadline,
                    session=duty.session,
                )
                try:
                    await parent.signal(ALERT_SIGNAL, alert)
                except FailureError:
                    # The operation is gone (closed long ago, or terminated): nothing to watch.
                    self.s.finished = True
        self.s.duties = [d for d in self.s.duties if any(not s.fired for s in d.steps)]


class DepartmentLinks:
    """The operation's side: starts one child per department, tells it what is owed and done,
    and records the reminders and escalations it reports."""

    s: o.OperationState
    _record: Callable[..., None]  # the timeline writer of OperationCore

    def _child_id(self, department: str) -> str:
        return operation_department_workflow_id(self.s.operation_id, department)

    def _confirm_duty(self) -> o.Duty:
        clock = self.s.confirm_clock
        assert clock is not None
        now = workflow.now()
        # Steps already past when a duty is re-armed (an overruled decline) do not fire late.
        steps = [p.ClockStep(name=x.name, at=x.at, fired=x.at < now) for x in clock.steps]
        return o.Duty(key="confirm", deadline=clock.deadline, steps=steps)

    async def _start_departments(self) -> None:
        for d in self.s.departments:
            inp = o.DepartmentInput(
                operation_id=self.s.operation_id,
                department=d.code,
                parent_id=workflow.info().workflow_id,
                duties=[self._confirm_duty()],
            )
            # Abandon: the children outlive a continue-as-new; the operation finishes them.
            await workflow.start_child_workflow(
                "OperationDepartmentWorkflow",
                inp,
                id=self._child_id(d.code),
                parent_close_policy=ParentClosePolicy.ABANDON,
            )

    async def _tell(self, department: str, signal: str, arg: object = None) -> None:
        handle = workflow.get_external_workflow_handle(self._child_id(department))
        if arg is None:
            await handle.signal(signal)
        else:
            await handle.signal(signal, arg)

    async def _finish_departments(self) -> None:
        for d in self.s.departments:
            if d.status != o.WITHDRAWN:
                await self._tell(d.code, "finish")

    def _duty_alert(self, alert: o.DutyAlert) -> bool:
        """Records a reminder or escalation a child reports, unless the duty is done by now."""
        d = self.s.department(alert.department)
        if d is None or self.s.status in o.FINAL_STATUSES:
            return False
        if alert.key == "confirm":
            if d.status != o.INVITED:
                return False
        else:
            report = self.s.report(alert.session or 0, d.code)
            if report is None or report.filed_at is not None:
                return False
        level = int(alert.step[-1]) if alert.step.startswith("level") else 0
        d.escalation_level = max(d.escalation_level, level)
        self._record(
            p.SYSTEM,
            STEP_ACTIONS[alert.step],
            None,
            department=d.code,
            duty=alert.key,
            step=alert.step,
            level=level,
            session=alert.session,
            deadline=alert.deadline,
        )
        return True
