"""The cases on the map: the few columns a marker needs, newest first, up to a limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as select_columns
from sqlmodel import Session, col, func, select

from models.case import Case
from models.case_store import case_conditions

NO_LIGHT = "none"  # the light filter's value for cases without a running clock


@dataclass(frozen=True)
class MapCase:
    """What a case's marker shows: where, its light, and what the popup says."""

    number: str
    status: str
    category: str
    light: str | None
    grid: str
    department: str | None
    address: str
    lat: float | None
    lon: float | None
    created_at: datetime


def map_cases(
    *,
    session: Session,
    limit: int,
    statuses: tuple[str, ...] = (),
    light: str | None = None,
    **filters: str | None,
) -> tuple[list[MapCase], int]:
    """Returns up to `limit` cases, newest first, and how many match: `statuses` (any if empty),
    `light` (a colour, or `none` for no clock), and case_conditions' filters (visible_to ...)."""
    conditions = case_conditions(
        status=",".join(statuses) or None,
        light=light if light != NO_LIGHT else None,
        **filters,
    )
    if light == NO_LIGHT:
        conditions.append(col(Case.light).is_(None))
    total = session.exec(select(func.count()).select_from(Case).where(*conditions)).one()
    # More columns than sqlmodel's select and exec are typed for: SQLAlchemy's own.
    query = (
        select_columns(
            col(Case.number),
            col(Case.status),
            col(Case.category),
            col(Case.light),
            col(Case.grid),
            col(Case.department),
            col(Case.address),
            col(Case.lat),
            col(Case.lon),
            col(Case.created_at),
        )
        .where(*conditions)
        .order_by(col(Case.created_at).desc(), col(Case.number).desc())
        .limit(limit)
    )
    rows = session.connection().execute(query).all()
    return [MapCase(**row._mapping) for row in rows], int(total)
