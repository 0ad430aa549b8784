"""The pages' queries of the operation projection: who takes part, what runs, titles by id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from core import operation_payloads as o
from models.operation import Operation, OperationDepartment


def taking_part(*, session: Session, operation_id: str) -> list[str]:
    """Returns the codes of an operation's departments."""
    query = select(OperationDepartment.department).where(
        OperationDepartment.operation_id == operation_id
    )
    return list(session.exec(query))


def running_with(*, session: Session, department: str) -> list[Operation]:
    """Returns the running operations a department has confirmed, earliest first."""
    return list(
        session.exec(
            select(Operation)
            .join(OperationDepartment, col(OperationDepartment.operation_id) == col(Operation.id))
            .where(
                OperationDepartment.department == department,
                OperationDepartment.status == o.CONFIRMED,
                Operation.status == o.RUNNING,
            )
            .order_by(col(Operation.first_start))
        )
    )


def by_id(*, session: Session, ids: Iterable[str]) -> dict[str, Operation]:
    """Returns the operations of `ids` by id (unknown ids are left out)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {r.id: r for r in session.exec(select(Operation).where(col(Operation.id).in_(wanted)))}
