"""Administration of the reference tables and users (API.md "Administration"): list, create,
update, retire, and import many rows at once; every change written with its audit entry (who,
when, before, after) in the caller's transaction.

One path serves a form, a JSON body and a spreadsheet: models/admin_plan.py checks the rows and
says what each would do; `apply` writes a plan without errors. An import with any error applies
nothing, and importing what the export wrote changes nothing (every row `unchanged`). Nothing is
deleted: retiring a row makes it inactive, its history and the cases that name it stay. A line
of the responsibility list is never rewritten: changing what it says retires it and writes a
new line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models import admin_users
from models.admin_checks import Actor, Lookup
from models.admin_plan import REPLACE, UNCHANGED, Change, Progress, Rows, key_of, plan, spec_of
from models.admin_spec import FieldError, Invalid, TableSpec, flatten
from models.audit import CREATE, RETIRE, record

MAX_ROWS = 20_000


@dataclass
class ImportResult:
    """The answer of an import: how many rows made, changed or left alone, and every error."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[FieldError] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_json() for e in self.errors],
            "applied": self.applied,
            "dry_run": self.dry_run,
        }


def list_rows(
    *,
    session: Session,
    table: str | TableSpec,
    q: str | None = None,
    active: bool | None = None,
    page: int = 1,
    page_size: int = 100,
) -> tuple[list[dict[str, Any]], int]:
    """Returns one page of a table's rows as flat JSON, and how many match."""
    spec = spec_of(table)
    query = spec.query()
    if q and q.strip():
        words = f"%{q.strip()}%"
        query = query.where(or_(*(col(c).ilike(words) for c in spec.search)))
    if active is not None:
        query = query.where(spec.active() if active else ~spec.active())
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.offset((page - 1) * page_size).limit(page_size)).all()
    return [spec.to_json(r) for r in rows], total


def get_row(*, session: Session, table: str | TableSpec, key: Any) -> Any | None:
    """Returns a row's model object, or None when the table holds no such row."""
    spec = spec_of(table)
    found = key_of(spec, key)
    row = session.get(spec.model, found) if found is not None else None
    return row if row is not None and spec.owns(row) else None


def apply(
    *,
    session: Session,
    table: str | TableSpec,
    changes: list[Change],
    lookup: Lookup,
    reason: str | None = None,
    progress: Progress | None = None,
) -> list[Any]:
    """Writes the changes of a plan without errors, each with its audit entry; returns the rows
    written (a replaced rule: its new line)."""
    spec = spec_of(table)
    written: list[tuple[Change, Any, Any]] = []
    for done, change in enumerate(changes, start=1):
        if change.action == UNCHANGED:
            continue
        if change.action == REPLACE:
            old = change.obj
            retired = {**change.before, "active": False} if change.before else change.after
            spec.write(session, old, retired, lookup)
            written.append((change, spec.write(session, None, change.after, lookup), old))
        else:
            written.append((change, spec.write(session, change.obj, change.after, lookup), None))
        if progress and done % 200 == 0:
            progress("write", done, len(changes))
    session.flush()
    for change, obj, old in written:
        after = spec.to_json(obj)
        if spec.name == "users" and not obj.active and (change.before or {}).get("active", True):
            admin_users.revoke_sessions(session=session, username=obj.username)
        if old is not None:
            _audit(
                session,
                spec,
                lookup,
                RETIRE,
                old,
                change.before,
                spec.to_json(old),
                f"replaced_by:{obj.id}",
            )
            _audit(session, spec, lookup, CREATE, obj, None, after, f"replaces:{old.id}")
        else:
            _audit(session, spec, lookup, change.action, obj, change.before, after, reason)
    return [obj for _change, obj, _old in written]


def _audit(
    session: Session,
    spec: TableSpec,
    lookup: Lookup,
    action: str,
    obj: Any,
    before: dict | None,
    after: dict,
    reason: str | None,
) -> None:
    record(
        session=session,
        actor=lookup.actor.username,
        role=lookup.actor.role,
        subject=spec.subject,
        key=spec.row_key(obj),
        action=action,
        before=before,
        after=after,
        reason=reason,
    )


def _one(session: Session, spec: TableSpec, body: dict, actor: Actor, mode: str, key: Any) -> Any:
    lookup = Lookup(session, actor)
    changes, errors = plan(
        session=session, table=spec, rows=[(None, flatten(body))], lookup=lookup, mode=mode, key=key
    )
    if errors:
        raise Invalid(errors)
    written = apply(session=session, table=spec, changes=changes, lookup=lookup)
    return written[0] if written else changes[0].obj


def create(*, session: Session, table: str | TableSpec, body: dict, actor: Actor) -> Any:
    """Creates a row from a JSON body; raises Invalid naming each bad field."""
    return _one(session, spec_of(table), body, actor, "create", None)


def update(*, session: Session, table: str | TableSpec, key: Any, body: dict, actor: Actor) -> Any:
    """Changes the fields a body gives (others stay); raises LookupError or Invalid."""
    spec = spec_of(table)
    if get_row(session=session, table=spec, key=key) is None:
        raise LookupError(f"{spec.subject} {key}")
    return _one(session, spec, body, actor, "update", key)


def retire(*, session: Session, table: str | TableSpec, key: Any, actor: Actor) -> Any:
    """Retires a row (DELETE): it stays, inactive, with its history; raises LookupError."""
    return update(session=session, table=table, key=key, body={"active": False}, actor=actor)


def import_rows(
    session: Session,
    table: str | TableSpec,
    rows: Rows,
    actor: Actor,
    dry_run: bool,
    *,
    reason: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Checks every row and, unless `dry_run` or any row is wrong, applies them all in the
    caller's transaction; the result counts what was (or would be) created and updated."""
    spec = spec_of(table)
    result = ImportResult(dry_run=dry_run)
    if len(rows) > MAX_ROWS:
        result.errors = [FieldError(None, "file", "too_many", {"max": MAX_ROWS})]
        return result
    lookup = Lookup(session, actor, source="import")
    changes, result.errors = plan(
        session=session, table=spec, rows=rows, lookup=lookup, progress=progress
    )
    for change in changes:
        if change.action == CREATE:
            result.created += 1
        elif change.action == UNCHANGED:
            result.unchanged += 1
        else:
            result.updated += 1
    if result.errors or dry_run:
        return result
    apply(
        session=session,
        table=spec,
        changes=changes,
        lookup=lookup,
        reason=reason or "import:",
        progress=progress,
    )
    result.applied = True
    return result
