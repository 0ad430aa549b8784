"""Rulings in the responsibility list (确权 → 权责清单): written by arbitration, read and
retracted by a supervisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.reference import STREET_SCOPE, Grid, Rule


@dataclass(frozen=True)
class Ruling:
    """What an arbitration writes: the category in the case's grid, community or street."""

    category: str
    scope: str  # grid | community | street
    grid: str | None  # the case's grid (None: an older workflow's ruling, for the street)
    street: str
    department: str
    case_number: str
    case_line: int | None
    decided_by: str
    decided_at: datetime | None


def _area(session: Session, ruling: Ruling) -> str | None:
    if ruling.scope == STREET_SCOPE:
        return None
    grid = session.get(Grid, ruling.grid or "")
    if grid is None:
        raise LookupError(f"grid {ruling.grid} of case {ruling.case_number} is unknown")
    return grid.code if ruling.scope == "grid" else grid.community


def write_ruling(*, session: Session, ruling: Ruling) -> Rule:
    """Adds the ruling's line; idempotent on (case, line): a retried write returns the first."""
    line = col(Rule.case_line) == ruling.case_line
    if ruling.case_line is None:
        line = col(Rule.case_line).is_(None)
    held = session.exec(
        select(Rule).where(
            Rule.case_number == ruling.case_number, line, Rule.category == ruling.category
        )
    ).first()
    if held is not None:
        if ruling.case_line is None:  # an older workflow's ruling: its latest word stands
            held.department = ruling.department
            session.add(held)
        return held
    rule = Rule(
        category=ruling.category,
        street=ruling.street,
        scope=ruling.scope,
        area=_area(session, ruling),
        department=ruling.department,
        source=f"ruling:{ruling.case_number}"[:64],
        case_number=ruling.case_number,
        case_line=ruling.case_line,
        created_by=ruling.decided_by,
        created_at=ruling.decided_at,
    )
    session.add(rule)
    session.flush()
    return rule


def get_rule(*, session: Session, rule_id: int) -> Rule | None:
    """Returns one line of the responsibility list, retracted or not."""
    return session.get(Rule, rule_id)


def retract_rule(*, session: Session, rule_id: int, by: str, at: datetime) -> Rule | None:
    """Retracts a line (it stops routing; who and when stay on it); a second retraction keeps
    the first's record. Returns the line, or None when there is none."""
    rule = session.get(Rule, rule_id)
    if rule is not None and rule.retracted_at is None:
        rule.retracted_by, rule.retracted_at = by, at
        session.add(rule)
        session.flush()
    return rule
