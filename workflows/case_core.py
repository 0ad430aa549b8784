"""The machinery of the case workflow: clocks, the projection and shared transitions."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import TypedDict, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

from core import payloads as p
from core.timeline import STEP_ACTIONS
from core.timeline_legacy import case_before
from workflows import rules
from workflows.timeline import entry

with workflow.unsafe.imports_passed_through():
    from activities import case as acts


class ActivityOptions(TypedDict):
    """The options every activity call passes to `workflow.execute_activity` (as **ACTIVITY)."""

    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


ACTIVITY: ActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
    ),
}
# Cases started from this version on run their short activities (clocks, projection) as local
# activities: no round trip through the server, so an action answers in a fraction of the time.
# Histories recorded before it replay on the old path.
LOCAL_ACTIVITIES = "local-activities-v1"
ArgT = TypeVar("ArgT")
RetT = TypeVar("RetT")
# A closed case can still be reopened for this long; then the workflow ends (archived).
ARCHIVE_AFTER = timedelta(days=30)
ACCEPT_LIMIT = (1.0, "working_hours")


def _level(step: p.ClockStep) -> int:
    return int(step.name[-1]) if step.name.startswith("level") else 0


class CaseCore:
    """State and helpers that every case action builds on."""

    s: p.CaseState
    _lock: asyncio.Lock
    _wake: bool

    # -- clocks -------------------------------------------------------------------------------

    def _finished(self) -> bool:
        if self.s.status == p.VOIDED:
            return True
        if self.s.status == p.CLOSED and self.s.closed_at is not None:
            return workflow.now() >= self.s.closed_at + ARCHIVE_AFTER
        return False

    def _next_wake(self):
        if self.s.status == p.CLOSED and self.s.closed_at is not None:
            return self.s.closed_at + ARCHIVE_AFTER
        c = self.s.clock
        if c is None or c.paused_at is not None:
            return None
        pending = [step.at for step in c.steps if not step.fired]
        return min(pending) if pending else None

    async def _sleep_until_next(self) -> None:
        wake_at = self._next_wake()
        timeout = None if wake_at is None else wake_at - workflow.now()
        if timeout is not None and timeout <= timedelta(0):
            return
        try:
            await workflow.wait_condition(lambda: self._wake, timeout=timeout)
        except TimeoutError:
            pass
        self._wake = False

    async def _fire_due_steps(self) -> None:
        async with self._lock:
            c, now = self.s.clock, workflow.now()
            if c is None or c.paused_at is not None:
                return
            due = [step for step in c.steps if not step.fired and step.at <= now]
            for step in due:
                step.fired = True
                level = _level(step)
                if level:
                    self.s.escalation_level = max(self.s.escalation_level, level)
                self._record(
                    p.SYSTEM,
                    STEP_ACTIONS[step.name],
                    None,
                    clock=c.kind,
                    step=step.name,
                    level=level,
                    deadline=c.deadline,
                    department=self.s.department,
                )
            if due:
                self.s.light = self._light()
                await self._flush()

    def _light(self) -> str | None:
        c, now = self.s.clock, workflow.now()
        if c is None or c.paused_at is not None:
            return None
        if now >= c.deadline:
            return "red"
        return "yellow" if now >= c.yellow_at else "green"

    def _set_clock(self, clock: p.Clock | None) -> None:
        self.s.clock = clock
        if clock is not None:
            if clock.kind == "accept":
                self.s.accept_deadline = clock.deadline
            else:
                self.s.deadline = clock.deadline
            self.s.escalation_level = max([_level(s) for s in clock.steps if s.fired] or [0])
        self.s.light = self._light()

    async def _call(self, fn: Callable[[ArgT], RetT], arg: ArgT) -> RetT:
        """Runs a short, idempotent activity: locally, unless replaying an older history."""
        if workflow.patched(LOCAL_ACTIVITIES):
            return await workflow.execute_local_activity(fn, arg, **ACTIVITY)
        return await workflow.execute_activity(fn, arg, **ACTIVITY)

    async def _start_clock(self, kind: str, amount: float, unit: str) -> None:
        req = p.ClockRequest(kind=kind, start=workflow.now(), amount=amount, unit=unit)
        self._set_clock(await self._call(acts.compute_clock, req))

    async def _extend_clock(self, amount: float, unit: str) -> None:
        assert self.s.clock is not None
        req = p.ExtendClockRequest(clock=self.s.clock, amount=amount, unit=unit, now=workflow.now())
        self._set_clock(await self._call(acts.extend_clock, req))

    # -- the projection -----------------------------------------------------------------------

    def _record(self, actor: p.Actor, action: str, note: str | None, **data: object) -> None:
        """Adds a timeline line: `note` is what the person typed (or None), `data` the facts."""
        self.s.seq += 1
        line = entry(self.s.seq, actor, action, note, data, case_before)
        self.s.unprojected.append(line)

    async def _flush(self) -> None:
        """Writes the case row and its new timeline lines; idempotent on (case, seq)."""
        self.s.version += 1
        events = list(self.s.unprojected)
        snapshot = dataclasses.replace(self.s, unprojected=[])
        await self._call(acts.project_case, p.CaseProjection(state=snapshot, events=events))
        done = {e.seq for e in events}
        self.s.unprojected = [e for e in self.s.unprojected if e.seq not in done]

    def _view(self) -> p.CaseView:
        return p.CaseView(number=self.s.number, status=self.s.status, version=self.s.version)

    async def _act(self, action: str, inp, apply) -> p.CaseView:
        async with self._lock:
            # Checked again under the lock: another action may have won the race since validation.
            # The input's own checks are the validator's: the input cannot have changed since, and
            # on replay they would refuse what an older catalogue accepted.
            rules.check(action, self.s, inp, by_input=False)
            await apply(inp)
            await self._flush()
        self._wake = True
        return self._view()

    # -- transitions shared by several actions ------------------------------------------------

    async def _dispatch_to(
        self, actor: p.Actor, department: str, note: str | None, cause: str | None = None
    ) -> None:
        self.s.status = p.DISPATCHED
        self.s.department = department
        self.s.dispatched_at = workflow.now()
        self.s.parked_from = None
        # An extension asked for by the previous holder is not the new department's to carry.
        self.s.extension = None
        self.s.deadline = None
        await self._start_clock("accept", *ACCEPT_LIMIT)
        self._record(
            actor,
            "dispatched",
            note,
            department=department,
            accept_deadline=self.s.accept_deadline,
            cause=cause,
        )

    async def _rework(self, actor: p.Actor, note: str | None, cause: str) -> None:
        self.s.reworks += 1
        self.s.status = p.IN_PROGRESS
        self.s.reporter_rating = None  # the reporter rates the reworked result afresh
        self.s.reported_at = None
        self.s.handled_on_time = None
        await self._start_clock("handle", self.s.limit_amount, self.s.limit_unit)
        self._record(
            actor,
            "rework",
            note,
            department=self.s.department,
            deadline=self.s.deadline,
            reworks=self.s.reworks,
            cause=cause,
        )

    def _close(self, actor: p.Actor, cause: str, note: str | None = None) -> None:
        self.s.status = p.CLOSED
        self.s.closed_at = workflow.now()
        self.s.extension = None
        self._set_clock(None)
        self._record(actor, "closed", note, cause=cause)
