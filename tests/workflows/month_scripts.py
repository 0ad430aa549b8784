"""A month of cases for the evaluation test: scripts of steps (when, then what), one per path
through the closed loop, run interleaved in time order on the time-skipping server."""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from workflow_helpers import (
    COORDINATOR,
    SUPERVISOR,
    CaseDriver,
    liaison,
    local,
    now,
    sleep_until,
    working_day_at,
)

from core import payloads as p
from core import workcal
from workflows.case import CaseWorkflow as W

REPORTER = p.Actor(username="reporter", role="citizen")


@dataclass
class Run:
    """One case being scripted: its day, the time of its last step, and its driver once filed."""

    day: datetime
    cal: workcal.WorkCalendar
    last: datetime
    case: CaseDriver | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def driver(self) -> CaseDriver:
        assert self.case is not None
        return self.case


When = Callable[[Run], datetime]
Do = Callable[[Run], Awaitable[Any]]
Step = tuple[When, Do]


# -- when -------------------------------------------------------------------------------------


def at(hour: int, minute: int = 0) -> When:
    return lambda run: run.day.replace(hour=hour, minute=minute)


def later(minutes: float) -> When:
    return lambda run: run.last + timedelta(minutes=minutes)


def next_day(hour: int = 9, minute: int = 0) -> When:
    def when(run: Run) -> datetime:
        evening = datetime.combine(local(run.last).date(), time(23, 0), tzinfo=workcal.TZ)
        return working_day_at(run.cal, evening, hour, minute)

    return when


def past_accept_deadline(minutes: float) -> When:
    return lambda run: local(run.driver.row().accept_deadline) + timedelta(minutes=minutes)  # type: ignore[arg-type]


def past_deadline(minutes: float) -> When:
    return lambda run: local(run.driver.row().deadline) + timedelta(minutes=minutes)  # type: ignore[arg-type]


# -- what ---------------------------------------------------------------------------------------


def act(update: Any, make: Callable[[CaseDriver], Any]) -> Do:
    async def do(run: Run) -> Any:
        return await run.driver.act(update, make(run.driver))

    return do


def dispatch(department: str) -> Do:
    async def do(run: Run) -> None:
        if run.driver.row().status == p.NEW:
            await run.driver.register()
        await run.driver.dispatch(department)

    return do


async def accept(run: Run) -> None:
    await run.driver.accept()


def bounce(suggested: str | None = None) -> Do:
    return lambda run: run.driver.bounce(suggested=suggested)


async def report(run: Run) -> None:
    await run.driver.report()


def verify(passed: bool = True) -> Do:
    return lambda run: run.driver.verify(passed, None if passed else "现场仍未处理好")


def callback(satisfaction: str, reopen: bool = False) -> Do:
    note = "不满意，重新处置" if reopen else None
    return act(
        W.callback,
        lambda c: p.CallbackInput(
            actor=COORDINATOR, satisfaction=satisfaction, reopen=reopen, note=note
        ),
    )


def rate(satisfaction: str) -> Do:
    return act(W.rate, lambda c: p.RateInput(actor=REPORTER, satisfaction=satisfaction))


def arbitrate(department: str, interim: str | None = None) -> Do:
    return act(
        W.arbitrate,
        lambda c: p.ArbitrateInput(
            actor=SUPERVISOR, department=department, interim_department=interim
        ),
    )


def interim_report(department: str) -> Do:
    return act(
        W.interim_report, lambda c: p.InterimReportInput(actor=liaison(department), note="已围挡")
    )


def ask_extension(days: float = 1) -> Do:
    return act(
        W.request_extension,
        lambda c: p.ExtensionRequestInput(
            actor=liaison(c.row().department or ""),
            amount=days,
            unit="working_days",
            reason="需调运材料",
        ),
    )


def decide_extension(approve: bool) -> Do:
    return act(
        W.decide_extension, lambda c: p.ExtensionDecisionInput(actor=COORDINATOR, approve=approve)
    )


def park(run: Run) -> Awaitable[Any]:
    return run.driver.act(W.park, p.ParkInput(actor=SUPERVISOR, reason="待燃气公司停气"))


def unpark(run: Run) -> Awaitable[Any]:
    return run.driver.act(W.unpark, p.ParkInput(actor=SUPERVISOR, reason="已停气"))


def override(action: str, **fields: Any) -> Do:
    return act(
        W.override,
        lambda c: p.OverrideInput(actor=SUPERVISOR, action=action, reason="值班长决定", **fields),
    )


async def run_scripts(env: Any, runs: list[tuple[Run, list[Step]]]) -> None:
    """Runs every script's steps in time order (a step due in the past runs now)."""
    queue = [(steps[0][0](run), order, 0) for order, (run, steps) in enumerate(runs)]
    heapq.heapify(queue)
    while queue:
        due, order, index = heapq.heappop(queue)
        run, steps = runs[order]
        if due > await now(env):
            await sleep_until(env, due)
        if run.case is not None:
            await run.driver.settle()
        await steps[index][1](run)
        run.last = max(due, await now(env))
        await run.driver.settle()
        if index + 1 < len(steps):
            heapq.heappush(queue, (steps[index + 1][0](run), order, index + 1))


def file(new_case: Callable[..., Awaitable[CaseDriver]], **where: str) -> Do:
    async def do(run: Run) -> None:
        run.case = await new_case(**where)

    return do


def scripts(new_case: Any, grid: str) -> dict[str, list[Step]]:
    """Returns the paths, each filed at 09:00 of its day (manhole covers go to sw unless told)."""
    street = grid.rsplit("-", 1)[0]
    manhole = file(new_case, category="manhole-cover", grid=grid, channel="hotline")
    done = [(later(30), verify()), (later(30), callback("satisfied"))]
    # fmt: off
    return {
        "on time": [(at(9), manhole), (later(1), dispatch("sw")), (later(10), accept),
                    (later(60), report), *done],
        "accepted late": [
            (at(9), file(new_case, category="streetlight", grid=grid, channel="wechat")),
            (later(1), dispatch("sz")), (past_accept_deadline(20), accept), (later(60), report),
            (later(30), verify()), (later(30), callback("basically_satisfied")),
        ],
        "bounced rightly": [
            (at(9), manhole), (later(1), dispatch("sz")), (later(10), bounce("sw")),
            (later(20), dispatch("sw")), (later(5), accept), (later(60), report),
            (later(30), verify()), (later(60), rate("satisfied")),
        ],
        "bounced wrongly, arbitrated": [
            (at(9), file(new_case, category="manhole-cover", grid=grid, channel="app")),
            (later(1), dispatch("sw")), (later(10), bounce("sz")), (later(10), dispatch("sz")),
            (later(10), bounce("sw")), (later(30), arbitrate("sw", interim=street)),
            (later(20), interim_report(street)), (later(10), accept), (later(60), report),
            *done,
        ],
        "sent back to the bouncer": [
            (at(9), file(new_case, category="street-vending", grid=grid, channel="inspector")),
            (later(1), dispatch("cg")), (later(10), bounce()), (later(15), dispatch("cg")),
            (later(5), accept), (later(90), report), (later(30), verify()),
            (later(30), callback("dissatisfied")),
        ],
        "reworked twice": [
            (at(9), manhole), (later(1), dispatch("sw")), (later(10), accept),
            (later(60), report), (later(30), verify(False)), (later(60), report),
            (later(30), verify()), (later(30), callback("dissatisfied", reopen=True)),
            (later(60), report), *done,
        ],
        "extended": [
            (at(9), manhole), (later(1), dispatch("sw")), (later(10), accept),
            (later(10), ask_extension()), (later(10), decide_extension(True)),
            (later(6 * 60), report), *done,
        ],
        "extension denied, late": [
            (at(9), file(new_case, category="exposed-rubbish", grid=grid, channel="video")),
            (later(1), dispatch(street)), (later(10), accept), (later(10), ask_extension()),
            (later(10), decide_extension(False)), (past_deadline(30), report),
            (later(30), verify()), (later(30), callback("unreachable")),
        ],
        "parked a night": [
            (at(9), manhole), (later(1), dispatch("sw")), (later(10), accept), (later(30), park),
            (next_day(9), unpark), (later(30), report), *done,
        ],
        "overdue, open": [(at(9), manhole), (later(1), dispatch("sw")), (later(10), accept)],
        "never accepted": [
            (at(9), file(new_case, category="noise", grid=grid, channel="superior")),
            (later(1), dispatch("hb")),
        ],
        "reassigned": [
            (at(9), file(new_case, category="streetlight", grid=grid, channel="hotline")),
            (later(1), dispatch("sz")), (later(10), accept),
            (later(60), override("reassign", department="gd")), (later(10), accept),
            (later(60), report), *done,
        ],
        "force closed": [
            (at(9), manhole), (later(1), dispatch("sw")), (later(10), accept),
            (later(30), override("close")),
        ],
        "parked still": [(at(9), manhole), (later(1), dispatch("sw")), (later(10), accept),
                         (later(20), park)],
        "extended by the supervisor": [
            (at(9), manhole), (later(1), dispatch("sw")), (later(10), accept),
            (later(20), override("extend", amount=2, unit="working_hours")),
            (past_deadline(-20), report), *done,
        ],
        "rated dissatisfied, then called": [
            (at(9), file(new_case, category="illegal-parking", grid=grid, channel="wechat")),
            (later(1), dispatch("ga")), (later(5), accept), (later(30), report),
            (later(20), verify()), (later(30), rate("dissatisfied")),
            (later(60), callback("satisfied")),
        ],
        "reopened": [
            (at(9), manhole), (later(1), dispatch("sw")), (later(10), accept),
            (later(60), report), *done, (later(60), override("reopen")), (later(30), report),
            (later(30), verify()), (later(30), callback("basically_satisfied")),
        ],
    }
    # fmt: on
