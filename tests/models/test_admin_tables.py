"""The administration tables on SQLite and PostgreSQL 15: an older database gains the `active`
flags (true for its rows) and the category columns; an import with a bad row applies nothing,
not even an audit entry; the export read back changes nothing; a changed line of the list is
retired and written anew; retired units stop routing and placing points."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, text
from sqlmodel import Session, col, select

from models.admin_checks import Actor
from models.admin_specs import TABLES
from models.admin_tables import create, import_rows, list_rows, retire, update
from models.admin_users import password_problem
from models.admin_xlsx import export_xlsx, read_upload
from models.audit import AuditEntry
from models.geo import grid_of
from models.reference import Category, Community, Department, Grid, Rule
from models.routing import route
from models.schema import init_db

ADMIN = Actor("admin", "admin")
OLD_COLUMNS = {
    "department": ["active"],
    "community": ["active"],
    "grid": ["active"],
    "category": ["active", "parent", "register_standard", "close_standard"],
}


def test_an_older_database_gains_the_flags_all_true(backend):
    with backend.begin() as conn:
        conn.execute(text('DROP INDEX IF EXISTS "ix_category_parent"'))
        for table, columns in OLD_COLUMNS.items():
            for column in columns:
                conn.execute(text(f'ALTER TABLE "{table}" DROP COLUMN "{column}"'))
    init_db(backend)
    for table, columns in OLD_COLUMNS.items():
        assert set(columns) <= {c["name"] for c in inspect(backend).get_columns(table)}
    with Session(backend) as session:
        for model in (Department, Community, Grid, Category):
            rows = session.exec(select(model)).all()
            assert rows and all(r.active is True for r in rows), model
        assert session.get(Category, "noise").parent is None  # type: ignore[union-attr]
        session.add(Department(code="after", name="之后的部门"))  # the default without a value
        session.commit()
        assert session.get(Department, "after").active is True  # type: ignore[union-attr]


def _audit(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


def test_an_import_is_all_or_nothing_and_the_export_is_its_template(backend):
    rows = [
        (2, {"code": "x-01", "name": "好", "street": "hongqi", "community": "hongqi-c1"}),
        (3, {"code": "x-02", "name": "坏", "street": "nowhere", "community": "hongqi-c1"}),
        (4, {"code": "x-01", "name": "重", "street": "hongqi", "community": "hongqi-c1"}),
    ]
    with Session(backend) as session:
        result = import_rows(session, "grids", rows, ADMIN, False)
        assert [(e.row, e.field) for e in result.errors] == [(3, "street"), (4, "code")]
        assert not result.applied
        session.commit()
        assert session.get(Grid, "x-01") is None and _audit(session) == 0
        good = import_rows(session, "grids", rows[:1], ADMIN, False)
        session.commit()
        assert (good.created, good.applied) == (1, True) and _audit(session) == 1
        for name, spec in TABLES.items():
            listed, total = list_rows(session=session, table=name, page_size=10_000)
            back, errors = read_upload(spec, export_xlsx(spec, listed), f"{name}.xlsx")
            again = import_rows(session, name, back, ADMIN, False)
            assert errors == [] and again.errors == [], name
            assert (again.created, again.updated, again.unchanged) == (0, 0, total), name
        assert _audit(session) == 1


def test_a_changed_line_is_retired_and_written_anew(backend):
    with Session(backend) as session:
        line = create(
            session=session,
            table="rules",
            actor=ADMIN,
            body={
                "category": "noise",
                "scope": "community",
                "area": "hongqi-c1",
                "department": "cg",
            },
        )
        session.commit()
        assert route(session=session, category="noise", grid="hongqi-01") == line
        moved = update(
            session=session, table="rules", key=line.id, actor=ADMIN, body={"department": "sj"}
        )
        session.commit()
        session.refresh(line)
        assert moved.id != line.id and line.retracted_by == "admin" and moved.source == "admin"
        assert route(session=session, category="noise", grid="hongqi-01") == moved
        actions = session.exec(
            select(AuditEntry.action, AuditEntry.key).order_by(col(AuditEntry.id))
        ).all()
        assert actions == [
            ("create", str(line.id)),
            ("retire", str(line.id)),
            ("create", str(moved.id)),
        ]
        # A retired department routes nothing: the next most specific line does.
        retire(session=session, table="departments", key="sj", actor=ADMIN)
        session.commit()
        assert route(session=session, category="noise", grid="hongqi-01").department == "hb"  # type: ignore[union-attr]


def test_a_retired_grid_places_no_point(backend):
    with Session(backend) as session:
        grid = session.get(Grid, "hongqi-01")
        assert grid is not None and grid.geometry is not None
        ring = grid.geometry["coordinates"][0]
        lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
        lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
        placed = grid_of(session=session, lat=lat, lon=lon)
        assert placed is not None
        retire(session=session, table="grids", key=placed.grid, actor=ADMIN)
        session.commit()
        assert grid_of(session=session, lat=lat, lon=lon) is None
        assert session.get(Grid, placed.grid).active is False  # type: ignore[union-attr]
        assert session.exec(select(Rule)).first() is not None  # nothing else went


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "password_short"),
        ("password123", "password_common"),
        ("1234567890", "password_common"),
        ("abcdefghijk", "password_common"),
        ("zzzzzzzzzzzz", "password_common"),
        ("liwei2026liwei", "password_common"),
        ("liwei12345678", "password_common"),
        ("Correct-Horse-9", None),
        ("海堤巡查2031年春", None),
    ],
)
def test_a_password_too_short_or_common_is_refused(password, problem):
    assert password_problem(password, username="liwei") == problem


def test_an_import_reports_its_progress(backend):
    rows = [
        (i + 2, {"code": f"p-c{i}", "name": f"社区{i}", "street": "hongqi"}) for i in range(600)
    ]
    seen: list[tuple[str, int, int]] = []
    with Session(backend) as session:
        done = import_rows(
            session, "communities", rows, ADMIN, False, progress=lambda *step: seen.append(step)
        )
        session.commit()
    assert done.created == 600
    checks = [s for s in seen if s[0] == "check"]
    assert checks[0] == ("check", 100, 600) and checks[-1] == ("check", 600, 600)
    assert [s[1] for s in checks] == sorted(s[1] for s in checks)
    assert ("write", 600, 600) in seen
