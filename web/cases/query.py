"""Read-only queries behind the desks: filters from the URL, paged lists, bounce reasons.

Plain lists go through models.case_store.list_cases; the desk orderings and the supervisor's
special views (escalation level, pending extensions) need conditions it does not offer.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import String, and_, case, cast, func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select
from starlette.requests import Request

from core import payloads as p
from models.case import Case, CaseEvent
from models.case_store import list_cases
from models.routing import route
from models.user import User

PAGE_SIZE = 20
FILTERS = ("status", "department", "category", "grid", "light", "q")
OPEN_TASKS = (p.DISPATCHED, p.IN_PROGRESS, p.PARKED)


@dataclass
class Filters:
    """The filters of a list, as they appear in its URL."""

    status: str = ""
    department: str = ""
    category: str = ""
    grid: str = ""
    light: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_request(cls, request: Request, **defaults: str) -> Filters:
        """Reads the filters from the query string; `defaults` fill those left out."""
        params = request.query_params
        values = {k: (params.get(k) if k in params else defaults.get(k, "")) or "" for k in FILTERS}
        values = {k: v.strip()[:100] for k, v in values.items()}
        try:
            page = max(1, min(int(params.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        return cls(page=page, **values)

    def params(self) -> dict[str, Any]:
        """Returns the filters as query parameters (without the page)."""
        return {k: v for k, v in asdict(self).items() if k != "page" and v}


@dataclass
class Page:
    """One page of cases and what the pager needs."""

    items: list[Case]
    total: int
    page: int
    page_size: int = PAGE_SIZE
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """Returns the number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.page_size))


def search(*, session: Session, user: User, filters: Filters) -> Page:
    """Returns the cases a user may see that match the filters, newest first."""
    visible_to = user.department if user.role == "liaison" else None
    if user.role == "liaison" and not visible_to:
        return Page([], 0, filters.page)
    rows, total = list_cases(
        session=session,
        status=filters.status or None,
        department=filters.department or None,
        light=filters.light or None,
        category=filters.category or None,
        grid=filters.grid or None,
        q=filters.q or None,
        visible_to=visible_to,
        page=filters.page,
        page_size=PAGE_SIZE,
    )
    return Page(rows, total, filters.page)


def _where(query: Any, filters: Filters, *, skip: tuple[str, ...] = ()) -> Any:
    if filters.status and "status" not in skip:
        query = query.where(col(Case.status).in_(filters.status.split(",")))
    for name in ("department", "category", "grid", "light"):
        value = getattr(filters, name)
        if value and name not in skip:
            query = query.where(getattr(Case, name) == value)
    if filters.q:
        like = f"%{filters.q}%"
        query = query.where(
            or_(
                col(Case.number).like(like),
                col(Case.description).like(like),
                col(Case.address).like(like),
            )
        )
    return query


def _paged(session: Session, query: Any, order: list[Any], page: int) -> Page:
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(*order).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return Page(list(rows), int(total), page)


def due_at() -> Any:
    """Returns the SQL expression of the deadline that runs now: accepting, else handling."""
    return case(
        (col(Case.status) == p.DISPATCHED, col(Case.accept_deadline)), else_=col(Case.deadline)
    )


def liaison_tasks(
    *, session: Session, department: str, filters: Filters, latest_first: bool = False
) -> Page:
    """Returns a department's open tasks and interim (先行处置) cases, by deadline."""
    query = select(Case).where(
        or_(
            and_(col(Case.department) == department, col(Case.status).in_(OPEN_TASKS)),
            and_(
                col(Case.interim_department) == department,
                col(Case.status).not_in(p.FINAL_STATUSES),
            ),
        )
    )
    query = _where(query, filters, skip=("department",))
    due = due_at()
    order = [due.is_(None), due.desc() if latest_first else due.asc(), col(Case.number)]
    return _paged(session, query, order, filters.page)


def escalated(*, session: Session, filters: Filters, level: int | None) -> Page:
    """Returns escalated open cases, highest level first."""
    query = select(Case).where(col(Case.status).not_in(p.FINAL_STATUSES))
    query = query.where(Case.escalation_level == level if level else Case.escalation_level >= 1)
    query = _where(query, filters)
    return _paged(session, query, [col(Case.escalation_level).desc(), due_at().asc()], filters.page)


def pending_extensions(*, session: Session, filters: Filters) -> Page:
    """Returns the cases whose department asked for more time, oldest request first."""
    pending = cast(Case.extension_pending, String)
    query = select(Case).where(
        col(Case.extension_pending).is_not(None),
        pending != "null",
        col(Case.status).in_((p.IN_PROGRESS, p.PARKED)),
    )
    query = _where(query, filters)
    return _paged(session, query, [col(Case.updated_at).asc()], filters.page)


def bounce_history(*, session: Session, numbers: list[str]) -> dict[str, list[CaseEvent]]:
    """Returns each case's bounce lines (who bounced, why, what it suggested), oldest first."""
    if not numbers:
        return {}
    rows = session.exec(
        select(CaseEvent)
        .where(col(CaseEvent.case_number).in_(numbers), CaseEvent.action == "bounced")
        .order_by(col(CaseEvent.seq))
    )
    out: dict[str, list[CaseEvent]] = {n: [] for n in numbers}
    for row in rows:
        out[row.case_number].append(row)
    return out


def suggestion(*, session: Session, row: Case, bounces: list[CaseEvent] | None = None) -> str:
    """Returns the department to preselect when dispatching: the last bounce's suggestion,
    else what the responsibility list says."""
    for event in reversed(bounces or []):
        suggested = (event.data or {}).get("suggested_department")
        if suggested:
            return suggested
    rule = route(session=session, category=row.category, grid=row.grid)
    return rule.department if rule else ""


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
    is_open = col(Case.status).not_in(p.FINAL_STATUSES)

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    pending = cast(Case.extension_pending, String)
    row = session.execute(
        sql_select(
            count_if(Case.light == "red"),
            count_if(Case.escalation_level >= 1),
            count_if(Case.status == p.DISPUTED),
            count_if(Case.status == p.PARKED),
            count_if(
                col(Case.extension_pending).is_not(None)
                & (pending != "null")
                & col(Case.status).in_((p.IN_PROGRESS, p.PARKED))
            ),
        ).where(is_open)
    ).one()
    return dict(
        zip(
            ("overdue", "escalated", "disputed", "parked", "extensions"),
            (int(n) for n in row),
            strict=True,
        )
    )
