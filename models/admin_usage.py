"""What refers to a row an admin is about to retire: cases, lines of the list in force, users,
communities, grids, minor categories. Retiring keeps them all; the page says what they are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import payloads as p
from models.case import Case
from models.reference import Category, Community, Grid, Rule
from models.user import User

FINAL = (p.CLOSED, p.VOIDED, "merged")


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def usage(*, session: Session, table: str, key: str) -> dict[str, int]:
    """Returns how many of each kind of row refer to `key` of `table` (zeros left out)."""
    found: dict[str, int] = {}
    in_force = col(Rule.retracted_at).is_(None)
    if table in ("departments", "streets"):
        found["cases"] = _count(session, Case, col(Case.department) == key)
        found["open_cases"] = _count(
            session, Case, col(Case.department) == key, col(Case.status).not_in(FINAL)
        )
        found["rules"] = _count(session, Rule, col(Rule.department) == key, in_force)
        found["users"] = _count(session, User, col(User.department) == key, col(User.active))
    if table == "streets":
        found["communities"] = _count(
            session, Community, col(Community.street) == key, col(Community.active)
        )
        found["grids"] = _count(session, Grid, col(Grid.street) == key, col(Grid.active))
    elif table == "communities":
        found["grids"] = _count(session, Grid, col(Grid.community) == key, col(Grid.active))
    elif table in ("grids", "categories"):
        column = Case.grid if table == "grids" else Case.category
        found["cases"] = _count(session, Case, col(column) == key)
        found["open_cases"] = _count(
            session, Case, col(column) == key, col(Case.status).not_in(FINAL)
        )
        area = col(Rule.area) == key if table == "grids" else col(Rule.category) == key
        found["rules"] = _count(session, Rule, area, in_force)
    if table == "categories":
        found["minors"] = _count(
            session, Category, col(Category.parent) == key, col(Category.active)
        )
    return {k: v for k, v in found.items() if v}
