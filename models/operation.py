"""The joint-operation projection: the operation, its departments, sessions, findings, session
reports and its append-only timeline (written by activities only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import AwareDateTime


def _at(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), **kw))


def _json(default: Any = dict) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON))


class Operation(SQLModel, table=True):
    """A joint operation (联合执法 / 专项整治) as the workflow last reported it."""

    __table_args__ = (Index("ix_operation_status_launched", "status", "launched_at"),)

    id: str = Field(primary_key=True, max_length=32)
    title: str
    goal: str = ""
    area: list = _json(list)
    lead: str = Field(max_length=32)
    status: str = Field(max_length=16)
    launched_by: str = Field(max_length=64)
    launched_at: datetime = _at(nullable=False)
    confirm_deadline: datetime = _at(nullable=False)
    first_start: datetime | None = _at()
    last_end: datetime | None = _at()
    sessions_total: int = 0
    sessions_ended: int = 0
    current_session: int | None = None
    report_within: float = 4
    report_unit: str = Field(default="working_hours", max_length=16)
    category: str | None = Field(default=None, max_length=32)
    postponed: int = 0
    cancel_reason: str | None = None
    closed_by: str | None = Field(default=None, max_length=64)
    closed_at: datetime | None = _at()
    summary: dict | None = Field(default=None, sa_column=Column(JSON))
    version: int = 0
    updated_at: datetime | None = _at()


class OperationDepartment(SQLModel, table=True):
    """A participating department: its answer, its people and vehicles, its running totals."""

    __tablename__ = "operation_department"
    __table_args__ = (UniqueConstraint("operation_id", "department"),)

    id: int | None = Field(default=None, primary_key=True)
    operation_id: str = Field(foreign_key="operation.id", index=True, max_length=32)
    department: str = Field(index=True, max_length=32)
    role: str = Field(max_length=16)  # lead | cooperating
    status: str = Field(max_length=16)  # invited | confirmed | declined | withdrawn
    people: int = 0
    vehicles: int = 0
    note: str | None = None
    decline_reason: str | None = None
    overruled: bool = False
    responded_at: datetime | None = _at()
    confirmed_on_time: bool | None = None
    escalation_level: int = 0
    found: dict = _json()
    reported: dict = _json()


class OperationSession(SQLModel, table=True):
    """One time window of an operation."""

    __tablename__ = "operation_session"
    __table_args__ = (UniqueConstraint("operation_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    operation_id: str = Field(foreign_key="operation.id", index=True, max_length=32)
    number: int
    status: str = Field(max_length=16)  # scheduled | running | ended | cancelled
    start: datetime = _at(nullable=False)
    end: datetime = _at(nullable=False)
    started_at: datetime | None = _at()
    ended_at: datetime | None = _at()
    report_deadline: datetime | None = _at()


class CountColumns(SQLModel):
    stalls_cleared: int = 0
    items_seized: int = 0
    warnings: int = 0
    fines: int = 0
    fine_amount: float = 0.0


class OperationFinding(CountColumns, table=True):
    """A finding logged in a session; `case_number` is set once it became a case (the key that
    keeps a retried spawn from creating a second case)."""

    __tablename__ = "operation_finding"
    __table_args__ = (UniqueConstraint("operation_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    operation_id: str = Field(foreign_key="operation.id", index=True, max_length=32)
    number: int
    session: int
    department: str = Field(max_length=32)
    note: str = ""
    logged_by: str = Field(max_length=64)
    at: datetime = _at(nullable=False)
    case_number: str | None = Field(default=None, index=True, max_length=32)
    case_department: str | None = Field(default=None, max_length=32)


class OperationReport(CountColumns, table=True):
    """A department's report of one session: due from the session's end until filed."""

    __tablename__ = "operation_report"
    __table_args__ = (UniqueConstraint("operation_id", "session", "department"),)

    id: int | None = Field(default=None, primary_key=True)
    operation_id: str = Field(foreign_key="operation.id", index=True, max_length=32)
    session: int
    department: str = Field(index=True, max_length=32)
    status: str = Field(max_length=16)  # due | filed
    deadline: datetime = _at(nullable=False)
    note: str | None = None
    filed_by: str | None = Field(default=None, max_length=64)
    filed_at: datetime | None = _at()
    on_time: bool | None = None


class OperationEvent(SQLModel, table=True):
    """One line of an operation's timeline: who, when, what, for which department. Never
    updated."""

    __tablename__ = "operation_event"
    __table_args__ = (UniqueConstraint("operation_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    operation_id: str = Field(foreign_key="operation.id", index=True, max_length=32)
    seq: int
    at: datetime = _at(nullable=False)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32, index=True)
    department: str | None = Field(default=None, max_length=32)
    detail: str = ""
    data: dict = _json()


class OperationCounter(SQLModel, table=True):
    """The last operation number handed out in a year (2026 -> 7 gives LH-2026-0007)."""

    __tablename__ = "operation_counter"

    year: int = Field(primary_key=True)
    last: int = 0
