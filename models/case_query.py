"""The desks' queries of the case projection: task lists by deadline, escalations, pending
extensions, status counts and bounce reasons. The plain newest-first list is case_store.list_cases.

Each list takes the same filters as list_cases (status, department, category, grid, light, q)
and returns one page of rows with the total that match.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, case, cast, func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from core import payloads as p
from models.case import Case, CaseEvent
from models.case_store import case_conditions

OPEN_TASKS = (p.DISPATCHED, p.IN_PROGRESS, p.PARKED)
Found = tuple[list[Case], int]


def _page(session: Session, query: Any, order: list[Any], page: int, page_size: int) -> Found:
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(*order).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), int(total)


def due_at() -> Any:
    """Returns the SQL expression of the deadline that runs now: accepting, else handling."""
    return case(
        (col(Case.status) == p.DISPATCHED, col(Case.accept_deadline)), else_=col(Case.deadline)
    )


def _extension_pending() -> Any:
    # A JSON column holds SQL NULL or the JSON `null` once a request was decided.
    pending = cast(Case.extension_pending, String)
    return (
        col(Case.extension_pending).is_not(None)
        & (pending != "null")
        & col(Case.status).in_((p.IN_PROGRESS, p.PARKED))
    )


def liaison_tasks(
    *,
    session: Session,
    department: str,
    page: int,
    page_size: int,
    latest_first: bool = False,
    **filters: str | None,
) -> Found:
    """Returns a department's open tasks and interim (先行处置) cases, by deadline."""
    filters.pop("department", None)  # the department is the desk's own
    query = select(Case).where(
        or_(
            and_(col(Case.department) == department, col(Case.status).in_(OPEN_TASKS)),
            and_(
                col(Case.interim_department) == department,
                col(Case.status).not_in(p.FINAL_STATUSES),
            ),
        ),
        *case_conditions(**filters),
    )
    due = due_at()
    order = [due.is_(None), due.desc() if latest_first else due.asc(), col(Case.number)]
    return _page(session, query, order, page, page_size)


def escalated(
    *, session: Session, level: int | None, page: int, page_size: int, **filters: str | None
) -> Found:
    """Returns escalated open cases (of one level, or any), highest level first."""
    query = select(Case).where(
        col(Case.status).not_in(p.FINAL_STATUSES),
        Case.escalation_level == level if level else Case.escalation_level >= 1,
        *case_conditions(**filters),
    )
    order = [col(Case.escalation_level).desc(), due_at().asc()]
    return _page(session, query, order, page, page_size)


def pending_extensions(
    *, session: Session, page: int, page_size: int, **filters: str | None
) -> Found:
    """Returns the cases whose department asked for more time, oldest request first."""
    query = select(Case).where(_extension_pending(), *case_conditions(**filters))
    return _page(session, query, [col(Case.updated_at).asc()], page, page_size)


def _lines_by_case(
    session: Session, numbers: list[str], actions: tuple[str, ...]
) -> dict[str, list[CaseEvent]]:
    # Every case of `numbers` gets its lines of `actions`, oldest first (none: an empty list).
    out: dict[str, list[CaseEvent]] = {n: [] for n in numbers}
    if not numbers:
        return out
    rows = session.exec(
        select(CaseEvent)
        .where(col(CaseEvent.case_number).in_(numbers), col(CaseEvent.action).in_(actions))
        .order_by(col(CaseEvent.seq))
    )
    for row in rows:
        out[row.case_number].append(row)
    return out


def bounce_history(*, session: Session, numbers: list[str]) -> dict[str, list[CaseEvent]]:
    """Returns each case's bounce lines (who bounced, why, what it suggested), oldest first."""
    return _lines_by_case(session, numbers, ("bounced",))


def rework_history(*, session: Session, numbers: list[str]) -> dict[str, list[CaseEvent]]:
    """Returns each case's rework lines, the verify and callback lines that may have sent it
    back (their notes say why) and its dispatch lines, oldest first."""
    return _lines_by_case(session, numbers, ("rework", "verified", "callback", "dispatched"))


def bounced_by(*, session: Session, case: Case) -> set[str]:
    """Returns the departments that bounced a case (they may still read it)."""
    if not case.bounces:
        return set()
    lines = bounce_history(session=session, numbers=[case.number])[case.number]
    return {str((line.data or {}).get("department")) for line in lines}


def status_counts(*, session: Session, statuses: tuple[str, ...]) -> dict[str, int]:
    """Returns how many cases are in each of `statuses` (one grouped, indexed query)."""
    rows = session.exec(
        select(Case.status, func.count())
        .where(col(Case.status).in_(statuses))
        .group_by(Case.status)
    ).all()
    counts = {s: 0 for s in statuses}
    counts.update({status: int(n) for status, n in rows})
    return counts


def stuck_counts(*, session: Session) -> dict[str, int]:
    """Returns how many open cases each supervisor view holds (one pass over open cases)."""

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        sql_select(
            count_if(Case.light == "red"),
            count_if(Case.escalation_level >= 1),
            count_if(Case.status == p.DISPUTED),
            count_if(Case.status == p.PARKED),
            count_if(_extension_pending()),
        ).where(col(Case.status).not_in(p.FINAL_STATUSES))
    ).one()
    return dict(
        zip(
            ("overdue", "escalated", "disputed", "parked", "extensions"),
            (int(n) for n in row),
            strict=True,
        )
    )


def callbacks(*, session: Session, page: int, page_size: int, **filters: str | None) -> Found:
    """Returns the verified cases to call back (回访): those the reporter rated dissatisfied
    first, each group newest first."""
    filters["status"] = p.VERIFIED
    query = select(Case).where(*case_conditions(**filters))
    unhappy = case((col(Case.reporter_rating) == "dissatisfied", 0), else_=1)
    order = [unhappy, col(Case.created_at).desc(), col(Case.number).desc()]
    return _page(session, query, order, page, page_size)
