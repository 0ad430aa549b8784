"""A database made by an older version gains the columns and indexes a newer one added."""

from __future__ import annotations

from sqlalchemy import inspect, text

from models.db import get_engine
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
