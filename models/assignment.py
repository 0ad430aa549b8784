"""The assignment facts (one row per dispatch of a case to a department, and per make-safe task),
written with the timeline by the projection and filled from old timelines by the backfill; the
evaluation (models/evaluation.py) aggregates them in SQL."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from core.assignment_facts import AssignmentFacts, CaseHeader, Line, assignments
from models.case import Case, CaseEvent
from models.db import AwareDateTime
from models.evaluation_settings import get_setting, put_setting
from models.reference import Grid

# Raised when what a row holds changes meaning, so that init_db derives every row again.
BACKFILL_VERSION = 1
BACKFILL_MARK = "assignments_backfilled"


def _at(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), **kw))


class Assignment(SQLModel, table=True):
    """One assignment and what became of it (core.assignment_facts.AssignmentFacts)."""

    __table_args__ = (
        Index("ix_assignment_dispatched", "dispatched_at"),
        Index("ix_assignment_department_dispatched", "department", "dispatched_at"),
    )

    case_number: str = Field(primary_key=True, foreign_key="case.number", max_length=32)
    seq: int = Field(primary_key=True)
    kind: str = Field(max_length=8)
    department: str = Field(max_length=32)
    category: str = Field(max_length=32)
    grid: str = Field(max_length=32)
    street: str = Field(max_length=32)
    community: str | None = Field(default=None, max_length=32)
    channel: str = Field(max_length=16)
    dispatched_at: datetime = _at(nullable=False)
    accept_deadline: datetime | None = _at()
    accepted_at: datetime | None = _at()
    accepted_on_time: bool | None = None
    bounced_at: datetime | None = _at()
    bounce_reason: str | None = None
    wrongful: bool = False
    deadline: datetime | None = _at()
    reported_at: datetime | None = _at()
    on_time: bool | None = None
    late_reports: int = 0
    extensions: int = 0
    reworks: int = 0
    parks: int = 0
    parked_seconds: int = 0
    parked_since: datetime | None = _at()
    ended_at: datetime | None = _at()
    closed_at: datetime | None = _at()
    closed_on_time: bool | None = None
    satisfaction: str | None = Field(default=None, max_length=24)


_FIELDS = tuple(f.name for f in dataclasses.fields(AssignmentFacts) if f.name != "seq")


def header(case: Case, community: str | None) -> CaseHeader:
    """Returns what the derivation needs of a case row."""
    return CaseHeader(
        number=case.number,
        category=case.category,
        grid=case.grid,
        street=case.street,
        community=community,
        channel=case.channel,
        accept_deadline=case.accept_deadline,
        deadline=case.deadline,
    )


def _store(session: Session, derived: list[AssignmentFacts], stored: Iterable[Assignment]) -> None:
    """Upserts a case's derived rows; a row it no longer derives goes."""
    held = {row.seq: row for row in stored}
    for facts in derived:
        values = {name: getattr(facts, name) for name in _FIELDS}
        row = held.pop(facts.seq, None)
        if row is None:
            session.add(Assignment(seq=facts.seq, **values))
            continue
        for name, value in values.items():
            setattr(row, name, value)  # an unchanged value flushes nothing
    for gone in held.values():
        session.delete(gone)


def write_assignments(*, session: Session, case: Case) -> None:
    """Derives one case's assignments from its stored timeline and writes them (idempotent)."""
    lines = session.exec(select(CaseEvent).where(CaseEvent.case_number == case.number)).all()
    grid = session.get(Grid, case.grid)
    derived = assignments(header(case, grid.community if grid else None), list(lines))
    stored = session.exec(select(Assignment).where(Assignment.case_number == case.number)).all()
    _store(session, derived, stored)


def _backfill_batch(session: Session, numbers: Sequence[str], communities: dict[str, str]) -> None:
    cases = session.exec(select(Case).where(col(Case.number).in_(numbers))).all()
    lines: dict[str, list[Line]] = defaultdict(list)
    for event in session.exec(select(CaseEvent).where(col(CaseEvent.case_number).in_(numbers))):
        lines[event.case_number].append(event)
    stored: dict[str, list[Assignment]] = defaultdict(list)
    for row in session.exec(select(Assignment).where(col(Assignment.case_number).in_(numbers))):
        stored[row.case_number].append(row)
    for case in cases:
        derived = assignments(header(case, communities.get(case.grid)), lines[case.number])
        _store(session, derived, stored[case.number])


def backfill(engine: Engine, *, batch: int = 500) -> int:
    """Derives every case's assignments from its timeline; returns how many cases it read.

    Each batch commits on its own; one that meets rows a projection wrote meanwhile runs again,
    then finding and updating them."""
    with Session(engine) as session:
        communities = {g.code: g.community for g in session.exec(select(Grid))}
        numbers = list(session.exec(select(Case.number).order_by(col(Case.number))))
    for start in range(0, len(numbers), batch):
        chunk = numbers[start : start + batch]
        for attempt in (1, 2):
            with Session(engine) as session:
                try:
                    _backfill_batch(session, chunk, communities)
                    session.commit()
                    break
                except IntegrityError:
                    session.rollback()
                    if attempt == 2:
                        raise
    return len(numbers)


def backfill_if_needed(engine: Engine) -> int | None:
    """Backfills once per BACKFILL_VERSION (a database written before the table, or by an older
    derivation); returns how many cases it read, or None when nothing was needed."""
    with Session(engine) as session:
        if get_setting(session=session, name=BACKFILL_MARK) == BACKFILL_VERSION:
            return None
    done = backfill(engine)
    with Session(engine) as session:
        put_setting(session=session, name=BACKFILL_MARK, value=BACKFILL_VERSION)
        session.commit()
    return done
