"""Demo mode only: about twelve months of past cases, closed or voided, so that the evaluation of a
fresh `make run` has figures to show. Each case is told as a timeline in the facts form, as the
workflow writes it, and written through the projection (models.case_store.apply_projection), so
its assignment facts come from core.assignment_facts like every other case's.

The stories are models/demo_stories.py's (seeded: the same month gives the same history);
`write_demo_history` writes them once, numbered by the case counter of each past month, in one
transaction with the mark that says the history is there.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import payloads as p
from core.config import load_settings
from core.workcal import TZ, WorkCalendar
from models.calendar_store import load_calendar
from models.case_store import apply_projection, next_number
from models.db import session_scope
from models.demo_stories import CATEGORIES, CHANNELS, District, Told, pick, reported_at, tell
from models.evaluation_settings import get_setting, put_setting
from models.outbox import DigestItem, OutboxMessage
from models.reference import Category, Grid
from models.routing import route

MARK = "demo_history"
VERSION = 1
MONTHS = 12
PER_MONTH = 30
SEED = 20261201
PLACES = (
    "金湖路",
    "机场东路",
    "珠海大道",
    "定湾六路",
    "三灶大道",
    "平沙大道",
    "红旗路",
    "南水大道",
)


def _district(session: Session) -> District:
    limits = {c.code: (c.limit_amount, c.limit_unit) for c in session.exec(select(Category))}
    grids = session.exec(select(Grid).order_by(col(Grid.code))).all()

    owners = {}
    for grid in grids:
        for category in limits:
            rule = route(session=session, category=category, grid=grid.code)
            owners[category, grid.code] = rule.department if rule else grid.street

    def owner(category: str, grid: str, street: str) -> str:
        return owners.get((category, grid), street)

    departments = sorted(set(owners.values()))
    return District(limits, [(g.code, g.street) for g in grids], owner, departments)


def _month_days(first: date) -> list[date]:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [first + timedelta(days=n) for n in range((nxt - first).days)]


def stories(session: Session, *, anchor: date, cal: WorkCalendar) -> list[Told]:
    """Returns the history's cases, oldest first: PER_MONTH reported in each of the MONTHS
    months before `anchor`'s, those that ended (closed or voided) before that month began."""
    district = _district(session)
    rng = random.Random(f"{SEED}-{anchor:%Y-%m}")
    stop = datetime.combine(anchor.replace(day=1), time(0), tzinfo=TZ)
    first = anchor.replace(day=1)
    found: list[Told] = []
    for back in range(MONTHS, 0, -1):
        months = first.year * 12 + first.month - 1 - back
        month = date(months // 12, months % 12 + 1, 1)
        days = _month_days(month)
        for _ in range(PER_MONTH):
            day = rng.choice(days)
            category = pick(rng, {c: w for c, w in CATEGORIES.items() if c in district.limits})
            told = tell(
                rng,
                district,
                created=reported_at(rng, day),
                category=category,
                place=rng.choice(district.places),
                channel=pick(rng, CHANNELS),
                cal=cal,
                stop=stop,
            )
            if told.complete:
                found.append(told)
    found.sort(key=lambda told: told.lines[0].at)
    return found


def _state(number: str, told: Told, category: Category, grid: Grid, channel: str) -> p.CaseState:
    place = f"{random.Random(number).choice(PLACES)}{int(number[-3:]) or 1}号"
    return p.CaseState(
        number=number,
        category=category.code,
        limit_amount=category.limit_amount,
        limit_unit=category.limit_unit,
        description=f"{place}附近{category.name}",
        grid=grid.code,
        street=grid.street,
        address=place,
        channel=channel,
        created_at=told.lines[0].at,
        seq=len(told.lines),
        version=len(told.lines),
        **told.state,
    )


def write_demo_history(engine: Engine, *, now: datetime | None = None) -> int:
    """Writes the demo history unless it is there already; returns how many cases it wrote.

    Refused outside demo mode (LIANDONG_DEMO=1) and in production. The mail the projection
    would enqueue for these past lines is dropped in the same transaction: nobody is told."""
    settings = load_settings()
    if not settings.demo or settings.production:
        raise RuntimeError("the demo history is written in demo mode only")
    anchor = (now or datetime.now(TZ)).astimezone(TZ).date()
    with session_scope(engine) as session:
        if get_setting(session=session, name=MARK) is not None:
            return 0
        cal = load_calendar(engine=engine)
        numbers = []
        for told in stories(session, anchor=anchor, cal=cal):
            created = told.lines[0]
            number = next_number(session=session, now=created.at)
            category = session.get(Category, created.data["category"])
            grid = session.get(Grid, created.data["grid"])
            assert category is not None and grid is not None
            state = _state(number, told, category, grid, created.data["channel"])
            apply_projection(session=session, projection=p.CaseProjection(state, told.lines))
            numbers.append(number)
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.case_number).in_(numbers)))
        session.execute(delete(DigestItem).where(col(DigestItem.case_number).in_(numbers)))
        put_setting(
            session=session,
            name=MARK,
            value={"version": VERSION, "cases": len(numbers), "before": f"{anchor:%Y-%m}"},
        )
    return len(numbers)
