"""Routing by the responsibility list: the most specific line in force wins (grid > community >
street > the category's default), a retracted line no longer routes, a ruling is written once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from factories import kept_rules
from sqlmodel import Session, select

from models.reference import Rule
from models.routing import route, rule_in_street
from models.rule_store import Ruling, retract_rule, write_ruling

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def db(engine):
    with kept_rules(engine), Session(engine) as session:
        yield session


def _ruling(scope: str, department: str, line: int, grid: str = "hongqi-01") -> Ruling:
    return Ruling(
        category="manhole-cover",
        scope=scope,
        grid=grid,
        street=grid.rsplit("-", 1)[0],
        department=department,
        case_number="2026-11-000042",
        case_line=line,
        decided_by="supervisor",
        decided_at=AT,
    )


def _owner(session: Session, grid: str) -> str | None:
    rule = route(session=session, category="manhole-cover", grid=grid)
    return rule.department if rule else None


def test_the_most_specific_line_in_force_routes(db):
    # The list: manhole covers are sw's everywhere. hongqi-01 and -02 share community hongqi-c1.
    assert {g: _owner(db, g) for g in ("hongqi-01", "hongqi-02", "hongqi-03")} == dict.fromkeys(
        ("hongqi-01", "hongqi-02", "hongqi-03"), "sw"
    )
    street = write_ruling(session=db, ruling=_ruling("street", "sz", 5))
    community = write_ruling(session=db, ruling=_ruling("community", "zj", 6))
    grid = write_ruling(session=db, ruling=_ruling("grid", "gd", 7))
    assert (grid.scope, grid.area, grid.street) == ("grid", "hongqi-01", "hongqi")
    assert (community.area, street.area, street.street) == ("hongqi-c1", None, "hongqi")
    assert (grid.created_by, grid.created_at, grid.case_line) == ("supervisor", AT, 7)

    owners = {g: _owner(db, g) for g in ("hongqi-01", "hongqi-02", "hongqi-03", "sanzao-01")}
    assert owners == {"hongqi-01": "gd", "hongqi-02": "zj", "hongqi-03": "sz", "sanzao-01": "sw"}

    # Retracting peels the lines off one by one, down to the category's default.
    for rule, expected in ((grid, "zj"), (community, "sz"), (street, "sw")):
        assert rule.id is not None
        retract_rule(session=db, rule_id=rule.id, by="supervisor", at=AT)
        assert _owner(db, "hongqi-01") == expected
    held = db.get(Rule, grid.id)
    assert held is not None and (held.retracted_by, held.retracted_at) == ("supervisor", AT)


def test_a_newer_line_of_the_same_area_wins_and_its_retraction_restores_the_older(db):
    first = write_ruling(session=db, ruling=_ruling("street", "sz", 5))
    second = write_ruling(session=db, ruling=_ruling("street", "gd", 9))
    assert _owner(db, "hongqi-04") == "gd"
    assert second.id is not None and first.id is not None
    retract_rule(session=db, rule_id=second.id, by="admin", at=AT)
    assert _owner(db, "hongqi-04") == "sz"
    # A street's line for the operations' lookup by street leaves grid lines out.
    write_ruling(session=db, ruling=_ruling("grid", "zj", 10, grid="hongqi-04"))
    line = rule_in_street(session=db, category="manhole-cover", street="hongqi")
    assert line is not None and line.id == first.id


def test_a_ruling_is_written_once_per_arbitration_and_retracted_once(db):
    first = write_ruling(session=db, ruling=_ruling("grid", "gd", 7))
    again = write_ruling(session=db, ruling=_ruling("grid", "gd", 7))  # the activity retried
    assert again.id == first.id
    rows = db.exec(select(Rule).where(Rule.case_number == "2026-11-000042")).all()
    assert len(rows) == 1
    assert first.id is not None
    retract_rule(session=db, rule_id=first.id, by="supervisor", at=AT)
    later = datetime(2026, 11, 24, tzinfo=UTC)
    kept = retract_rule(session=db, rule_id=first.id, by="admin", at=later)
    assert kept is not None and (kept.retracted_by, kept.retracted_at) == ("supervisor", AT)
    assert retract_rule(session=db, rule_id=10**9, by="admin", at=AT) is None


def test_an_unknown_grid_is_not_routed_and_refuses_a_ruling(db):
    assert route(session=db, category="manhole-cover", grid="nowhere-01") is None
    with pytest.raises(LookupError):
        write_ruling(session=db, ruling=_ruling("grid", "gd", 3, grid="nowhere-01"))
