"""A joint operation as the API shows it: OperationPublic and its parts, a brief list item."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from models.public import LocalTime


class OperationCounts(BaseModel):
    """What a session found or a report counted."""

    stalls_cleared: int = 0
    items_seized: int = 0
    warnings: int = 0
    fines: int = 0
    fine_amount: float = Field(default=0, description="yuan")


class OperationDepartmentBrief(BaseModel):
    """A taking-part department in a list: its code, role and answer."""

    department: str
    role: str = Field(description="`lead` or `cooperating`")
    status: str = Field(description="`invited`, `confirmed`, `declined` or `withdrawn`")


class OperationDepartmentPublic(OperationDepartmentBrief):
    """A taking-part department with its people, vehicles, answer and running totals."""

    name: str | None
    people: int
    vehicles: int
    note: str | None
    decline_reason: str | None
    overruled: bool
    responded_at: LocalTime | None
    confirmed_on_time: bool | None
    escalation_level: int
    found: OperationCounts
    reported: OperationCounts
    results: OperationCounts = Field(
        description="findings and reports reconciled: per session and kind the larger of the "
        "report and the findings logged (a report includes its session's findings)"
    )
    cases: int = Field(default=0, description="cases made from its findings")
    reports_filed: int
    reports_due: list[int] = Field(description="sessions whose report is still due")


class OperationTotals(BaseModel):
    """The totals of every department: running, or final once the operation is closed."""

    found: OperationCounts
    reported: OperationCounts
    results: OperationCounts = Field(description="findings and reports reconciled, added up")
    cases: int = Field(default=0, description="cases made from findings")
    people: int = Field(description="people of the confirmed departments")
    vehicles: int
    final: bool = Field(
        default=False, description="kept by the close: they no longer change (closed operations)"
    )


class OperationSessionPublic(BaseModel):
    """One time window of the operation."""

    number: int
    status: str = Field(description="`scheduled`, `running`, `ended` or `cancelled`")
    start: LocalTime
    end: LocalTime
    started_at: LocalTime | None
    ended_at: LocalTime | None
    report_deadline: LocalTime | None


class FindingCase(BaseModel):
    """The case a finding became, as it stands now."""

    number: str
    department: str | None
    status: str | None
    light: str | None


class OperationFindingPublic(BaseModel):
    """What a department found in a session, and the case it became."""

    number: int
    session: int
    department: str
    note: str
    logged_by: str
    at: LocalTime
    counts: OperationCounts
    case_number: str | None
    case: FindingCase | None


class OperationReportPublic(BaseModel):
    """A department's report of one session: due until filed."""

    session: int
    department: str
    status: str = Field(description="`due` or `filed`")
    deadline: LocalTime
    counts: OperationCounts
    note: str | None
    filed_by: str | None
    filed_at: LocalTime | None
    on_time: bool | None


class OperationEventPublic(BaseModel):
    """One line of the operation's timeline."""

    seq: int
    at: LocalTime
    actor: str
    action: str
    department: str | None
    detail: str = Field(description="what the person wrote; when nobody wrote, the line in words")
    text: str | None = Field(default=None, description="the line in words (zh-CN)")
    note: str | None = Field(default=None, description="what the person wrote, if anything")
    data: dict[str, Any] = Field(description="structured facts: codes, deadlines, counts")


class OperationHead(BaseModel):
    """What a list and the full operation both show."""

    id: str
    title: str
    goal: str
    area: list[str] = Field(description="grid or street codes")
    status: str
    lead: str
    lead_name: str | None
    launched_by: str
    launched_at: LocalTime
    confirm_deadline: LocalTime
    first_start: LocalTime | None
    last_end: LocalTime | None
    sessions_total: int
    sessions_ended: int
    current_session: int | None
    report_within: float
    report_unit: str
    category: str | None = Field(
        default=None, description="the kind of case it targets: the default of cases from findings"
    )
    postponed: int
    cancel_reason: str | None
    closed_by: str | None
    closed_at: LocalTime | None
    updated_at: LocalTime | None
    version: int


class OperationBrief(OperationHead):
    """An operation in a list."""

    departments: list[OperationDepartmentBrief]


class OperationPublic(OperationHead):
    """An operation with its departments, totals, sessions, findings, reports and timeline."""

    departments: list[OperationDepartmentPublic]
    totals: OperationTotals
    sessions: list[OperationSessionPublic]
    findings: list[OperationFindingPublic]
    reports: list[OperationReportPublic]
    timeline: list[OperationEventPublic]
    summary: dict[str, Any] | None = Field(description="the closing summary, once closed")


class OperationList(BaseModel):
    """One page of operations, newest first."""

    items: list[OperationBrief]
    total: int
    page: int
    page_size: int
