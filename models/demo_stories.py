"""Demo cases told as their workflow would have written them: a timeline in the facts form, line by
line, and the state the workflow would hold at the end, from a seeded random draw (pure: core
only). models/demo_history.py writes a year of them for the demo; the evaluation bench
(bench/evaluation_million.py) a million.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from core import payloads as p
from core.timeline import FACTS
from core.workcal import TZ, WorkCalendar, add_limit, add_working_minutes, working_minutes_between

CHANNELS = {"hotline": 40, "inspector": 24, "app": 12, "wechat": 10, "video": 8, "superior": 6}
CATEGORIES = {
    "exposed-rubbish": 24,
    "street-vending": 18,
    "illegal-parking": 16,
    "streetlight": 10,
    "noise": 10,
    "manhole-cover": 9,
    "open-air-bbq": 6,
    "food-safety": 4,
    "illegal-building": 3,
}
RATINGS = {"satisfied": 70, "basically_satisfied": 16, "dissatisfied": 8, "unreachable": 6}
BOUNCE_WHY = ("不属于本单位职责", "该路段由其他单位管养", "权属不清，请核实", "非本辖区")
REPORT_SAY = ("已现场处置完毕", "已清理并拍照留存", "已修复，恢复正常", "已劝离并登记")
REWORK_WHY = ("现场仍未处置到位", "照片与问题位置不符", "群众反映问题依旧")
CREATORS = {
    "hotline": "coordinator",
    "superior": "coordinator",
    "video": "coordinator",
    "inspector": "inspector",
}
ROLES = {"coordinator": "coordinator", "inspector": "inspector", "supervisor": "supervisor"}


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    """Returns one key of `weights`, drawn by weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True)
class District:
    """What a story needs of the reference data: limits, places and who owns what."""

    limits: dict[str, tuple[float, str]]  # category -> (amount, unit)
    places: list[tuple[str, str]]  # (grid, street)
    owner: Callable[[str, str, str], str]  # (category, grid, street) -> department
    departments: list[str]  # every department a case may be sent to wrongly


class _Cut(Exception):
    """The story reached the instant it is told up to."""


@dataclass
class Told:
    """A case's timeline and what its workflow's state would be at the end of it."""

    lines: list[p.TimelineEntry] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    complete: bool = True  # the case ended (closed or voided) before the story was cut


class _Story:
    def __init__(self, rng: random.Random, cal: WorkCalendar, start: datetime, stop: datetime):
        self.rng, self.cal, self.at, self.stop = rng, cal, start, stop
        self.told = Told(state={"status": p.NEW, "bounces": 0, "reworks": 0, "extensions": 0})

    def later(self, low: float, high: float) -> datetime:
        """Returns an instant `low`–`high` working minutes on."""
        return add_working_minutes(self.at, self.rng.uniform(low, high), self.cal)

    def add(self, at: datetime, who: str, action: str, note: str = "", **facts: Any) -> None:
        if at > self.stop:
            raise _Cut
        self.at = at
        data = {k: v for k, v in facts.items() if v is not None} | {FACTS: 1}
        if who != "system":
            dept = who.removeprefix("liaison-") if who.startswith("liaison-") else None
            data["role"] = "liaison" if dept else ROLES.get(who, "citizen")
            if dept:
                data["actor_department"] = dept
        seq = len(self.told.lines) + 1
        self.told.lines.append(p.TimelineEntry(seq, at, who, action, note, data))

    def set(self, **values: Any) -> None:
        self.told.state.update(values)


def tell(
    rng: random.Random,
    district: District,
    *,
    created: datetime,
    category: str,
    place: tuple[str, str],
    channel: str,
    cal: WorkCalendar,
    stop: datetime,
) -> Told:
    """Returns one case's story from its report on, cut at `stop`: registered or voided,
    dispatched (now and then wrongly, bounced, disputed and arbitrated), accepted on time or
    late, parked, extended, reported on time or late, sent back for rework, rated, closed."""
    story = _Story(rng, cal, created, stop)
    try:
        _run(story, district, category, place, channel)
    except _Cut:
        story.told.complete = False
    return story.told


def _run(s: _Story, district: District, category: str, place: tuple[str, str], ch: str) -> None:
    rng, (grid, street) = s.rng, place
    s.add(s.at, CREATORS.get(ch, "reporter"), "created", channel=ch, category=category, grid=grid)
    if rng.random() < 0.04:
        s.add(s.later(5, 60), "coordinator", "voided", "重复上报，已合并")
        s.set(status=p.VOIDED)
        return
    s.add(s.later(3, 40), "coordinator", "registered")
    s.set(status=p.REGISTERED)
    owner = district.owner(category, grid, street)
    others = [d for d in district.departments if d != owner]
    first = rng.choice(others) if rng.random() < 0.06 else owner
    _dispatch(s, first, s.later(2, 30))
    if first != owner:  # a wrong dispatch, rightly bounced: the coordinator sends it on
        _bounce(s, first, owner)
        _dispatch(s, owner, s.later(5, 60))
    elif rng.random() < 0.04:  # the owner bounces wrongly and is named again
        if rng.random() < 0.5:  # the coordinator checks the list and sends it straight back
            _bounce(s, owner, None)
            _dispatch(s, owner, s.later(5, 60))
        else:  # sent on, bounced again: a dispute (two bounces) that the supervisor settles
            second = rng.choice(others)
            _bounce(s, owner, second)
            _dispatch(s, second, s.later(5, 60))
            _bounce(s, second, owner)
            s.add(s.at, "system", "disputed", departments=[owner, second], bounces=2)
            s.set(status=p.DISPUTED)
            _arbitrate(s, owner, street if rng.random() < 0.4 else None, street, category)
    _handle(s, owner, district.limits[category])


def _arbitrate(s: _Story, owner: str, interim: str | None, street: str, category: str) -> None:
    s.add(
        s.later(30, 400),
        "supervisor",
        "arbitrated",
        "按权责清单确认",
        department=owner,
        interim_department=interim,
        make_rule=False,
        street=street,
        category=category,
    )
    if interim:
        s.add(s.at, "supervisor", "interim_assigned", department=interim)
        s.set(interim_department=interim, interim_done=False)
    _dispatch(s, owner, s.at, cause="arbitrate")


def _dispatch(s: _Story, department: str, at: datetime, cause: str | None = None) -> None:
    limit = add_limit(at, 1, "working_hours", s.cal)
    s.add(
        at, "coordinator", "dispatched", department=department, accept_deadline=limit, cause=cause
    )
    s.set(
        status=p.DISPATCHED,
        department=department,
        dispatched_at=at,
        accept_deadline=limit,
        deadline=None,
    )


def _bounce(s: _Story, department: str, suggested: str | None) -> None:
    bounces = s.told.state["bounces"] + 1
    s.add(
        s.later(5, 55),
        f"liaison-{department}",
        "bounced",
        s.rng.choice(BOUNCE_WHY),
        department=department,
        suggested_department=suggested,
        bounces=bounces,
    )
    s.set(status=p.BOUNCED, bounces=bounces)


def _handle(s: _Story, owner: str, limit: tuple[float, str]) -> None:
    rng, liaison, state = s.rng, f"liaison-{owner}", s.told.state
    accept_by = state["accept_deadline"]
    late_accept = rng.random() < 0.07
    accepted = s.later(61, 240) if late_accept else s.later(2, 55)
    if late_accept and accept_by < accepted:
        s.add(
            accept_by,
            "system",
            "overdue",
            clock="accept",
            step="overdue",
            level=0,
            deadline=accept_by,
            department=owner,
        )
    deadline = add_limit(accepted, *limit, s.cal)
    s.add(accepted, liaison, "accepted", department=owner, deadline=deadline)
    s.set(status=p.IN_PROGRESS, accepted_at=accepted, deadline=deadline)
    span = max(working_minutes_between(accepted, deadline, s.cal), 30.0)
    if state.get("interim_department"):
        made_safe = state["interim_department"]
        s.add(
            s.later(10, 60),
            f"liaison-{made_safe}",
            "interim_reported",
            "已设置围挡警示",
            department=made_safe,
        )
        s.set(interim_done=True)
    if rng.random() < 0.015:
        s.add(s.later(0.1 * span, 0.4 * span), "supervisor", "parked", "等待上级部门批复")
        s.set(status=p.PARKED)
        left = working_minutes_between(s.at, deadline, s.cal)
        resumed = s.later(420, 2100)
        deadline = add_working_minutes(resumed, left, s.cal)
        s.add(resumed, "supervisor", "unparked", "已批复，继续处置", deadline=deadline)
        s.set(status=p.IN_PROGRESS, deadline=deadline)
    if rng.random() < 0.05:
        amount = float(rng.choice((1, 2, 3)))
        s.add(
            s.later(0.2 * span, 0.6 * span),
            liaison,
            "extension_requested",
            "需协调施工队伍",
            amount=amount,
            unit="working_days",
        )
        if rng.random() < 0.8:
            deadline = add_limit(deadline, amount, "working_days", s.cal)
            s.add(
                s.later(10, 120),
                "supervisor",
                "extension_approved",
                "同意延期",
                amount=amount,
                unit="working_days",
                deadline=deadline,
            )
            s.set(extensions=state["extensions"] + 1, deadline=deadline)
        else:
            s.add(s.later(10, 120), "supervisor", "extension_denied", "请按期处置")
    _report(s, owner, deadline, rng.random() < 0.09)
    reopened = False
    while True:
        fails = rng.random() < (0.05 if not reopened else 0.01)
        if fails:
            deadline = _rework(s, owner, limit, "verify", "coordinator")
            _report(s, owner, deadline, rng.random() < 0.05)
            continue
        s.add(s.later(10, 240), "coordinator", "verified", passed=True)
        s.set(status=p.VERIFIED)
        rating = pick(rng, RATINGS)
        reopen = rating == "dissatisfied" and not reopened and rng.random() < 0.4
        s.add(s.later(20, 600), "coordinator", "callback", satisfaction=rating, reopen=reopen)
        s.set(satisfaction=rating)
        if not reopen:
            break
        reopened = True
        deadline = _rework(s, owner, limit, "callback", "coordinator", note=False)
        _report(s, owner, deadline, False)
    s.add(s.at, "coordinator", "closed", cause="callback")
    s.set(status=p.CLOSED, closed_at=s.at)


def _report(s: _Story, owner: str, deadline: datetime, late: bool) -> None:
    span = max(working_minutes_between(s.at, deadline, s.cal), 30.0)
    low, high = (0.15, 0.95) if not late else (1.05, 1.8)
    if late and s.rng.random() < 0.2:  # now and then a task lies untouched for days
        low, high = 2.5, 12.0
    at = s.later(low * span, high * span)
    on_time = at <= deadline
    if not on_time:
        s.add(
            deadline,
            "system",
            "overdue",
            clock="handle",
            step="overdue",
            level=0,
            deadline=deadline,
            department=owner,
        )
    s.add(at, f"liaison-{owner}", "reported", s.rng.choice(REPORT_SAY), on_time=on_time)
    s.set(status=p.REPORTED, reported_at=at, handled_on_time=on_time)


def _rework(
    s: _Story, owner: str, limit: tuple[float, str], cause: str, who: str, note: bool = True
) -> datetime:
    at = s.later(10, 240)
    deadline = add_limit(at, *limit, s.cal)
    reworks = s.told.state["reworks"] + 1
    s.add(
        at,
        who,
        "rework",
        s.rng.choice(REWORK_WHY) if note else "",
        department=owner,
        deadline=deadline,
        reworks=reworks,
        cause=cause,
    )
    s.set(
        status=p.IN_PROGRESS,
        reworks=reworks,
        deadline=deadline,
        reported_at=None,
        handled_on_time=None,
    )
    return deadline


def reported_at(rng: random.Random, day: date) -> datetime:
    """Returns a moment of `day` when problems are reported (most in office hours)."""
    hour = rng.choices(range(7, 22), weights=(2, 8, 10, 10, 9, 5, 6, 9, 9, 8, 6, 4, 3, 2, 1))[0]
    return datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=TZ)
