"""The responsibility list's answer (权责清单): which department owns a category where."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.reference import ANY_STREET, Grid, Rule


def rule_in_street(*, session: Session, category: str, street: str) -> Rule | None:
    """Returns the line for a category in a street: the street's own first, then the district's."""
    rules = session.exec(
        select(Rule).where(Rule.category == category, col(Rule.street).in_([street, ANY_STREET]))
    ).all()
    by_street = {r.street: r for r in rules}
    return by_street.get(street) or by_street.get(ANY_STREET)


def route(*, session: Session, category: str, grid: str) -> Rule | None:
    """Returns the responsibility-list line for a category in a grid, or None."""
    grid_row = session.get(Grid, grid)
    if grid_row is None:
        return None
    return rule_in_street(session=session, category=category, street=grid_row.street)
