"""The responsibility list's answer (权责清单): which department owns a category where."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from models.reference import ANY_STREET, STREET_SCOPE, Grid, Rule

# How specific a line is: a grid's beats its community's, which beats its street's, which beats
# the category's default for every street.
_GRID, _COMMUNITY, _STREET, _DEFAULT = 3, 2, 1, 0


def _rank(rule: Rule) -> int:
    if rule.scope == "grid":
        return _GRID
    if rule.scope == "community":
        return _COMMUNITY
    return _DEFAULT if rule.street == ANY_STREET else _STREET


def _most_specific(session: Session, category: str, *areas: ColumnElement[bool]) -> Rule | None:
    rules = session.exec(
        select(Rule).where(Rule.category == category, col(Rule.retracted_at).is_(None), or_(*areas))
    ).all()
    # Among lines of one area the newest wins: a ruling over the list line it overrides.
    return max(rules, key=lambda r: (_rank(r), r.id or 0), default=None)


def _streets(street: str) -> ColumnElement[bool]:
    return and_(col(Rule.scope) == STREET_SCOPE, col(Rule.street).in_([street, ANY_STREET]))


def rule_in_street(*, session: Session, category: str, street: str) -> Rule | None:
    """Returns the line for a category in a street: the street's own first, then the default."""
    return _most_specific(session, category, _streets(street))


def route(*, session: Session, category: str, grid: str) -> Rule | None:
    """Returns the line in force for a category in a grid: the grid's own, its community's, its
    street's, then the category's default; None when there is none."""
    grid_row = session.get(Grid, grid)
    if grid_row is None:
        return None
    return _most_specific(
        session,
        category,
        and_(col(Rule.scope) == "grid", col(Rule.area) == grid),
        and_(col(Rule.scope) == "community", col(Rule.area) == grid_row.community),
        _streets(grid_row.street),
    )
