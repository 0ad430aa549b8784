"""The checks across fields and tables of administration (API.md "Administration"): a street and
community that exist and belong together, a category's parent that is a 大类, a rule's area that
fits its scope, a liaison's department, and no reference to a retired unit in a new or changed
row. `Lookup` reads what the checks need once per request or file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlmodel import Session, col, select

from models.reference import Category, Community, Department, Grid

Problem = tuple[str, str, dict[str, Any]]  # field, kind, params
STREET = "street"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: username and role, as the audit log records them."""

    username: str
    role: str


@dataclass
class Lookup:
    """The reference data a check reads, each table read once; rows of the file being imported
    count as well (`pending`: a 小类 may name a 大类 on an earlier row)."""

    session: Session
    actor: Actor
    source: str = "admin"  # what a new rule's source says: admin or import
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)

    @cached_property
    def units(self) -> dict[str, tuple[str, bool]]:
        rows = self.session.exec(select(Department.code, Department.kind, Department.active))
        return {code: (kind, active) for code, kind, active in rows}

    @cached_property
    def streets(self) -> dict[str, tuple[str, bool]]:
        return {code: unit for code, unit in self.units.items() if unit[0] == STREET}

    @cached_property
    def communities(self) -> dict[str, tuple[str, bool]]:
        rows = self.session.exec(select(Community.code, Community.street, Community.active))
        return {code: (street, active) for code, street, active in rows}

    @cached_property
    def grids(self) -> dict[str, tuple[str, str, bool]]:
        rows = self.session.exec(select(Grid.code, Grid.street, Grid.community, Grid.active))
        return {code: (street, community, active) for code, street, community, active in rows}

    @cached_property
    def categories(self) -> dict[str, tuple[str | None, str, bool]]:
        query = select(Category.code, Category.parent, Category.kind, Category.active)
        return {
            code: (parent, kind, active) for code, parent, kind, active in self.session.exec(query)
        }

    @cached_property
    def parents(self) -> set[str]:
        """Returns the codes that some stored category names as its parent."""
        query = select(Category.parent).where(col(Category.parent).is_not(None)).distinct()
        return {p for p in self.session.exec(query) if p}

    def street_of(self, scope: str, area: str | None) -> str:
        """Returns the street of a rule's area ('*' for the whole city)."""
        if scope == "grid" and area in self.grids:
            return self.grids[area][0]
        if scope == "community" and area in self.communities:
            return self.communities[area][0]
        return area or "*" if scope == STREET else "*"


def _changed(name: str, row: dict[str, Any], before: dict[str, Any] | None) -> bool:
    return before is None or before.get(name) != row.get(name)


def _reference(
    name: str,
    what: str,
    value: str | None,
    known: dict[str, Any],
    row: dict[str, Any],
    before: dict[str, Any] | None,
    *,
    active: bool | None,
) -> list[Problem]:
    """Returns the problem of a reference: unknown; or retired, in an active row that is new
    or changes it (an old row keeps pointing where it did)."""
    if not value:
        return []
    if value not in known:
        return [(name, "unknown", {"what": what, "value": value})]
    if active is False and row.get("active") and _changed(name, row, before):
        return [(name, "retired", {"what": what, "value": value})]
    return []


def _street(lookup: Lookup, name: str, value: str | None, row: dict, before: dict | None):
    streets = lookup.streets
    active = streets[value][1] if value in streets else None
    return _reference(name, "street", value, streets, row, before, active=active)


def check_community(row: dict[str, Any], before: dict | None, lookup: Lookup) -> list[Problem]:
    """A community lies in a street that exists."""
    return _street(lookup, "street", row.get("street"), row, before)


def check_grid(row: dict[str, Any], before: dict | None, lookup: Lookup) -> list[Problem]:
    """A grid lies in a street and in a community of that street (said once the street is
    known)."""
    problems = _street(lookup, "street", row.get("street"), row, before)
    code = row.get("community")
    known = lookup.communities
    found = known.get(code or "")
    street_ok = not problems
    problems += _reference(
        "community", "community", code, known, row, before, active=found[1] if found else None
    )
    if found and row.get("street") and found[0] != row["street"] and street_ok:
        params = {"value": code, "actual": found[0], "street": row["street"]}
        problems.append(("community", "wrong_street", params))
    return problems


def check_category(row: dict[str, Any], before: dict | None, lookup: Lookup) -> list[Problem]:
    """A 小类 names a 大类 of its kind; a 大类 with 小类 stays one."""
    code, parent = row.get("code"), row.get("parent")
    if not parent:
        return []
    if parent == code:
        return [("parent", "parent_self", {})]
    if parent in lookup.pending:
        grand, kind = lookup.pending[parent].get("parent"), lookup.pending[parent].get("kind")
    elif parent in lookup.categories:
        grand, kind, active = lookup.categories[parent]
        if not active and _changed("parent", row, before):
            return [("parent", "retired", {"what": "category", "value": parent})]
    else:
        return [("parent", "unknown", {"what": "category", "value": parent})]
    if grand:
        return [("parent", "parent_minor", {"value": parent})]
    problems: list[Problem] = []
    if kind and row.get("kind") != kind:
        problems.append(("kind", "parent_kind", {"kind": kind}))
    minors = {c for c, v in lookup.pending.items() if v.get("parent") == code}
    if code in lookup.parents or minors:
        problems.append(("parent", "has_minors", {"value": code}))
    return problems


AREAS = {"street": "street", "community": "community", "grid": "grid"}


def check_rule(row: dict[str, Any], before: dict | None, lookup: Lookup) -> list[Problem]:
    """A rule's category and department exist, and its area fits its scope."""
    category = row.get("category")
    cats = lookup.categories
    problems = _reference(
        "category",
        "category",
        category,
        cats,
        row,
        before,
        active=cats[category][2] if category in cats else None,
    )
    dept = row.get("department")
    units = lookup.units
    active = units[dept][1] if dept in units else None
    problems += _reference("department", "department", dept, units, row, before, active=active)
    scope, area = row.get("scope"), row.get("area")
    if scope == "city":
        if area:
            problems.append(("area", "area_none", {}))
        return problems
    if scope not in AREAS:
        return problems
    if not area:
        return [*problems, ("area", "area_needed", {"scope": scope, "what": AREAS[scope]})]
    if scope == STREET:
        return problems + _street(lookup, "area", area, row, before)
    known: dict[str, Any] = lookup.grids if scope == "grid" else lookup.communities
    found = known.get(area)
    return problems + _reference(
        "area", AREAS[scope], area, known, row, before, active=found[-1] if found else None
    )


def check_user(row: dict[str, Any], before: dict | None, lookup: Lookup) -> list[Problem]:
    """A liaison belongs to a department that exists; nobody retires or demotes themselves."""
    problems: list[Problem] = []
    dept = row.get("department")
    if row.get("role") == "liaison" and not dept:
        problems.append(("department", "liaison_department", {}))
    units = lookup.units
    active = units[dept][1] if dept in units else None
    problems += _reference("department", "department", dept, units, row, before, active=active)
    if before is not None and row.get("username") == lookup.actor.username:
        if not row.get("active"):
            problems.append(("active", "self", {}))
        if row.get("role") != "admin" and before.get("role") == "admin":
            problems.append(("role", "self", {}))
    return problems


def no_check(row: dict[str, Any], before: dict | None, lookup: Lookup) -> list[Problem]:
    """Departments and streets refer to nothing."""
    return []
