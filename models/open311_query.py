"""The Open311 endpoint's queries of the case projection: requests by id or by filters, and
their timelines."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.case import Case, CaseEvent


def find_cases(
    *,
    session: Session,
    numbers: list[str],
    categories: list[str],
    start: datetime | None,
    end: datetime | None,
    statuses: tuple[str, ...] = (),
    excluded: tuple[str, ...] = (),
    limit: int,
) -> list[Case]:
    """Returns cases newest first: those of `numbers`, else those matching the other filters."""
    query = select(Case)
    if numbers:
        query = query.where(col(Case.number).in_(numbers))
    else:
        if categories:
            query = query.where(col(Case.category).in_(categories))
        if start is not None:
            query = query.where(col(Case.created_at) >= start)
        if end is not None:
            query = query.where(col(Case.created_at) <= end)
        if statuses:
            query = query.where(col(Case.status).in_(statuses))
        if excluded:
            query = query.where(col(Case.status).not_in(excluded))
    return list(session.exec(query.order_by(col(Case.created_at).desc()).limit(limit)))


def timelines(*, session: Session, numbers: list[str]) -> dict[str, list[CaseEvent]]:
    """Returns the timeline of each case in `numbers`, oldest line first."""
    events: dict[str, list[CaseEvent]] = {n: [] for n in numbers}
    if numbers:
        for e in session.exec(
            select(CaseEvent)
            .where(col(CaseEvent.case_number).in_(numbers))
            .order_by(col(CaseEvent.seq))
        ):
            events[e.case_number].append(e)
    return events
