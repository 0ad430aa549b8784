"""The machinery of the operation workflow: sessions over time, the projection and the closing
summary (the departments' children are linked in workflows/operation_dept.py)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from temporalio import workflow

from core import operation_payloads as o
from core import payloads as p
from core.operation_results import reconcile, total
from core.timeline_legacy import operation_before
from workflows import operation_rules as rules
from workflows.case_core import ACTIVITY
from workflows.operation_dept import DepartmentLinks, sleep_until
from workflows.timeline import entry

with workflow.unsafe.imports_passed_through():
    from activities import case as case_acts
    from activities import operation as acts

# A closed or cancelled operation still answers (and refuses) actions for this long.
LINGER = timedelta(days=7)


def summarize(
    state: o.OperationState, cases: list[o.CaseBrief], note: str | None, *, results: bool = False
) -> o.OperationSummary:
    """Returns the closing summary: every department's reports totalled, the cases spawned and,
    with `results`, the findings and reports reconciled (core/operation_results.py)."""
    reconciled = (
        reconcile(
            ((f.department, f.session, f.counts) for f in state.findings),
            ((r.department, r.session, r.counts) for r in state.reports if r.filed_at),
        )
        if results
        else None
    )
    departments = []
    for d in state.departments:
        mine = [r for r in state.reports if r.department == d.code]
        departments.append(
            o.DepartmentSummary(
                department=d.code,
                role=d.role,
                status=d.status,
                people=d.people,
                vehicles=d.vehicles,
                reported=d.reported,
                found=d.found,
                reports_filed=sum(1 for r in mine if r.filed_at is not None),
                reports_missing=[r.session for r in mine if r.filed_at is None],
                results=None if reconciled is None else reconciled.get(d.code, o.Counts()),
            )
        )
    totals, found = o.Counts(), o.Counts()
    for r in state.reports:
        if r.filed_at is not None:
            totals = totals.plus(r.counts)
    for f in state.findings:
        found = found.plus(f.counts)
    ended = sum(1 for s in state.sessions if s.status == o.ENDED)
    return o.OperationSummary(
        totals=totals,
        found=found,
        sessions=ended,
        departments=departments,
        cases=cases,
        note=note,
        results=None if reconciled is None else total(reconciled.values()),
    )


def initial_state(inp: o.OperationInput) -> o.OperationState:
    """Returns a new operation's state: the lead first, sessions numbered in time order."""
    windows = sorted(inp.sessions, key=lambda w: w.start)
    departments = [o.DepartmentState(code=inp.lead, role=o.LEAD)]
    departments += [o.DepartmentState(code=c, role=o.COOPERATING) for c in inp.cooperating]
    return o.OperationState(
        operation_id=inp.operation_id,
        title=inp.title,
        goal=inp.goal,
        area=list(inp.area),
        lead=inp.lead,
        launched_by=inp.launched_by.username,
        launched_at=workflow.now(),
        confirm_deadline=inp.confirm_deadline,
        report_within=inp.report_within,
        report_unit=inp.report_unit,
        category=inp.category,
        departments=departments,
        sessions=[
            o.Session(number=i, start=w.start, end=w.end) for i, w in enumerate(windows, start=1)
        ],
    )


class OperationCore(DepartmentLinks):
    """State and helpers that every operation action builds on."""

    s: o.OperationState
    _lock: asyncio.Lock
    _wake: bool
    _ready: bool  # launched: the confirmation clock is set and the children run

    # -- sessions over time ------------------------------------------------------------------

    def _finished(self) -> bool:
        closed_at = self.s.closed_at
        return closed_at is not None and workflow.now() >= closed_at + LINGER

    def _next_wake(self):
        if self.s.status in o.FINAL_STATUSES:
            return self.s.closed_at + LINGER if self.s.closed_at else None
        pending = [x.start for x in self.s.sessions if x.status == o.SCHEDULED]
        pending += [x.end for x in self.s.sessions if x.status == o.RUNNING]
        return min(pending) if pending else None

    async def _sleep_until_next(self) -> None:
        await sleep_until(self._next_wake(), lambda: self._wake)
        self._wake = False

    async def _advance(self) -> None:
        """Starts and ends the sessions whose time has come (by itself, 到点自动开始)."""
        async with self._lock:
            if self.s.status in o.FINAL_STATUSES:
                return
            now, changed = workflow.now(), False
            for session in self.s.sessions:
                if session.status == o.SCHEDULED and session.start <= now:
                    self._start_session(session)
                    changed = True
                if session.status == o.RUNNING and session.end <= now:
                    await self._end_session(session)
                    changed = True
            if changed:
                self._settle_status()
                await self._flush()

    def _start_session(self, session: o.Session) -> None:
        session.status, session.started_at = o.RUNNING, workflow.now()
        self._touch("session", session.number)
        self._record(
            p.SYSTEM,
            "session_started",
            None,
            session=session.number,
            start=session.start,
            end=session.end,
        )

    async def _end_session(self, session: o.Session) -> None:
        req = p.ClockRequest(
            kind="report", start=session.end, amount=self.s.report_within, unit=self.s.report_unit
        )
        clock = await workflow.execute_activity(case_acts.compute_clock, req, **ACTIVITY)
        session.status, session.ended_at = o.ENDED, workflow.now()
        session.report_deadline = clock.deadline
        self._touch("session", session.number)
        due = [d.code for d in self.s.departments if d.status == o.CONFIRMED]
        for code in due:
            self.s.reports.append(
                o.SessionReport(session=session.number, department=code, deadline=clock.deadline)
            )
            self._touch("report", session.number, code)
            await self._tell(
                code,
                "watch",
                o.Duty(
                    key=f"report-{session.number}",
                    deadline=clock.deadline,
                    session=session.number,
                    steps=[dataclasses.replace(step) for step in clock.steps],
                ),
            )
        self._record(
            p.SYSTEM,
            "session_ended",
            None,
            session=session.number,
            deadline=clock.deadline,
            departments=due,
        )

    def _settle_status(self) -> None:
        if self.s.status in o.FINAL_STATUSES:
            return
        sessions = self.s.sessions
        if any(x.status == o.RUNNING for x in sessions):
            status = o.RUNNING
        elif all(x.status == o.SCHEDULED for x in sessions):
            status = o.CONFIRMING
        elif all(x.status == o.ENDED for x in sessions) and all(
            r.filed_at is not None for r in self.s.reports
        ):
            status = o.COMPLETED
        else:
            status = o.REPORTING
        if status == o.COMPLETED and self.s.status != o.COMPLETED:
            self._record(p.SYSTEM, "completed", None)
        self.s.status = status

    async def _launch(self, inp: o.OperationInput) -> None:
        """Sets the confirmation clock, records the launch and starts the departments."""
        async with self._lock:
            await self._start_confirm_clock()
            for session in self.s.sessions:
                self._touch("session", session.number)
            self._record(
                inp.launched_by,
                "launched",
                None,
                title=inp.title,
                lead=inp.lead,
                cooperating=inp.cooperating,
                area=inp.area,
                sessions=len(self.s.sessions),
                confirm_deadline=inp.confirm_deadline,
            )
            await self._flush()
            await self._start_departments()
            self._ready = True

    async def _start_confirm_clock(self) -> None:
        req = o.ConfirmClockRequest(start=workflow.now(), deadline=self.s.confirm_deadline)
        self.s.confirm_clock = await workflow.execute_activity(
            acts.compute_confirmation_clock, req, **ACTIVITY
        )

    # -- the projection -----------------------------------------------------------------------

    def _touch(self, kind: str, *key: object) -> None:
        name = ":".join([kind, *map(str, key)])
        if name not in self.s.dirty:
            self.s.dirty.append(name)

    def _record(self, actor: p.Actor, action: str, note: str | None, **data: object) -> None:
        """Adds a timeline line: `note` is what the person typed (or None), `data` the facts."""
        self.s.seq += 1
        line = entry(self.s.seq, actor, action, note, data, operation_before)
        self.s.unprojected.append(line)

    async def _flush(self) -> None:
        """Writes the operation rows and its new timeline lines; idempotent on (operation, seq)."""
        self.s.version += 1
        events, dirty = list(self.s.unprojected), set(self.s.dirty)
        s = self.s
        snapshot = dataclasses.replace(
            s,
            unprojected=[],
            dirty=[],
            sessions=[x for x in s.sessions if f"session:{x.number}" in dirty],
            findings=[x for x in s.findings if f"finding:{x.number}" in dirty],
            reports=[x for x in s.reports if f"report:{x.session}:{x.department}" in dirty],
        )
        running = [x.number for x in s.sessions if x.status == o.RUNNING]
        projection = o.OperationProjection(
            state=snapshot,
            events=events,
            first_start=s.sessions[0].start,
            last_end=s.sessions[-1].end,
            sessions_total=len(s.sessions),
            sessions_ended=sum(1 for x in s.sessions if x.status == o.ENDED),
            current_session=running[0] if running else None,
        )
        await workflow.execute_activity(acts.project_operation, projection, **ACTIVITY)
        done = {e.seq for e in events}
        s.unprojected = [e for e in s.unprojected if e.seq not in done]
        s.dirty = [k for k in s.dirty if k not in dirty]

    def _view(self) -> o.OperationView:
        return o.OperationView(
            operation_id=self.s.operation_id, status=self.s.status, version=self.s.version
        )

    async def _act(self, action: str, inp, apply) -> o.OperationView:
        await workflow.wait_condition(lambda: self._ready)
        async with self._lock:
            # Checked again under the lock: another action may have won the race since validation.
            rules.check(action, self.s, inp, workflow.now())
            await apply(inp)
            await self._flush()
        self._wake = True
        return self._view()

    # -- small helpers ---------------------------------------------------------------------------

    def _mine(self, actor: p.Actor) -> o.DepartmentState:
        d = self.s.department(actor.department)
        assert d is not None
        return d

    def _end(self, status: str, actor: p.Actor) -> None:
        self.s.status, self.s.closed_at, self.s.closed_by = status, workflow.now(), actor.username
