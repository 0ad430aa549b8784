"""The schema: every table, created where missing, with new columns added to old tables."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models.all  # noqa: F401  (registers every table)
from models.assignment import backfill_if_needed
from models.migrate import add_missing, drop_stale_unique


def init_db(engine: Engine) -> None:
    """Creates the tables that do not exist yet, adds new columns to those that do and drops the
    unique constraints the models no longer declare; fills the assignment facts from the
    timelines of a database written before them."""
    SQLModel.metadata.create_all(engine)
    add_missing(engine, SQLModel.metadata)
    drop_stale_unique(engine, SQLModel.metadata)
    backfill_if_needed(engine)
