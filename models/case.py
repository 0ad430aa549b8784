"""The case projection: one row per case and its append-only timeline (written by activities)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import AwareDateTime


def _at(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), **kw))


class CaseBase(SQLModel):
    number: str = Field(primary_key=True, max_length=32)
    status: str = Field(max_length=16)
    category: str = Field(max_length=32)
    description: str
    grid: str = Field(max_length=32)
    street: str = Field(max_length=32)
    address: str
    channel: str = Field(max_length=16)
    department: str | None = Field(default=None, max_length=32)
    interim_department: str | None = Field(default=None, max_length=32)
    interim_done: bool = False
    light: str | None = Field(default=None, max_length=8)
    bounces: int = 0
    reworks: int = 0
    extensions: int = 0
    escalation_level: int = 0
    satisfaction: str | None = Field(default=None, max_length=24)
    lat: float | None = None
    lon: float | None = None


class Case(CaseBase, table=True):
    """A case as the workflow last reported it."""

    __table_args__ = (
        Index("ix_case_status_created", "status", "created_at"),
        Index("ix_case_department_created", "department", "created_at"),
        Index("ix_case_created", "created_at"),
        Index("ix_case_light_created", "light", "created_at"),
        Index("ix_case_category_created", "category", "created_at"),
        Index("ix_case_grid_created", "grid", "created_at"),
        Index("ix_case_interim", "interim_department"),
    )

    reporter_name: str | None = Field(default=None, max_length=64)
    reporter_phone: str | None = Field(default=None, max_length=32)
    reporter_email: str | None = Field(default=None, max_length=254)
    reporter_rating: str | None = Field(default=None, max_length=24)  # their own, once a result
    media_url: str | None = Field(default=None, max_length=500)
    extension_pending: dict | None = Field(default=None, sa_column=Column(JSON))
    calendar_fallback: bool = False
    handled_on_time: bool | None = None
    version: int = 0
    deadline: datetime | None = _at()
    accept_deadline: datetime | None = _at()
    yellow_at: datetime | None = _at()
    created_at: datetime = _at(nullable=False)
    updated_at: datetime | None = _at()
    dispatched_at: datetime | None = _at()
    accepted_at: datetime | None = _at()
    reported_at: datetime | None = _at()
    closed_at: datetime | None = _at()


class CaseEvent(SQLModel, table=True):
    """One line of a case's timeline: who, when, what and why. Never updated."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_number", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(foreign_key="case.number", index=True, max_length=32)
    seq: int
    at: datetime = _at(nullable=False)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32, index=True)
    detail: str = ""
    data: dict = Field(default_factory=dict, sa_column=Column(JSON))


class CaseCounter(SQLModel, table=True):
    """The last case number handed out in a month (2026-11 -> 123 gives 2026-11-000123)."""

    __tablename__ = "case_counter"

    month: str = Field(primary_key=True, max_length=7)
    last: int = 0
