"""The schema: every table, created where missing, with new columns added to old tables."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models.all  # noqa: F401  (registers every table)
from models.migrate import add_missing


def init_db(engine: Engine) -> None:
    """Creates the tables that do not exist yet and adds new columns to those that do."""
    SQLModel.metadata.create_all(engine)
    add_missing(engine, SQLModel.metadata)
