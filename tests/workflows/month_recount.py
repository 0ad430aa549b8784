"""The evaluation counted again by hand from the timelines, apart from the product's code: each
dispatch is the stretch of the timeline up to the next dispatch (or its bounce), read as a
person reads it; the rates, score and ranks then by plain arithmetic on those counts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.case import Case, CaseEvent

DIMENSIONS = ("department", "street", "community", "grid", "category", "channel")
GOOD = ("satisfied", "basically_satisfied")
RATINGS = (*GOOD, "dissatisfied")
DEADLINE_LINES = ("accepted", "extension_approved", "unparked", "rework")
LADDER = ("reminded", "overdue", "escalated")


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _reopens(line: CaseEvent) -> bool:
    return line.action == "override" and line.data.get("override") == "reopen"


def dispatches(case: Case, lines: list[CaseEvent], community: str) -> list[dict]:
    """Returns one dict per assignment of the case: where it stands, what it counts and, while
    it is open, the deadline it runs to."""
    lines = sorted(lines, key=lambda line: line.seq)
    where = {
        "street": case.street,
        "community": community,
        "grid": case.grid,
        "category": case.category,
        "channel": case.channel,
        "number": case.number,
    }
    found = []
    starts = [i for i, line in enumerate(lines) if line.action == "dispatched"]
    for n, i in enumerate(starts):
        last_one = n + 1 == len(starts)
        stretch = lines[i : starts[n + 1] if not last_one else len(lines)]
        department = stretch[0].data["department"]
        bounced = [line for line in stretch if line.action == "bounced"]
        if bounced:
            stretch = stretch[: stretch.index(bounced[0]) + 1]
        accepted = next((line for line in stretch if line.action == "accepted"), None)
        accept_by = _when(stretch[0].data["accept_deadline"])
        on_time_accept = accepted is not None and accepted.at <= accept_by
        standing, closed, parked_now, deadline = None, False, False, None
        for line in stretch:
            if line.action == "reported":
                standing = line
            if line.action == "rework" or _reopens(line):
                standing = None
            if line.action == "closed":
                closed = True
            if _reopens(line):
                closed = False
            if line.action in ("parked", "unparked"):
                parked_now = line.action == "parked"
            handle_clock = line.action in LADDER and line.data.get("clock") == "handle"
            if (line.action in DEADLINE_LINES or handle_clock) and line.data.get("deadline"):
                deadline = _when(line.data["deadline"])
        later = {line.data["department"] for line in lines[i + 1 :] if line.action == "dispatched"}
        ratings = [
            line.data["satisfaction"]
            for line in stretch
            if line.action == "callback" and line.data.get("satisfaction") in RATINGS
        ]
        late_report = any(
            line.action == "reported" and not line.data["on_time"] for line in stretch
        )
        still_open = (
            accepted is not None
            and standing is None
            and not closed
            and not parked_now
            and not bounced
            and last_one
        )
        handled = standing is not None
        counts = {
            "dispatched": 1,
            "accurate_dispatches": int(accepted is not None and not bounced),
            "bounces": int(bool(bounced)),
            "wrongful_bounces": int(bool(bounced) and department in later),
            "accepted": int(accepted is not None),
            "accepted_on_time": int(on_time_accept),
            "due": int(accepted is not None),
            "handled": int(handled),
            "handled_on_time": int(handled and standing.data["on_time"]),  # type: ignore[union-attr]
            "handled_late": int(handled and not standing.data["on_time"]),  # type: ignore[union-attr]
            "reworks": sum(1 for line in stretch if line.action == "rework"),
            "extensions": sum(1 for line in stretch if line.action == "extension_approved"),
            "parked": int(any(line.action == "parked" for line in stretch)),
            "closed": int(handled and closed),
            "closed_on_time": int(handled and closed and on_time_accept and not late_report),
            "rated": int(bool(ratings)),
            "satisfied": int(bool(ratings) and ratings[-1] in GOOD),
        }
        open_until = deadline if still_open else None
        found.append(
            {**where, "department": department, "at": stretch[0].at, "counts": counts}
            | {"open_until": open_until}
        )
    made_safe = [i for i, line in enumerate(lines) if line.action == "interim_assigned"]
    for n, i in enumerate(made_safe):
        upto = made_safe[n + 1] if n + 1 < len(made_safe) else len(lines)
        done = any(line.action == "interim_reported" for line in lines[i:upto])
        counts = {"interim": 1, "interim_reported": int(done)}
        department = lines[i].data["department"]
        found.append(
            {**where, "department": department, "at": lines[i].at, "counts": counts}
            | {"open_until": None}
        )
    return found


def counts_at(one: dict, end: datetime, now: datetime) -> dict[str, int]:
    """Returns what one assignment counts in a period ending at `end`: overdue if open and its
    deadline had passed at the end (or now, if earlier)."""
    overdue = one["open_until"] is not None and one["open_until"] < min(end, now)
    return (
        {**one["counts"], "overdue_open": int(overdue)}
        if "dispatched" in one["counts"]
        else one["counts"]
    )


def tally(
    assignments: list[dict], by: str, start: datetime, end: datetime, now: datetime
) -> dict[str, dict]:
    """Returns, per unit, the sum of each count over the assignments dispatched in [start, end)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for one in assignments:
        if start <= one["at"] < end:
            for name, value in counts_at(one, end, now).items():
                out[one[by]][name] += value
    return out


def pct(part: int, whole: int) -> float | None:
    if not whole:
        return None
    exact = Decimal(part) * 100 / Decimal(whole)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def rates(c: dict[str, int]) -> dict[str, float | None]:
    due, sent = c["due"], c["dispatched"]
    return {
        "handling_rate": pct(c["handled"], due),
        "on_time_handling_rate": pct(c["handled_on_time"], due),
        "closing_rate": pct(c["closed"], due),
        "on_time_closing_rate": pct(c["closed_on_time"], due),
        "rework_rate": pct(c["reworks"], due),
        "extension_rate": pct(c["extensions"], due),
        "overdue_open_rate": pct(c["overdue_open"], due),
        "accurate_dispatch_rate": pct(c["accurate_dispatches"], sent),
        "response_rate": pct(c["accepted_on_time"], sent),
        "resolution_rate": pct(c["closed"], due),
        "satisfaction_rate": pct(c["satisfied"], c["rated"]),
    }


def score(r: dict[str, float | None]) -> float | None:
    """The default weights: 处置率 30, 按期处置率 20, (100 − 返工率) 20, (100 − 超期未处置率) 20,
    (100 − 延期率) 10."""
    if r["handling_rate"] is None:
        return None

    def held(value: float | None) -> Decimal:
        return min(max(Decimal(str(value)), Decimal(0)), Decimal(100))

    total = (
        30 * held(r["handling_rate"])
        + 20 * held(r["on_time_handling_rate"])
        + 20 * (100 - held(r["rework_rate"]))
        + 20 * (100 - held(r["overdue_open_rate"]))
        + 10 * (100 - held(r["extension_rate"]))
    )
    return float((total / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def competition_ranks(scores: dict[str, float | None]) -> dict[str, int | None]:
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    return {k: None if s is None else ordered.index(s) + 1 for k, s in scores.items()}
