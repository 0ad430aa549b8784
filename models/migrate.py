"""Schema evolution: columns and indexes that a newer version adds to existing tables, and the
unique constraints it has dropped.

`create_all` creates missing tables but leaves existing ones alone, so a database from an older
version would lack a new column. Additive changes are applied here (a nullable or defaulted
column, an index), and so is dropping a unique constraint the model no longer declares (the
responsibility list's one line per category and street); anything else needs a written migration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, MetaData, Table, UniqueConstraint, inspect, text
from sqlalchemy.engine import Engine, Inspector
from sqlalchemy.schema import CreateIndex, CreateTable


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


def _declared_unique(table: Table) -> set[frozenset[str]]:
    constraints = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    declared = {frozenset(c.name for c in u.columns) for u in constraints}
    return declared | {frozenset(c.name for c in i.columns) for i in table.indexes if i.unique}


def _rebuild_sqlite(engine: Engine, table: Table, indexes: list[str]) -> None:
    # SQLite cannot drop a constraint: the rows move into the table made afresh from the model,
    # in one transaction (pysqlite would commit each DDL statement on its own).
    old = f"_old_{table.name}"
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    script = [
        *(f'DROP INDEX "{name}"' for name in indexes),  # they would stay with the renamed table
        f'ALTER TABLE "{table.name}" RENAME TO "{old}"',
        str(CreateTable(table).compile(dialect=engine.dialect)),
        *(str(CreateIndex(i).compile(dialect=engine.dialect)) for i in table.indexes),
        f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{old}"',
        f'DROP TABLE "{old}"',
    ]
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        try:
            raw.executescript("BEGIN;\n" + ";\n".join(script) + ";\nCOMMIT;")
        except BaseException:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raise


def _stale_unique(inspector: Inspector, table: Table) -> list[Any]:
    declared = _declared_unique(table)
    found = inspector.get_unique_constraints(table.name)
    return [u for u in found if frozenset(u["column_names"]) not in declared]


def drop_stale_unique(engine: Engine, metadata: MetaData) -> list[str]:
    """Drops the unique constraints that tables have and their models no longer declare; returns
    what it dropped. Runs after add_missing, so the old table holds every column."""
    dropped: list[str] = []
    inspector = inspect(engine)
    existing_tables = set(inspector.get_table_names())
    referenced = {fk.column.table.name for t in metadata.sorted_tables for fk in t.foreign_keys}
    for table in metadata.sorted_tables:
        stale = _stale_unique(inspector, table) if table.name in existing_tables else []
        if not stale:
            continue
        what = [f"{table.name} unique ({', '.join(u['column_names'])})" for u in stale]
        if engine.dialect.name != "sqlite":
            with engine.begin() as conn:
                for u in stale:
                    conn.execute(text(f'ALTER TABLE "{table.name}" DROP CONSTRAINT "{u["name"]}"'))
        elif table.name in referenced:
            raise RuntimeError(f"{what}: a table others refer to needs a written migration")
        else:
            indexes = [i["name"] for i in inspector.get_indexes(table.name) if i["name"]]
            _rebuild_sqlite(engine, table, indexes)
        dropped += what
    return dropped
