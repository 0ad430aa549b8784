"""The responsibility list's answer (权责清单): which department owns a category where."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from models.reference import ANY_STREET, STREET_SCOPE, Department, Grid, Rule

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
    # A line naming a retired department routes nothing: the next most specific one does.
    active = select(Department.code).where(col(Department.active))
    rules = session.exec(
        select(Rule).where(
            Rule.category == category,
            col(Rule.retracted_at).is_(None),
            col(Rule.department).in_(active),
            or_(*areas),
        )
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


# Where a line came from, as API.md's Administration names it (the demo seed's lines are the
# admin's, as in GET /api/admin/rules).
ARBITRATION, ADMIN, IMPORT = "arbitration", "admin", "import"
CITY = "city"


@dataclass(frozen=True)
class Basis:
    """Which line of the list an answer used: its id, scope and area, and where it came from."""

    rule_id: int
    scope: str  # city | street | community | grid
    area: str | None  # the street, community or grid code; None for the city
    source: str  # admin | import | arbitration
    case: str | None  # the arbitrated case, for a ruling


def basis(rule: Rule) -> Basis:
    """Returns the explanation of a line: the scope it covers and its origin."""
    if rule.scope in ("grid", "community"):
        scope, area = rule.scope, rule.area
    elif rule.scope == CITY or rule.street == ANY_STREET:
        scope, area = CITY, None
    else:
        scope, area = STREET_SCOPE, rule.street
    origin = rule.source or ADMIN
    case = rule.case_number
    if case is None and origin.startswith("ruling:"):
        case = origin.removeprefix("ruling:")
    if case is not None or origin == ARBITRATION:
        source = ARBITRATION
    else:
        source = IMPORT if origin == IMPORT else ADMIN
    return Basis(rule_id=rule.id or 0, scope=scope, area=area, source=source, case=case)
