"""Reads of the reference data: departments, communities, grids, categories, the holiday table."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select

from models.reference import CalendarDay, CalendarYear, Category, Community, Department, Grid


def departments(*, session: Session) -> list[Department]:
    """Returns the departments, then the streets, each by code."""
    return list(session.exec(select(Department).order_by(Department.kind, Department.code)))


def department_names(*, session: Session) -> dict[str, str]:
    """Returns department and street names by code."""
    return {d.code: d.name for d in session.exec(select(Department))}


def grids(*, session: Session, geometry: bool = False) -> list[Grid]:
    """Returns the unit grids by code; their polygons only when asked (pages list every grid)."""
    query = select(Grid).order_by(Grid.code)
    if not geometry:
        query = query.options(defer(cast(QueryableAttribute[Any], Grid.geometry), raiseload=True))
    return list(session.exec(query))


def community_names(*, session: Session) -> dict[str, str]:
    """Returns community names by code."""
    return {c.code: c.name for c in session.exec(select(Community))}


def categories(*, session: Session) -> list[Category]:
    """Returns the case categories by code."""
    return list(session.exec(select(Category).order_by(Category.code)))


def covered_years(*, session: Session) -> list[int]:
    """Returns the years the holiday table covers, oldest first."""
    return list(session.exec(select(CalendarYear.year).order_by(col(CalendarYear.year))))


def calendar_days(*, session: Session, year: int) -> list[CalendarDay]:
    """Returns a year's holidays and make-up working days in date order."""
    return list(
        session.exec(
            select(CalendarDay)
            .where(
                col(CalendarDay.day) >= date(year, 1, 1), col(CalendarDay.day) <= date(year, 12, 31)
            )
            .order_by(col(CalendarDay.day))
        )
    )
