"""The supervisor's list of late operation duties (联合行动督办): departments that have not
confirmed by the deadline and session reports past theirs, as the operation timeline records them.

Read from the projection only; the workflow decides when a duty is overdue or escalated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core import operation_payloads as o
from models.operation import Operation, OperationDepartment, OperationEvent, OperationReport

LATE_ACTIONS = ("overdue", "escalated")


@dataclass(frozen=True)
class LateDuty:
    """A department's duty in an open operation that went past its deadline and climbed the
    ladder: `duty` is confirm or report (of `session`), `level` 0 when only overdue."""

    operation_id: str
    title: str
    department: str
    duty: str
    session: int | None
    deadline: datetime
    level: int


def escalated_duties(*, session: Session) -> list[LateDuty]:
    """Returns the late duties of open operations, highest level first, then the oldest.

    A duty counts while it is still owed (the department is still invited; the report is still
    due) and the timeline holds an overdue or escalation line for it at or after its current
    deadline: a postponement moves the deadline, and the lines of the old one no longer count.
    """
    open_ops = select(Operation.id).where(col(Operation.status).not_in(o.FINAL_STATUSES))
    lines = session.exec(
        select(OperationEvent).where(
            col(OperationEvent.action).in_(LATE_ACTIONS),
            col(OperationEvent.operation_id).in_(open_ops),
        )
    ).all()
    if not lines:
        return []
    ids = {line.operation_id for line in lines}
    operations = {
        row.id: row for row in session.exec(select(Operation).where(col(Operation.id).in_(ids)))
    }
    invited = {
        (d.operation_id, d.department)
        for d in session.exec(
            select(OperationDepartment).where(
                col(OperationDepartment.operation_id).in_(ids),
                OperationDepartment.status == o.INVITED,
            )
        )
    }
    due = {
        (r.operation_id, r.department, r.session): r.deadline
        for r in session.exec(
            select(OperationReport).where(
                col(OperationReport.operation_id).in_(ids), OperationReport.status == "due"
            )
        )
    }
    late: dict[tuple[str, str, str], LateDuty] = {}
    for line in lines:
        data, department = line.data or {}, line.department or ""
        duty, number = str(data.get("duty") or ""), int(data.get("session") or 0)
        operation = operations[line.operation_id]
        if duty == "confirm" and (line.operation_id, department) in invited:
            deadline: datetime | None = operation.confirm_deadline
        elif duty.startswith("report-"):
            deadline = due.get((line.operation_id, department, number))
        else:
            continue
        if deadline is None or line.at < deadline:
            continue
        key = (line.operation_id, department, duty)
        level = int(data.get("level") or 0)
        known = late.get(key)
        if known is None or known.level < level:
            late[key] = LateDuty(
                operation_id=line.operation_id,
                title=operation.title,
                department=department,
                duty="confirm" if duty == "confirm" else "report",
                session=None if duty == "confirm" else number,
                deadline=deadline,
                level=level,
            )
    return sorted(late.values(), key=lambda d: (-d.level, d.deadline, d.operation_id, d.department))
