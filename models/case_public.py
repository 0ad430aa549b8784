"""The case as the API shows it (API.md): CasePublic with its timeline, and a page of cases."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict
from sqlmodel import Field

from models.case import Case, CaseBase, CaseEvent
from models.public import LocalTime


class TimelineEntryPublic(BaseModel):
    """One line of a case's timeline: who did what, when, and the facts it recorded."""

    # Lines may carry more facts than listed here; they are passed on as they are.
    model_config = ConfigDict(extra="allow")

    at: LocalTime
    actor: str = pydantic.Field(description="username of whoever acted, or `system`")
    action: str = pydantic.Field(description="what happened: `created`, `dispatched`, ... (API.md)")
    detail: str = pydantic.Field(
        description="what the person typed (reason, note); when nobody typed, the line in words"
    )
    text: str | None = pydantic.Field(
        default=None, description="the line in words (zh-CN), rendered from its facts"
    )
    data: dict[str, Any] = pydantic.Field(
        default_factory=dict,
        description="structured facts: department codes, deadlines, counts, causes",
    )
    note: str | None = pydantic.Field(
        default=None, description="what the person typed with the action (reason, note), or null"
    )

    @classmethod
    def of(cls, event: CaseEvent) -> TimelineEntryPublic:
        """Returns a stored timeline row as the API shows it."""
        return cls.model_validate(event, from_attributes=True)


class ReporterPublic(BaseModel):
    """Who reported the case (staff only)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None


class CasePublic(CaseBase):
    """A case as the workflow last reported it (GET /api/cases/{number})."""

    department_name: str | None = Field(default=None, description="name of `department`")
    deadline: LocalTime | None = Field(default=None, description="handling deadline in force")
    accept_deadline: LocalTime | None = Field(default=None, description="deadline to accept")
    yellow_at: LocalTime | None = Field(default=None, description="when the light turns yellow")
    extension_pending: dict[str, Any] | None = Field(
        default=None,
        description="the open extension request: amount, unit, reason, requested_by, requested_at",
    )
    calendar_fallback: bool = Field(
        default=False, description="the deadline counts Monday–Friday only (no holiday data)"
    )
    created_at: LocalTime
    dispatched_at: LocalTime | None = None
    accepted_at: LocalTime | None = None
    reported_at: LocalTime | None = None
    closed_at: LocalTime | None = None
    updated_at: LocalTime | None = None
    version: int = Field(default=0, description="grows with every change the workflow makes")
    reporter: ReporterPublic | None = None
    timeline: list[TimelineEntryPublic] = Field(
        default_factory=list, description="oldest first; empty in lists"
    )

    @classmethod
    def of(
        cls, case: Case, *, names: dict[str, str], events: list[CaseEvent] | None = None
    ) -> CasePublic:
        """Returns a case row with its department's name and, when given, its timeline."""
        return cls.model_validate(
            case,
            update={
                "department_name": names.get(case.department or ""),
                "reporter": ReporterPublic(
                    name=case.reporter_name, phone=case.reporter_phone, email=case.reporter_email
                ),
                "timeline": [TimelineEntryPublic.of(e) for e in events or []],
            },
        )


class CaseList(BaseModel):
    """One page of cases, newest first, and how many match in all."""

    items: list[CasePublic]
    total: int
    page: int
    page_size: int
