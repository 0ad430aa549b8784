"""Checking rows for an administration table and saying what each would do (`plan`): every value
on its own, then the row against the stored tables and against the other rows of the same file.
A row from a form, a JSON body or a spreadsheet takes the same path; nothing is written here.

In an import a row whose key exists updates it and other rows are created; a line of the
responsibility list without an id is the line in force for its category and area, if there is
one. Each error names the row and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from models.admin_checks import Lookup
from models.admin_spec import FieldError, TableSpec, as_text, coerce
from models.admin_specs import RULES, TABLES
from models.audit import CREATE, RESTORE, RETIRE, UPDATE

Progress = Callable[[str, int, int], None]  # stage (check | write), rows done, rows in all
Rows = list[tuple[int | None, dict[str, Any]]]
SUBSTANCE = ("category", "scope", "area", "department")  # what a line of the list says
UNCHANGED, REPLACE = "unchanged", "replace"
BULK = 20  # more rows than this: the table is read whole, once


@dataclass
class Change:
    """What one row does: create, update, retire, restore, replace (a rule) or nothing."""

    row: int | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any]
    obj: Any = None


def spec_of(table: str | TableSpec) -> TableSpec:
    """Returns a table's spec; KeyError for an unknown table."""
    return table if isinstance(table, TableSpec) else TABLES[table]


def key_of(spec: TableSpec, value: Any) -> Any:
    """Returns a row's key from a cell or path: text, or a whole number for a rule's id."""
    text = as_text(value)
    if spec.key != "id":
        return text or None
    return int(text) if text.isdigit() else None


def _values(spec: TableSpec, raw: dict[str, Any], row: int | None) -> tuple[dict, list]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in raw.items():
        found = spec.field(name)
        if found is None:
            errors.append(FieldError(row, name, "unknown_column", {"value": name}))
        elif not found.readonly:
            values[name], problem = coerce(found, value)
            if problem:
                errors.append(FieldError(row, name, problem[0], problem[1]))
    return values, errors


def _action(spec: TableSpec, before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    if before is None:
        return CREATE
    changed = [f.name for f in spec.writable if after.get(f.name) != before.get(f.name)]
    if not changed:
        return UNCHANGED
    if spec is RULES and set(changed) & set(SUBSTANCE):
        return REPLACE  # a line is never rewritten
    if changed == ["active"]:
        return RESTORE if after["active"] else RETIRE
    return UPDATE


def line_of(values: dict[str, Any]) -> tuple[Any, ...]:
    """Returns what makes a line of the list one: its category and area."""
    return tuple(values.get(n) for n in ("category", "scope", "area"))


@dataclass
class _Stored:
    """The stored rows a plan matches its rows with: the whole table for a large import."""

    session: Session
    spec: TableSpec
    bulk: bool
    match_lines: bool  # an import of the list: a line without an id is the one in force
    rows: dict[str, Any] = field(default_factory=dict)
    lines: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bulk = self.bulk or self.match_lines
        if self.bulk:
            self.rows = {
                self.spec.row_key(r): r for r in self.session.exec(select(self.spec.model))
            }
        if self.match_lines:
            self.lines = {
                line_of(self.spec.to_json(r)): r
                for r in self.rows.values()
                if r.retracted_at is None
            }

    def get(self, key: Any) -> Any:
        if self.bulk:
            return self.rows.get(str(key))
        return self.session.get(self.spec.model, key)


def _find(stored: _Stored, raw: dict, values: dict, row: int | None, mode: str, key: Any):
    """Returns the stored row a row names (or None) and the errors of naming it."""
    spec, name = stored.spec, stored.spec.key
    errors: list[FieldError] = []
    found = key_of(spec, raw.get(name)) if name in raw else None
    if mode == "update":
        if found is not None and found != key_of(spec, key):
            errors.append(FieldError(row, name, "read_only", {}))
        found = key_of(spec, key)
    obj = stored.get(found) if found is not None else None
    if spec is RULES and as_text(raw.get(name)) and found is None:
        errors.append(FieldError(row, name, "number", {"value": as_text(raw[name])}))
    elif spec is RULES and found is not None and obj is None:
        errors.append(FieldError(row, name, "not_found", {"what": "rule", "value": found}))
    elif stored.match_lines and found is None:
        obj = stored.lines.get(line_of(values))
        if values.get("active") is False and obj is None:
            errors.append(FieldError(row, "active", "retired_line", {}))
    if obj is not None and (not spec.owns(obj) or mode == "create"):
        errors.append(FieldError(row, name, "duplicate_db", {"value": found}))
        obj = None
    return obj, errors


def _first_pass(stored: _Stored, rows: Rows, mode: str, key: Any, progress: Progress | None):
    spec = stored.spec
    errors: list[FieldError] = []
    drafts: list[tuple[int | None, dict, dict | None, Any]] = []
    seen: dict[Any, int | None] = {}
    defaults = {f.name: (True if f.type == "bool" else None) for f in spec.writable}
    for done, (row, raw) in enumerate(rows, start=1):
        values, errs = _values(spec, raw, row)
        obj, found = _find(stored, raw, values, row, mode, key)
        errors += errs + found
        before = spec.to_json(obj) if obj is not None else None
        merged = {**(before or defaults), **values}
        if before is None:
            errors += [
                FieldError(row, f.name, "required", {})
                for f in spec.writable
                if f.required and merged.get(f.name) is None and f.name not in values
            ]
        mark = line_of(merged) if spec is RULES else merged.get(spec.key)
        if mark is not None and (spec is not RULES or merged.get("active")):
            if mark in seen:
                kind = "duplicate_line" if spec is RULES else "duplicate_file"
                where = "area" if spec is RULES else spec.key
                errors.append(FieldError(row, where, kind, {"value": mark, "other": seen[mark]}))
            seen.setdefault(mark, row)
        drafts.append((row, merged, before, obj))
        if progress and done % 200 == 0:
            progress("check", done // 2, len(rows))  # two passes over the rows
    return drafts, errors


def plan(
    *,
    session: Session,
    table: str | TableSpec,
    rows: Rows,
    lookup: Lookup,
    mode: str = "import",
    key: Any = None,
    progress: Progress | None = None,
) -> tuple[list[Change], list[FieldError]]:
    """Checks rows and returns what each would do, with every error, by row (mode: create,
    update of the row `key`, or import)."""
    spec = spec_of(table)
    importing = mode == "import"
    stored = _Stored(session, spec, importing and len(rows) > BULK, importing and spec is RULES)
    drafts, errors = _first_pass(stored, rows, mode, key, progress)
    if spec.name == "categories":  # a 小类 may name a 大类 of the same file
        lookup.pending = {d[1]["code"]: d[1] for d in drafts if d[1].get("code")}
    changes: list[Change] = []
    for done, (row, merged, before, obj) in enumerate(drafts, start=1):
        errors += [FieldError(row, *p) for p in spec.check(merged, before, lookup)]
        changes.append(Change(row, _action(spec, before, merged), before, merged, obj))
        if progress and done % 200 == 0:
            progress("check", (len(rows) + done) // 2, len(rows))
    errors.sort(key=lambda e: e.row or 0)
    return changes, errors
