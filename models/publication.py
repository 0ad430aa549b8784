"""The published monthly reports (月通报): one row per month and version, holding the figures as
published (every dimension's evaluation, computed at the publish instant) and who was mailed.

A month is published once by the schedule (version 1) and again by a supervisor's republication
(versions 2, 3 ...), each with who, when and why. The row is written once: (month, version) is
unique, so a retried publication finds its row and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, func
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, col, select

from core.evaluation_periods import Period
from models.db import AwareDateTime
from models.evaluation import DIMENSIONS, evaluate
from models.evaluation_public import Evaluation
from models.evaluation_settings import weights
from models.evaluation_units import units


class Publication(SQLModel, table=True):
    """One publication of one month's report."""

    __tablename__ = "evaluation_publication"
    __table_args__ = (UniqueConstraint("month", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)  # 2026-11
    version: int  # 1: the schedule's; 2, 3 ...: republished
    trigger: str = Field(max_length=16)  # schedule | republish
    published_at: datetime = Field(sa_column=Column(AwareDateTime(), nullable=False))
    published_by: str | None = Field(default=None, max_length=64)  # None: the schedule
    reason: str | None = Field(default=None, max_length=500)
    workflow_id: str = Field(max_length=128)
    # dimension -> Evaluation.model_dump(mode="json"), as of published_at.
    snapshot: dict = Field(default_factory=dict, sa_column=Column(JSON))
    mailed: list = Field(default_factory=list, sa_column=Column(JSON))  # department codes
    not_mailed: list = Field(default_factory=list, sa_column=Column(JSON))  # no head e-mail


@dataclass(frozen=True)
class PublicationSummary:
    """A publication without its figures, for lists."""

    month: str
    version: int
    trigger: str
    published_at: datetime
    published_by: str | None
    reason: str | None
    mailed: list[str]
    not_mailed: list[str]


def snapshot(
    *,
    session: Session,
    period: Period,
    at: datetime,
    beat: Callable[[], None] = lambda: None,
) -> dict[str, dict[str, Any]]:
    """Returns every dimension's evaluation of the period as of `at`, fit for a JSON column;
    calls `beat` after each (an activity's heartbeat)."""
    chosen = weights(session=session)
    found = {}
    for by in DIMENSIONS:
        found[by] = evaluate(
            session=session,
            period=period,
            by=by,
            now=at,
            units=units(session, by),
            weights=chosen,
        ).model_dump(mode="json")
        beat()
    return found


def find(*, session: Session, month: str, version: int) -> Publication | None:
    """Returns one publication, or None."""
    return session.exec(
        select(Publication).where(Publication.month == month, Publication.version == version)
    ).first()


def latest(*, session: Session, month: str) -> Publication | None:
    """Returns the month's latest version, or None when it was never published."""
    return session.exec(
        select(Publication)
        .where(Publication.month == month)
        .order_by(col(Publication.version).desc())
    ).first()


def latest_version(*, session: Session, month: str) -> int:
    """Returns the month's latest version number, 0 when it was never published."""
    found = session.exec(
        select(func.max(Publication.version)).where(Publication.month == month)
    ).one()
    return int(found or 0)


def published_months(*, session: Session) -> list[str]:
    """Returns the months that have a publication, newest first."""
    return list(
        session.exec(
            select(Publication.month).distinct().order_by(col(Publication.month).desc())
        ).all()
    )


def summaries(*, session: Session, month: str | None = None) -> list[PublicationSummary]:
    """Returns the publications (newest month first, its latest version first), without their
    figures."""
    table = Publication.__table__.c  # type: ignore[attr-defined]
    query = sa_select(
        table.month,
        table.version,
        table.trigger,
        table.published_at,
        table.published_by,
        table.reason,
        table.mailed,
        table.not_mailed,
    )
    if month is not None:
        query = query.where(table.month == month)
    query = query.order_by(table.month.desc(), table.version.desc())
    return [
        PublicationSummary(
            month=row.month,
            version=row.version,
            trigger=row.trigger,
            published_at=row.published_at,
            published_by=row.published_by,
            reason=row.reason,
            mailed=list(row.mailed or []),
            not_mailed=list(row.not_mailed or []),
        )
        for row in session.execute(query).all()
    ]


def evaluations(row: Publication, dims: tuple[str, ...] = DIMENSIONS) -> dict[str, Evaluation]:
    """Returns the published evaluations of `dims` the row holds."""
    return {by: Evaluation.model_validate(row.snapshot[by]) for by in dims if by in row.snapshot}
