"""The API's shape of a joint operation: departments with running totals, sessions, findings
with their cases' live state, reports, timeline and summary (read from the projection once)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core import operation_payloads as o
from core.operation_results import reconcile
from models import operation_store as store
from models.db import session_scope
from models.operation import (
    CountColumns,
    Operation,
    OperationDepartment,
    OperationEvent,
    OperationFinding,
    OperationReport,
    OperationSession,
)
from models.operation_cases import case_briefs
from models.operation_public import (
    FindingCase,
    OperationBrief,
    OperationCounts,
    OperationDepartmentBrief,
    OperationDepartmentPublic,
    OperationFindingPublic,
    OperationHead,
    OperationList,
    OperationPublic,
    OperationReportPublic,
    OperationSessionPublic,
    OperationTotals,
)
from models.reference_store import department_names
from models.user import User
from web.kit.errors import not_found
from web.operations.history import timeline_public

COUNT_KINDS = o.COUNT_KINDS
# Shown, not a workflow status: confirming, and every department taking part has said yes.
READY = "ready"


def shown_status(status: str, departments: Iterable[Any]) -> str:
    """Returns the status to show: 已确认待开始 (`ready`) once every department taking part
    has confirmed and no session has started yet, else the workflow's own."""
    answers = [d.status for d in departments if d.status != o.WITHDRAWN]
    if status == o.CONFIRMING and answers and all(a == o.CONFIRMED for a in answers):
        return READY
    return status


@dataclass
class OperationRecord:
    """Everything the projection holds about one operation, read in one go."""

    row: Operation
    departments: list[OperationDepartment]
    sessions: list[OperationSession]
    findings: list[OperationFinding]
    reports: list[OperationReport]
    events: list[OperationEvent]
    cases: list[o.CaseBrief]


def load_record(session: Session, row: Operation) -> OperationRecord:
    """Reads an operation's departments, sessions, findings, reports, timeline and cases."""
    key = row.id
    return OperationRecord(
        row=row,
        departments=store.departments(session=session, operation_id=key),
        sessions=store.sessions(session=session, operation_id=key),
        findings=store.findings(session=session, operation_id=key),
        reports=store.reports(session=session, operation_id=key),
        events=store.timeline(session=session, operation_id=key),
        cases=case_briefs(session=session, operation_id=key),
    )


def counts_of(row: CountColumns | dict | None) -> OperationCounts:
    """Returns the counts of a finding or report row, or of a stored dict."""
    if row is None:
        return OperationCounts()
    if isinstance(row, dict):
        return OperationCounts(**{k: row.get(k, 0) or 0 for k in COUNT_KINDS})
    return OperationCounts(**{k: getattr(row, k) or 0 for k in COUNT_KINDS})


def add_counts(*many: OperationCounts) -> OperationCounts:
    """Returns the sum of counts; the yuan amount rounded to the fen."""
    total = {k: sum(getattr(c, k) for c in many) for k in COUNT_KINDS}
    total["fine_amount"] = round(float(total["fine_amount"]), 2)
    return OperationCounts(**total)


def _payload(row: CountColumns) -> o.Counts:
    return o.Counts(**{k: getattr(row, k) or 0 for k in COUNT_KINDS})


@dataclass
class Figures:
    """A department's results: what it found, what it reported, the two reconciled."""

    found: OperationCounts
    reported: OperationCounts
    results: OperationCounts


def department_figures(record: OperationRecord) -> tuple[dict[str, Figures], bool]:
    """Returns each department's figures and whether they are final.

    A closed operation's come from its summary, as the close reconciled them (a case's later
    status or anything written afterwards leaves them alone); the others' are reconciled from
    the findings and filed reports now (core/operation_results.reconcile)."""
    summary = record.row.summary or {}
    if summary.get("results") is not None:
        kept = {
            d["department"]: Figures(
                found=counts_of(d.get("found")),
                reported=counts_of(d.get("reported")),
                results=counts_of(d.get("results")),
            )
            for d in summary.get("departments") or []
        }
        return kept, True
    live = reconcile(
        ((f.department, f.session, _payload(f)) for f in record.findings),
        ((r.department, r.session, _payload(r)) for r in record.reports if r.status == "filed"),
    )
    now = {
        d.department: Figures(
            found=counts_of(d.found),
            reported=counts_of(d.reported),
            results=counts_of(live.get(d.department, o.Counts()).as_dict()),
        )
        for d in record.departments
    }
    return now, record.row.summary is not None


def _head(row: Operation, names: dict[str, str]) -> dict:
    fields = {
        name: getattr(row, name) for name in OperationHead.model_fields if name != "lead_name"
    }
    return {**fields, "area": list(row.area or []), "lead_name": names.get(row.lead)}


def _department(
    d: OperationDepartment, names: dict[str, str], record: OperationRecord, figures: Figures
) -> OperationDepartmentPublic:
    mine = [r for r in record.reports if r.department == d.department]
    return OperationDepartmentPublic(
        department=d.department,
        name=names.get(d.department),
        role=d.role,
        status=d.status,
        people=d.people,
        vehicles=d.vehicles,
        note=d.note,
        decline_reason=d.decline_reason,
        overruled=d.overruled,
        responded_at=d.responded_at,
        confirmed_on_time=d.confirmed_on_time,
        escalation_level=d.escalation_level,
        found=figures.found,
        reported=figures.reported,
        results=figures.results,
        cases=sum(1 for f in record.findings if f.department == d.department and f.case_number),
        reports_filed=sum(1 for r in mine if r.status == "filed"),
        reports_due=[r.session for r in mine if r.status == "due"],
    )


def _finding(f: OperationFinding, live: dict[str, o.CaseBrief]) -> OperationFindingPublic:
    case = live.get(f.case_number or "")
    return OperationFindingPublic(
        number=f.number,
        session=f.session,
        department=f.department,
        note=f.note,
        logged_by=f.logged_by,
        at=f.at,
        counts=counts_of(f),
        case_number=f.case_number,
        case=None
        if f.case_number is None
        else FindingCase(
            number=f.case_number,
            department=case.department if case else f.case_department,
            status=case.status if case else None,
            light=case.light if case else None,
        ),
    )


def _report(r: OperationReport) -> OperationReportPublic:
    return OperationReportPublic.model_validate({**r.model_dump(), "counts": counts_of(r)})


def operation_public(record: OperationRecord, names: dict[str, str]) -> OperationPublic:
    """Returns the API's shape of an operation with everything on its page."""
    depts = record.departments
    live = {c.number: c for c in record.cases}
    figures, final = department_figures(record)
    empty = Figures(OperationCounts(), OperationCounts(), OperationCounts())
    shown = [_department(d, names, record, figures.get(d.department, empty)) for d in depts]
    return OperationPublic(
        **_head(record.row, names),
        departments=shown,
        totals=OperationTotals(
            found=add_counts(*(d.found for d in shown)),
            reported=add_counts(*(d.reported for d in shown)),
            results=add_counts(*(d.results for d in shown)),
            cases=sum(d.cases for d in shown),
            people=sum(d.people for d in depts if d.status == o.CONFIRMED),
            vehicles=sum(d.vehicles for d in depts if d.status == o.CONFIRMED),
            final=final,
        ),
        sessions=[OperationSessionPublic.model_validate(s.model_dump()) for s in record.sessions],
        findings=[_finding(f, live) for f in record.findings],
        reports=[_report(r) for r in record.reports],
        timeline=timeline_public(record.events, names, record.row.title),
        summary=record.row.summary,
    )


def read_operation(operation_id: str) -> OperationPublic:
    """Reads an operation with everything it holds from the projection."""
    with session_scope() as session:
        row = store.get_operation(session=session, operation_id=operation_id)
        if row is None:
            raise not_found(f"operation {operation_id}")
        return operation_public(load_record(session, row), department_names(session=session))


def operation_list(
    session: Session,
    user: User,
    *,
    status: str | None,
    department: str | None,
    page: int,
    page_size: int,
) -> OperationList:
    """Returns one page of operations the user may see, newest first."""
    if user.role == "liaison":
        if not user.department or (department and department != user.department):
            return OperationList(items=[], total=0, page=page, page_size=page_size)
        department = user.department
    rows, total = store.list_operations(
        session=session, status=status, department=department, page=page, page_size=page_size
    )
    names = department_names(session=session) if rows else {}
    items = [
        OperationBrief(
            **_head(r, names),
            departments=[
                OperationDepartmentBrief(department=d.department, role=d.role, status=d.status)
                for d in store.departments(session=session, operation_id=r.id)
            ],
        )
        for r in rows
    ]
    return OperationList(items=items, total=total, page=page, page_size=page_size)
