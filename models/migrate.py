"""Additive schema evolution: columns and indexes that a newer version adds to existing tables.

`create_all` creates missing tables but leaves existing ones alone, so a database from an older
version would lack a new column. Only additive changes are applied here (a nullable or defaulted
column, an index); anything else needs a written migration.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, MetaData, inspect, text
from sqlalchemy.engine import Engine


def _default_sql(column: Column, dialect: str) -> str:
    default = getattr(column.default, "arg", None)
    if default is None or callable(default):
        return ""
    if isinstance(column.type, Boolean) or isinstance(default, bool):
        value = ("1" if default else "0") if dialect == "sqlite" else str(bool(default)).upper()
        return f" DEFAULT {value}"
    if isinstance(default, int | float):
        return f" DEFAULT {default}"
    return " DEFAULT '" + str(default).replace("'", "''") + "'"


def add_missing(engine: Engine, metadata: MetaData) -> list[str]:
    """Adds the columns and indexes the tables lack; returns what it added."""
    added: list[str] = []
    inspector = inspect(engine)
    existing_tables = set(inspector.get_table_names())
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in have or column.primary_key:
                    continue
                ddl_type = column.type.compile(dialect=engine.dialect)
                default = _default_sql(column, engine.dialect.name)
                null = "" if column.nullable or default else " NULL"
                conn.execute(
                    text(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" '
                        f"{ddl_type}{default}{null}"
                    )
                )
                added.append(f"{table.name}.{column.name}")
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexes:
                    index.create(conn, checkfirst=True)
                    added.append(f"index {index.name}")
    return added
