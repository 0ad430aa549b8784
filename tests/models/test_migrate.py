"""A database made by an older version gains the columns and indexes a newer one added."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    text,
)
from sqlmodel import Session, SQLModel, col, select

from models.db import get_engine
from models.migrate import drop_stale_unique
from models.reference import Rule
from models.routing import route
from models.schema import init_db


def test_an_older_case_table_gains_new_columns_and_keeps_its_rows(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    init_db(engine)
    with engine.begin() as conn:
        conn.execute(text('DROP INDEX IF EXISTS "ix_case_light_created"'))
        conn.execute(text('ALTER TABLE "case" DROP COLUMN "interim_done"'))
        conn.execute(
            text(
                'INSERT INTO "case" (number, status, category, description, grid, street, '
                "address, channel, bounces, reworks, extensions, escalation_level, "
                "calendar_fallback, version, created_at) VALUES ('2026-11-000001', 'new', "
                "'noise', 'd', 'hongqi-01', 'hongqi', 'a', 'hotline', 0, 0, 0, 0, 0, 1, "
                "'2026-11-23 02:00:00')"
            )
        )
    assert "interim_done" not in {c["name"] for c in inspect(engine).get_columns("case")}

    init_db(engine)

    inspector = inspect(engine)
    assert "interim_done" in {c["name"] for c in inspector.get_columns("case")}
    assert "ix_case_light_created" in {i["name"] for i in inspector.get_indexes("case")}
    with engine.connect() as conn:
        row = conn.execute(text('SELECT number, interim_done FROM "case"')).one()
    assert row == ("2026-11-000001", 0)
    init_db(engine)  # idempotent


def _old_rule_table() -> Table:
    """The responsibility list as the versions before issue 9 made it: one line per category and
    street."""
    meta = MetaData()
    Table("category", meta, Column("code", String, primary_key=True))
    Table("department", meta, Column("code", String, primary_key=True))
    return Table(
        "rule",
        meta,
        Column("id", Integer, primary_key=True),
        Column("category", String, ForeignKey("category.code"), nullable=False, index=True),
        Column("street", String(32), nullable=False),
        Column("department", String, ForeignKey("department.code"), nullable=False),
        Column("source", String(64), nullable=False),
        UniqueConstraint("category", "street"),
    )


def test_an_older_responsibility_list_takes_lines_of_any_scope_and_keeps_its_own(backend):
    with backend.begin() as conn:
        conn.execute(text("DROP TABLE rule"))
        _old_rule_table().create(conn)
        conn.execute(
            text(
                "INSERT INTO rule (category, street, department, source) VALUES "
                "('manhole-cover', '*', 'sw', 'list'), "
                "('manhole-cover', 'sanzao', 'zj', 'ruling:2026-10-000007')"
            )
        )

    init_db(backend)

    with Session(backend) as session:
        rows = session.exec(select(Rule).order_by(col(Rule.id))).all()
        assert [(r.street, r.scope, r.area, r.department, r.source) for r in rows] == [
            ("*", "street", None, "sw", "list"),
            ("sanzao", "street", None, "zj", "ruling:2026-10-000007"),
        ]
        # A grid's line beside its street's, and a second line for the street: both allowed.
        for area in ("sanzao-01", None):
            session.add(
                Rule(
                    category="manhole-cover",
                    street="sanzao",
                    scope="grid" if area else "street",
                    area=area,
                    department="gd",
                )
            )
        session.commit()
        assert route(session=session, category="manhole-cover", grid="sanzao-01").department == "gd"
    assert drop_stale_unique(backend, SQLModel.metadata) == []  # done once
    init_db(backend)
