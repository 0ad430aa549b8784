"""Cases from an operation's findings: the responsibility list's answer, a case number handed
out once per finding, the spawned cases' state for the closing summary, and a case's origin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from core import operation_payloads as o
from models.case import Case
from models.case_store import next_number
from models.operation import Operation, OperationFinding
from models.reference import Category, Grid
from models.routing import route


@dataclass
class CaseTicket:
    """What a spawned case starts with: its number, owner by the routing list, and limits."""

    number: str
    department: str
    street: str
    limit_amount: float
    limit_unit: str


def allocate_spawned_case(
    *,
    session: Session,
    operation_id: str,
    finding: int,
    category: str,
    grid: str,
    now: datetime | None = None,
) -> CaseTicket:
    """Returns the case a finding becomes, allocating its number only the first time.

    Keyed on (operation, finding): a retried activity gets the same number back. Raises
    LookupError naming the field when the category, grid or routing is unknown.
    """
    cat = session.get(Category, category)
    if cat is None:
        raise LookupError("category")
    cell = session.get(Grid, grid)
    if cell is None:
        raise LookupError("grid")
    rule = route(session=session, category=category, grid=grid)
    department = rule.department if rule else None
    if department is None:
        raise LookupError("category")
    row = session.exec(
        select(OperationFinding).where(
            OperationFinding.operation_id == operation_id, OperationFinding.number == finding
        )
    ).first()
    if row is None:
        raise LookupError("finding")
    if row.case_number is None:
        number = next_number(session=session, now=now)
        claimed = session.execute(  # type: ignore[attr-defined]
            update(OperationFinding)
            .where(col(OperationFinding.id) == row.id, col(OperationFinding.case_number).is_(None))
            .values(case_number=number, case_department=department)
        ).rowcount
        if not claimed:
            raise RuntimeError(f"finding {finding} was claimed meanwhile; retry")
        row.case_number, row.case_department = number, department
    return CaseTicket(
        number=row.case_number,
        department=row.case_department or department,
        street=cell.street,
        limit_amount=cat.limit_amount,
        limit_unit=cat.limit_unit,
    )


@dataclass(frozen=True)
class CaseOrigin:
    """The joint operation (and its finding) a case was made from."""

    operation_id: str
    title: str
    finding: int


def case_origin(*, session: Session, number: str) -> CaseOrigin | None:
    """Returns the operation whose finding became case `number`, or None."""
    found = session.exec(
        select(OperationFinding, Operation)
        .join(Operation, col(Operation.id) == col(OperationFinding.operation_id))
        .where(OperationFinding.case_number == number)
    ).first()
    if found is None:
        return None
    finding, operation = found
    return CaseOrigin(operation_id=operation.id, title=operation.title, finding=finding.number)


def case_briefs(*, session: Session, operation_id: str) -> list[o.CaseBrief]:
    """Returns the cases an operation spawned, with their state in the case projection now."""
    rows = session.exec(
        select(OperationFinding, Case)
        .join(Case, col(Case.number) == col(OperationFinding.case_number))
        .where(OperationFinding.operation_id == operation_id)
        .order_by(col(OperationFinding.number))
    ).all()
    return [
        o.CaseBrief(
            number=case.number,
            finding=finding.number,
            department=case.department,
            status=case.status,
            light=case.light,
        )
        for finding, case in rows
    ]
